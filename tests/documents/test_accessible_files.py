"""Every document the product makes opens as a committee and a screen reader expect: a tagged
PDF (PDF/UA-1) in British English with its title, and a Word file on A4 whose author is the
partnership. The files are read back with pypdf and python-docx, as produced."""
from __future__ import annotations

import pytest
from docx.shared import Mm

from saferplan.assessment import services as assessment
from saferplan.consultation import outputs
from saferplan.documents.pdf import render_pdf
from saferplan.documents.word import render_docx
from saferplan.planning import documents as plan_documents

from .conftest import pdf, word

pytestmark = pytest.mark.django_db


def _assessment(request, fmt):
    partnership, period = request.getfixturevalue("partnership"), request.getfixturevalue("assessed")
    return assessment.document(partnership, period, fmt, publish=True)[0], "Strategic assessment: Melton"


def _consultation(request, fmt):
    survey = request.getfixturevalue("survey")
    render = render_pdf if fmt == "pdf" else render_docx
    return render(outputs.report(survey)), f"Consultation report: {survey.title}"


def _plan(request, fmt):
    plan = request.getfixturevalue("plan")
    return plan_documents.plan_file(plan, fmt), plan.title


def _plan_on_a_page(request, fmt):
    plan = request.getfixturevalue("plan")
    return plan_documents.plan_on_a_page_pdf(plan), f"{plan.title} – plan on a page"


def _eia(request, fmt):
    plan = request.getfixturevalue("plan")
    return plan_documents.eia_file(plan, fmt), "Equality Impact Assessment"


PDFS = {"assessment": _assessment, "consultation report": _consultation, "plan": _plan,
        "plan on a page": _plan_on_a_page, "equality impact assessment": _eia}
WORD = {k: v for k, v in PDFS.items() if k != "plan on a page"}  # a one-page poster has no Word form


def _structure_types(node, seen: set, depth: int = 0) -> set:
    """Every structure type (/H1, /Table, /Figure...) under a node of the structure tree."""
    node = node.get_object()
    if isinstance(node, list):
        for child in node:
            _structure_types(child, seen, depth + 1)
        return seen
    if hasattr(node, "get") and depth < 60:
        if node.get("/S") is not None:
            seen.add(str(node["/S"]))
        kids = node.get("/K")
        if kids is not None and not isinstance(kids, int):
            _structure_types(kids, seen, depth + 1)
    return seen


@pytest.mark.parametrize("kind", PDFS)
def test_every_pdf_is_tagged_with_its_language_and_title(request, partnership, kind):
    content, title = PDFS[kind](request, "pdf")
    reader = pdf(content)
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a PDF boolean object
    assert str(catalog["/Lang"]) == "en-GB"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 - the title, not the file name
    assert reader.metadata.title == title
    assert reader.metadata.author == partnership.name
    types = _structure_types(catalog["/StructTreeRoot"], set())
    # Headings, paragraphs and (but for the poster) tables are marked up for assistive technology.
    assert {"/H1", "/P"} <= types, types
    if kind != "plan on a page":
        assert {"/Table", "/TH", "/TD"} <= types, types
    assert "pdfuaid" in reader.xmp_metadata.stream.get_data().decode("utf-8", "replace")  # declares PDF/UA


@pytest.mark.parametrize("kind", WORD)
def test_every_word_file_is_a4_with_the_partnership_as_author(request, partnership, kind):
    content, title = WORD[kind](request, "docx")
    document = word(content)
    for section in document.sections:
        assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
        for margin in (section.left_margin, section.right_margin, section.top_margin, section.bottom_margin):
            assert Mm(15) <= margin <= Mm(30)
    properties = document.core_properties
    assert properties.author == partnership.name
    assert properties.last_modified_by == partnership.name
    assert properties.title == title
    assert properties.language == "en-GB"
    assert "python-docx" not in (properties.comments or "") + (properties.author or "")


def _alts(node, found: list, depth: int = 0) -> list:
    """The alternative text of every figure in the PDF's structure tree."""
    node = node.get_object()
    if isinstance(node, list):
        for child in node:
            _alts(child, found, depth + 1)
    elif hasattr(node, "get") and depth < 60:
        if str(node.get("/S")) == "/Figure" and node.get("/Alt") is not None:
            found.append(str(node["/Alt"]))
        kids = node.get("/K")
        if kids is not None and not isinstance(kids, int):
            _alts(kids, found, depth + 1)
    return found


@pytest.mark.parametrize("kind", ["assessment", "consultation report", "plan", "equality impact assessment"])
def test_the_partnerships_logo_heads_its_documents_with_its_description(request, partnership, kind):
    from saferplan.partnership.testing import give_logo

    give_logo(partnership, alt="Melton Borough Council crest")
    content, _ = PDFS[kind](request, "pdf")
    assert "Melton Borough Council crest" in _alts(pdf(content).trailer["/Root"]["/StructTreeRoot"], [])
    document = word(WORD[kind](request, "docx")[0])
    [shape] = [s for s in document.inline_shapes if s._inline.docPr.get("descr") == "Melton Borough Council crest"]
    assert shape.height > 0


def test_the_html_preview_names_the_partnership_and_allows_only_its_own_stylesheet(client, manager, survey):
    """The page a PDF is printed from, shown in the browser: its one inline stylesheet is what the
    Content Security Policy's hash allows (a changed stylesheet without a changed hash would leave
    the page unstyled), and the partnership whose report it is heads it."""
    import base64
    import hashlib
    import re

    from django.urls import reverse

    from saferplan.partnership.testing import sign_in_verified

    sign_in_verified(client, manager)
    response = client.get(reverse("consultation:report", kwargs={
        "slug": survey.partnership.slug, "pk": survey.pk, "fmt": "html"}))
    page = response.content.decode()
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(styles) == 1 and "@page" in styles[0]
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in response["Content-Security-Policy"]
    assert f'<p class="partnership">{survey.partnership.name}</p>' in page
    assert page.index('class="partnership"') < page.index("<h1>") < page.index('class="notice"')
