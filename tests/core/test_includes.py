"""The shared GOV.UK components (templates/core/includes/): one place for each one's markup, and
the pages of partnership, assessment and consultation use them rather than their own copies."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import engines

ROOT = Path(__file__).resolve().parents[2] / "saferplan"


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_a_table_has_its_caption_head_numeric_columns_rows_and_empty_row():
    page = render(
        '{% columns "Name" "People:numeric" "Action:hidden" as head %}'
        '{% component "core/includes/table.html" caption=caption head=head empty="No organisations yet." %}'
        '{% for o in rows %}<tr class="govuk-table__row"><td class="govuk-table__cell">{{ o }}</td></tr>{% endfor %}'
        '{% endcomponent %}', caption="Organisations <script>", rows=[])
    assert '<caption class="govuk-table__caption govuk-table__caption--s">Organisations &lt;script&gt;</caption>' in page
    assert 'aria-label="Organisations &lt;script&gt;"' in page  # the scroll region is named, escaped
    assert '<th scope="col" class="govuk-table__header govuk-table__header--numeric">People</th>' in page
    assert '<span class="govuk-visually-hidden">Action</span>' in page
    assert '<td class="govuk-table__cell" colspan="3">No organisations yet.</td>' in page
    filled = render('{% columns "Name" as head %}{% component "core/includes/table.html" caption="X" head=head '
                    'empty="None" %}<tr><td>Melton</td></tr>{% endcomponent %}')
    assert "<td>Melton</td>" in filled and "None" not in filled


def test_a_caption_can_be_the_section_heading_or_hidden_and_the_head_can_come_from_data():
    heading = render('{% component "core/includes/table.html" caption="Risks" caption_heading=True %}{% endcomponent %}')
    assert '<h2 class="govuk-heading-m govuk-!-margin-bottom-0">Risks</h2>' in heading and "<thead" not in heading
    hidden = render('{% component "core/includes/table.html" caption="Sessions" caption_hidden=True %}{% endcomponent %}')
    assert "govuk-table__caption--s govuk-visually-hidden" in hidden
    data = render('{% columns "Day" channels "Total:numeric" lists="numeric" as head %}'
                  '{% component "core/includes/table.html" caption="Per day" head=head %}{% endcomponent %}',
                  channels=["Online", "Paper"])
    assert re.findall(r'header--numeric">(\w+)<', data) == ["Online", "Paper", "Total"]
    plain = render('{% component "core/includes/table.html" caption="Sample" head=head %}{% endcomponent %}',
                   head=["LSOA21CD", "Month"])
    assert '<th scope="col" class="govuk-table__header">LSOA21CD</th>' in plain


def test_a_summary_row_shows_its_value_or_content_or_otherwise_and_names_its_change_link():
    page = render(
        '{% component "core/includes/summary_list.html" id="roles" %}'
        '{% include "core/includes/summary_row.html" with key="Job title" value=title otherwise="Not given" %}'
        '{% include "core/includes/summary_row.html" with key="Email address" value=email change_url="/change" %}'
        '{% component "core/includes/summary_row.html" key="Organisation" remove_url="/remove" change_url="/edit" '
        'change_hidden="Melton BC" %}<a href="/o">Melton BC</a>{% endcomponent %}'
        '{% endcomponent %}', title="", email="a&b@example.com")
    assert page.startswith('<dl class="govuk-summary-list" id="roles">')
    assert '<dt class="govuk-summary-list__key">Job title</dt><dd class="govuk-summary-list__value">Not given</dd>' in page
    assert 'a&amp;b@example.com' in page
    assert 'Change<span class="govuk-visually-hidden"> email address</span>' in page
    assert '<dd class="govuk-summary-list__value"><a href="/o">Melton BC</a></dd>' in page
    assert ('<li class="govuk-summary-list__actions-list-item"><a class="govuk-link" href="/remove">Remove'
            '<span class="govuk-visually-hidden"> Melton BC</span></a></li>') in page


@pytest.mark.parametrize("text, colour", [("Open", "green"), ("Refused", "red"), ("Draft", "grey"),
                                          ("Something new", "blue")])
def test_a_tag_takes_its_colour_from_its_words(text, colour):
    assert render('{% include "core/includes/tag.html" with text=text %}', text=text) == (
        f'<strong class="govuk-tag govuk-tag--{colour}">{text}</strong>\n')


def test_the_timeline_shows_each_item_with_its_date_in_words_and_machine_form():
    from datetime import date

    page = render('{% component "core/includes/timeline.html" %}{% for s in steps %}'
                  '{% include "core/includes/timeline_item.html" with title=s.title byline=s.by when=s.on '
                  'description=s.text heading_level=3 %}{% endfor %}{% endcomponent %}', steps=[
                      {"title": "Scrutiny committee", "by": "Clerk", "on": date(2026, 3, 4), "text": "Agreed.\n\nWith changes."}])
    assert page.startswith('<div class="moj-timeline"><div class="moj-timeline__item">')
    assert '<h3 class="moj-timeline__title">Scrutiny committee</h3>' in page and "by Clerk" in page
    assert '<time datetime="2026-03-04">4 March 2026</time>' in page and "<p>With changes.</p>" in page


def test_component_refuses_values_without_names():
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError, match="key=value"):
        render('{% component "core/includes/table.html" "Organisations" %}{% endcomponent %}')


@pytest.mark.parametrize("app", ["partnership", "assessment", "consultation"])
def test_pages_use_the_shared_table_summary_list_and_tag(app):
    """No page of these stages writes its own table, summary list or tag shell."""
    shells = re.compile(r'<table class="govuk-table|<dl class="govuk-summary-list|<strong class="govuk-tag govuk-tag--'
                        r'|class="govuk-summary-list__row')
    # Django templates and the Jinja2 pages of the resident's journey (whose components are macros).
    pages = sorted([*(ROOT / app / "templates").rglob("*.html"), *(ROOT / app / "jinja2").rglob("*.html")])
    found = [f"{path.relative_to(ROOT)}:{n}" for path in pages
             for n, line in enumerate(path.read_text().splitlines(), 1) if shells.search(line)]
    assert not found, found
