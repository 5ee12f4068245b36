"""Hotspots in numpy against PySAL on the real boundaries and counts.

The request path computes Gi* and reads Queen neighbours without esda, libpysal or geopandas
(hotspots.py says why); these tests hold it to their figures: libpysal's Queen weights over the
same boundaries, and esda's G_Local over the same counts, seed and permutations.
"""
from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from saferplan.assessment.engine import assess
from saferplan.assessment.hotspots import ALPHA, PERMUTATIONS, SEED, getis_ord_star, gi_star
from saferplan.assessment.police import import_police
from saferplan.assessment.reference import boundary_features, lsoa_neighbours
from saferplan.assessment.reference.load import load_file
from saferplan.assessment.store import connect
from saferplan.core.periods import Period
from tests.conftest import DATA_DIR

from .conftest import MELTON, police_file

PERIOD = Period.parse("2024-01:2024-12")
AUTHORITIES = ["E07000133", "E06000035", "E08000026"]  # Melton, Medway, Coventry: the shared boundaries


def pysal(conn, lad_codes: list[str]):
    """libpysal's Queen weights of the authorities' LSOAs, sorted by code, as the assessment used."""
    import geopandas
    from libpysal.weights import Queen

    areas = geopandas.GeoDataFrame.from_features(boundary_features(conn, "lsoa", lad_codes), crs=4326)
    areas = areas.sort_values("LSOA21CD").reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(areas["LSOA21CD"]), Queen.from_dataframe(areas, ids=list(areas["LSOA21CD"]), use_index=False)


def esda_gi(values, weights):
    from esda.getisord import G_Local

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return G_Local(values, weights, transform="B", star=True, permutations=PERMUTATIONS, seed=SEED, n_jobs=1)


@pytest.mark.parametrize("lad", AUTHORITIES)
def test_neighbours_worked_out_at_load_are_libpysal_queen(store, lad):
    codes, weights = pysal(store, [lad])
    ours = lsoa_neighbours(store, [lad])
    assert [r["lsoa_code"] for r in ours] == codes
    assert {r["lsoa_code"]: sorted(r["neighbours"]) for r in ours} == \
           {c: sorted(weights.neighbors[c]) for c in codes}
    assert sum(len(r["neighbours"]) for r in ours) > len(codes)  # a real contiguity, not empty


def test_gi_star_is_esdas_on_meltons_crime(store):
    counts = {r["lsoa_code"]: r["crimes"] for r in
              assess(store, [MELTON], PERIOD, with_hotspots=False).to_dict()["lsoas"]}
    codes, weights = pysal(store, [MELTON])
    values = np.array([float(counts.get(c, 0)) for c in codes])
    theirs = esda_gi(values, weights)
    position = {c: i for i, c in enumerate(codes)}
    ours = getis_ord_star(values, [[position[n] for n in sorted(weights.neighbors[c])] for c in codes],
                          PERMUTATIONS, SEED)
    # The same figures, not merely close: same arithmetic, same shuffles from the same seed.
    assert np.array_equal(ours["Gs"], theirs.Gs)
    assert np.array_equal(ours["z"], theirs.Zs)
    assert np.array_equal(ours["p_sim"], theirs.p_sim)
    np.testing.assert_allclose(ours["z_sim"], theirs.z_sim, rtol=1e-12)
    np.testing.assert_allclose(ours["p_norm"], theirs.p_norm, rtol=1e-12, atol=1e-15)
    # And the page's table says what esda would have said of each LSOA.
    result = gi_star(store, [MELTON], counts)
    assert result["available"] and len(result["lsoas"]) == 30
    for row in result["lsoas"]:
        i = position[row["lsoa_code"]]
        z, p = theirs.Zs[i], theirs.p_sim[i]
        assert (row["z"], row["p_sim"], row["z_sim"]) == (round(float(z), 3), round(float(p), 4),
                                                           round(float(theirs.z_sim[i]), 3))
        expected = "hotspot" if z > 0 and p < ALPHA else "coldspot" if z < 0 and p < ALPHA else "not significant"
        assert row["classification"] == expected
    assert result["hotspots"]  # Melton's 2024 crime does cluster


def test_gi_star_is_esdas_on_a_larger_area(store):
    # Coventry's 203 LSOAs with Census residents as the values: more neighbours per LSOA and more
    # areas to shuffle than Melton, so another path through the permutation ids.
    residents = dict(store.execute(
        "select lsoa_code, sum(residents) from lsoa_population join lsoa using (lsoa_code) "
        "where lad_code = 'E08000026' group by 1").fetchall())
    codes, weights = pysal(store, ["E08000026"])
    values = np.array([float(residents[c]) for c in codes])
    theirs = esda_gi(values, weights)
    position = {c: i for i, c in enumerate(codes)}
    ours = getis_ord_star(values, [[position[n] for n in weights.neighbors[c]] for c in codes],
                          PERMUTATIONS, SEED)
    assert len(codes) == 203 and max(len(weights.neighbors[c]) for c in codes) > 10
    assert np.array_equal(ours["z"], theirs.Zs)
    assert np.array_equal(ours["p_sim"], theirs.p_sim)
    np.testing.assert_allclose(ours["z_sim"], theirs.z_sim, rtol=1e-12)


def test_reloading_boundaries_keeps_neighbours_and_an_old_store_gets_them(tmp_path):
    path = tmp_path / "store.duckdb"
    conn = connect(path)  # a copy of the session's reference data
    before = conn.execute("select lsoa_code, neighbour_code from lsoa_neighbour order by all").fetchall()
    assert before and set(before) == {(b, a) for a, b in before}  # both ways
    load_file(conn, DATA_DIR / "geography" / "boundaries" / f"lsoa21-{MELTON}.geojson")
    assert conn.execute("select lsoa_code, neighbour_code from lsoa_neighbour order by all").fetchall() == before
    # A store written before neighbours were kept works them out when next opened for writing.
    conn.execute("drop table lsoa_neighbour")
    conn.close()
    conn = connect(path)
    assert conn.execute("select lsoa_code, neighbour_code from lsoa_neighbour order by all").fetchall() == before
    conn.close()


HEAVY = ("geopandas", "shapely", "pandas", "scipy", "esda", "libpysal", "sklearn", "openpyxl",
         "weasyprint", "altair", "vl_convert", "pyproj")


def test_an_assessment_in_a_fresh_process_imports_nothing_heavy(tmp_path):
    path = tmp_path / "store.duckdb"
    conn = connect(path)
    import_police(conn, [police_file(f"2024-{m:02d}") for m in (1, 2, 3)] +
                  [police_file(f"2023-{m:02d}") for m in (1, 2, 3)])
    conn.close()
    code = f"""
import json, sys
from saferplan.assessment.engine import assess
from saferplan.assessment.store import connect, scope
from saferplan.core.periods import Period
conn = scope(connect({str(path)!r}, read_only=True).cursor(), None)
data = assess(conn, [{MELTON!r}], Period.parse("2024-01:2024-03")).to_dict()
print(json.dumps({{"hotspots": data["hotspots"]["available"], "total": data["total"],
                  "harm": bool(data["harm"]["weights"]),
                  "modules": sorted({{m.split(".")[0] for m in sys.modules}})}}))
"""
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["hotspots"] and result["harm"] and result["total"] > 0
    assert [m for m in HEAVY if m in result["modules"]] == []
