"""The analysis's counts, made in the database, against an independent count in Python of the
same generated answers (the Coventry questionnaire with Melton's real wards; the answers are made
up by a seeded generator, not anyone's views): every cell, every base, every channel and age."""
from __future__ import annotations

import random
from collections import Counter

import pytest

from saferplan.consultation import analysis, equality, services
from saferplan.consultation.models import Channel, EqualityResponse, Response, ResponseStatus

pytestmark = pytest.mark.django_db

STATUSES = [ResponseStatus.ACCEPTED] * 8 + [ResponseStatus.POSSIBLE_DUPLICATE, ResponseStatus.EXCLUDED]


@pytest.fixture
def generated(survey):
    """About 300 responses with skipped questions, multiple choice, every channel, excluded ones
    and equality answers for some; returns what each counted respondent chose, by label."""
    rng = random.Random(7)
    questions = [q for q in survey.ordered_questions() if q.is_choice]
    people = []
    for _ in range(300):
        chosen = {}
        answers = {}
        for q in questions:
            if rng.random() < 0.15:
                continue
            options = list(q.options.all())
            picked = rng.sample(options, rng.randint(1, min(3, len(options)))) if q.is_multiple else [rng.choice(options)]
            answers[q.code] = {"options": [o.pk for o in picked], "other": "Something else" if any(o.is_other for o in picked) else ""}
            chosen[q.code] = {o.label for o in picked}
        status = rng.choice(STATUSES)
        channel = rng.choice(list(Channel))
        response = services.record(survey, services.Submission(answers=answers, channel=channel, status=status))
        person = {"answers": chosen, "channel": channel.label, "counted": status != ResponseStatus.EXCLUDED}
        if rng.random() < 0.7:
            age = rng.choice(equality.BY_CODE["age"]["options"])
            sex = rng.choice(equality.BY_CODE["sex"]["options"])
            EqualityResponse.objects.create(survey=survey, response=response, answers={"age": age, "sex": sex})
            person |= {"age": age, "sex": sex}
        people.append(person)
    assert Response.objects.filter(survey=survey, status=ResponseStatus.EXCLUDED).exists()
    return [p for p in people if p["counted"]]


def categories(person, key):
    if key == "channel":
        return {person["channel"]}
    if key.startswith("eq:"):
        return {person[key[3:]]} if key[3:] in person else set()
    return person["answers"].get("ward" if key == "area" else key[2:], set())


def by_hand(people, row, col):
    cells, row_bases, col_bases = Counter(), Counter(), Counter()
    for person in people:
        rs, cs = categories(person, row), categories(person, col)
        if not rs or not cs:
            continue
        for r in rs:
            row_bases[r] += 1
            for c in cs:
                cells[(r, c)] += 1
        for c in cs:
            col_bases[c] += 1
    return cells, row_bases, col_bases


@pytest.mark.parametrize("row,col", [
    ("area", "q:q1"), ("q:q5", "area"), ("area", "q:q5"), ("area", "area"), ("q:q5", "q:q9"), ("q:q5", "q:q5"), ("q:q1", "channel"),
    ("channel", "q:q7"), ("q:q5", "eq:age"), ("eq:sex", "q:q2"), ("channel", "eq:age"),
])
def test_crosstab_counts_match_an_independent_count(survey, generated, row, col):
    table = analysis.crosstab(survey, row, col)
    cells, row_bases, col_bases = by_hand(generated, row, col)
    assert sum(cells.values()) > 50  # enough respondents on both sides for the comparison to mean something
    for r in table["rows"]:
        assert r["total"] == row_bases[r["label"]], (row, col, r["label"])
        for label, cell in zip(table["columns"], r["cells"]):
            assert cell["count"] == cells[(r["label"], label)], (row, col, r["label"], label)
    assert {c["label"]: c["total"] for c in table["column_bases"]} == {c: col_bases[c] for c in table["columns"]}


def test_question_results_match_an_independent_count(survey, generated):
    results = {r.question.code: r for r in analysis.analyse(survey)}
    for code, result in results.items():
        if not result.question.is_choice:
            continue
        chose = [p["answers"][code] for p in generated if code in p["answers"]]
        assert result.respondents == len(generated) and result.base == len(chose), code
        assert {o.label: o.count for o in result.options} == {
            o.label: sum(1 for labels in chose if o.label in labels) for o in result.question.options.all()}, code


def test_equality_and_census_counts_match_an_independent_count(survey, generated):
    sexes = Counter(p["sex"] for p in generated if "sex" in p)
    sex = next(e for e in analysis.equality_summary(survey) if e["code"] == "sex")
    assert {row["label"]: row["count"] for row in sex["rows"]} == {o: sexes[o] for o in equality.BY_CODE["sex"]["options"]}
    ages = Counter(p["age"] for p in generated if "age" in p and p["age"] != equality.PREFER_NOT)
    profile = analysis.census_profile(survey)
    assert profile["answered"] == sum(ages.values())
    assert {row["band"]: row["count"] for row in profile["rows"]} == {label: ages[label] for _, label in equality.CENSUS_AGE_BANDS}


def test_question_by_area_follows_a_change_of_area_question(survey, generated):
    """The answers carry a copy of their respondent's area: when another question becomes the
    area question, the copies follow it, and the counts match a count by hand against it."""
    from saferplan.consultation.models import Answer, QuestionType

    ward = survey.questions.get(code="ward")
    assert Answer.objects.filter(question__survey=survey, respondent_area__isnull=False).exists()
    ward.type = QuestionType.SINGLE
    ward.save()
    assert not Answer.objects.filter(question__survey=survey, respondent_area__isnull=False).exists()
    q1 = survey.questions.get(code="q1")
    q1.type = QuestionType.AREA
    q1.save()
    table = analysis.crosstab(survey, "q:q5", "area")
    cells, row_bases, col_bases = by_hand(generated, "q:q5", "q:q1")
    assert sum(cells.values()) > 50
    for r in table["rows"]:
        assert r["total"] == row_bases[r["label"]], r["label"]
        for label, cell in zip(table["columns"], r["cells"]):
            assert cell["count"] == cells[(r["label"], label)], (r["label"], label)
    assert {c["label"]: c["total"] for c in table["column_bases"]} == {c: col_bases[c] for c in table["columns"]}


def test_each_respondent_has_one_first_choice_per_question_answered(survey, generated):
    """The flag the bases are counted from: exactly one counted option row per respondent and
    question, never a spoilt or text row; the migration's backfill marks the same rows."""
    import importlib

    from django.apps import apps
    from django.db.models import Count, Q

    from saferplan.consultation.models import Answer

    services.record(survey, services.Submission(answers={"q5": {"spoilt": True}, "q4": {"text": "More patrols"}}))
    answers = Answer.objects.filter(question__survey=survey)
    per_question = (answers.filter(option__isnull=False, spoilt=False).values("response", "question")
                    .annotate(firsts=Count("pk", filter=Q(first_choice=True)), rows=Count("pk")).order_by())
    assert any(row["rows"] > 1 for row in per_question)  # multiple choice is in the sample
    assert {row["firsts"] for row in per_question} == {1}
    assert not answers.filter(first_choice=True).filter(Q(option__isnull=True) | Q(spoilt=True)).exists()
    recorded = set(answers.filter(first_choice=True).values_list("pk", flat=True))
    answers.update(first_choice=False)
    migration = importlib.import_module("saferplan.consultation.migrations.0011_answer_first_choice_equality_columns")
    migration.mark_first_choices(apps, None)
    assert set(answers.filter(first_choice=True).values_list("pk", flat=True)) == recorded


def test_equality_columns_follow_the_answers_whoever_writes_them(survey):
    """Each equality question has a column the database keeps from the JSON answers, also for
    rows written in bulk and after an answer is changed."""
    from saferplan.consultation.models import EqualityResponse

    columns = {f.name for f in EqualityResponse._meta.get_fields()}
    assert {q["code"] for q in equality.QUESTIONS} <= columns
    first, second = (services.record(survey, services.Submission(answers={})) for _ in range(2))
    EqualityResponse.objects.bulk_create([EqualityResponse(survey=survey, response=first, answers={"age": "16 to 24"})])
    services.record_equality(second, {"sex": "Female", "religion": "Sikh"})
    services.record_equality(second, {"sex": "Male"})
    rows = {e.response_id: e for e in EqualityResponse.objects.filter(survey=survey)}
    assert (rows[first.pk].age, rows[first.pk].sex) == ("16 to 24", None)
    assert (rows[second.pk].sex, rows[second.pk].religion, rows[second.pk].age) == ("Male", None, None)
    assert analysis.equality_counts(survey) == {"age": {"16 to 24": 1}, "sex": {"Male": 1}}
