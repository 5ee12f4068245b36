"""The assessment for publication: which counts are withheld, and why.

The rule (threshold, markers, the complementary search) is :mod:`saferplan.core.disclosure`'s
(crime counts). What this module knows is the assessment's arithmetic: which
published figures add up to which, across rows, columns, totals and tables. The same count
appearing in two places (a category's count in the category and the harm tables) is one cell,
so it is withheld in both or in neither.
"""
from __future__ import annotations

import copy
from collections import defaultdict

from saferplan.core.disclosure import WITHHELD, complementary_suppression

SIDES = ("count", "previous_count")
GI_SCORES = "gi_scores"  # a marker, not a column: the row's Gi* score and p-value are withheld


def publication(a: dict) -> dict:
    """A copy of the assessment (``Assessment.to_dict()``) whose rows name the counts withheld
    from publication in ``row["withheld"]``. Tables, charts, findings and documents built from
    it agree on what is hidden. Calling it again on its result changes nothing."""
    if a.get("publication"):
        return a
    p = copy.deepcopy(a)
    p["publication"] = True
    places: dict[tuple, list[tuple[dict, str]]] = defaultdict(list)
    cells: dict[tuple, int | None] = {}
    groups: list[list[tuple]] = []
    fixed: set[tuple] = set()

    def cell(key: tuple, row: dict, column: str) -> tuple:
        places[key].append((row, column))
        cells[key] = row.get(column)
        return key

    # Categories and their totals; the harm table and the ASB summary repeat the same counts.
    totals = p["totals"]
    for side in SIDES:
        everything = cell(("total", "all", side), totals["all_records"], side)
        crime = cell(("total", "crime", side), totals["crime"], side)
        asb = cell(("total", "asb", side), totals["asb"], side)
        cell(("total", "asb", side), p["asb"], side)
        categories = [cell(("category", r["category"], side), r, side) for r in p["categories"]]
        groups += [[everything, *categories], [everything, crime, asb],
                   [crime, *[k for k, r in zip(categories, p["categories"]) if not r["is_asb"]]],
                   [asb, *[k for k, r in zip(categories, p["categories"]) if r["is_asb"]]]]
        for r in p["harm"]["rows"]:
            cell(("category", r["category"], side), r, side)

    # Months add up to the period's totals (and the previous period's, where the series holds it).
    months = p["monthly"]["months"]
    previous = p["previous_period_detail"]
    for column, total in (("crime", "crime"), ("asb", "asb")):
        current = [cell(("month", m["month"], column), m, column) for m in months if m["in_period"]]
        before = [cell(("month", m["month"], column), m, column) for m in months
                  if previous["start"] <= m["month"] <= previous["end"]]
        if len(current) == p["period_detail"]["months"]:
            groups.append([("total", total, "count"), *current])
        if len(before) == previous["months"]:
            groups.append([("total", total, "previous_count"), *before])
        for m in months:
            if not m["in_period"]:
                cell(("month", m["month"], column), m, column)

    # LSOAs add up to their wards and to the area (less the few records placed by an older LSOA's
    # name, which the data-quality table publishes: so the LSOA sum counts as known).
    for column in ("crimes", "asb"):
        lsoa_sum = ("lsoa sum", column)
        cells[lsoa_sum] = sum(r[column] for r in p["lsoas"])
        fixed.add(lsoa_sum)
        lsoas = {r["lsoa_code"]: cell(("lsoa", r["lsoa_code"], column), r, column) for r in p["lsoas"]}
        groups.append([lsoa_sum, *lsoas.values()])
        ward_cells = []
        for w in p["wards"]["rows"]:
            ward = cell(("ward", w["ward_code"], column), w, column)
            ward_cells.append(ward)
            groups.append([ward, *[lsoas[r["lsoa_code"]] for r in p["lsoas"] if r["ward_code"] == w["ward_code"]]])
        if ward_cells:
            groups.append([lsoa_sum, *ward_cells])
    for r in p["concentration"]["top"]:
        cell(("lsoa", r["lsoa_code"], "crimes"), r, "crimes")
    for r in p["hotspots"].get("lsoas", []):
        cell(("lsoa", r["lsoa_code"], "crimes"), r, "crimes")
    for r in p["asb"]["top_lsoas"]:
        cell(("lsoa", r["lsoa_code"], "asb"), r, "asb")

    # A location's records are its crimes and its anti-social behaviour.
    for i, r in enumerate(p["repeat_locations"]):
        groups.append([cell(("location", i, column), r, column) for column in ("records", "crimes", "asb")])

    # Outcomes add up to each category's count, and across categories to each outcome's total.
    by_outcome = defaultdict(list)
    by_category = defaultdict(list)
    for r in p["outcomes"]["rows"]:
        key = cell(("outcome", r["category"], r["outcome"]), r, "records")
        by_outcome[r["outcome"]].append(key)
        by_category[r["category"]].append(key)
    for category, keys in by_category.items():
        groups.append([("category", category, "count"), *keys])
    overall = []
    for r in p["outcomes"]["overall"]:
        key = cell(("outcome", "all", r["outcome"]), r, "records")
        overall.append(key)
        groups.append([key, *by_outcome[r["outcome"]]])
    if overall:
        groups.append([("total", "crime", "count"), *overall])

    for r in p["partner"]:
        for side in SIDES:
            cell(("partner", r["dataset"], r["measure"], side), r, side)

    withheld = complementary_suppression(cells, groups, fixed)
    for key in withheld:
        for row, column in places.get(key, []):
            row.setdefault(WITHHELD, [])
            if column not in row[WITHHELD]:
                row[WITHHELD].append(column)
    # Every LSOA's Gi* score is worked out from every LSOA's count (its neighbours' and the
    # area's mean and spread), so with one count withheld no score may be published; the
    # hotspot or coldspot result alone is coarse enough to stay.
    if any(key[0] == "lsoa" for key in withheld):
        for row in p["hotspots"].get("lsoas", []):
            row.setdefault(WITHHELD, []).append(GI_SCORES)
    p["findings"] = _publishable_findings(p)
    return p


def _publishable_findings(p: dict) -> list[dict]:
    """The findings as they may be published: a draft, or an accepted finding in the words it
    was drafted in, is drafted again from the publication figures; an accepted finding whose
    words a person edited is kept as they wrote it, for they answer for it."""
    from .findings import draft_findings, finding_key

    redrafted = {finding_key(f.to_dict()): f.text for f in draft_findings(p, publish=True)}
    published = []
    for f in p.get("findings") or []:
        if f.get("edited"):
            published.append(f)
        elif finding_key(f) in redrafted:
            published.append({**f, "text": redrafted[finding_key(f)]})
        # else: its figures are withheld, so it cannot be published in the words drafted.
    return published

