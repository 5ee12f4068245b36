"""The analysis of a survey's responses, live while it is open.

Per question: how many respondents answered it (the base) and what share of all respondents
that is; per option the count, the percent of the base and a 95% Wilson interval. Multiple
choice is counted per option, never per combination. Cross-tabulations and
equality answers (only ever in aggregate) follow :mod:`saferplan.core.disclosure`'s rules for them.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from saferplan.core.disclosure import CROSS_TABULATIONS, EQUALITY_ANSWERS, protect, protect_line, shown

from . import equality, redaction
from .models import (
    COUNTED,
    Answer,
    Channel,
    EqualityResponse,
    Question,
    QuestionType,
    Response,
    ResponseStatus,
    Survey,
)

UNDER_REPRESENTED_RATIO = 0.8
COUNTED_STATUSES = COUNTED


class AnalysisError(ValueError):
    pass


def wilson(count: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion, in percent."""
    if n == 0:
        return (0.0, 0.0)
    p = count / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half) * 100, min(1.0, centre + half) * 100)


def percent(count: int, base: int) -> float:
    return round(100 * count / base, 1) if base else 0.0


@dataclass
class OptionResult:
    label: str
    count: int
    percent: float
    low: float
    high: float
    is_other: bool = False


@dataclass
class QuestionResult:
    question: Question
    respondents: int  # everyone counted in the survey
    base: int  # those who answered this question
    options: list[OptionResult] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # "Other – please specify" texts, personal data masked
    texts: int = 0  # free-text answers

    @property
    def other_groups(self) -> list[tuple[str, int]]:
        return group_others(self.others)

    @property
    def answered_percent(self) -> float:
        return percent(self.base, self.respondents)

    @property
    def answered_low_high(self):
        return wilson(self.base, self.respondents)


def counted_responses(survey: Survey):
    return Response.objects.filter(survey=survey, status__in=COUNTED)


def example_responses(survey: Survey) -> int:
    """How many of the counted responses were made up for the demo (labelled wherever shown)."""
    return counted_responses(survey).filter(is_example=True).count()


def group_others(texts: list[str]) -> list[tuple[str, int]]:
    """"Other" answers grouped when they say the same thing (case, spacing and punctuation
    aside), most frequent first, each with how many gave it."""
    groups: dict[str, Counter] = defaultdict(Counter)
    for text in texts:
        key = " ".join("".join(ch for ch in text.casefold() if ch.isalnum() or ch.isspace()).split())
        if key:
            groups[key][text.strip()] += 1
    rows = [(forms.most_common(1)[0][0], sum(forms.values())) for forms in groups.values()]
    return sorted(rows, key=lambda r: (-r[1], r[0].casefold()))


NOT_COUNTED = [status for status in ResponseStatus if status not in COUNTED]


def _left_out(survey: Survey) -> list[int]:
    """Up to 5,001 ids of the survey's responses that are not counted: asked for by status, not
    as "not counted", so the (survey, status) index finds them without reading every response."""
    return list(Response.objects.filter(survey=survey, status__in=NOT_COUNTED).order_by().values_list("pk", flat=True)[:5001])


def counted_answers(survey: Survey, question_ids: list[int] | None = None):
    """Answers of counted responses. Responses that are not counted are few (excluded after
    review, suspected automated), so they are left out by id, which is much faster than joining
    every answer to its response."""
    if question_ids is None:
        question_ids = list(survey.questions.values_list("pk", flat=True))
    # A spoilt paper answer is kept on the response but is no answer to count.
    answers = Answer.objects.filter(question_id__in=question_ids, spoilt=False)
    left_out = _left_out(survey)
    if len(left_out) > 5000:
        return answers.filter(response__status__in=COUNTED)
    return answers.exclude(response_id__in=left_out) if left_out else answers


def analyse(survey: Survey, questions: list[Question] | None = None, other_limit: int = 500) -> list[QuestionResult]:
    from django.db import connection

    questions = questions if questions is not None else list(survey.ordered_questions())
    respondents = counted_responses(survey).count()
    table = Answer._meta.db_table
    counted, counted_params = _counted_condition(survey, "response_id")
    # One pass over the answers: rows per option (and per text question), split by first choice.
    # A respondent has one row for a question that is not multiple choice (services.record
    # refuses more), so those bases are sums; a multiple-choice base is its first-choice rows,
    # one a respondent (Answer.first_choice), so no respondent is counted apart. Spoilt rows are
    # grouped and skipped here rather than filtered out, so that the groups follow the covering
    # index's order (question, option, spoilt, first choice) and SQLite need not sort.
    bases: Counter = Counter()
    option_counts: Counter = Counter()
    multiple = {q.pk for q in questions if q.is_multiple}
    others: dict[int, list[str]] = {}
    with connection.cursor() as cursor:
        if questions:
            cursor.execute(f"SELECT question_id, option_id, spoilt, first_choice, COUNT(*) FROM {table}"
                           f" WHERE question_id IN ({', '.join(['%s'] * len(questions))}){counted}"
                           f" GROUP BY question_id, option_id, spoilt, first_choice",
                           [*(q.pk for q in questions), *counted_params])
            for question_id, option_id, spoilt, first, n in cursor.fetchall():
                if spoilt:
                    continue
                if option_id is not None:
                    option_counts[option_id] += n
                if first or question_id not in multiple:
                    bases[question_id] += n
        # "Other" texts, a question at a time in respondent order up to the limit. On a question
        # with options only an "Other" row carries a text (services._answer_rows), so the rows
        # with a text are found walking the (question, spoilt, response) index, a few thousand
        # entries whatever the survey's size, with no estimate of how many chose "Other" for a
        # planner to get wrong; the option is still checked here.
        for q in questions:
            other_options = {o.pk for o in q.options.all() if o.is_other} if q.is_choice else set()
            if other_options:
                cursor.execute(f"SELECT option_id, text FROM {table} WHERE question_id = %s AND spoilt = %s"
                               f" AND text <> ''{counted} ORDER BY response_id, option_id LIMIT %s",
                               [q.pk, False, *counted_params, other_limit])
                others[q.pk] = [redaction.masked(text) for option_id, text in cursor.fetchall()
                                if option_id in other_options]
    results = []
    for q in questions:
        base = bases.get(q.pk, 0)
        result = QuestionResult(q, respondents, base)
        if q.is_choice:
            for o in q.options.all():
                n = option_counts.get(o.pk, 0)
                low, high = wilson(n, base)
                result.options.append(OptionResult(o.label, n, percent(n, base), low, high, o.is_other))
            result.others = others.get(q.pk, [])
        else:
            result.texts = base
        results.append(result)
    return results


def results_json(survey: Survey) -> list[dict]:
    """What ``saferplan survey results --format json`` prints."""
    return [
        {"code": r.question.code, "question": r.question.text, "type": r.question.type, "base": r.base,
         "options": [{"label": o.label, "count": o.count, "percent": o.percent} for o in r.options]}
        for r in analyse(survey)
    ]


def answers_by_code(response: Response) -> dict[str, dict]:
    values: dict[str, dict] = {}
    for a in response.answers.select_related("question", "option"):
        v = values.setdefault(a.question.code, {"options": [], "other": "", "text": ""})
        if a.option_id:
            v["options"].append(a.option_id)
            if a.option.is_other:
                v["other"] = a.text
        elif a.spoilt:
            v["spoilt"] = True
        else:
            v["text"] = a.text
    return values


# Cross-tabulation -------------------------------------------------------------------------------

def crosstab_dimensions(survey: Survey) -> list[tuple[str, str]]:
    dims = []
    for q in survey.ordered_questions():
        if q.is_choice:
            dims.append((f"q:{q.code}", f"{q.code}: {q.text[:80]}"))
    if survey.questions.filter(type=QuestionType.AREA).exists():
        dims.append(("area", "Area (ward)"))
    dims.append(("channel", "Channel"))
    for eq in equality.QUESTIONS:
        dims.append((f"eq:{eq['code']}", f"Equality: {eq['label']}"))
    return dims


class _Dimension:
    """One side of a cross-tabulation: its title, its categories in order, and the SQL that gives
    each counted respondent's category (one row per category, so several for multiple choice)
    and ``lead``: true on exactly one of a respondent's rows (every row, when there is one each),
    so that counting lead rows counts respondents."""

    def __init__(self, title: str, labels: list[str], sql: str, params: list, label_of=None,
                 multiple: bool = False, question: Question | None = None):
        self.title, self.labels, self.sql, self.params = title, labels, sql, params
        self.label_of = label_of or {}
        self.multiple, self.question = multiple, question

    def label(self, value) -> str | None:
        return self.label_of.get(value, value) if self.label_of else value


def _counted_condition(survey: Survey, column: str) -> tuple[str, list]:
    """SQL keeping only counted responses' rows. Those not counted are few (excluded after review,
    suspected automated), so they are left out by id rather than by joining every row to its
    response; past 5,000 of them, by a subquery."""
    left_out = _left_out(survey)
    if not left_out:
        return "", []
    if len(left_out) > 5000:
        return (f" AND {column} IN (SELECT id FROM {Response._meta.db_table} WHERE survey_id = %s"
                f" AND status IN ({', '.join(['%s'] * len(COUNTED))}))", [survey.pk, *COUNTED])
    return f" AND {column} NOT IN ({', '.join(['%s'] * len(left_out))})", left_out


def _equality_column(code: str) -> str:
    """The column the database keeps of one equality question's answer (a generated column)."""
    return EqualityResponse._meta.get_field(code).column


def _dimension(survey: Survey, key: str) -> _Dimension:
    answer_table, response_table = Answer._meta.db_table, Response._meta.db_table
    if key == "area" or key.startswith("q:"):
        q = _question_of(survey, key)
        if q is None:
            raise AnalysisError("This survey has no area question" if key == "area" else "Choose a question with options")
        options = list(q.options.all())
        return _Dimension(
            q.text, [o.label for o in options],
            f"SELECT response_id AS rid, option_id AS cat, first_choice AS lead FROM {answer_table}"
            f" WHERE question_id = %s AND option_id IS NOT NULL AND spoilt = %s",
            [q.pk, False], {o.pk: o.label for o in options}, q.is_multiple, q)
    if key == "channel":
        return _Dimension(
            "Channel", [c.label for c in Channel],
            f"SELECT id AS rid, channel AS cat, TRUE AS lead FROM {response_table} WHERE survey_id = %s", [survey.pk],
            {c.value: c.label for c in Channel})
    if key.startswith("eq:") and key[3:] in equality.BY_CODE:
        eq = equality.BY_CODE[key[3:]]
        value = _equality_column(eq["code"])
        return _Dimension(
            eq["label"], list(eq["options"]),
            f"SELECT response_id AS rid, {value} AS cat, TRUE AS lead FROM {EqualityResponse._meta.db_table}"
            f" WHERE survey_id = %s AND {value} IS NOT NULL AND {value} <> ''",
            [survey.pk])
    raise AnalysisError("Choose what to cross-tabulate")


def crosstab(survey: Survey, row: str, col: str) -> dict:
    """Respondents by the categories of two dimensions, every cell under 10 suppressed.

    A multiple-choice respondent counts once in each option they chose, so rows need not sum.
    Where a row total is shown and only one cell of the row is suppressed, the next smallest
    cell is suppressed too, so the hidden one cannot be worked out by subtraction.

    Counted in the database: one GROUP BY over the two sides joined once by respondent. A line's
    base is the sum of its cells when the other side gives each respondent one category; against
    a multiple-choice question, the sum of its cells with that question's first choice
    (respondents, not choices), from the same GROUP BY."""
    from django.db import connection

    rows, cols = _dimension(survey, row), _dimension(survey, col)
    if "area" in (row, col) and all(k == "area" or k.startswith("q:") for k in (row, col)):
        return _by_area(survey, rows, cols, area_is_row=row == "area")
    counted, counted_params = _counted_condition(survey, "r.rid")
    joined = f"FROM ({rows.sql}) r JOIN ({cols.sql}) c ON c.rid = r.rid WHERE 1 = 1{counted}"
    params = [*rows.params, *cols.params, *counted_params]
    counts: Counter = Counter()
    totals: Counter = Counter()
    col_totals: Counter = Counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r.cat, c.cat, r.lead, c.lead, COUNT(*) {joined}"
                       f" GROUP BY r.cat, c.cat, r.lead, c.lead", params)
        for r, c, r_lead, c_lead, n in cursor.fetchall():
            r, c = rows.label(r), cols.label(c)
            counts[(r, c)] += n
            # A respondent has each category once and one lead row on each side, so a line's
            # base is its cells where the other side's row is the lead one.
            if c_lead:
                totals[r] += n
            if r_lead:
                col_totals[c] += n
    return _table(rows.title, rows.labels, cols.title, cols.labels, counts, totals, col_totals,
                  single=not rows.multiple and not cols.multiple)


def _by_area(survey: Survey, rows: _Dimension, cols: _Dimension, area_is_row: bool) -> dict:
    """A question by area, from that question's answer rows alone: each carries its respondent's
    area (``Answer.respondent_area``, copied when recorded), so no join to the area question's
    rows is needed; the covering index (question, option, spoilt, first choice, respondent_area,
    response) answers it, bases included (against multiple choice an area's base is its
    first-choice rows). The same counts as the join in ``crosstab`` (tests compare both with a
    count in Python)."""
    from django.db import connection

    area, other = (rows, cols) if area_is_row else (cols, rows)
    counted, counted_params = _counted_condition(survey, "response_id")
    counts: Counter = Counter()
    totals: Counter = Counter()
    col_totals: Counter = Counter()
    area_base, other_base = (totals, col_totals) if area_is_row else (col_totals, totals)
    with connection.cursor() as cursor:
        # Grouped in the index's own order, spoilt rows and rows without an area included and
        # skipped here: a filter on them would make SQLite sort the rows into groups.
        cursor.execute(f"SELECT option_id, spoilt, first_choice, respondent_area_id, COUNT(*)"
                       f" FROM {Answer._meta.db_table} WHERE question_id = %s{counted}"
                       f" GROUP BY option_id, spoilt, first_choice, respondent_area_id",
                       [other.question.pk, *counted_params])
        for option, spoilt, first, place, n in cursor.fetchall():
            if spoilt or option is None or place is None:
                continue
            if place not in area.label_of:
                continue  # not an option of the area question (cannot happen while the copies are kept)
            o, a = other.label(option), area.label(place)
            counts[(a, o) if area_is_row else (o, a)] += n
            # The area side has one category a respondent: a question's line is the sum of its cells.
            other_base[o] += n
            # Respondents, not choices: against multiple choice an area's base is its first choices.
            if first or not other.multiple:
                area_base[a] += n
    return _table(rows.title, rows.labels, cols.title, cols.labels, counts, totals, col_totals,
                  single=not rows.multiple and not cols.multiple)


def _question_of(survey: Survey, key: str) -> Question | None:
    if key == "area":
        return survey.questions.filter(type=QuestionType.AREA).order_by("pk").prefetch_related("options").first()
    if key.startswith("q:"):
        q = survey.questions.filter(code=key[2:]).prefetch_related("options").first()
        return q if q is not None and q.is_choice else None
    return None


def chi_squared(grid: list[list[int]]) -> dict | None:
    """Pearson's chi-squared test of independence, with a plain-English reading, or None when
    the table has fewer than two rows or columns with anyone in them."""
    from scipy.stats import chi2_contingency

    rows = [r for r in grid if sum(r) > 0]
    cols = [j for j in range(len(rows[0]) if rows else 0) if sum(r[j] for r in rows) > 0]
    table = [[r[j] for j in cols] for r in rows]
    if len(table) < 2 or len(cols) < 2:
        return None
    statistic, p, dof, expected = chi2_contingency(table, correction=False)
    cells = [e for row in expected for e in row]
    small = sum(1 for e in cells if e < 5)
    reliable = small <= 0.2 * len(cells) and min(cells) >= 1
    if p < 0.05:
        reading = ("The answers differ between the groups by more than chance alone would explain "
                   "(significant at the 5% level).")
    else:
        reading = ("The differences between the groups are within what chance alone could produce "
                   "(not significant at the 5% level).")
    note = "" if reliable else (
        f"{small} of {len(cells)} expected counts are under 5" + (" and one is under 1" if min(cells) < 1 else "")
        + ": the test is unreliable for a table this sparse; combine categories or wait for more responses.")
    return {"statistic": round(float(statistic), 2), "dof": int(dof), "p": float(p),
            "p_display": "<0.001" if p < 0.001 else f"{p:.3f}", "reading": reading, "reliable": reliable,
            "note": note, "n": sum(map(sum, table))}


def _table(row_title, row_labels, col_title, col_labels, counts: Counter, totals: Counter,
           col_totals: Counter | None = None, single: bool = True) -> dict:
    """Rows and columns with their bases, row and column percentages, suppression that no total
    gives away, and (when each respondent is in one cell) a chi-squared test."""
    rule = CROSS_TABULATIONS
    col_totals = col_totals if col_totals is not None else Counter()
    grid = [[counts[(r, c)] for c in col_labels] for r in row_labels]
    visible = {("row", i): totals[r] >= rule.threshold for i, r in enumerate(row_labels)}
    visible |= {("col", j): col_totals[c] >= rule.threshold for j, c in enumerate(col_labels)}
    hidden = protect(grid, visible, rule)
    rows = []
    for i, r in enumerate(row_labels):
        total = totals[r]
        cells = []
        for j, c in enumerate(col_labels):
            n, off = grid[i][j], hidden[i][j]
            display = shown(n, rule, off)
            cells.append({"count": n, "suppressed": off, "display": display,
                          "percent": None if off or not visible[("row", i)] else percent(n, total),
                          "col_percent": None if off or not visible[("col", j)] else percent(n, col_totals[c])})
        rows.append({"label": r, "cells": cells, "total": total,
                     "total_display": f"{total:,}" if visible[("row", i)] else rule.marker})
    columns = [{"label": c, "total": col_totals[c],
                "total_display": f"{col_totals[c]:,}" if visible[("col", j)] else rule.marker}
               for j, c in enumerate(col_labels)]
    test = chi_squared(grid) if single else None
    return {"row_title": row_title, "col_title": col_title, "columns": col_labels, "column_bases": columns,
            "rows": rows, "suppressed": any(map(any, hidden)), "threshold": rule.threshold, "test": test,
            "hidden_too": any(off and n >= rule.threshold for row, flags in zip(grid, hidden) for n, off in zip(row, flags)),
            "test_not_possible": "" if single or test else (
                "No test of difference is given: a multiple-choice question counts a respondent in more "
                "than one cell, which the chi-squared test does not allow.")}


# Responses over time --------------------------------------------------------------------------

def by_day(survey: Survey) -> dict:
    from django.db import connection

    tz = timezone.get_default_timezone()
    days: dict = {}
    if connection.vendor == "sqlite":
        # SQLite has no time zones: Django would call Python once a row to find the local day.
        # Counted by the hour in UTC instead (a few thousand groups, read from the covering index
        # (survey, submitted_at, status, channel)), each hour then given its local day here, once
        # an hour; exact, because Europe/London's offsets are whole hours.
        day_of: dict[str, object] = {}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT SUBSTR(submitted_at, 1, 13), channel, COUNT(*) FROM {Response._meta.db_table}"
                           f" WHERE survey_id = %s AND status IN ({', '.join(['%s'] * len(COUNTED))})"
                           f" GROUP BY 1, 2", [survey.pk, *COUNTED])
            for hour, channel, n in cursor.fetchall():
                day = day_of.get(hour)
                if day is None:
                    day = day_of[hour] = datetime.fromisoformat(f"{hour}:00:00+00:00").astimezone(tz).date()
                days.setdefault(day, Counter())[channel] += n
        days = dict(sorted(days.items()))
    else:
        rows = (counted_responses(survey).annotate(day=TruncDate("submitted_at", tzinfo=tz))
                .values_list("day", "channel").annotate(n=Count("*")).order_by("day"))
        for day, channel, n in rows:
            days.setdefault(day, Counter())[channel] += n
    channels = [c for c in Channel]
    return {"channels": [c.label for c in channels],
            "rows": [{"day": day, "counts": [counts[c.value] for c in channels], "total": sum(counts.values())}
                     for day, counts in days.items()]}


# Who answered, against the Census --------------------------------------------------------------

def census_age(partnership) -> dict[str, int]:
    """Census 2021 usual residents of the partnership's area by the six age bands."""
    from saferplan.assessment.services import census_age as loaded_census_age

    return loaded_census_age(partnership.area_codes)


def equality_counts(survey: Survey) -> dict[str, dict[str, int]]:
    """Counted respondents by each equality question's answer ({code: {answer: count}}), counted
    in the database over the columns it keeps of the answers (not their JSON); no one's answers
    leave it. PostgreSQL groups by every question in one pass (grouping sets); SQLite, which
    has none, in one query of a GROUP BY a question."""
    from django.db import connection

    table = EqualityResponse._meta.db_table
    codes = [q["code"] for q in equality.QUESTIONS]
    columns = [_equality_column(code) for code in codes]
    counted, counted_params = _counted_condition(survey, "response_id")
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A row per answer of one question: the other questions' columns are null in it.
            cursor.execute(f"SELECT {', '.join(columns)}, COUNT(*) FROM {table} WHERE survey_id = %s{counted}"
                           f" GROUP BY GROUPING SETS ({', '.join(f'({c})' for c in columns)})",
                           [survey.pk, *counted_params])
            for *values, n in cursor.fetchall():
                for code, value in zip(codes, values):
                    if value:
                        counts[code][value] = n
        else:
            parts, params = [], []
            for code, column in zip(codes, columns):
                parts.append(f"SELECT %s, {column}, COUNT(*) FROM {table} WHERE survey_id = %s"
                             f" AND {column} IS NOT NULL AND {column} <> ''{counted} GROUP BY {column}")
                params += [code, survey.pk, *counted_params]
            cursor.execute(" UNION ALL ".join(parts), params)
            for code, value, n in cursor.fetchall():
                counts[code][value] = n
    return counts


def census_profile(survey: Survey) -> dict:
    population = census_age(survey.partnership)
    counts: Counter = Counter({value: n for value, n in equality_counts(survey).get("age", {}).items()
                               if value != equality.PREFER_NOT})
    answered = sum(counts.values())
    pop_total = sum(population.get(band, 0) for band, _ in equality.CENSUS_AGE_BANDS)
    rows = []
    # The bands add up to the number who gave an age, which is shown: hide complementary counts.
    hidden = protect_line([counts[label] for _, label in equality.CENSUS_AGE_BANDS], EQUALITY_ANSWERS, answered >= EQUALITY_ANSWERS.threshold)
    for (band, label), small in zip(equality.CENSUS_AGE_BANDS, hidden):
        n = counts[label]
        pop = population.get(band, 0)
        share = percent(n, answered)
        pop_share = percent(pop, pop_total)
        low, high = wilson(n, answered)
        ratio = (n / answered) / (pop / pop_total) if answered and pop and pop_total else None
        rows.append({
            "band": label, "census_band": band, "count": n,
            "count_display": shown(n, EQUALITY_ANSWERS, small),
            "share": None if small else share, "low": None if small else low, "high": None if small else high,
            "population": pop, "population_share": pop_share, "ratio": ratio,
            "under_represented": bool(answered and ratio is not None and ratio < UNDER_REPRESENTED_RATIO),
        })
    return {"rows": rows, "answered": answered, "population": pop_total,
            "answered_display": f"{answered:,}" if answered >= EQUALITY_ANSWERS.threshold or answered == 0 else EQUALITY_ANSWERS.marker,
            "ratio_threshold": UNDER_REPRESENTED_RATIO, "has_census": bool(population)}


def equality_summary(survey: Survey) -> list[dict]:
    """Each equality question's answers in aggregate, counts under 10 suppressed."""
    counted = equality_counts(survey)
    counts: dict[str, Counter] = {q["code"]: Counter(counted.get(q["code"], {})) for q in equality.QUESTIONS}
    summary = []
    for q in equality.QUESTIONS:
        base = sum(counts[q["code"]].values())
        rows = []
        # One answer each: the options add up to the base shown, so hide complementary counts.
        hidden = protect_line([counts[q["code"]][option] for option in q["options"]], EQUALITY_ANSWERS, base >= EQUALITY_ANSWERS.threshold)
        for option, small in zip(q["options"], hidden):
            n = counts[q["code"]][option]
            rows.append({"label": option, "count": n,
                         "display": shown(n, EQUALITY_ANSWERS, small),
                         "percent": None if small or base < EQUALITY_ANSWERS.threshold else percent(n, base)})
        summary.append({"code": q["code"], "label": q["label"], "text": q["text"], "rows": rows,
                        "base_display": f"{base:,}" if base >= EQUALITY_ANSWERS.threshold or base == 0 else EQUALITY_ANSWERS.marker})
    return summary
