import csv
import io
import re
import json
import random
import statistics
from collections import Counter

import openpyxl
import pytest
from scipy.stats import binomtest

from saferplan.assessment import analysis
from saferplan.assessment.engine import assess
from saferplan.assessment.harm import harm_weights
from saferplan.assessment.hotspots import gi_star
from saferplan.core.periods import Period
from tests.conftest import DATA_DIR

from .conftest import MELTON, independent_counts, police_file

PERIOD = Period.parse("2024-01:2024-12")


@pytest.fixture(scope="module")
def melton(store):
    return assess(store, [MELTON], PERIOD).to_dict()


def test_period_arithmetic():
    assert str(PERIOD.previous()) == "2023-01:2023-12"
    assert str(Period.parse("2024-03:2024-05").previous()) == "2023-03:2023-05"
    assert Period.parse("2024").months == 12
    with pytest.raises(ValueError):
        Period.parse("2024-13:2024-12")


def test_significance_is_the_exact_conditional_poisson_test():
    result = analysis.compare_counts(244, 173)
    assert result["p_value"] == pytest.approx(binomtest(244, 417, 0.5).pvalue, abs=1e-6)
    assert result["p_value"] == pytest.approx(0.000592, abs=5e-6)
    assert result["significant"] and result["change_pct"] == 41.0
    small = analysis.compare_counts(9, 15)
    assert not small["significant"] and small["p_value"] == pytest.approx(0.307456, abs=1e-5)
    assert analysis.compare_counts(0, 0)["p_value"] == 1.0
    # Unequal coverage shifts the expected share: 30 vs 10 over 3 months vs 1 is no change.
    assert not analysis.compare_counts(30, 10, current_share=0.75)["significant"]


def test_binomial_p_value_is_scipys_binomtest():
    # Our numpy test replaces scipy's in the request path (scipy.stats is slow to import); it
    # must give scipy's p-values, ties and lopsided shares included, for small and large counts.
    cases = [(244, 417, 0.5), (9, 15, 0.5), (0, 1, 0.5), (1, 1, 0.5), (5, 10, 0.5), (3, 10, 1 / 3),
             (30, 40, 0.75), (12, 13, 11 / 23), (0, 500, 0.5), (49_000, 100_000, 0.5), (7, 9, 0.9)]
    rng = random.Random(20240401)
    for _ in range(400):
        n = rng.choice([rng.randint(1, 40), rng.randint(1, 3_000), rng.randint(1, 200_000)])
        cases.append((rng.randint(0, n), n, rng.choice([0.5, rng.randint(1, 23) / 24, rng.random()])))
    for k, n, p in cases:
        assert analysis.binomial_p_value(k, n, p) == pytest.approx(binomtest(k, n, p).pvalue, abs=1e-9), (k, n, p)


def test_categories_match_an_independent_count(melton, lsoa_lad):
    current = independent_counts(lsoa_lad, MELTON, [f"2024-{m:02d}" for m in range(1, 13)])
    previous = independent_counts(lsoa_lad, MELTON, [f"2023-{m:02d}" for m in range(1, 13)])
    got = {c["category"]: (c["count"], c["previous_count"]) for c in melton["categories"]}
    assert got == {k: (current[k], previous[k]) for k in current | previous}
    assert melton["total"] == 3_608 and melton["total_previous"] == 3_732
    assert "Anti-social behaviour" in got
    shop = next(c for c in melton["categories"] if c["category"] == "Shoplifting")
    assert (shop["previous_count"], shop["count"], shop["significant"]) == (173, 244, True)
    assert melton["significance"]["alpha"] == 0.05 and "Poisson" in melton["significance"]["test"]


def test_monthly_series(melton, lsoa_lad):
    months = melton["monthly"]["months"]
    assert months[0]["month"] == "2023-01" and months[-1]["month"] == "2024-12" and len(months) == 24
    dec = independent_counts(lsoa_lad, MELTON, ["2024-12"])
    assert months[-1]["asb"] == dec["Anti-social behaviour"]
    assert months[-1]["crime"] == sum(dec.values()) - dec["Anti-social behaviour"]


def test_rates_use_census_population(melton):
    population = Counter()
    melton_lsoas = {r["lsoa_code"] for r in melton["lsoas"]}
    with open(DATA_DIR / "population" / "census2021_lsoa21_age6.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["lsoa21_code"] in melton_lsoas:
                population[row["lsoa21_code"]] += round(float(row["usual_residents"]))
    assert len(melton["lsoas"]) == 30
    for row in melton["lsoas"]:
        assert row["population"] == population[row["lsoa_code"]]
        assert row["crime_rate"] == round(row["crimes"] / row["population"] * 1000, 1)
    assert melton["area_detail"]["population"] == sum(population.values())


def test_wards_are_built_from_whole_lsoas(melton):
    wards = melton["wards"]
    assert wards["available"] and len(wards["rows"]) == 16
    assert sum(w["lsoas"] for w in wards["rows"]) == 30
    assert sum(w["crimes"] for w in wards["rows"]) == sum(r["crimes"] for r in melton["lsoas"])


def test_concentration(melton):
    conc = melton["concentration"]
    top3 = sorted((r["crimes"] for r in melton["lsoas"]), reverse=True)[:3]
    assert conc["top_lsoas"] == 3
    assert conc["share_pct"] == round(sum(top3) / conc["crimes"] * 100, 1)


def test_gi_star_on_melton_gives_z_and_p_per_lsoa(melton, store):
    hot = melton["hotspots"]
    assert hot["available"] and len(hot["lsoas"]) == 30
    for row in hot["lsoas"]:
        assert isinstance(row["z"], float) and 0 < row["p_sim"] <= 1
    assert hot["hotspots"] and all(h["z"] > 0 and h["p_sim"] < 0.05 for h in hot["hotspots"])
    # The permutation seed is fixed: the same counts give the same answer.
    again = gi_star(store, [MELTON], {r["lsoa_code"]: r["crimes"] for r in melton["lsoas"]})
    assert [(r["lsoa_code"], r["p_sim"]) for r in again["lsoas"]] == \
           [(r["lsoa_code"], r["p_sim"]) for r in hot["lsoas"]]


def test_no_boundary_file_means_no_hotspots_but_everything_else(store):
    charnwood = assess(store, ["E07000130"], PERIOD).to_dict()
    assert not charnwood["hotspots"]["available"]
    assert "Charnwood (E07000130) are not loaded" in charnwood["hotspots"]["reason"]
    assert "saferplan reference load" in charnwood["hotspots"]["reason"]
    assert not charnwood["wards"]["available"]
    assert charnwood["total"] > 0 and charnwood["lsoas"]


def test_repeat_locations_match_an_independent_count(melton, lsoa_lad):
    counts = Counter()
    for m in range(1, 13):
        with open(police_file(f"2024-{m:02d}"), encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if lsoa_lad.get(row["LSOA code"]) == MELTON:
                    counts[(row["Location"], row["LSOA code"])] += 1
    (location, lsoa), records = counts.most_common(1)[0]
    top = melton["repeat_locations"][0]
    assert (top["location"], top["lsoa_code"], top["records"]) == (location, lsoa, records)


def test_outcomes_exclude_asb(melton):
    rows = melton["outcomes"]["rows"]
    assert rows and all(r["category"] != "Anti-social behaviour" for r in rows)
    crimes = sum(c["count"] for c in melton["categories"] if not c["is_asb"])
    assert sum(r["records"] for r in rows) == crimes


def test_harm_weights_are_medians_of_cchi_groups(store):
    book = openpyxl.load_workbook(DATA_DIR / "harm" / "cambridge-crime-harm-index-2020.xlsx", read_only=True)
    rows = list(book["CCHI 2020 values sheet"].iter_rows(values_only=True, max_col=12))
    head = rows[0]
    g, score = head.index("GROUP"), head.index("CCHI Score")
    burglary = [r[score] for r in rows[1:] if r[g] == "BURGLARY" and isinstance(r[score], (int, float))]
    weights = harm_weights(conn=store)
    assert weights.weights["Burglary"] == round(statistics.median(burglary), 1)
    assert "Anti-social behaviour" not in weights.weights
    assert "median" in weights.method
    edited = harm_weights({"Shoplifting": 50}, conn=store)
    assert edited.weights["Shoplifting"] == 50 and edited.edited == ["Shoplifting"]
    assert "Shoplifting" in edited.method


def test_harm_view_uses_passed_weights(store):
    data = assess(store, [MELTON], PERIOD, weights={"Shoplifting": 1000}).to_dict()
    shop = next(r for r in data["harm"]["rows"] if r["category"] == "Shoplifting")
    assert shop["harm"] == 244 * 1000


def test_findings_are_plain_data_citing_numbers(melton):
    findings = melton["findings"]
    texts = [f["text"] for f in findings]
    assert "Shoplifting rose from 173 to 244 (+41%), a statistically significant rise." in texts
    shop = next(f for f in findings if f["category"] == "Shoplifting")
    assert shop["kind"] == "rise" and shop["numbers"]["count"] == 244 and shop["measure"] == "count"
    kinds = {f["kind"] for f in findings}
    assert {"overall", "fall", "not_significant", "asb", "concentration", "hotspot", "repeat_location"} <= kinds
    for f in findings:
        assert set(f) >= {"kind", "title", "text", "category", "measure", "numbers"}


def test_data_quality_counts(melton):
    assert melton["unmatched_lsoa_records"] == 4_897
    assert melton["no_location_records"] == 6_726
    assert melton["unmatched_lsoa_assigned_to_area"] == 0
    assert melton["coverage"]["complete"]


def _population(lsoas: set[str]) -> Counter:
    population = Counter()
    with open(DATA_DIR / "population" / "census2021_lsoa21_age6.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["lsoa21_code"] in lsoas:
                population[row["lsoa21_code"]] += round(float(row["usual_residents"]))
    return population


@pytest.fixture(scope="module")
def half_year_store(tmp_path_factory):
    """Only July to December 2024 held: a 12-month window holds 6 months of data."""
    from saferplan.assessment.police import import_police
    from saferplan.assessment.store import connect

    folder = tmp_path_factory.mktemp("half-year")
    for m in range(7, 13):
        (folder / police_file(f"2024-{m:02d}").name).write_bytes(police_file(f"2024-{m:02d}").read_bytes())
    conn = connect()
    import_police(conn, [folder])
    yield conn
    conn.close()


def test_rates_are_annualised_from_the_months_that_hold_data(half_year_store, lsoa_lad):
    data = assess(half_year_store, [MELTON], PERIOD, with_hotspots=False).to_dict()
    assert data["coverage"]["months_with_data"] == 6
    counts = independent_counts(lsoa_lad, MELTON, [f"2024-{m:02d}" for m in range(7, 13)])
    crimes = sum(counts.values()) - counts["Anti-social behaviour"]
    population = _population({code for code, lad in lsoa_lad.items() if lad == MELTON})
    expected = round(crimes / sum(population.values()) * 1000 * 12 / 6, 1)
    assert data["rates"]["crime_rate"] == expected
    assert data["rates"]["asb_rate"] == round(
        counts["Anti-social behaviour"] / sum(population.values()) * 1000 * 2, 1)
    for row in data["lsoas"]:
        assert row["crime_rate"] == round(row["crimes"] / population[row["lsoa_code"]] * 1000 * 2, 1)
    for ward in data["wards"]["rows"]:
        assert ward["crime_rate"] == round(ward["crimes"] / ward["population"] * 1000 * 2, 1)
    rate = next(f for f in data["findings"] if f["kind"] == "rate")
    assert rate["numbers"]["area_crime_rate"] == expected
    assert "annualised rate per 1,000 residents" in data["rates"]["method"].lower()
    assert "Census 2021" in data["rates"]["method"] and "6 months" in data["rates"]["method"]


def test_a_short_period_is_compared_with_the_same_months_a_year_earlier(store, lsoa_lad):
    summer = Period.parse("2024-06:2024-08")
    assert str(summer.previous()) == "2023-06:2023-08"
    assert str(Period.parse("2024-03:2024-03").previous()) == "2023-03:2023-03"
    assert str(Period.parse("2023-01:2024-12").previous()) == "2021-01:2022-12"
    data = assess(store, [MELTON], summer, with_hotspots=False).to_dict()
    current = independent_counts(lsoa_lad, MELTON, ["2024-06", "2024-07", "2024-08"])
    previous = independent_counts(lsoa_lad, MELTON, ["2023-06", "2023-07", "2023-08"])
    got = {c["category"]: (c["count"], c["previous_count"]) for c in data["categories"]}
    assert got == {k: (current[k], previous[k]) for k in current | previous}
    assert data["previous_period_detail"]["label"] == "June 2023 to August 2023"
    assert data["coverage"]["complete"]
    population = sum(_population({r["lsoa_code"] for r in data["lsoas"]}).values())
    crimes = sum(current.values()) - current["Anti-social behaviour"]
    assert data["rates"]["crime_rate"] == round(crimes / population * 1000 * 12 / 3, 1)


def test_unequal_months_of_data_are_compared_per_month():
    # 30 records in 3 months against 10 in 1: the same rate, not a rise of 200%.
    same = analysis.compare_counts(30, 10, current_share=0.75)
    assert same["change_pct"] == 0.0 and same["direction"] == "same"
    fall = analysis.compare_counts(30, 20, current_share=0.75)
    assert fall["change_pct"] == -50.0 and fall["direction"] == "fall"
    # More records, but over three times the months: the words say what the test says.
    from saferplan.assessment.findings import _change_sentence

    assert _change_sentence("Burglary", fall, False).startswith("Burglary fell from 20 to 30 (-50%) (compared per month")
    assert "unchanged" not in _change_sentence("Burglary", same, False)


def test_a_one_month_period_reads_as_one_month():
    assert Period.parse("2023-01:2023-01").label() == "January 2023"
    assert Period.parse("2023-01:2023-02").label() == "January 2023 to February 2023"
    for text in ("9999-01:9999-12", "0000-01:0000-12", "2024-00:2024-12", "2024-12:2024-01"):
        with pytest.raises(ValueError):
            Period.parse(text)


def _published(table) -> list[dict]:
    return [{c.key: table.cell(r, c, True) for c in table.columns} for r in table.rows]


def _hidden(value) -> bool:
    return isinstance(value, str) and value in ("<5", "[c]")


def _cannot_be_derived(cells: list, where: str) -> None:
    """Cells tied by one sum: one hidden cell alone would be the sum less the others."""
    hidden = sum(1 for v in cells if _hidden(v))
    assert hidden != 1, f"{where}: the one hidden cell can be worked out from the others"


@pytest.fixture(scope="module")
def december(store):
    from saferplan.assessment.report import tables, to_json

    data = assess(store, [MELTON], Period.parse("2024-12:2024-12")).to_dict()
    return data, tables(data, publish=True), json.loads(to_json(data, publish=True))


def test_a_suppressed_cell_cannot_be_worked_out_from_published_rows_columns_or_totals(december, melton):
    from saferplan.assessment.report import tables

    data, t, published = december
    categories = {r["category"]: r for r in _published(t["categories"])}
    assert any(v["count"] == "<5" for v in categories.values())
    for side, total in (("count", "total"), ("previous_count", "total_previous")):
        _cannot_be_derived([published[total], *[r[side] for r in categories.values()]], f"categories {side}")
    # A location's records are its crimes plus its anti-social behaviour.
    for year in (t, tables(melton, publish=True)):
        for r in _published(year["repeat_locations"]):
            _cannot_be_derived([r["records"], r["crimes"], r["asb"]], f"location {r['location']}")
    # Outcomes add up to each type's count, and each outcome across types to its total.
    outcomes = _published(t["outcomes"])
    for category, row in categories.items():
        _cannot_be_derived([row["count"], *[r["records"] for r in outcomes if r["category"] == category]],
                           f"outcomes of {category}")
    overall = {r["outcome"]: r["records"] for r in _published(t["outcomes_overall"])}
    for outcome, total in overall.items():
        _cannot_be_derived([total, *[r["records"] for r in outcomes if r["outcome"] == outcome]], outcome)
    # LSOAs add up to their wards, and both to the area.
    lsoas = _published(t["lsoas"])
    for column in ("crimes", "asb"):
        _cannot_be_derived([r[column] for r in lsoas], f"LSOA {column}")
        for ward in _published(t["wards"]):
            parts = [r[column] for r in lsoas if r["ward_name"] == ward["ward_name"]]
            _cannot_be_derived([ward[column], *parts], f"{ward['ward_name']} {column}")
    # Every Gi* score is worked out from every LSOA's count, so none is published beside a hidden one.
    if any(_hidden(r["crimes"]) for r in lsoas):
        assert all(_hidden(r["z"]) and _hidden(r["p_sim"]) for r in _published(t["hotspots"]))
    # One month's series is the period's total; the harm table repeats the type counts.
    month = next(r for r in _published(t["monthly"]) if r["month"] == "2024-12")
    crime = data["totals"]["crime"]
    assert _hidden(month["crime"]) == (crime["count"] < 5 or "count" in crime.get("withheld", ()))
    for r in _published(t["harm"]):
        assert _hidden(r["count"]) == _hidden(categories[r["category"]]["count"])


def test_a_chart_of_a_published_table_does_not_show_what_the_table_hides(december):
    from saferplan.assessment.report import charts

    data, t, _ = december
    drawn = charts(data, t, publish=True)
    values = drawn["categories"].spec["data"]["values"]
    shown = {(v["category"], v["bar"]) for v in values}
    for r in _published(t["categories"]):
        assert ((r["category"], "This period") in shown) != _hidden(r["count"]), r["category"]
    harm = {v["category"] for v in drawn["harm"].spec["data"]["values"]}
    for r in _published(t["harm"]):
        assert (r["category"] in harm) != _hidden(r["harm_share_pct"]), r["category"]


def test_published_findings_name_no_withheld_count(december):
    from saferplan.assessment.disclosure import publication

    data, _, published = december
    p = publication(data)
    assert all("numbers" not in f for f in published["findings"])
    for row in p["repeat_locations"][:1]:
        text = next(f["text"] for f in published["findings"] if f["kind"] == "repeat_location")
        for key, word in (("records", "record"), ("crimes", "crime"), ("asb", "anti-social")):
            if key in row.get("withheld", []) and row[key] >= 5:
                assert f"{row[key]} {word}" not in text
    for c in p["categories"]:
        hidden = [k for k in ("count", "previous_count") if k in c.get("withheld", [])]
        finding = next((f for f in published["findings"] if f["category"] == c["category"]
                        and f["kind"] in ("rise", "fall", "not_significant")), None)
        if finding and hidden:
            assert "p = " not in finding["text"]
            for k in hidden:
                assert f"{c[k]:,}" not in finding["text"].replace(c["category"], "")


INTERNALS = re.compile(r"scipy|binomtest|esda|G_Local|star=True|seed|permutations|\b[a-z]+_[a-z_]+\b|\{|\}")


def test_committee_text_is_plain_english_without_internals_or_placeholders(melton, december):
    import docx

    from saferplan.assessment.report import build_document
    from saferplan.documents.word import render_docx

    for data, publish in ((melton, False), (december[0], True)):
        document = docx.Document(io.BytesIO(render_docx(build_document(data, publish))))
        paragraphs = [p.text for p in document.paragraphs if p.text]
        text = "\n".join(paragraphs)
        assert not INTERNALS.findall(text), INTERNALS.findall(text)
        # Each method is said once, in plain English, with its reference.
        for method in (data["significance"]["method"], data["hotspots"]["method"], data["rates"]["method"],
                       data["harm"]["method"]):
            assert paragraphs.count(method) == 1, method[:60]
        assert "Przyborowski and Wilenski 1940" in text and "Getis and Ord 1992" in text
        assert re.search(r"\b1 (records|crimes|incidents|LSOAs|days|events)\b", text) is None
        assert "Census 2021" in text and "police.uk street-level" in text


def test_a_findings_direction_comes_from_the_figures_beside_it(melton, december):
    for data in (melton, december[0]):
        by_category = {c["category"]: c for c in data["categories"]}
        for f in data["findings"]:
            if f["kind"] in ("rise", "fall", "not_significant"):
                c = by_category[f["category"]]
                said = "rose" if " rose " in f["text"] else "fell" if " fell " in f["text"] else "same"
                assert said == {"rise": "rose", "fall": "fell", "same": "same"}[c["direction"]], f["text"]
                if f["kind"] != "not_significant":
                    assert f["kind"] == c["direction"] and c["significant"]


def test_a_withheld_count_is_not_given_away_by_the_words_around_it():
    from saferplan.assessment.findings import _change_sentence, counted

    row = {**analysis.compare_counts(7, 7), "withheld": ["count"]}
    text = _change_sentence("Robbery", row, publish=True)
    assert text == "Robbery was a withheld number against 7; the change is not statistically significant."
    assert counted({"crimes": 9, "withheld": ["crimes"]}, "crimes", "crime", True) == "a withheld number of crimes"
    assert counted({"crimes": 1}, "crimes", "crime") == "1 crime"
    assert counted({"crimes": 3}, "crimes", "crime", True) == "fewer than 5 crimes"
    assert counted({"crimes": None}, "crimes", "crime") == "unknown crimes"


def test_complementary_suppression_gives_every_hidden_count_company():
    from saferplan.core.disclosure import complementary_suppression

    cells = {"total": 20, "a": 3, "b": 10, "c": 7}
    assert complementary_suppression(cells, [["total", "a", "b", "c"]]) == {"a", "c"}
    # A cell known from elsewhere is never the one chosen; a cascade follows shared cells.
    cells = {"t1": 20, "a": 3, "b": 10, "c": 7, "t2": 15, "d": 8}
    withheld = complementary_suppression(cells, [["t1", "a", "b", "c"], ["t2", "c", "d"]], fixed={"t2"})
    assert withheld == {"a", "c", "d"}
