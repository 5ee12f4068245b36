"""The assessment as tables, charts and a document; written as JSON, CSV, PDF or DOCX.

Pages, the command line and documents all take their tables and charts from here, so a figure
reads the same wherever it appears.
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from saferplan.documents.charts import Chart, bar_chart, grouped_bar_chart, line_chart
from saferplan.documents.document import Bullets, ChartBlock, Document, Paragraph, TableBlock
from saferplan.documents.tables import SUPPRESSION_NOTE, Column, Table

from .findings import count_text, pct_text

FORMATS = ("json", "csv", "pdf", "docx")
CHANGE = ("count", "previous_count")


def category_table(a: dict) -> Table:
    return Table(
        "categories", f"Records by category, {a['period_detail']['label']} and the previous 12 months"
        if a["period_detail"]["months"] == 12 else f"Records by category, {a['period_detail']['label']}",
        [Column("category", "Category"),
         Column("count", "This period", "count"),
         Column("previous_count", "Previous period", "count"),
         Column("change", "Change", "number", CHANGE),
         Column("change_pct", "Change %", "signed_pct", CHANGE),
         Column("p_value", "p-value", "pvalue", CHANGE),
         Column("significant", f"Significant (p < {a['significance']['alpha']})", "bool", CHANGE)],
        a["categories"],
        note=f"Test: {a['significance']['test']}. Previous period: {a['previous_period_detail']['label']}.",
    )


def tables(a: dict) -> dict[str, Table]:
    """Every table of the assessment, keyed by short name."""
    t: dict[str, Table] = {}
    t["categories"] = category_table(a)
    t["monthly"] = Table(
        "monthly", "Records per month",
        [Column("month", "Month"), Column("crime", "Crime", "count"),
         Column("asb", "Anti-social behaviour", "count")],
        a["monthly"]["months"], note="– means no police.uk file for that month.")
    rate_cols = [Column("population", "Residents (2021)", "number"),
                 Column("crimes", "Crimes", "count"),
                 Column("crime_rate", "Crimes per 1,000 a year", "rate", ("crimes",)),
                 Column("asb", "ASB", "count"),
                 Column("asb_rate", "ASB per 1,000 a year", "rate", ("asb",))]
    t["lsoas"] = Table(
        "lsoas", "Crime and anti-social behaviour by LSOA",
        [Column("lsoa_code", "LSOA"), Column("lsoa_name", "Name"), Column("ward_name", "Ward"), *rate_cols],
        a["lsoas"], note=a["rates"]["method"])
    if a["wards"]["available"]:
        t["wards"] = Table(
            "wards", "Crime and anti-social behaviour by ward",
            [Column("ward_code", "Ward"), Column("ward_name", "Name"), Column("lsoas", "LSOAs", "number"),
             *rate_cols],
            a["wards"]["rows"], note=a["wards"]["method"])
    conc = a["concentration"]
    t["concentration"] = Table(
        "concentration", f"The {conc['top_lsoas']} LSOAs with most crime",
        [Column("lsoa_code", "LSOA"), Column("lsoa_name", "Name"), Column("crimes", "Crimes", "count")],
        conc["top"], note=conc["method"])
    hot = a["hotspots"]
    if hot["available"]:
        t["hotspots"] = Table(
            "hotspots", "Getis-Ord Gi* by LSOA",
            [Column("lsoa_code", "LSOA"), Column("lsoa_name", "Name"), Column("crimes", "Crimes", "count"),
             Column("neighbours", "Neighbours", "number"), Column("z", "Gi* z", "rate"),
             Column("p_sim", "Pseudo p", "pvalue"), Column("classification", "Result")],
            hot["lsoas"], note=hot["method"])
    t["repeat_locations"] = Table(
        "repeat_locations", "Locations with most records",
        [Column("location", "Location (snap point)"), Column("lsoa_name", "LSOA"),
         Column("records", "Records", "count"), Column("crimes", "Crimes", "count"),
         Column("asb", "ASB", "count"), Column("main_category", "Most common")],
        a["repeat_locations"])
    t["outcomes"] = Table(
        "outcomes", "Last recorded outcome by category",
        [Column("category", "Category"), Column("outcome", "Outcome"),
         Column("records", "Crimes", "count"), Column("share_pct", "Share of category", "pct", ("records",))],
        a["outcomes"]["rows"], note=a["outcomes"]["note"])
    t["harm"] = Table(
        "harm", "Harm-weighted crime (Cambridge Crime Harm Index)",
        [Column("category", "Category"), Column("weight", "Weight (days)", "rate"),
         Column("count", "Crimes", "count"), Column("harm", "Harm (days)", "number", ("count",)),
         Column("harm_share_pct", "Share of harm", "pct", ("count",)),
         Column("count_share_pct", "Share of crimes", "pct", ("count",)),
         Column("previous_count", "Previous crimes", "count"),
         Column("harm_change_pct", "Harm change %", "signed_pct", CHANGE)],
        a["harm"]["rows"], note=a["harm"]["method"])
    if a["partner"]:
        t["partner"] = Table(
            "partner", "Partner data",
            [Column("dataset", "Dataset"), Column("measure", "Measure"),
             Column("count", "This period", "count"), Column("previous_count", "Previous period", "count"),
             Column("change_pct", "Change %", "signed_pct", CHANGE),
             Column("significant", "Significant", "bool", CHANGE)],
            a["partner"])
    q = a["data_quality"]
    t["data_quality"] = Table(
        "data_quality", "Data quality: how records were placed",
        [Column("measure", "Measure"), Column("input", "All input", "number"),
         Column("in_period", "This and previous period", "number")],
        [{"measure": label, "input": q["input"][key], "in_period": q["in_period"][key]} for key, label in (
            ("records", "Records of the forces serving the area"),
            ("area_records", "Placed in this area"),
            ("no_location", "No location (no LSOA): in no area"),
            ("non_2021_lsoa", "Older, non-2021 LSOA code"),
            ("name_assigned", "... placed by LSOA name"),
            ("name_assigned_to_area", "... placed in this area by LSOA name"),
            ("unmatched_unplaced", "... naming no authority: in no area"))],
        note=" ".join(a["definitions"].values()))
    t["findings"] = Table(
        "findings", "Draft findings",
        [Column("kind", "Kind"), Column("title", "Title"), Column("text", "Finding"),
         Column("category", "Category")],
        a["findings"])
    return t


def charts(a: dict, t: dict[str, Table], publish: bool = False) -> dict[str, Chart]:
    area, label = a["area_name"], a["period_detail"]["label"]
    c = {}
    months = a["monthly"]["months"]
    c["monthly"] = line_chart(
        "monthly", f"Crime and anti-social behaviour per month, {area}", months, "month",
        {"crime": "Crime", "asb": "Anti-social behaviour"}, t["monthly"],
        f"Line chart of crime and anti-social behaviour per month in {area} from "
        f"{months[0]['month']} to {months[-1]['month']}.", publish=publish)
    c["categories"] = grouped_bar_chart(
        "categories", f"Records by category, {area}", a["categories"], "category",
        {"count": "This period", "previous_count": "Previous period"}, t["categories"],
        f"Bar chart comparing records per category in {label} with the previous period.",
        publish=publish)
    if a["harm"]["rows"]:
        c["harm"] = bar_chart(
            "harm", "Share of harm by category (%)", a["harm"]["rows"], "category", "harm_share_pct",
            t["harm"], "Bar chart of each crime category's share of total harm.", "Share of harm (%)",
            publish=False, colour="#912b88")
    top = a["lsoas"][:10]
    c["lsoas"] = bar_chart(
        "lsoas", "The 10 LSOAs with most crime", top, "lsoa_name", "crimes",
        Table("lsoas_top", "The 10 LSOAs with most crime", t["lsoas"].columns, top, note=t["lsoas"].note),
        "Bar chart of crime counts in the ten LSOAs with most crime.", "Crimes", publish=publish)
    return c


def maps(a: dict, t: dict, publish: bool) -> dict:
    """The static LSOA maps for documents (crime rate, hotspots), where the area's boundaries
    are loaded; the web pages draw the same boundaries with Leaflet."""
    from saferplan.documents.maps import class_map, rate_map

    from .reference import lsoa_boundary_path

    features = []
    for lad in a["area"].split(","):
        path = lsoa_boundary_path(lad)
        if path.exists():
            features += json.loads(path.read_text(encoding="utf-8"))["features"]
    if not features:
        return {}
    area = a["area_name"]
    drawn = {"rates": rate_map(
        "map-rates", f"Crimes per 1,000 residents a year by LSOA, {area}", features, "LSOA21CD", a["lsoas"],
        "lsoa_code", "crime_rate", t["lsoas"],
        f"Map of {area}'s LSOAs shaded by recorded crime per 1,000 usual residents a year; darker is higher.",
        "Crimes per 1,000 residents a year", publish)}
    hot = a["hotspots"]
    if hot["available"]:
        order = ["hotspot", "coldspot", "not significant"]
        drawn["hotspots"] = class_map(
            "map-hotspots", f"Hotspots and coldspots of crime by LSOA (Getis-Ord Gi*), {area}", features,
            "LSOA21CD", {r["lsoa_code"]: r["classification"] for r in hot["lsoas"]}, order, t["hotspots"],
            f"Map of {area}'s LSOAs: significant hotspots in red, coldspots in blue, the rest in grey.",
            "Gi* at 5%", colours=["#d4351c", "#1d70b8", "#b1b4b6"],
            note="The table below lists the significant hotspots and coldspots; LSOAs not listed are not "
                 "significant. Every LSOA's Gi* figures are in the CSV export.")
    return drawn


def build_document(a: dict, publish: bool = False) -> Document:
    t = tables(a)
    ch = charts(a, t, publish)
    area, period = a["area_name"], a["period_detail"]["label"]
    doc = Document(
        title=f"Strategic assessment: {area}",
        subtitle="Levels and patterns of crime and anti-social behaviour",
        meta=[("Area", f"{area} ({a['area']})"), ("Period", period),
              ("Compared with", a["previous_period_detail"]["label"]),
              ("Source", "data.police.uk street-level crime and ASB; Census 2021; CCHI 2020")],
        publish=publish,
        footer="Contains public sector information licensed under the Open Government Licence v3.0.",
    )
    totals = a["totals"]
    summary = doc.section("Summary")
    crime = totals["crime"]
    summary.add(Paragraph(
        f"{count_text(crime['count'], publish)} crimes and {count_text(totals['asb']['count'], publish)} "
        f"anti-social behaviour incidents were recorded in {area} in {period}, against "
        f"{count_text(crime['previous_count'], publish)} crimes and "
        f"{count_text(totals['asb']['previous_count'], publish)} incidents in the previous period "
        f"(crime {pct_text(crime['change_pct'])}).", "lead"))
    key = [f["text"] for f in a["findings"] if f["kind"] in ("overall", "rise", "fall", "asb", "concentration", "hotspot")]
    summary.add(Bullets(key))

    section = doc.section("Crime by category")
    section.add(Paragraph(a["significance"]["method"], "note"), ChartBlock(ch["categories"]))
    section = doc.section("Trend")
    section.add(ChartBlock(ch["monthly"]))
    section = doc.section("Anti-social behaviour")
    asb = a["asb"]
    section.add(Paragraph(next((f["text"] for f in a["findings"] if f["kind"] == "asb"),
                               "No anti-social behaviour was recorded.")))
    section = doc.section("Where crime happens")
    section.add(Paragraph(a["rates"]["method"], "note"), ChartBlock(ch["lsoas"]))
    drawn = maps(a, t, publish)
    if "rates" in drawn:
        section.add(ChartBlock(drawn["rates"]))
    if "wards" in t:
        section.add(TableBlock(t["wards"]))
    else:
        section.add(Paragraph(a["wards"]["reason"], "note"))
    section.add(TableBlock(t["concentration"]))
    hot = a["hotspots"]
    sub = doc.section("Hotspots", level=3)
    if hot["available"]:
        significant = Table("hotspots_significant", "Significant hotspots and coldspots",
                            t["hotspots"].columns,
                            [r for r in hot["lsoas"] if r["classification"] != "not significant"],
                            note="The full Gi* table for every LSOA is in the CSV export.")
        sub.add(Paragraph(hot["method"], "note"),
                ChartBlock(replace(drawn["hotspots"], table=significant)) if "hotspots" in drawn
                else TableBlock(significant))
    else:
        sub.add(Paragraph(hot["reason"]))
    sub = doc.section("Repeat locations", level=3)
    sub.add(Paragraph("police.uk places each record at the nearest of a set of anonymous snap "
                      "points, so a location is an area around a point, not an address.", "note"),
            TableBlock(t["repeat_locations"]))
    section = doc.section("Harm")
    section.add(Paragraph(a["harm"]["method"], "note"), ChartBlock(ch["harm"]) if "harm" in ch else
                Paragraph("No weighted categories."))
    section = doc.section("Outcomes")
    section.add(TableBlock(t["outcomes"]))
    if "partner" in t:
        section = doc.section("Partner data")
        section.add(TableBlock(t["partner"]))
    section = doc.section("Draft findings")
    section.add(Paragraph("Drafted automatically from the figures; the analyst checks, edits, "
                          "accepts or rejects each one before the assessment is agreed.", "note"),
                Bullets([f["text"] for f in a["findings"]]))
    section = doc.section("Method and data quality")
    notes = [a["significance"]["method"], a["rates"]["method"], a["wards"]["method"],
             a["concentration"]["method"], hot["method"], a["harm"]["method"], *a["definitions"].values()]
    if publish:
        notes.append(SUPPRESSION_NOTE)
    section.add(Bullets(notes), TableBlock(t["data_quality"]))
    return doc


def to_json(a: dict, publish: bool = False) -> str:
    if not publish:
        return json.dumps(a, indent=2, default=str)
    # For publication, counts leave only through suppressed tables.
    t = tables(a)
    keep = ("area", "area_name", "period", "previous_period", "period_detail", "previous_period_detail",
            "definitions", "significance", "findings")
    out = {k: a[k] for k in keep}
    cat = t["categories"]
    out["categories"] = [{c.key: cat.cell(r, c, True) for c in cat.columns} for r in cat.rows]
    for key in ("total", "total_previous", "unmatched_lsoa_records", "no_location_records"):
        out[key] = a[key]
    out["tables"] = {k: v.to_dict(publish=True) for k, v in t.items()}
    out["publish"] = True
    return json.dumps(out, indent=2, default=str)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def write(a: dict, fmt: str, out: str | Path, publish: bool = False) -> list[Path]:
    """Write the assessment; returns the files written.

    CSV: ``out`` holds the category table; every other table is written beside it as
    ``<out stem>-<table>.csv``.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        out.write_text(to_json(a, publish), encoding="utf-8")
        return [out]
    if fmt == "csv":
        t = tables(a)
        written = []
        for key, table in t.items():
            path = out if key == "categories" else out.with_name(f"{out.stem}-{slug(key)}{out.suffix or '.csv'}")
            path.write_text(table.to_csv(publish), encoding="utf-8")
            written.append(path)
        return written
    if fmt == "pdf":
        from saferplan.documents.pdf import render_pdf

        out.write_bytes(render_pdf(build_document(a, publish)))
        return [out]
    if fmt == "docx":
        from saferplan.documents.word import render_docx

        out.write_bytes(render_docx(build_document(a, publish)))
        return [out]
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
