"""The analysis: per option (never per combination), Wilson intervals, suppressed cross-tabs,
responses per day, and the respondents' ages against the Census."""
from __future__ import annotations

import pytest

from saferplan.consultation import analysis, services
from saferplan.consultation.models import EqualityResponse, ResponseStatus
from saferplan.consultation.testing import respond

pytestmark = pytest.mark.django_db


def test_wilson_interval():
    low, high = analysis.wilson(50, 100)
    assert round(low, 1) == 40.4 and round(high, 1) == 59.6
    assert analysis.wilson(0, 0) == (0.0, 0.0)
    low, high = analysis.wilson(0, 10)
    assert low == 0.0 and 27 < high < 28


def test_multiple_choice_is_counted_per_option_not_per_combination(survey):
    respond(survey, q5=["Robbery", "Theft"])
    respond(survey, q5=["Theft", "Burglary"])
    respond(survey, q5=["Robbery", "Theft", "Other"], q5_other="Speeding")
    respond(survey, q1="Yes")
    q5 = next(r for r in analysis.analyse(survey) if r.question.code == "q5")
    counts = {o.label: o.count for o in q5.options}
    assert (q5.base, q5.respondents) == (3, 4)
    assert counts["Theft"] == 3 and counts["Robbery"] == 2 and counts["Burglary"] == 1 and counts["Other"] == 1
    assert next(o for o in q5.options if o.label == "Theft").percent == 100.0
    assert q5.others == ["Speeding"]
    assert q5.answered_percent == 75.0


def test_other_texts_are_the_counted_respondents_in_order_up_to_the_limit(survey):
    respond(survey, q5=["Other"], q5_other="Speeding")
    dropped = respond(survey, q5=["Theft", "Other"], q5_other="Left out")
    dropped.status = ResponseStatus.EXCLUDED
    dropped.save()
    respond(survey, q5=["Robbery"])
    respond(survey, q5=["Other", "Theft"], q5_other="Call me on 07700 900123")
    respond(survey, q5=["Other"], q5_other="Past the limit")
    q5 = next(r for r in analysis.analyse(survey, other_limit=2) if r.question.code == "q5")
    assert len(q5.others) == 2 and q5.others[0] == "Speeding"
    assert "07700" not in q5.others[1] and q5.others[1].startswith("Call me on")  # personal data masked
    assert next(o for o in q5.options if o.label == "Other").count == 3  # the limit is on texts shown, not counts


def test_excluded_and_suspected_responses_are_not_counted(survey):
    kept = respond(survey, q1="Yes")
    dropped = respond(survey, q1="No")
    dropped.status = ResponseStatus.EXCLUDED
    dropped.save()
    services.record(survey, services.Submission(answers={}, status=ResponseStatus.SUSPECTED_SPAM))
    dup = respond(survey, q1="Yes")
    dup.status = ResponseStatus.POSSIBLE_DUPLICATE
    dup.save()
    q1 = next(r for r in analysis.analyse(survey) if r.question.code == "q1")
    assert q1.respondents == 2 and {o.label: o.count for o in q1.options} == {"Yes": 2, "No": 0}
    assert kept


def test_crosstab_suppresses_cells_under_ten(survey):
    for _ in range(12):
        respond(survey, q1="Yes", ward="Asfordby")
    for _ in range(3):
        respond(survey, q1="No", ward="Asfordby")
    for _ in range(11):
        respond(survey, q1="No", ward="Bottesford")
    table = analysis.crosstab(survey, "area", "q:q1")
    rows = {r["label"]: r for r in table["rows"]}
    asfordby = {c: cell for c, cell in zip(table["columns"], rows["Asfordby"]["cells"])}
    assert asfordby["No"]["display"] == "<10"
    # Only one small cell and the total shown: the next smallest is hidden too, so 3 = 15 - 12 cannot be done.
    assert asfordby["Yes"]["display"] == "[c]" and rows["Asfordby"]["total_display"] == "15"
    bottesford = dict(zip(table["columns"], rows["Bottesford"]["cells"]))
    # The "No" column's base (14) is shown too: 14 - 11 would give away Asfordby's 3, so 11 is hidden.
    assert bottesford["No"]["display"] == "[c]" and bottesford["No"]["percent"] is None
    assert rows["Wymondham"]["total_display"] == "<10"
    by_channel = analysis.crosstab(survey, "q:q1", "channel")
    assert by_channel["rows"][0]["cells"][0]["display"] == "12"


def test_crosstab_by_equality_answers(survey):
    for n in range(26):
        r = respond(survey, q2="Yes" if n < 23 else "No")
        EqualityResponse.objects.create(survey=survey, response=r, answers={"sex": "Female" if n < 12 else "Male"})
    table = analysis.crosstab(survey, "q:q2", "eq:sex")
    yes = dict(zip(table["columns"], table["rows"][0]["cells"]))
    # Male's column base (14) less its 11 would give away the 3 men who said No; then the row's
    # base (23) less the 12 women would give away the 11: both are hidden too.
    assert yes["Female"]["display"] == "[c]" and yes["Male"]["display"] == "[c]"
    assert yes["Prefer not to say"]["display"] == "<10"
    no = dict(zip(table["columns"], table["rows"][1]["cells"]))
    assert no["Male"]["display"] == "<10" and table["rows"][1]["total_display"] == "<10"
    with pytest.raises(analysis.AnalysisError):
        analysis.crosstab(survey, "q:q4", "channel")


def test_responses_per_day_by_channel(survey):
    respond(survey, q1="Yes")
    respond(survey, channel="paper", q1="No")
    days = analysis.by_day(survey)
    assert len(days["rows"]) == 1 and days["rows"][0]["total"] == 2
    assert dict(zip(days["channels"], days["rows"][0]["counts"]))["Paper"] == 1


def test_responses_per_day_are_local_days(survey):
    """Counted by the UK's day, not UTC's: 23:30 UTC in summer is the next morning in London."""
    from datetime import datetime, timezone as utc

    from saferplan.consultation import services

    for when in [datetime(2024, 7, 10, 23, 30, tzinfo=utc.utc), datetime(2024, 7, 10, 22, 59, tzinfo=utc.utc),
                 datetime(2024, 12, 10, 23, 30, tzinfo=utc.utc)]:
        services.record(survey, services.Submission(answers={}, submitted_at=when))
    totals = {row["day"].isoformat(): row["total"] for row in analysis.by_day(survey)["rows"]}
    assert totals == {"2024-07-10": 1, "2024-07-11": 1, "2024-12-10": 1}


def test_census_profile_flags_under_represented_ages(survey):
    population = analysis.census_age(survey.partnership)
    assert sum(population.values()) > 50_000  # Melton: about 51,800 residents in 2021
    for n in range(40):
        r = respond(survey, q1="Yes")
        EqualityResponse.objects.create(survey=survey, response=r, answers={"age": "65 or over" if n < 30 else "35 to 49"})
    profile = analysis.census_profile(survey)
    rows = {row["band"]: row for row in profile["rows"]}
    assert profile["answered"] == 40
    assert rows["65 or over"]["count"] == 30 and not rows["65 or over"]["under_represented"]
    assert rows["16 to 24"]["under_represented"] and rows["16 to 24"]["count_display"] == "<10"
    assert rows["35 to 49"]["share"] == 25.0


def test_equality_summary_is_aggregate_and_suppressed(survey):
    for n in range(11):
        r = respond(survey, q1="Yes")
        EqualityResponse.objects.create(survey=survey, response=r, answers={"religion": "No religion" if n else "Sikh"})
    religion = next(e for e in analysis.equality_summary(survey) if e["code"] == "religion")
    rows = {row["label"]: row for row in religion["rows"]}
    # The base (11) is shown, so showing the 10 would give away the one Sikh respondent: hidden too.
    assert rows["No religion"]["display"] == "[c]" and rows["Sikh"]["display"] == "<10"
    assert religion["base_display"] == "11" and all(row["percent"] is None for row in religion["rows"])


def test_crosstab_gives_column_percentages_bases_and_a_chi_squared_test(survey):
    for ward, yes, no in (("Asfordby", 20, 10), ("Bottesford", 10, 20)):
        for n in range(yes + no):
            respond(survey, q1="Yes" if n < yes else "No", ward=ward)
    table = analysis.crosstab(survey, "area", "q:q1")
    bases = {c["label"]: c["total_display"] for c in table["column_bases"]}
    assert bases == {"Yes": "30", "No": "30"}
    rows = {r["label"]: dict(zip(table["columns"], r["cells"])) for r in table["rows"]}
    assert rows["Asfordby"]["Yes"]["percent"] == 66.7 and rows["Asfordby"]["Yes"]["col_percent"] == 66.7
    assert rows["Bottesford"]["Yes"]["col_percent"] == 33.3 and rows["Bottesford"]["No"]["col_percent"] == 66.7
    # 2x2 by hand: N (ad - bc)^2 / (r1 r2 c1 c2) = 60 * 300^2 / 30^4 = 6.67 on 1 degree of freedom, p = 0.0098.
    test = table["test"]
    assert test["statistic"] == 6.67 and test["dof"] == 1 and test["p_display"] == "0.010"
    assert test["n"] == 60 and "differ" in test["reading"] and "significant at the 5% level" in test["reading"]
    # 17 wards with nobody in most of them are left out of the test, not counted as expected zeros.
    assert test["reliable"] and not test["note"]


def test_crosstab_test_warns_when_expected_counts_are_small_and_refuses_multiple_choice(survey):
    for n in range(12):
        respond(survey, q1="Yes" if n < 9 else "No", q2="Yes" if n % 4 else "No", q5=["Robbery", "Theft"])
    table = analysis.crosstab(survey, "q:q1", "q:q2")
    assert table["test"] is not None and not table["test"]["reliable"]
    assert "expected counts are under 5" in table["test"]["note"]
    multiple = analysis.crosstab(survey, "q:q5", "q:q1")
    assert multiple["test"] is None and "more than one cell" in multiple["test_not_possible"]


def test_crosstab_suppression_is_complementary_down_columns_too(survey):
    # Column "No": one small count (3) under a shown column base of 13: the base minus the 10 would give it away.
    for ward, yes, no in (("Asfordby", 11, 3), ("Bottesford", 12, 10)):
        for n in range(yes + no):
            respond(survey, q1="Yes" if n < yes else "No", ward=ward)
    table = analysis.crosstab(survey, "area", "q:q1")
    rows = {r["label"]: dict(zip(table["columns"], r["cells"])) for r in table["rows"]}
    assert rows["Asfordby"]["No"]["display"] == "<10"
    assert rows["Bottesford"]["No"]["display"] == "[c]" and rows["Bottesford"]["No"]["col_percent"] is None
    assert {c["label"]: c["total_display"] for c in table["column_bases"]}["No"] == "13"
    # And no visible line has exactly one hidden non-zero cell left.
    for r in table["rows"]:
        if r["total_display"] != "<10":
            assert sum(1 for c in r["cells"] if c["suppressed"] and c["count"]) != 1
