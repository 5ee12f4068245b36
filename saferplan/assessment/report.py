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
from saferplan.core.disclosure import is_withheld
from saferplan.documents.tables import Column, Table

from .disclosure import GI_SCORES, publication
from .findings import _change_sentence, counted, pct_text, plural, shown

FORMATS = ("json", "csv", "pdf", "docx")
CHANGE = ("count", "previous_count")
POLICE_SOURCE = "police.uk street-level crime and anti-social behaviour data"
POPULATION_SOURCE = "Census 2021 usual residents (ONS)"


def comparison_name(a: dict) -> str:
    """What the comparison period is, in words: the same months a year (or years) earlier."""
    years = (a["period_detail"]["months"] + 11) // 12
    return "The same months a year earlier" if years == 1 else f"The same months {years} years earlier"


def police_base(a: dict) -> str:
    """The source and base of a police figure: which data, which months."""
    months = a["coverage"]["months_with_data"]
    return (f"Source: {POLICE_SOURCE}, {a['period_detail']['label']} "
            f"({months} month{'s' if months != 1 else ''} with data).")


def category_table(a: dict) -> Table:
    label, previous = a["period_detail"]["label"], a["previous_period_detail"]["label"]
    return Table(
        "categories", f"Crime and anti-social behaviour by type, {label} compared with {previous}",
        [Column("category", "Type"),
         Column("count", "This period", "count"),
         Column("previous_count", comparison_name(a), "count"),
         Column("change", "Change", "number", CHANGE),
         Column("change_pct", "Change %", "signed_pct", CHANGE),
         Column("p_value", "p-value", "pvalue", CHANGE),
         Column("significant", f"Statistically significant (p < {a['significance']['alpha']})", "bool", CHANGE)],
        a["categories"],
        note=(f"{police_base(a)} Compared with {previous}; significance: the {a['significance']['test']} "
              "(see how the figures were worked out)."),
    )


def tables(a: dict, publish: bool = False) -> dict[str, Table]:
    """Every table of the assessment, keyed by short name. For publication the tables are built
    from :func:`~saferplan.assessment.disclosure.publication`, so they withhold what protects a
    small count as well as the small count itself."""
    if publish:
        a = publication(a)
    rates_base = (f"{police_base(a)} Population: {POPULATION_SOURCE}. Rates are annualised per "
                  "1,000 residents.")
    t: dict[str, Table] = {}
    t["categories"] = category_table(a)
    t["monthly"] = Table(
        "monthly", "Crime and anti-social behaviour per month",
        [Column("month", "Month"), Column("crime", "Crime", "count"),
         Column("asb", "Anti-social behaviour", "count")],
        a["monthly"]["months"], note=f"Source: {POLICE_SOURCE}. – means no police.uk file for that month.")
    rate_cols = [Column("population", "Residents (Census 2021)", "number"),
                 Column("crimes", "Crimes", "count"),
                 Column("crime_rate", "Crimes per 1,000 residents a year", "rate", ("crimes",)),
                 Column("asb", "Anti-social behaviour", "count"),
                 Column("asb_rate", "Anti-social behaviour per 1,000 residents a year", "rate", ("asb",))]
    t["asb_lsoas"] = Table(
        "asb_lsoas", "LSOAs with most anti-social behaviour",
        [Column("lsoa_name", "LSOA"), Column("asb", "Incidents", "count"),
         Column("asb_rate", "Per 1,000 residents a year", "rate", ("asb",))],
        a["asb"]["top_lsoas"], note=rates_base)
    t["lsoas"] = Table(
        "lsoas", f"Crime and anti-social behaviour by LSOA, {a['period_detail']['label']}",
        [Column("lsoa_code", "LSOA"), Column("lsoa_name", "Name"), Column("ward_name", "Ward"), *rate_cols],
        a["lsoas"], note=rates_base)
    if a["wards"]["available"]:
        t["wards"] = Table(
            "wards", f"Crime and anti-social behaviour by ward, {a['period_detail']['label']}",
            [Column("ward_code", "Ward"), Column("ward_name", "Name"), Column("lsoas", "LSOAs", "number"),
             *rate_cols],
            a["wards"]["rows"], note=rates_base + " Wards are built from whole LSOAs.")
    conc = a["concentration"]
    t["concentration"] = Table(
        "concentration", f"The {conc['top_lsoas']} LSOA{'s' if conc['top_lsoas'] != 1 else ''} with most crime",
        [Column("lsoa_code", "LSOA"), Column("lsoa_name", "Name"), Column("crimes", "Crimes", "count")],
        conc["top"], note=police_base(a))
    hot = a["hotspots"]
    if hot["available"]:
        t["hotspots"] = Table(
            "hotspots", "Hotspot test (Getis-Ord Gi*) by LSOA",
            [Column("lsoa_code", "LSOA"), Column("lsoa_name", "Name"), Column("crimes", "Crimes", "count"),
             Column("neighbours", "Neighbouring LSOAs", "number"),
             Column("z", "Gi* score", "rate", ("crimes", GI_SCORES)),
             Column("p_sim", "Chance (p)", "pvalue", ("crimes", GI_SCORES)), Column("classification", "Result")],
            hot["lsoas"], note=police_base(a) + " Crime excludes anti-social behaviour.")
    t["repeat_locations"] = Table(
        "repeat_locations", "Places with most reports",
        [Column("location", "Place (map point)"), Column("lsoa_name", "LSOA"),
         Column("records", "Records", "count"), Column("crimes", "Crimes", "count"),
         Column("asb", "Anti-social behaviour", "count"), Column("main_category", "Most common")],
        a["repeat_locations"], note=police_base(a))
    t["outcomes"] = Table(
        "outcomes", "Last recorded outcome by type of crime",
        [Column("category", "Type"), Column("outcome", "Outcome"),
         Column("records", "Crimes", "count"), Column("share_pct", "Share of the type", "pct", ("records",))],
        a["outcomes"]["rows"], note=f"{police_base(a)} {a['outcomes']['note']}")
    t["outcomes_overall"] = Table(
        "outcomes_overall", "Last recorded outcome of every crime in the period",
        [Column("outcome", "Outcome"), Column("records", "Crimes", "count")],
        a["outcomes"]["overall"], note=police_base(a))
    t["harm"] = Table(
        "harm", "Crime weighted by harm (Cambridge Crime Harm Index 2020)",
        [Column("category", "Type"), Column("weight", "Weight (days)", "rate"),
         Column("count", "Crimes", "count"), Column("harm", "Harm (days)", "number", ("count",)),
         Column("harm_share_pct", "Share of harm", "pct", ("count",)),
         Column("count_share_pct", "Share of crimes", "pct", ("count",)),
         Column("previous_count", f"Crimes, {a['previous_period_detail']['label']}", "count"),
         Column("harm_change_pct", "Harm change %", "signed_pct", CHANGE)],
        a["harm"]["rows"], note=f"{police_base(a)} Weights: Cambridge Crime Harm Index 2020.")
    if a["partner"]:
        t["partner"] = Table(
            "partner", "Partner data",
            [Column("dataset", "Dataset"), Column("measure", "Measure"),
             Column("count", "This period", "count"), Column("previous_count", comparison_name(a), "count"),
             Column("change_pct", "Change %", "signed_pct", CHANGE),
             Column("significant", "Statistically significant", "bool", CHANGE)],
            a["partner"], note="Source: the partners' own records, imported by the partnership's analyst.")
    q = a["data_quality"]
    t["data_quality"] = Table(
        "data_quality", "Data quality: how police records were placed",
        [Column("measure", "Measure"), Column("input", "All the police files", "number"),
         Column("in_period", "This and the comparison period", "number")],
        [{"measure": label, "input": q["input"][key], "in_period": q["in_period"][key]} for key, label in (
            ("records", "Records of the forces serving the area"),
            ("area_records", "Placed in this area"),
            ("no_location", "No location (no LSOA): in no area"),
            ("non_2021_lsoa", "Older, non-2021 LSOA code"),
            ("name_assigned", "... placed by LSOA name"),
            ("name_assigned_to_area", "... placed in this area by LSOA name"),
            ("unmatched_unplaced", "... naming no authority: in no area"))],
        note=f"Source: {POLICE_SOURCE}. {a['definitions']['input']}")
    t["findings"] = Table(
        "findings", "Draft findings",
        [Column("kind", "Kind"), Column("title", "Title"), Column("text", "Finding"),
         Column("category", "Type")],
        a["findings"])
    return t


def headline(a: dict, publish: bool = False) -> dict:
    """The figures at the top of the assessment page, in words, hiding what publication hides."""
    if publish:
        a = publication(a)
    since = comparison_name(a)[0].lower() + comparison_name(a)[1:]

    def stat(c: dict) -> dict:
        hidden = publish and (is_withheld(c, "count") or is_withheld(c, "previous_count"))
        change = "" if hidden or c["change_pct"] is None else (
            f"{pct_text(c['change_pct'])} on {since}, "
            + ("a statistically significant change" if c["significant"] else "not a significant change"))
        return {"value": shown(c, "count", publish), "change": change}

    crime = a["totals"]["crime"]
    rate = a["rates"]["crime_rate"]
    return {
        "crime": stat(crime), "asb": stat(a["totals"]["asb"]),
        "rate": "–" if rate is None or (publish and is_withheld(crime, "count")) else f"{rate:.1f}",
        "asb_text": _change_sentence(f"Anti-social behaviour reported to the police in {a['area_name']}",
                                     a["asb"], publish),
    }


def _drawable(table: Table, rows: list[dict], keys: list[str], publish: bool) -> list[dict]:
    """Rows for a chart of ``table``: for publication, whatever the table hides is left out."""
    if not publish:
        return rows
    columns = {c.key: c for c in table.columns}
    return [{**r, **{k: None for k in keys if k in columns and table.is_suppressed(r, columns[k])}}
            for r in rows]


def charts(a: dict, t: dict[str, Table], publish: bool = False) -> dict[str, Chart]:
    if publish:
        a = publication(a)
        t = tables(a, publish=True)
    area, label = a["area_name"], a["period_detail"]["label"]
    c = {}
    months = a["monthly"]["months"]
    c["monthly"] = line_chart(
        "monthly", f"Crime and anti-social behaviour per month, {area}",
        _drawable(t["monthly"], months, ["crime", "asb"], publish), "month",
        {"crime": "Crime", "asb": "Anti-social behaviour"}, t["monthly"],
        f"Line chart of crime and anti-social behaviour per month in {area} from "
        f"{months[0]['month']} to {months[-1]['month']}.", publish=publish)
    c["categories"] = grouped_bar_chart(
        "categories", f"Crime and anti-social behaviour by type, {area}",
        _drawable(t["categories"], a["categories"], list(CHANGE), publish), "category",
        {"count": "This period", "previous_count": comparison_name(a)}, t["categories"],
        f"Bar chart comparing each type of crime in {label} with "
        f"{a['previous_period_detail']['label']}.", publish=publish)
    if a["harm"]["rows"]:
        c["harm"] = bar_chart(
            "harm", "Share of harm by type of crime (%)",
            _drawable(t["harm"], a["harm"]["rows"], ["harm_share_pct"], publish), "category", "harm_share_pct",
            t["harm"], "Bar chart of each type of crime's share of total harm.", "Share of harm (%)",
            publish=False, colour="#912b88")
    top = a["lsoas"][:10]
    c["lsoas"] = bar_chart(
        "lsoas", "The 10 LSOAs with most crime", _drawable(t["lsoas"], top, ["crimes"], publish),
        "lsoa_name", "crimes",
        Table("lsoas_top", "The 10 LSOAs with most crime", t["lsoas"].columns, top, note=t["lsoas"].note),
        "Bar chart of crime counts in the ten LSOAs with most crime.", "Crimes", publish=publish)
    return c


def maps(a: dict, t: dict, publish: bool, features: list[dict] | None) -> dict:
    """The static LSOA maps for documents (crime rate, hotspots), from the area's LSOA boundary
    features (``reference.boundary_features``); the web pages draw the same with Leaflet."""
    from saferplan.documents.maps import class_map, rate_map

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


def build_document(a: dict, publish: bool = False, boundaries: list[dict] | None = None) -> Document:
    """The assessment as a report for a committee: plain words first, the method once at the end.
    ``boundaries`` are the area's LSOA features, for the maps (none: no maps)."""
    if publish:
        a = publication(a)
    t = tables(a, publish)
    ch = charts(a, t, publish)
    area, period = a["area_name"], a["period_detail"]["label"]
    previous = a["previous_period_detail"]["label"]
    months = a["coverage"]["months_with_data"]
    doc = Document(
        title=f"Strategic assessment: {area}",
        subtitle="Crime and anti-social behaviour: how much, where, and how it is changing",
        meta=[("Area", f"{area} ({a['area']})"), ("Period", period),
              ("Compared with", f"{previous} (the same months, so the seasons match)"),
              ("Sources", f"{POLICE_SOURCE}, {plural(months, 'month')} with data; "
                          f"population: {POPULATION_SOURCE}; harm: Cambridge Crime Harm Index 2020")],
        publish=publish,
        footer="Contains public sector information licensed under the Open Government Licence v3.0.",
    )
    totals = a["totals"]
    crime, asb = totals["crime"], totals["asb"]
    summary = doc.section("Summary")
    change = ("" if publish and (is_withheld(crime, "count") or is_withheld(crime, "previous_count"))
              or crime["change_pct"] is None else f" (crime {pct_text(crime['change_pct'])})")
    rate = a["rates"]["crime_rate"]
    rate_text = ("" if rate is None or (publish and is_withheld(crime, "count")) else
                 f" That is {rate:.1f} crimes per 1,000 residents a year (annualised rate per 1,000 "
                 f"residents, Census 2021 population of {a['rates']['population']:,}).")
    summary.add(Paragraph(
        f"Police recorded {counted(crime, 'count', 'crime', publish)} and "
        f"{counted(asb, 'count', 'anti-social behaviour incident', publish)} in {area} in {period}, "
        f"against {counted(crime, 'previous_count', 'crime', publish)} and "
        f"{counted(asb, 'previous_count', 'incident', publish)} in {previous}{change}. "
        f"Source: {POLICE_SOURCE}, {plural(months, 'month')} with data.{rate_text}", "lead"))
    accepted = [f for f in a["findings"] if f.get("status") == "accepted"]
    drafts = [f for f in a["findings"] if f.get("status", "drafted") == "drafted"]
    summary.add(Paragraph("Findings the partnership has agreed", "lead"))
    if accepted:
        summary.add(Bullets([f["text"] for f in accepted]))
    else:
        summary.add(Paragraph(
            "No findings have been agreed yet. The draft findings at the end of this report were "
            "written from the figures and have not yet been checked."))

    section = doc.section("Crime by type")
    section.add(Paragraph(
        f"Each type of crime in {period} against {previous}. A change marked statistically "
        "significant is unlikely to be chance alone; the test is described at the end of this "
        "report."), ChartBlock(ch["categories"]))
    section = doc.section("Crime month by month")
    section.add(ChartBlock(ch["monthly"]))
    section = doc.section("Anti-social behaviour")
    section.add(Paragraph(
        "Anti-social behaviour reported to the police is not a crime count, so it is reported on "
        "its own. " + _change_sentence(f"Anti-social behaviour reported to the police in {area}",
                                       a["asb"], publish)))
    section = doc.section("Where crime happens")
    section.add(Paragraph(
        "Figures by LSOA (a neighbourhood of about 1,500 residents) and by ward. Rates are "
        "annualised rates per 1,000 residents (Census 2021), so that places with more people can "
        "be compared fairly."), ChartBlock(ch["lsoas"]))
    drawn = maps(a, t, publish, boundaries)
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
        significant = Table("hotspots_significant", "Hotspots and coldspots", t["hotspots"].columns,
                            [r for r in hot["lsoas"] if r["classification"] != "not significant"],
                            note="Every LSOA's result is in the tables download.")
        sub.add(Paragraph("An LSOA is a hotspot when it and the LSOAs around it have more crime than "
                          "chance would give; a coldspot when they have less."),
                ChartBlock(replace(drawn["hotspots"], table=significant)) if "hotspots" in drawn
                else TableBlock(significant))
    else:
        sub.add(Paragraph(hot["reason"]))
    sub = doc.section("Places with repeated reports", level=3)
    sub.add(Paragraph("police.uk places each record at the nearest of a set of anonymous map "
                      "points, so a place is an area around a point, not an address."),
            TableBlock(t["repeat_locations"]))
    section = doc.section("How serious the crime is")
    section.add(Paragraph("Each type of crime weighted by how much harm it typically does, in "
                          "days of prison a typical offence would bring (Cambridge Crime Harm "
                          "Index 2020)."),
                ChartBlock(ch["harm"]) if "harm" in ch else Paragraph("No weighted types of crime."))
    section = doc.section("What happened after a crime was reported")
    section.add(TableBlock(t["outcomes_overall"]))
    if "partner" in t:
        section = doc.section("Partner data")
        section.add(TableBlock(t["partner"]))
    if drafts:
        section = doc.section("Draft findings, not yet checked")
        section.add(Paragraph("Drafted automatically from the figures. They are not findings of the "
                              "partnership until its analyst has checked and accepted them.", "note"),
                    Bullets([f"Draft: {f['text']}" for f in drafts]))
    section = doc.section("How the figures were worked out")
    notes = [a["significance"]["method"], a["rates"]["method"], a["wards"]["method"],
             a["concentration"]["method"], hot["method"], a["harm"]["method"], a["outcomes"]["note"],
             *[text for key, text in a["definitions"].items() if key != "input"]]
    section.add(Bullets(notes), TableBlock(t["data_quality"]))
    return doc


def hotspot_count(a: dict) -> dict:
    """The JSON's ``hotspots``: how many LSOAs are in significant hot spots (Gi*, p < 0.05), or
    None with ``hotspots_unavailable`` saying why; the whole Gi* table is ``hotspot_analysis``."""
    hot = a["hotspots"]
    available = bool(hot.get("available"))
    return {"hotspots": len(hot["hotspots"]) if available else None,
            "hotspots_unavailable": None if available else hot.get("reason"),
            "hotspot_analysis": hot}


def to_json(a: dict, publish: bool = False) -> str:
    if not publish:
        return json.dumps({**a, **hotspot_count(a)}, indent=2, default=str)
    # For publication, counts leave only through suppressed tables.
    a = publication(a)
    t = tables(a, publish=True)
    keep = ("area", "area_name", "period", "previous_period", "period_detail", "previous_period_detail",
            "definitions", "significance", "findings")
    out = {k: a[k] for k in keep}
    # A finding's figures are for the analyst's review; published, its words carry what may be.
    out["findings"] = [{k: f.get(k) for k in ("kind", "title", "text", "category", "significant")}
                       for f in a["findings"]]
    cat = t["categories"]
    out["categories"] = [{c.key: cat.cell(r, c, True) for c in cat.columns} for r in cat.rows]
    everything = Table("total", "", [Column("count", "", "count"), Column("previous_count", "", "count")],
                       [a["totals"]["all_records"]])
    out["total"], out["total_previous"] = (everything.cell(everything.rows[0], c, True) for c in everything.columns)
    for key in ("unmatched_lsoa_records", "no_location_records"):
        out[key] = a[key]
    # How many LSOAs are hot spots is no count of people or crimes: it is published as it is.
    counted = hotspot_count(a)
    out["hotspots"], out["hotspots_unavailable"] = counted["hotspots"], counted["hotspots_unavailable"]
    out["tables"] = {k: v.to_dict(publish=True) for k, v in t.items()}
    out["publish"] = True
    return json.dumps(out, indent=2, default=str)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def write(a: dict, fmt: str, out: str | Path, publish: bool = False,
          boundaries: list[dict] | None = None) -> list[Path]:
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
        t = tables(a, publish)
        written = []
        for key, table in t.items():
            path = out if key == "categories" else out.with_name(f"{out.stem}-{slug(key)}{out.suffix or '.csv'}")
            path.write_text(table.to_csv(publish), encoding="utf-8")
            written.append(path)
        return written
    if fmt == "pdf":
        from saferplan.documents.pdf import render_pdf

        out.write_bytes(render_pdf(build_document(a, publish, boundaries)))
        return [out]
    if fmt == "docx":
        from saferplan.documents.word import render_docx

        out.write_bytes(render_docx(build_document(a, publish, boundaries)))
        return [out]
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
