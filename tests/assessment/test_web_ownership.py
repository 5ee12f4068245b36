"""The attack through the pages: an analyst of a second partnership uploads files aimed at
Melton's data; Melton's pages and figures stay what an independent count of its own data says,
and every change to what a partnership reads is listed for it."""
from __future__ import annotations

import csv
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from saferplan.assessment import services
from saferplan.assessment.models import ImportJob
from saferplan.core.periods import Period
from saferplan.assessment.police import import_police
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, make_partnership, sign_in_verified

from .conftest import MELTON
from .web import lsoa21, melton_slice, store  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
AUGUST = Period.parse("2024-08:2024-08")


def url(slug, name, **kwargs):
    return reverse(f"assessment:{name}", kwargs={"slug": slug, **kwargs})


def upload(client, slug, *paths):
    handles = [open(p, "rb") for p in paths]
    try:
        return client.post(url(slug, "import-police"), {"files": handles})
    finally:
        for h in handles:
            h.close()


def independent(path) -> Counter:
    """Melton's records per category in a slice, counted with the csv module alone."""
    melton = lsoa21()
    with open(path, encoding="utf-8", newline="") as handle:
        return Counter(r["Crime type"] for r in csv.DictReader(handle) if r["LSOA code"] in melton)


@pytest.fixture
def world(store, tmp_path):
    melton = make_partnership()
    # The attacker's partnership covers another district of the same force.
    other = make_partnership("Harborough Community Safety Partnership", "harborough", ("E07000131",))
    slices = [melton_slice(m, tmp_path / "shared") for m in ("2024-07", "2024-08")]
    with services.writing() as conn:
        import_police(conn, [s["path"] for s in slices], made_by="the site operator")
    attacker = Client()
    sign_in_verified(attacker, make_member(other, RoleKind.ANALYST))
    return {"melton": melton, "other": other, "slices": slices, "attacker": attacker, "tmp": tmp_path}


def melton_figures(melton) -> dict:
    data = services.assessment(melton, AUGUST)
    return {r["category"]: r["count"] for r in data["categories"] if r["count"]}


def attack(world):
    """A one-row file named for Melton's force-month, then an invented force using Melton's LSOAs."""
    tmp, attacker = world["tmp"], world["attacker"]
    august = world["slices"][1]["path"]
    lines = august.read_text(encoding="utf-8").splitlines(keepends=True)
    one = tmp / "one" / "2024-08-leicestershire-street.csv"
    one.parent.mkdir()
    one.write_text(lines[0] + lines[1], encoding="utf-8")
    response = upload(attacker, "harborough", one)
    job = ImportJob.objects.filter(partnership=world["other"]).latest("pk")
    assert response.status_code == 302
    fakes = []
    for n in range(3):
        fake = tmp / f"fake{n}" / f"2024-08-invented{n}-street.csv"
        fake.parent.mkdir()
        fake.write_text(lines[0] + "".join(line.replace("Leicestershire Police", "Invented Police")
                                           for line in lines[1:]), encoding="utf-8")
        fakes.append(fake)
    upload(attacker, "harborough", *fakes)
    return job


def test_an_attack_through_the_pages_changes_nothing_melton_reads(world):
    melton = world["melton"]
    expected = independent(world["slices"][1]["path"])
    assert melton_figures(melton) == dict(expected)

    job = attack(world)
    assert job.status == ImportJob.Status.NEEDS_CONFIRMATION
    page = world["attacker"].get(job.get_absolute_url()).content.decode()
    assert "Confirm the import" in page and "leicestershire 2024-08" in page
    assert f"{world['slices'][1]['rows']:,}" in page and ">1<" in page
    world["attacker"].post(url("harborough", "import-confirm", pk=job.pk), {"confirm": "1"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED and job.confirmed_by is not None

    assert melton_figures(melton) == dict(expected)
    # The attacker cannot reach Melton's pages either.
    assert world["attacker"].get(url("melton", "imports")).status_code == 404
    assert world["attacker"].post(url("melton", "import-police"), {}).status_code == 404


def test_the_data_page_lists_every_change_to_what_the_partnership_reads(world, client):
    job = attack(world)
    # Forces with no record in Harborough's area (invented ones using Melton's LSOAs) are not
    # imported for it at all; its own force's one-row file is, once confirmed.
    invented = ImportJob.objects.filter(partnership=world["other"]).latest("pk")
    assert invented.status == ImportJob.Status.FAILED
    assert "no force in the files serves the area" in invented.error["message"]
    assert "invented0 (1 file, 2024-08)" in invented.error["message"]
    world["attacker"].post(url("harborough", "import-confirm", pk=job.pk), {"confirm": "1"})
    manager = make_member(world["melton"], RoleKind.MANAGER)
    sign_in_verified(client, manager)
    page = client.get(url("melton", "imports")).content.decode()
    assert 'id="data-changes"' in page and "shared, loaded by the site operator" in page
    assert "invented" not in page and "Harborough" not in page
    theirs = world["attacker"].get(url("harborough", "imports")).content.decode()
    assert "the partnership’s own" in theirs
    assert "2024-08-invented0-street.csv" in theirs and "Refused" in theirs
    assessment = client.get(url("melton", "index") + "?end=2024-08&months=1").content.decode()
    assert 'id="data-last-changed"' in assessment


def test_refusals_name_the_uploaded_file_never_a_server_path(world, client, settings):
    analyst = make_member(world["melton"], RoleKind.ANALYST)
    sign_in_verified(client, analyst)
    august = world["slices"][1]["path"]
    rows = list(csv.reader(open(august, encoding="utf-8", newline="")))
    rows[7][4] = "west"
    odd = world["tmp"] / "odd" / "melton crimes.csv"
    odd.parent.mkdir()
    with open(odd, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    upload(client, "melton", odd)
    job = ImportJob.objects.filter(partnership=world["melton"]).latest("pk")
    assert job.status == ImportJob.Status.FAILED
    assert (job.error["file"], job.error["line"], job.error["field"]) == ("melton-crimes.csv", 8, "Longitude")
    page = client.get(job.get_absolute_url()).content.decode()
    assert str(settings.ASSESSMENT_UPLOAD_DIR) not in page and "/tmp" not in page


def test_a_partner_file_that_is_not_csv_utf8_is_refused_at_upload_keeping_the_form(world, client):
    analyst = make_member(world["melton"], RoleKind.ANALYST)
    sign_in_verified(client, analyst)
    path = world["tmp"] / "fires.csv"
    path.write_bytes("LSOA21CD,Month,Incidents\r\nE01025854,2024-08,3\r\n".encode("utf-16"))
    with open(path, "rb") as handle:
        response = client.post(url("melton", "import-partner"), {"file": handle, "dataset": "Fire service"})
    page = response.content.decode()
    assert response.status_code == 200 and "save it as CSV UTF-8" in page
    assert 'value="Fire service"' in page and "govuk-error-summary" in page
    assert not ImportJob.objects.filter(kind=ImportJob.Kind.PARTNER).exists()


def test_uploads_over_the_limit_are_refused(world, client, settings):
    settings.ASSESSMENT_MAX_UPLOAD_BYTES = 1000
    analyst = make_member(world["melton"], RoleKind.ANALYST)
    sign_in_verified(client, analyst)
    response = upload(client, "melton", world["slices"][0]["path"])
    assert response.status_code == 200 and "upload at most" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_upload_declared_over_the_limit_is_refused_before_its_body_is_read(world, client, settings):
    """The declared length alone refuses it: the page names the upload's size, not the files' (the
    files' size is only known once Django has written them to disk)."""
    settings.ASSESSMENT_MAX_UPLOAD_BYTES = 1000
    sign_in_verified(client, make_member(world["melton"], RoleKind.ANALYST))
    big = world["tmp"] / "big.csv"
    big.write_bytes(b"LSOA21CD,Month,Incidents\r\n" + b"E01025854,2024-08,3\r\n" * 8000)
    with open(big, "rb") as handle:
        police = upload(client, "melton", big)
        handle.seek(0)
        partner = client.post(url("melton", "import-partner"), {"file": handle, "dataset": "Fire service"})
    for response in (police, partner):
        page = response.content.decode()
        assert response.status_code == 200 and "The upload is 1" in page and "upload at most 1 KB" in page
        assert "The files come to" not in page and "govuk-error-summary" in page
    assert not ImportJob.objects.exists()


def test_a_manager_cannot_change_the_partnership_s_area(world, client):
    melton = world["melton"]
    sign_in_verified(client, make_member(melton, RoleKind.MANAGER))
    edit = reverse("partnership:edit", kwargs={"slug": "melton"})
    page = client.get(edit).content.decode()
    assert 'name="area_codes"' not in page and "only the site operator can change it" in page
    client.post(edit, {"name": melton.name, "area_codes": "E07000133, E07000131",
                       "police_forces": "Leicestershire Police"})
    melton.refresh_from_db()
    assert melton.area_codes == [MELTON]


def test_the_demo_loads_shared_data_that_every_partnership_reads(store, tmp_path):
    from saferplan.assessment import demo

    melton = make_partnership()
    other = make_partnership("Harborough Community Safety Partnership", "harborough", ("E07000131",))
    make_member(melton, RoleKind.ANALYST)
    demo.load(melton)
    assert ImportJob.objects.get(partnership=melton).shared
    with services.reading(None) as conn:
        assert conn.execute("select count(*) from police_record where owner is not null").fetchone()[0] == 0
    year = Period.parse("2024-01:2024-12")
    assert services.assessment(melton, year)["total"] == 3_608
    assert services.assessment(other, year)["total"] > 0
    assert [c["shared"] for c in services.data_changes(other)] == [True]
