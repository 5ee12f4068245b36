"""Documents as Word files (python-docx): committee reports are Word documents."""
from __future__ import annotations

import io

from .document import Bullets, ChartBlock, Document, Paragraph, TableBlock
from saferplan.core.downloads import clean_text as text
from .pdf import LANGUAGE
from .tables import Table


def _add_table(doc, table: Table, publish: bool) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    # The caption stays on the page of the table's first rows, not stranded at a page's foot.
    doc.add_paragraph(text(table.title), style="Caption").paragraph_format.keep_with_next = True
    grid = doc.add_table(rows=1, cols=len(table.columns))
    grid.style = "Light Grid Accent 1"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, column in zip(grid.rows[0].cells, table.columns):
        cell.text = text(column.label)
    for values in table.text_rows(publish):
        cells = grid.add_row().cells
        for cell, column, value in zip(cells, table.columns, values):
            cell.text = text(value)
            if column.numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in grid.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8.5)
    # Repeat the header row on each page, as a long table in a committee pack needs.
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    header = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)
    # No row is split across two pages (the PDF's tr { break-inside: avoid }).
    for row in grid.rows:
        whole = OxmlElement("w:cantSplit")
        whole.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(whole)
    if table.note:
        for run in doc.add_paragraph(text(table.note)).runs:
            run.font.size = Pt(8)


def render_docx(document: Document) -> bytes:
    import docx
    from docx.shared import Cm, Mm, Pt

    doc = docx.Document()
    properties = doc.core_properties
    properties.title = text(document.title)
    properties.subject = text(document.subtitle)
    # python-docx's template says "python-docx" wrote it; the partnership is the author.
    properties.author = text(document.author) or "Saferplan"
    properties.last_modified_by = properties.author
    properties.comments = ""
    properties.language = LANGUAGE
    styles = doc.styles
    styles["Normal"].font.name = "Arial"
    styles["Normal"].font.size = Pt(10.5)
    for section in doc.sections:
        # The template is US Letter; councils print and file on A4.
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(20)
        section.top_margin, section.bottom_margin = Mm(20), Mm(22)

    if document.logo is not None:
        doc.add_picture(io.BytesIO(document.logo.data), height=Cm(1.5))
        # Word reads the picture's description to people who cannot see it.
        doc.inline_shapes[-1]._inline.docPr.set("descr", text(document.logo.alt))
    doc.add_heading(text(document.title), level=0)
    if document.subtitle:
        doc.add_paragraph(text(document.subtitle), style="Subtitle")
    for label, value in document.meta:
        p = doc.add_paragraph()
        p.add_run(f"{text(label)}: ").bold = True
        p.add_run(text(value))
    doc.add_paragraph(text(document.disclosure_note), style="Intense Quote")
    for section in document.sections:
        doc.add_heading(text(section.heading), level=min(max(section.level - 1, 1), 3))
        for block in section.blocks:
            if isinstance(block, Paragraph):
                p = doc.add_paragraph(text(block.text))
                for run in p.runs:
                    run.font.size = Pt(8.5) if block.style == "note" else Pt(12) if block.style == "lead" else None
            elif isinstance(block, Bullets):
                for item in block.items:
                    doc.add_paragraph(text(item), style="List Bullet")
            elif isinstance(block, TableBlock):
                _add_table(doc, block.table, document.publish)
            elif isinstance(block, ChartBlock):
                try:
                    png = block.chart.png()
                except ValueError:
                    # A chart of no data has no size to draw; its (empty) table says so.
                    png = None
                if png is not None:
                    picture = doc.add_picture(io.BytesIO(png), width=Cm(16))
                    # A chart stays with its note and its table's caption.
                    doc.paragraphs[-1].paragraph_format.keep_with_next = True
                    # Alternative text for the picture, read out by screen readers.
                    picture._inline.docPr.set("descr", text(block.chart.description))
                if block.chart.note:
                    note = doc.add_paragraph(text(block.chart.note))
                    note.paragraph_format.keep_with_next = True
                    for run in note.runs:
                        run.font.size = Pt(8.5)
                _add_table(doc, block.chart.table, document.publish)
    if document.footer:
        for run in doc.add_paragraph(text(document.footer)).runs:
            run.font.size = Pt(8.5)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
