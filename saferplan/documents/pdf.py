"""Documents as HTML and, through WeasyPrint, as PDF."""
from __future__ import annotations

import base64
from html import escape as _escape

from .document import Bullets, ChartBlock, Document, Paragraph, TableBlock
from saferplan.core.downloads import clean_text
from .tables import Table

LANGUAGE = "en-GB"

CSS = """
@page { size: A4; margin: 20mm 18mm 22mm 18mm;
        @bottom-left { content: string(doc-title); font-size: 8pt; color: #505a5f; }
        @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #505a5f; } }
body { font-family: "Liberation Sans", Arial, sans-serif; font-size: 10pt; line-height: 1.4; color: #0b0c0c; }
h1 { font-size: 22pt; margin: 0 0 4pt; string-set: doc-title content(); }
h2 { font-size: 15pt; margin: 18pt 0 6pt; border-bottom: 2px solid #1d70b8; padding-bottom: 2pt; }
h3 { font-size: 12pt; margin: 12pt 0 4pt; }
h1, h2, h3, h4, p.lead, caption { break-after: avoid; page-break-after: avoid; }
h4 { font-size: 10.5pt; margin: 10pt 0 3pt; }
.subtitle { font-size: 13pt; color: #505a5f; margin: 0 0 10pt; }
dl.meta { display: grid; grid-template-columns: 35mm auto; margin: 0 0 10pt; }
dl.meta dt { font-weight: bold; } dl.meta dd { margin: 0; }
p.lead { font-size: 11.5pt; } p.note { font-size: 8.5pt; color: #505a5f; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 10pt; font-size: 8.5pt; page-break-inside: auto; }
caption { text-align: left; font-weight: bold; padding-bottom: 3pt; }
/* A long table repeats its header row on every page, and no row is split across two. */
thead { display: table-header-group; } tfoot { display: table-footer-group; }
th, td { border-bottom: 1px solid #b1b4b6; padding: 2pt 4pt; text-align: left; vertical-align: top;
         overflow-wrap: break-word; }
/* The HTML version read on a phone: long words wrap rather than push the last column off-screen. */
@media screen and (max-width: 40em) { th, td { overflow-wrap: anywhere; } }
th { background: #f3f2f1; } td.num, th.num { text-align: right; } td.num { white-space: nowrap; }
tr { break-inside: avoid; page-break-inside: avoid; }
figure { margin: 6pt 0 12pt; break-inside: avoid; page-break-inside: avoid; } figure img { max-width: 100%; }
figcaption { font-size: 8.5pt; color: #505a5f; margin-top: 2pt; }
p.logo { margin: 0 0 6pt; } p.logo img { max-height: 18mm; max-width: 60mm; }
.notice { border-left: 5px solid #1d70b8; padding: 4pt 8pt; background: #f3f2f1; font-size: 9pt; }
"""


def escape(value) -> str:
    return _escape(clean_text(value))


def table_html(table: Table, publish: bool, heading_level: int = 3) -> str:
    head = "".join(f'<th scope="col" class="{"num" if c.numeric else ""}">{escape(c.label)}</th>'
                   for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f'<td class="{"num" if c.numeric else ""}">{escape(v)}</td>'
                         for c, v in zip(table.columns, values)) + "</tr>"
        for values in table.text_rows(publish)
    )
    note = f'<p class="note">{escape(table.note)}</p>' if table.note else ""
    return (f"<table><caption>{escape(table.title)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>{note}")


def render_html(document: Document) -> str:
    parts = [f"<h1>{escape(document.title)}</h1>"]
    if document.logo is not None:
        src = f"data:{document.logo.content_type};base64," + base64.b64encode(document.logo.data).decode()
        parts.insert(0, f'<p class="logo"><img src="{src}" alt="{escape(document.logo.alt)}"></p>')
    if document.subtitle:
        parts.append(f'<p class="subtitle">{escape(document.subtitle)}</p>')
    if document.meta:
        parts.append('<dl class="meta">' + "".join(
            f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in document.meta) + "</dl>")
    parts.append(f'<p class="notice">{escape(document.disclosure_note)}</p>')
    for section in document.sections:
        level = min(max(section.level, 2), 4)
        parts.append(f"<h{level}>{escape(section.heading)}</h{level}>")
        for block in section.blocks:
            if isinstance(block, Paragraph):
                parts.append(f'<p class="{block.style}">{escape(block.text)}</p>')
            elif isinstance(block, Bullets):
                parts.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in block.items) + "</ul>")
            elif isinstance(block, TableBlock):
                parts.append(table_html(block.table, document.publish))
            elif isinstance(block, ChartBlock):
                chart = block.chart
                src = "data:image/svg+xml;base64," + base64.b64encode(chart.svg.encode()).decode()
                note = f"<figcaption>{escape(chart.note)}</figcaption>" if chart.note else ""
                parts.append(f'<figure><img src="{src}" alt="{escape(chart.description)}">{note}</figure>')
                parts.append(table_html(chart.table, document.publish))
    if document.footer:
        parts.append(f'<p class="note">{escape(document.footer)}</p>')
    author = f'<meta name="author" content="{escape(document.author)}">' if document.author else ""
    return (f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(document.title)}</title>{author}<style>{CSS}</style></head>"
            f"<body>{''.join(parts)}</body></html>")


def style_hash() -> str:
    """The CSP source that lets a browser apply the stylesheet inlined in render_html's page
    (the page stands alone, so it can be saved or printed), and no other inline style."""
    import hashlib

    return "'sha256-" + base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode() + "'"


def render_pdf(document: Document) -> bytes:
    return html_to_pdf(render_html(document))


def html_to_pdf(html: str) -> bytes:
    """Every PDF the product makes: tagged (PDF/UA-1, so a screen reader can follow headings,
    tables and figures), with the language and title the HTML gives (``<html lang>``,
    ``<title>``, ``<meta name="author">``) and the title shown in the viewer's title bar."""
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf(
        pdf_identifier=None, custom_metadata=True, pdf_variant="pdf/ua-1", pdf_tags=True)
