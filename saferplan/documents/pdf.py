"""Documents as HTML, from the Django templates in ``templates/documents/``, and through
WeasyPrint as PDF."""
from __future__ import annotations

import base64
import hashlib

from django.template.loader import render_to_string

from saferplan.core.downloads import clean_text

from .document import Bullets, ChartBlock, Document, Paragraph, TableBlock
from .tables import Table

LANGUAGE = "en-GB"
STYLESHEET = "documents/document.css"


def table_context(table: Table, publish: bool) -> dict:
    """A table as its template shows it: text cleaned of control characters (a PDF cannot hold
    them), and each cell knowing whether it is a figure (right-aligned)."""
    return {
        "title": clean_text(table.title),
        "columns": [{"label": clean_text(c.label), "numeric": c.numeric} for c in table.columns],
        "rows": [[{"text": clean_text(v), "numeric": c.numeric} for c, v in zip(table.columns, values)]
                 for values in table.text_rows(publish)],
        "note": clean_text(table.note),
    }


def _block(block, publish: bool) -> dict:
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "style": block.style, "text": clean_text(block.text)}
    if isinstance(block, Bullets):
        return {"kind": "bullets", "items": [clean_text(i) for i in block.items]}
    if isinstance(block, TableBlock):
        return {"kind": "table", "table": table_context(block.table, publish)}
    if isinstance(block, ChartBlock):
        chart = block.chart
        return {"kind": "chart", "src": "data:image/svg+xml;base64," + base64.b64encode(chart.svg.encode()).decode(),
                "description": clean_text(chart.description), "note": clean_text(chart.note),
                "table": table_context(chart.table, publish)}
    raise TypeError(f"a document holds paragraphs, bullets, tables and charts, not {type(block).__name__}")


def context(document: Document) -> dict:
    """What ``documents/document.html`` shows of a document."""
    return {
        "language": LANGUAGE,
        "title": clean_text(document.title),
        "author": clean_text(document.author),
        "subtitle": clean_text(document.subtitle),
        "meta": [(clean_text(k), clean_text(v)) for k, v in document.meta],
        "disclosure_note": clean_text(document.disclosure_note),
        # Headings run from h2 (h1 is the title) to h4, whatever level a section asks for.
        "sections": [{"heading": clean_text(s.heading), "level": min(max(s.level, 2), 4),
                      "blocks": [_block(b, document.publish) for b in s.blocks]}
                     for s in document.sections],
        "footer": clean_text(document.footer),
        "logo": ({"src": f"data:{document.logo.content_type};base64," + base64.b64encode(document.logo.data).decode(),
                  "alt": clean_text(document.logo.alt)} if document.logo is not None else None),
    }


def render_html(document: Document) -> str:
    return render_to_string("documents/document.html", context(document))


def style_hash() -> str:
    """The CSP source that lets a browser apply the stylesheet the document shell includes
    (the page stands alone, so it can be saved or printed), and no other inline style."""
    css = render_to_string(STYLESHEET)
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"


def render_pdf(document: Document) -> bytes:
    return html_to_pdf(render_html(document))


def html_to_pdf(html: str) -> bytes:
    """Every PDF the product makes: tagged (PDF/UA-1, so a screen reader can follow headings,
    tables and figures), with the language and title the HTML gives (``<html lang>``,
    ``<title>``, ``<meta name="author">``) and the title shown in the viewer's title bar."""
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf(
        pdf_identifier=None, custom_metadata=True, pdf_variant="pdf/ua-1", pdf_tags=True)
