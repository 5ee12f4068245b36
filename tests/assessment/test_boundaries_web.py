"""A manager loads the boundaries of the partnership's own authorities on a page; the job worker
loads them with the operator's loader, so the same checks apply and nothing else is accepted."""
from __future__ import annotations

import pytest
from django.urls import reverse

from saferplan.assessment import services
from saferplan.assessment.models import ImportJob
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, make_partnership, sign_in_verified
from tests.conftest import DATA_DIR

from .web import store  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
COVENTRY = "E08000026"
BOUNDARIES = DATA_DIR / "geography" / "boundaries"


@pytest.fixture
def coventry(client, store):  # noqa: F811
    partnership = make_partnership("Coventry Community Safety Partnership", "coventry", (COVENTRY,))
    partnership.area_names = ["Coventry"]
    partnership.save()
    sign_in_verified(client, make_member(partnership, RoleKind.MANAGER))
    # The store starts with the session's reference data, which has Coventry's boundaries: take
    # them out, as on a site whose operator loaded only the national tables.
    with services.writing() as conn:
        for table in ("lsoa_boundary", "ward_boundary", "ward"):
            conn.execute(f"delete from {table} where lad_code = ?", [COVENTRY])
        conn.execute("delete from reference_load where lad_code = ?", [COVENTRY])
    return partnership


def url(name, **kwargs):
    return reverse(f"assessment:{name}", kwargs={"slug": "coventry", **kwargs})


def upload(client, *paths):
    handles = [open(p, "rb") for p in paths]
    try:
        return client.post(url("boundaries"), {"files": handles})
    finally:
        for h in handles:
            h.close()


def test_a_manager_loads_the_areas_boundaries_and_maps_can_use_them(client, coventry):
    from saferplan.assessment.police import import_police

    # December 2024: six Leicestershire Police records are located in Coventry.
    with services.writing() as conn:
        import_police(conn, [DATA_DIR / "police-uk" / "leicestershire" / "2024-12-leicestershire-street.csv"])
    index = client.get(url("index")).content.decode()
    assert 'id="boundaries-missing"' in index and "LSOA 2021 boundaries for Coventry (E08000026) are not loaded" in index
    assert url("boundaries") in index and 'id="assessment-map"' not in index
    page = client.get(url("boundaries")).content.decode()
    assert "Coventry (E08000026)" in page and "Not loaded." in page and "Open Geography Portal" in page
    assert "are not loaded" in services.boundaries_missing(coventry)
    response = upload(client, BOUNDARIES / f"lsoa21-{COVENTRY}.geojson", BOUNDARIES / f"ward-{COVENTRY}.geojson")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.kind == ImportJob.Kind.BOUNDARIES and job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.result["rows_read"] == 203 + 18
    detail = client.get(job.get_absolute_url()).content.decode()
    assert "221 boundaries loaded for Coventry" in detail
    assert services.boundaries_missing(coventry) is None
    assert services.boundaries_missing(coventry, "ward") is None
    with services.reading(None) as conn:
        assert conn.execute("select count(*) from ward where lad_code = ?", [COVENTRY]).fetchone()[0] == 18
        assert conn.execute("select count(*) from lsoa_ward w join lsoa l using (lsoa_code) "
                            "where l.lad_code = ?", [COVENTRY]).fetchone()[0] == 203
    assert "Not loaded." not in client.get(url("boundaries")).content.decode()
    index = client.get(url("index")).content.decode()
    assert 'id="boundaries-missing"' not in index and 'id="assessment-map"' in index
    lsoas = client.get(url("map-data", period="2024-12:2024-12", level="lsoa")).json()["features"]
    assert len(lsoas) == 203 and sum(f["properties"]["crimes"] or 0 for f in lsoas) > 0


def test_another_authoritys_boundaries_are_refused_and_nothing_is_kept(client, coventry):
    upload(client, BOUNDARIES / "lsoa21-E07000133.geojson")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert "not in the partnership's area" in job.error["message"]
    assert job.error["file"] == "lsoa21-E07000133.geojson"
    page = client.get(job.get_absolute_url()).content.decode()
    assert "lsoa21-E07000133.geojson" in page and "not in the partnership" in page
    with services.reading(None) as conn:
        assert conn.execute("select count(*) from lsoa_boundary where lad_code = 'E07000133'").fetchone()[0] == 30


def test_a_file_that_is_not_geojson_is_refused_by_the_form_with_what_was_typed_kept(client, coventry, tmp_path):
    text = tmp_path / "boundaries.csv"
    text.write_text("LSOA21CD\nE01009568\n", encoding="utf-8")
    response = upload(client, text)
    assert response.status_code == 200
    page = response.content.decode()
    assert "boundaries.csv must be a GeoJSON file" in page and "govuk-error-summary" in page
    assert not ImportJob.objects.exists()


def test_only_the_manager_may_load_boundaries(client, coventry):
    client.logout()
    analyst = make_member(coventry, RoleKind.ANALYST)
    sign_in_verified(client, analyst)
    assert client.get(url("boundaries")).status_code == 403
