"""The analysis of a survey's responses, live while it is open.

Per question: how many respondents answered it (the base) and what share of all respondents
that is; per option the count, the percent of the base and a 95% Wilson interval. Multiple
choice is counted per option, never per combination. Cross-tabulations and
equality answers (only ever in aggregate) follow :mod:`saferplan.core.disclosure`'s rules for them.
"""
from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from saferplan.core.disclosure import CROSS_TABULATIONS, EQUALITY_ANSWERS, protect, protect_line, shown

from . import equality, redaction
from .models import COUNTED, Answer, Channel, EqualityResponse, Question, QuestionType, Response, Survey

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


def counted_answers(survey: Survey, question_ids: list[int] | None = None):
    """Answers of counted responses. Responses that are not counted are few (excluded after
    review, suspected automated), so they are left out by id, which is much faster than joining
    every answer to its response."""
    if question_ids is None:
        question_ids = list(survey.questions.values_list("pk", flat=True))
    # A spoilt paper answer is kept on the response but is no answer to count.
    answers = Answer.objects.filter(question_id__in=question_ids, spoilt=False)
    left_out = list(Response.objects.filter(survey=survey).exclude(status__in=COUNTED).values_list("pk", flat=True)[:5001])
    if len(left_out) > 5000:
        return answers.filter(response__status__in=COUNTED)
    return answers.exclude(response_id__in=left_out) if left_out else answers


def analyse(survey: Survey, questions: list[Question] | None = None, other_limit: int = 500) -> list[QuestionResult]:
    questions = questions if questions is not None else list(survey.ordered_questions())
    respondents = counted_responses(survey).count()
    answers = counted_answers(survey, [q.pk for q in questions])
    bases = dict(answers.values_list("question_id").annotate(n=Count("response_id", distinct=True)))
    option_counts = dict(answers.exclude(option=None).values_list("option_id").annotate(n=Count("pk")))
    others: dict[int, list[str]] = defaultdict(list)
    for question_id, text in (answers.filter(option__is_other=True).exclude(text="")
                              .order_by("pk").values_list("question_id", "text")[: other_limit * 20]):
        if len(others[question_id]) < other_limit:
            others[question_id].append(redaction.masked(text))
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


def _dimension(survey: Survey, key: str) -> tuple[str, list[str], dict[int, list[str]]]:
    """(title, ordered category labels, response id -> its categories) for one dimension."""
    counted = counted_responses(survey)
    if key == "area":
        q = survey.questions.filter(type=QuestionType.AREA).order_by("pk").first()
        if q is None:
            raise AnalysisError("This survey has no area question")
        key = f"q:{q.code}"
    if key.startswith("q:"):
        q = survey.questions.filter(code=key[2:]).prefetch_related("options").first()
        if q is None or not q.is_choice:
            raise AnalysisError("Choose a question with options")
        labels = {o.pk: o.label for o in q.options.all()}
        values: dict[int, list[str]] = defaultdict(list)
        for response_id, option_id in (counted_answers(survey, [q.pk])
                                       .exclude(option=None).values_list("response_id", "option_id")):
            values[response_id].append(labels[option_id])
        return q.text, list(labels.values()), values
    if key == "channel":
        values = {rid: [Channel(ch).label] for rid, ch in counted.values_list("pk", "channel")}
        return "Channel", [c.label for c in Channel], values
    if key.startswith("eq:") and key[3:] in equality.BY_CODE:
        eq = equality.BY_CODE[key[3:]]
        values = {}
        for rid, answers in (EqualityResponse.objects.filter(survey=survey, response__status__in=COUNTED)
                             .values_list("response_id", "answers")):
            if answers.get(eq["code"]):
                values[rid] = [answers[eq["code"]]]
        return eq["label"], list(eq["options"]), values
    raise AnalysisError("Choose what to cross-tabulate")


def crosstab(survey: Survey, row: str, col: str) -> dict:
    """Respondents by the categories of two dimensions, every cell under 10 suppressed.

    A multiple-choice respondent counts once in each option they chose, so rows need not sum.
    Where a row total is shown and only one cell of the row is suppressed, the next smallest
    cell is suppressed too, so the hidden one cannot be worked out by subtraction."""
    row_q, col_q = _question_of(survey, row), _question_of(survey, col)
    if row_q is not None and col_q is not None and row_q.pk != col_q.pk:
        row_title, row_labels, col_title, col_labels = (
            row_q.text, [o.label for o in row_q.options.all()], col_q.text, [o.label for o in col_q.options.all()])
        counts, totals, col_totals = _question_pairs(survey, row_q, col_q)
        return _table(row_title, row_labels, col_title, col_labels, counts, totals, col_totals,
                      single=not row_q.is_multiple and not col_q.is_multiple)
    row_title, row_labels, row_values = _dimension(survey, row)
    col_title, col_labels, col_values = _dimension(survey, col)
    counts: Counter = Counter()
    totals: Counter = Counter()
    col_totals: Counter = Counter()
    single = True
    for rid, rcats in row_values.items():
        ccats = col_values.get(rid)
        if not ccats:
            continue
        single &= len(set(rcats)) == 1 and len(set(ccats)) == 1
        for r in set(rcats):
            totals[r] += 1
            for c in set(ccats):
                counts[(r, c)] += 1
        for c in set(ccats):
            col_totals[c] += 1
    single &= not any(q is not None and q.is_multiple for q in (_question_of(survey, row), _question_of(survey, col)))
    return _table(row_title, row_labels, col_title, col_labels, counts, totals, col_totals, single=single)


def _question_of(survey: Survey, key: str) -> Question | None:
    if key == "area":
        return survey.questions.filter(type=QuestionType.AREA).order_by("pk").prefetch_related("options").first()
    if key.startswith("q:"):
        q = survey.questions.filter(code=key[2:]).prefetch_related("options").first()
        return q if q is not None and q.is_choice else None
    return None


def _question_pairs(survey: Survey, row_q: Question, col_q: Question) -> tuple[Counter, Counter, Counter]:
    """Respondents by (row option, column option), counted in the database: one self-join."""
    from django.db import connection

    table = Answer._meta.db_table
    left_out = list(Response.objects.filter(survey=survey).exclude(status__in=COUNTED).values_list("pk", flat=True))
    where = ""
    params: list = [row_q.pk, col_q.pk]
    if left_out:
        where = f" AND a.response_id NOT IN ({', '.join(['%s'] * len(left_out))})"
        params += left_out
    sql = (f"SELECT a.option_id, b.option_id, COUNT(*) FROM {table} a JOIN {table} b ON b.response_id = a.response_id "
           f"WHERE a.question_id = %s AND b.question_id = %s AND a.option_id IS NOT NULL AND b.option_id IS NOT NULL"
           f"{where} GROUP BY a.option_id, b.option_id")
    total_sql = (f"SELECT a.option_id, COUNT(DISTINCT a.response_id) FROM {table} a JOIN {table} b "
                 f"ON b.response_id = a.response_id WHERE a.question_id = %s AND b.question_id = %s "
                 f"AND a.option_id IS NOT NULL AND b.option_id IS NOT NULL{where} GROUP BY a.option_id")
    col_total_sql = (f"SELECT b.option_id, COUNT(DISTINCT b.response_id) FROM {table} a JOIN {table} b "
                     f"ON b.response_id = a.response_id WHERE a.question_id = %s AND b.question_id = %s "
                     f"AND a.option_id IS NOT NULL AND b.option_id IS NOT NULL{where} GROUP BY b.option_id")
    row_labels = {o.pk: o.label for o in row_q.options.all()}
    col_labels = {o.pk: o.label for o in col_q.options.all()}
    counts: Counter = Counter()
    totals: Counter = Counter()
    col_totals: Counter = Counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for r, c, n in cursor.fetchall():
            counts[(row_labels[r], col_labels[c])] = n
        cursor.execute(total_sql, params)
        for r, n in cursor.fetchall():
            totals[row_labels[r]] = n
        cursor.execute(col_total_sql, params)
        for c, n in cursor.fetchall():
            col_totals[col_labels[c]] = n
    return counts, totals, col_totals


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
    tz = timezone.get_default_timezone()
    rows = (counted_responses(survey).annotate(day=TruncDate("submitted_at", tzinfo=tz))
            .values_list("day", "channel").annotate(n=Count("pk")).order_by("day"))
    days: dict = {}
    for day, channel, n in rows:
        days.setdefault(day, Counter())[channel] += n
    channels = [c for c in Channel]
    return {"channels": [c.label for c in channels],
            "rows": [{"day": day, "counts": [counts[c.value] for c in channels], "total": sum(counts.values())}
                     for day, counts in days.items()]}


# Who answered, against the Census --------------------------------------------------------------

@lru_cache(maxsize=16)
def _census_age(codes: tuple[str, ...], data_dir: str) -> dict[str, int]:
    data = Path(data_dir)
    wanted = set(codes)
    lsoas = set()
    with open(data / "geography" / "lsoa21_to_lad.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["lad_code"] in wanted:
                lsoas.add(row["lsoa21_code"])
    totals: Counter = Counter()
    with open(data / "population" / "census2021_lsoa21_age6.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["lsoa21_code"] in lsoas:
                totals[row["age_group"]] += int(float(row["usual_residents"]))
    return dict(totals)


def census_age(partnership) -> dict[str, int]:
    """Census 2021 usual residents of the partnership's area by the six age bands."""
    try:
        return _census_age(tuple(sorted(partnership.area_codes)), str(settings.DATA_DIR))
    except FileNotFoundError:
        return {}


def census_profile(survey: Survey) -> dict:
    population = census_age(survey.partnership)
    counts: Counter = Counter()
    for answers in EqualityResponse.objects.filter(survey=survey, response__status__in=COUNTED).values_list("answers", flat=True):
        age = answers.get("age")
        if age and age != equality.PREFER_NOT:
            counts[age] += 1
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
    counts: dict[str, Counter] = {q["code"]: Counter() for q in equality.QUESTIONS}
    answered = 0
    for answers in EqualityResponse.objects.filter(survey=survey, response__status__in=COUNTED).values_list("answers", flat=True):
        answered += 1
        for code, value in answers.items():
            if code in counts:
                counts[code][value] += 1
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
