"""Cross-tabulations of two questions (or a question by area, channel or an equality answer),
counted in the database, every small cell suppressed."""
from __future__ import annotations

from collections import Counter

from saferplan.core.disclosure import CROSS_TABULATIONS, protect, shown

from .. import equality
from ..models import Answer, Channel, EqualityResponse, Question, QuestionType, Response, Survey
from .results import AnalysisError, _counted_condition, percent


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
