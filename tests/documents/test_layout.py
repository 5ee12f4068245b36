"""Charts, maps and documents laid out for a committee (item 20): labels and titles whole, ticks
apart, headings kept with what follows them, long tables repeating their header row, and the
assessment's LSOA maps, each with a legend and a note pointing to the table of values."""
from __future__ import annotations

import re
import shutil
import subprocess
from xml.etree import ElementTree

import pytest

from saferplan.assessment import services as assessment
from saferplan.documents.charts import FONT, TITLE_CHARACTERS, bar_chart, grouped_bar_chart
from saferplan.documents.tables import Column, Table

from .conftest import pdf, word

SVG = "{http://www.w3.org/2000/svg}"
# Answer options as long as the ones Coventry's questionnaire uses, and police.uk's longest category.
LABELS = ["Violence and sexual offences",
          "Reducing anti-social behaviour in the city centre and in our local neighbourhoods",
          "Tackling exploitation of children and vulnerable adults, including county lines drug dealing",
          "Drugs"]
TITLE = ("Q5. From the list below which three options do you think should be the main priorities for "
         "Coventry's Community Safety partnership to focus on.")


def _rows():
    return [{"label": label, "count": n, "previous": n + 40} for label, n in zip(LABELS, [1389, 450, 96, 88])]


def _table():
    return Table("t", "Answers", [Column("label", "Answer"), Column("count", "Respondents", "count"),
                                  Column("previous", "Before", "count")], _rows())


def _texts(svg: str, role: str) -> list[list[str]]:
    """The lines of each text item of a Vega role (axis-label, title-text...) in an SVG."""
    root = ElementTree.fromstring(svg)
    found = []
    for group in root.iter(f"{SVG}g"):
        if f"role-{role}" in (group.get("class") or ""):
            for text in group.iter(f"{SVG}text"):
                spans = [t.text or "" for t in text.iter(f"{SVG}tspan")]
                found.append(spans or [text.text or ""])
    return found


@pytest.mark.parametrize("make", [
    lambda: bar_chart("c", TITLE, _rows(), "label", "count", _table(), "Bar chart", "Respondents"),
    lambda: grouped_bar_chart("c", TITLE, _rows(), "label", {"count": "Now", "previous": "Before"}, _table(),
                              "Grouped bar chart"),
], ids=["bar", "grouped"])
def test_labels_and_titles_are_whole(make):
    svg = make().svg
    labels = [" ".join(lines) for lines in _texts(svg, "axis-label")]
    for label in LABELS:
        assert label in labels, label  # every word of every label, over as many lines as it needs
    assert "…" not in svg  # nothing cut short with an ellipsis
    title = _texts(svg, "title-text")[0]
    assert " ".join(title) == TITLE and all(len(line) <= TITLE_CHARACTERS for line in title)


def test_tick_labels_do_not_overlap():
    chart = bar_chart("c", "Records", [{"label": f"Category {n}", "count": 1000 + n * 97} for n in range(14)],
                      "label", "count", _table(), "Bar chart", "Records")
    root = ElementTree.fromstring(chart.svg)
    for group in root.iter(f"{SVG}g"):
        if "role-axis-label" not in (group.get("class") or ""):
            continue
        items = []
        for text in group.iter(f"{SVG}text"):
            match = re.search(r"translate\(([-\d.]+),\s*([-\d.]+)\)", text.get("transform") or "")
            if match and (text.text or "").replace(",", "").isdigit():
                items.append((float(match[1]), text.text))
        items.sort()
        for (x1, a), (x2, b) in zip(items, items[1:]):
            # 7px a character is DejaVu Sans's digit width at the charts' 11px: a gap of at least
            # half of each label either side means no two numbers touch.
            assert x2 - x1 >= 7 * (len(a) + len(b)) / 2 + 4, (a, b, x2 - x1)


@pytest.mark.skipif(not shutil.which("fc-match"), reason="fontconfig is what WeasyPrint finds fonts with")
def test_charts_are_measured_with_a_font_the_pdf_renderer_draws_with():
    """vl-convert lays labels out with the first font of FONT it has; WeasyPrint draws the SVG
    with what fontconfig finds. If the first font is missing, WeasyPrint draws a wider one into
    space measured for another, and the labels are cut at the edge."""
    first = FONT.split(",")[0].strip()
    found = subprocess.run(["fc-match", "-f", "%{family}", first], capture_output=True, text=True).stdout
    assert first in found.split(","), (first, found)


@pytest.mark.django_db
def test_the_assessment_pdf_has_maps_kept_headings_and_repeated_headers(partnership, assessed):
    from saferplan.assessment import report

    content, _ = assessment.document(partnership, assessed, "pdf", publish=True)
    reader = pdf(content)
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    # The two maps, each with its legend title and its note.
    assert "Crimes per 1,000 residents a year by LSOA, Melton" in text
    assert "Hotspots and coldspots of crime by LSOA (Getis-Ord Gi*), Melton" in text
    assert "The table below gives the value for every area on the map." in text
    assert "LSOAs not listed are not significant" in text
    alts = _figure_alts(reader)
    assert any(a.startswith("Map of Melton's LSOAs shaded by recorded crime") for a in alts), alts
    assert any(a.startswith("Map of Melton's LSOAs: significant hotspots") for a in alts), alts

    data = assessment.with_reviewed_findings(partnership, assessment.assessment(partnership, assessed))
    document = report.build_document(data, publish=True)
    headings = {s.heading for s in document.sections}
    for number, page in enumerate(pages, 1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        body = [line for line in lines if not line.startswith(("Strategic assessment: Melton", "Page "))]
        assert body and body[-1] not in headings, f"page {number} ends with the heading {body[-1]!r}"

    # A table that runs onto another page starts that page with its header row again.
    # The published document's own table: the publication variant hides what it must.
    from saferplan.assessment.disclosure import publication

    lsoas = report.tables(publication(data), True)["lsoas"]  # every LSOA: the longest table
    header = " ".join(c.label for c in lsoas.columns)
    first, last = _pages_with(pages, lsoas)
    spread = range(first, last + 1)
    assert len(spread) > 1  # the check means something only for a table that runs on
    for n in spread:
        assert header in " ".join(pages[n].split()), f"page {n + 1} continues the LSOA table without its header"


def _pages_with(pages, table) -> list[int]:
    caption = table.title
    first = next(n for n, page in enumerate(pages) if caption in page)
    last_row = table.text_rows(True)[-1]
    last = next(n for n, page in enumerate(pages) if n >= first and " ".join(last_row[:2]) in " ".join(page.split()))
    return [first, last]


def _figure_alts(reader) -> list[str]:
    alts = []

    def walk(node, depth=0):
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child, depth + 1)
        elif hasattr(node, "get") and depth < 60:
            if node.get("/S") == "/Figure" and node.get("/Alt") is not None:
                alts.append(str(node["/Alt"]))
            kids = node.get("/K")
            if kids is not None and not isinstance(kids, int):
                walk(kids, depth + 1)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return alts


@pytest.mark.django_db
def test_the_assessment_word_file_has_the_maps_with_their_notes(partnership, assessed):
    document = word(assessment.document(partnership, assessed, "docx", publish=True)[0])
    descriptions = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert sum(d.startswith("Map of Melton's LSOAs") for d in descriptions) == 2, descriptions
    paragraphs = [p.text for p in document.paragraphs]
    assert "The table below gives the value for every area on the map." in paragraphs


@pytest.mark.django_db
def test_word_tables_keep_their_caption_repeat_their_header_and_do_not_split_rows(plan):
    from docx.oxml.ns import qn

    from saferplan.planning import documents as plan_documents

    document = word(plan_documents.plan_file(plan, "docx"))
    assert document.tables
    captions = [p for p in document.paragraphs if p.style.name == "Caption"]
    assert len(captions) == len(document.tables)
    assert all(p.paragraph_format.keep_with_next for p in captions)
    for table in document.tables:
        rows = table._tbl.tr_lst
        assert rows[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(row.trPr is not None and row.trPr.find(qn("w:cantSplit")) is not None for row in rows)


def test_a_rate_the_table_suppresses_is_not_drawn_on_the_published_map(data_dir):
    import json

    from saferplan.documents.maps import rate_map

    features = json.loads((data_dir / "geography" / "boundaries" / "lsoa21-E07000133.geojson").read_text())["features"]
    codes = [f["properties"]["LSOA21CD"] for f in features]
    rows = [{"lsoa_code": code, "crimes": n, "crime_rate": round(n / 1.6, 1)} for n, code in enumerate(codes)]
    table = Table("lsoas", "LSOAs", [Column("lsoa_code", "LSOA"), Column("crimes", "Crimes", "count"),
                                     Column("crime_rate", "Rate", "rate", ("crimes",))], rows)

    def drawn(publish):
        chart = rate_map("m", "Rates", features, "LSOA21CD", rows, "lsoa_code", "crime_rate", table, "Map", "Rate",
                         publish=publish)
        shapes = chart.spec["data"]["values"]  # the layers share the areas the chart draws
        return {s["properties"]["code"]: s["properties"]["value"] for s in shapes}, chart

    published, chart = drawn(True)
    assert all(published[r["lsoa_code"]] is None for r in rows if r["crimes"] < 5)
    assert all(published[r["lsoa_code"]] == r["crime_rate"] for r in rows if r["crimes"] >= 5)
    assert "no figure" in chart.note and chart.svg.startswith("<svg")
    unpublished, _ = drawn(False)
    assert unpublished[codes[1]] == rows[1]["crime_rate"]
