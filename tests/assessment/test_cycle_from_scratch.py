"""Partnerships made from scratch by the site operator for authorities other than Melton, each with
its own slice of reference data, running the cycle (issue #11, tests): import, assessment (with
hotspots where boundaries are loaded, and a reason where not), a survey answered through the real
public form, and a plan with a priority, an action, a KPI and its adoption. Counts are compared
with an independent count made with the csv module from the same files."""
from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from saferplan.cli import main
from saferplan.partnership.models import Partnership

from .conftest import LOOKUP, police_file
from .test_reference import (  # noqa: F401 - fixtures
    BOUNDARIES,
    HARM,
    MONTHS,
    count_in,
    fresh,
    lookup,
    monthly_archive,
    population_slice,
)

COVENTRY, CARDIFF = "E08000026", "W06000015"


def create(capsys, *args) -> Partnership:
    """The operator's command, as on a fresh install: the job worker, started after the reference
    load, publishes the store for readers (docs/operations.md); the test does what it does first."""
    from saferplan.assessment.services import ensure_snapshot

    ensure_snapshot()
    assert main(["partnership", "create", *args]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "Created" in out
    return Partnership.objects.get(slug=args[args.index("--slug") + 1])


def answer_online(survey, answers: dict[str, dict]) -> str:
    """One resident through the public form (a fresh browser each): question pages, then send."""
    client = Client()
    for code, data in answers.items():
        page = client.post(reverse("public-consultation:question", kwargs={
            "partnership": survey.partnership.slug, "survey": survey.slug, "code": code}), data)
        assert page.status_code == 302, page.content[:2000]
    sent = client.post(reverse("public-consultation:check", kwargs={
        "partnership": survey.partnership.slug, "survey": survey.slug}), {"website": ""})
    assert sent.status_code == 302
    return sent["Location"]


def category_count(lookup, lad: str, months: list[str], category: str) -> int:
    total = 0
    for month in months:
        with open(police_file(month), newline="", encoding="utf-8-sig") as handle:
            total += sum(1 for r in csv.DictReader(handle)
                         if lookup.get(r["LSOA code"]) == lad and r["Crime type"] == category)
    return total


@pytest.mark.django_db
def test_coventry_from_scratch_runs_assessment_survey_and_an_adopted_plan(fresh, tmp_path, lookup, capsys):
    from saferplan.consultation.analysis import analyse
    from saferplan.consultation.models import Option, Response
    from saferplan.consultation.testing import make_survey
    from saferplan.planning import services as planning
    from saferplan.planning.models import KPI, Action, ApprovalStep, Decision, PlanStatus, Priority, Theme

    assert main(["reference", "load", "--quiet", str(LOOKUP), str(HARM), str(BOUNDARIES / f"lsoa21-{COVENTRY}.geojson"),
                 str(BOUNDARIES / f"ward-{COVENTRY}.geojson"), str(population_slice(tmp_path, {COVENTRY}, lookup))]) == 0
    coventry = create(capsys, "--name", "Coventry Community Safety Partnership", "--slug", "coventry",
                      "--area", COVENTRY, "--manager", "csp@coventry.example", "--force", "West Midlands Police")
    assert coventry.area_names == ["Coventry"] and not coventry.offers_welsh

    # Import and assessment: the counts are those a csv-module count places in Coventry.
    assert main(["police", "import", "--partnership", "coventry", "--quiet", str(monthly_archive(tmp_path, MONTHS))]) == 0
    capsys.readouterr()
    assert main(["assess", "--partnership", "coventry", "--period", "2024-01:2024-12", "--format", "json",
                 "--quiet"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == count_in(lookup, {COVENTRY}, MONTHS[12:]) > 0
    assert isinstance(data["hotspots"], int) and data["hotspots_unavailable"] is None
    # The data-quality words are Coventry's own: no other partnership's place named as the example.
    assert "'Coventry 003B' is placed in Coventry" in data["definitions"]["unmatched_lsoa_records"]
    assert "Melton" not in json.dumps(data["definitions"])

    # A survey with its ward question made from Coventry's own wards, answered on the public form.
    survey = make_survey(coventry, title="Coventry community safety survey")
    ward = survey.questions.get(code="ward")
    wards = [o.label for o in ward.options.all()]
    assert len(wards) == 18 + 1 and "Melton Egerton" not in wards  # its 18 wards and "outside the area"
    q1 = survey.questions.get(code="q1")
    yes, no = (Option.objects.get(question=q1, label=label) for label in ("Yes", "No"))
    chosen = [yes, yes, no]
    for n, option in enumerate(chosen):
        answer_online(survey, {"ward": {"answer": str(ward.options.all()[n].pk)}, "q1": {"answer": str(option.pk)}})
    assert Response.objects.filter(survey=survey).count() == 3
    result = next(r for r in analyse(survey) if r.question.code == "q1")
    assert {o.label: o.count for o in result.options}["Yes"] == 2 and result.base == 3

    # A plan: a priority, an action with a KPI bound to the police data, adopted by full council.
    plan = planning.start_plan(coventry, starts_on=date(2025, 4, 1), ends_on=date(2028, 3, 31))
    theme = Theme.objects.create(plan=plan, title="Place", order=1)
    priority = Priority.objects.create(theme=theme, title="Reduce anti-social behaviour", order=1)
    # A partnership made from scratch has no organisations yet: its manager adds the police.
    from saferplan.partnership.models import Organisation, OrganisationKind

    police = Organisation.objects.create(partnership=coventry, name="West Midlands Police", kind=OrganisationKind.POLICE)
    action = Action.objects.create(priority=priority, title="Joint patrols in the city centre", owner=police,
                                   due_on=date(2026, 3, 31), starts_on=date(2025, 4, 1))
    # Leicestershire's files hold no anti-social behaviour located in Coventry (each force records
    # its own): the KPI measures violence, which they do hold.
    category = "Violence and sexual offences"
    kpi = KPI.objects.create(action=action, title="Violence records per quarter", baseline=Decimal("30"),
                             target=Decimal("25"), source="police.uk", measure_kind="police",
                             measure_category=category)
    assert planning.refresh_kpi_values(kpi) > 0
    q1_2024 = kpi.values.get(period_start=date(2024, 1, 1)).value
    assert q1_2024 == category_count(lookup, COVENTRY, ["2024-01", "2024-02", "2024-03"], category) > 0
    for stage, committee in ((ApprovalStep.Stage.BOARD, "Coventry CSP board"),
                             (ApprovalStep.Stage.COUNCIL, "Coventry City Council")):
        planning.record_step(plan, stage=stage, committee=committee, meeting_on=date(2025, 3, 1),
                             comments="Agreed", decision=Decision.APPROVED)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ADOPTED and plan.frozen


def derive_welsh_force_files(tmp_path: Path, lookup: dict[str, str], months: list[str]) -> tuple[list[Path], int]:
    """Police.uk street files for 'South Wales Police' DERIVED from the real Leicestershire rows
    (as bench/national.py does): each Leicestershire LSOA is moved onto a real Cardiff LSOA (code
    and name from the ONS lookup), the force renamed. Returns the files and the rows placed."""
    with open(LOOKUP, newline="", encoding="utf-8") as handle:
        cardiff = sorted((r["lsoa21_code"], r["lsoa21_name"]) for r in csv.DictReader(handle) if r["lad_code"] == CARDIFF)
    assert cardiff, "the ONS lookup has Cardiff's LSOAs"
    moved: dict[str, tuple[str, str]] = {}
    files, rows = [], 0
    for month in months:
        out = tmp_path / f"{month}-south-wales-street.csv"
        with open(police_file(month), newline="", encoding="utf-8-sig") as src, \
                open(out, "w", newline="", encoding="utf-8") as dst:
            reader = csv.DictReader(src)
            writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
            writer.writeheader()
            for r in reader:
                if not r["LSOA code"]:
                    continue
                code, name = moved.setdefault(r["LSOA code"], cardiff[len(moved) % len(cardiff)])
                writer.writerow({**r, "LSOA code": code, "LSOA name": name,
                                 "Reported by": "South Wales Police", "Falls within": "South Wales Police"})
                rows += 1
        files.append(out)
    return files, rows


@pytest.mark.django_db
def test_a_welsh_partnership_from_scratch_imports_and_assesses_and_says_why_there_are_no_hotspots(
        fresh, tmp_path, lookup, capsys):
    """Cardiff (W06000015): lookup and its Census slice loaded, no boundaries (Wales's are not in
    the shared data), South Wales Police files derived from Leicestershire's."""
    assert main(["reference", "load", "--quiet", str(LOOKUP), str(population_slice(tmp_path, {CARDIFF}, lookup))]) == 0
    cardiff = create(capsys, "--name", "Cardiff Community Safety Partnership", "--slug", "cardiff",
                     "--area", "Cardiff", "--manager", "csp@cardiff.example", "--force", "South Wales Police")
    assert cardiff.area_codes == [CARDIFF] and cardiff.offers_welsh

    assert main(["reference", "status", "--partnership", "cardiff"]) == 0
    status = " ".join(capsys.readouterr().out.split())
    assert "missing: LSOA 2021 boundaries for Cardiff (W06000015)" in status
    age_rows = 6 * sum(1 for lad in lookup.values() if lad == CARDIFF)  # six age bands an LSOA
    assert f"Census 2021 usual residents by LSOA and age: {age_rows:,} rows" in status  # Cardiff's slice only

    months = ["2024-01", "2024-02", "2024-03"]
    files, rows = derive_welsh_force_files(tmp_path, lookup, months)
    assert main(["police", "import", "--partnership", "cardiff", "--quiet", *map(str, files)]) == 0
    capsys.readouterr()
    assert main(["assess", "--partnership", "cardiff", "--period", "2024-01:2024-03", "--format", "json",
                 "--quiet"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["area"] == CARDIFF and data["area_name"] == "Cardiff"
    # Independent count: every derived row sits in a Cardiff LSOA, so all of them are Cardiff's.
    independent = 0
    for path in files:
        with open(path, newline="", encoding="utf-8") as handle:
            independent += sum(1 for r in csv.DictReader(handle) if lookup.get(r["LSOA code"]) == CARDIFF)
    assert data["total"] == independent == rows > 0
    population = sum(round(float(r["usual_residents"])) for r in csv.DictReader(open(
        LOOKUP.parent.parent / "population" / "census2021_lsoa21_age6.csv", encoding="utf-8"))
        if lookup.get(r["lsoa21_code"]) == CARDIFF)
    assert data["rates"]["population"] == population
    assert data["hotspots"] is None
    assert "LSOA 2021 boundaries for Cardiff (W06000015) are not loaded" in data["hotspots_unavailable"]

    # The Welsh partnership's assessment document names its area and says why there is no map.
    import io

    import docx

    from saferplan.assessment import services
    from saferplan.core.periods import Period

    document = docx.Document(io.BytesIO(services.document(cardiff, Period.parse("2024-01:2024-03"), "docx", True)[0]))
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.startswith("Strategic assessment: Cardiff\n") and "Area: Cardiff" in text
    assert "LSOA 2021 boundaries for Cardiff (W06000015) are not loaded" in text
