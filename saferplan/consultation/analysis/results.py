"""Results per question: bases, counts, percents and Wilson intervals; the responses counted."""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .. import redaction
from ..models import COUNTED, Answer, Question, Response, ResponseStatus, Survey


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
