"""Every form of every app keeps what people enter: multiple choices stay multiple, radios have no
dashes, errors name their field, amounts read as people type them, links and dates are checked."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse

import saferplan
from saferplan import forms as shared
from saferplan.partnership.factories import OrganisationFactory, PersonFactory, SubGroupFactory
from saferplan.partnership.models import Person, RoleKind
from saferplan.partnership.testing import make_member, make_partnership, sign_in_verified
from saferplan.templatetags.govuk import error_summary, field as field_tag
from django.template.loader import render_to_string

from .forms_helpers import as_posted, main_form_fields


def _form_classes():
    """Every form class defined in the project's modules."""
    found = {}
    for module_info in pkgutil.walk_packages(saferplan.__path__, "saferplan."):
        if ".migrations" in module_info.name or module_info.name.endswith((".demo", ".cli")):
            continue
        try:
            module = importlib.import_module(module_info.name)
        except Exception:  # a module needing optional setup (e.g. wsgi) defines no forms
            continue
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, forms.BaseForm) and value.__module__.startswith("saferplan.")
                    and value.__module__ == module.__name__):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


FORM_CLASSES = _form_classes()


@pytest.fixture
def world(db):
    from saferplan.consultation.testing import make_survey
    from saferplan.core.periods import quarters_between
    from saferplan.delivery.risk_matrix import MELTON
    from saferplan.planning import evidence_sources
    from saferplan.planning.forms import reporting_periods
    from saferplan.planning.models import KPI, Action
    from saferplan.planning.testing import make_plan

    partnership = make_partnership()
    manager = make_member(partnership, RoleKind.MANAGER)
    plan = make_plan(partnership)
    survey = make_survey(partnership)
    question = next(q for q in survey.ordered_questions() if q.is_multiple)
    kpi = KPI.objects.filter(action__priority__theme__plan=plan).first()
    return {
        "partnership": partnership, "plan": plan, "person": Person.objects.get(user=manager), "survey": survey,
        "question": question, "items": evidence_sources.available(partnership), "periods": reporting_periods(kpi),
        "versions": list(plan.versions.all()), "columns": ["Area", "Month", "Count"],
        "month_choices": [("2024-12", "December 2024")], "rows": [], "email": "someone@example.org",
        "manager": manager, "questions": evidence_sources.concern_candidates(partnership),
        "force_choices": ["Leicestershire Police", "Nottinghamshire Police"], "found": {"Leicestershire Police": 3608},
        # Delivery's forms: the plan's actions and quarters, a risk matrix, the years to review.
        "actions": Action.objects.filter(priority__theme__plan=plan), "quarters": quarters_between(plan.starts_on, plan.ends_on),
        "matrix": MELTON, "years": ["2025-26"],
    }


def _instance(cls, world):
    """The form as its view makes it, with this world's partnership, plan, survey and so on."""
    args, kwargs = [], {}
    for name, parameter in list(inspect.signature(cls.__init__).parameters.items())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if name in world and parameter.kind == parameter.POSITIONAL_OR_KEYWORD and parameter.default is parameter.empty:
            args.append(world[name])
        elif name in world:
            kwargs[name] = world[name]
        elif parameter.default is parameter.empty:
            pytest.fail(f"{cls.__qualname__} needs {name}: add it to this test's world")
    return cls(*args, **kwargs)


def test_the_walk_finds_the_forms_of_every_app():
    apps = {name.split(".")[1] for name in FORM_CLASSES}
    assert {"partnership", "planning", "consultation", "assessment"} <= apps
    assert len(FORM_CLASSES) > 30


@pytest.mark.django_db
def test_every_multiple_choice_field_of_every_form_renders_as_checkboxes_and_no_radio_shows_dashes(world):
    multiple_seen, radios_seen = [], []
    for name, cls in sorted(FORM_CLASSES.items()):
        form = _instance(cls, world)
        for field_name, form_field in form.fields.items():
            html = render_to_string("govuk/field.html", field_tag(form[field_name]))
            if isinstance(form_field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)) and form_field.choices:
                multiple_seen.append(f"{name}.{field_name}")
                assert 'type="checkbox"' in html and 'type="radio"' not in html, f"{name}.{field_name} is not checkboxes"
            if isinstance(form_field.widget, forms.RadioSelect) and not form_field.widget.allow_multiple_selected:
                radios_seen.append(f"{name}.{field_name}")
                assert "---------" not in html, f"{name}.{field_name} shows a radio labelled with dashes"
    for expected in ("saferplan.planning.forms.PriorityForm.evidence", "saferplan.planning.forms.EIARowForm.evidence",
                     "saferplan.partnership.forms.SubGroupForm.members", "saferplan.planning.forms.WorkshopForm.organisations",
                     "saferplan.planning.forms.YouSaidForm.priorities", "saferplan.planning.forms.YouSaidForm.actions"):
        assert expected in multiple_seen
    assert "saferplan.planning.forms.PriorityForm.theme" in radios_seen


@pytest.mark.django_db
def test_every_date_number_and_link_field_of_every_form_uses_the_shared_field(world):
    """Dates go through the one DateField (no server error on year 99999999999), numbers accept
    "1,200", and every web address goes through the one link rule."""
    problems = []
    for name, cls in sorted(FORM_CLASSES.items()):
        form = _instance(cls, world)
        for field_name, form_field in form.fields.items():
            where = f"{name}.{field_name}"
            if isinstance(form_field, (forms.DateField, forms.DateTimeField)) or (
                    isinstance(form_field.widget, shared.DateInput) and not isinstance(form_field, shared.DateField)):
                problems.append(f"{where} is a {type(form_field).__name__}, not saferplan.forms.DateField")
            # A number that can reach four figures must take them as people type them ("1,200").
            big = form_field.max_value is None or form_field.max_value >= 1000 if hasattr(form_field, "max_value") else False
            if isinstance(form_field, (forms.DecimalField, forms.IntegerField, forms.FloatField)) and big and not isinstance(
                    form_field, (shared.NumberField, shared.WholeNumberField)):
                problems.append(f"{where} is a {type(form_field).__name__}: it refuses 1,200")
            html = render_to_string("govuk/field.html", field_tag(form[field_name]))
            if 'type="number"' in html:
                problems.append(f"{where} renders a number box, which drops what it cannot read")
            # The public survey's honeypot is called "website" to tempt robots; it is no address.
            honeypot = str(form_field.label) == "Leave this box empty"
            looks_like_link = isinstance(form_field, forms.URLField) or any(
                w in field_name for w in ("url", "website", "link"))
            if looks_like_link and not honeypot and not isinstance(form_field, shared.LinkField):
                problems.append(f"{where} is a web address without the shared link rule")
    assert not problems, "\n".join(problems)


# --- Through the real pages: tick several, save, and all of them are kept -------------------------


@pytest.fixture
def manager_client(client, world):
    sign_in_verified(client, world["manager"])
    return client


def _tick_all_and_post(client, url, field_name, fill=None):
    page = client.get(url)
    assert page.status_code == 200
    fields = main_form_fields(page.content.decode())
    boxes = [f for f in fields if f["name"] == field_name]
    assert len(boxes) >= 2, f"the page offers fewer than two {field_name} to choose"
    assert {f["type"] for f in boxes} == {"checkbox"}, f"{field_name} is offered as {boxes[0]['type']}s"
    for f in boxes:
        f["checked"] = True
    data = as_posted(fields)
    data.update(fill or {})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return [f["value"] for f in boxes]


def test_sub_group_keeps_every_member_ticked(manager_client, world):
    partnership = world["partnership"]
    for n in range(3):
        PersonFactory(partnership=partnership, full_name=f"Member {n}", organisation=partnership.organisations.first())
    group = SubGroupFactory(partnership=partnership, name="Place", theme="Public place safety")
    group.members.set(partnership.people.all()[:1])
    url = reverse("partnership:sub-group-edit", kwargs={"slug": partnership.slug, "pk": group.pk})
    ticked = _tick_all_and_post(manager_client, url, "members")
    assert sorted(str(p.pk) for p in group.members.all()) == sorted(ticked)
    assert group.members.count() == partnership.people.count() == 4
    # And the edit page shows all of them ticked.
    shown = [f for f in main_form_fields(manager_client.get(url).content.decode()) if f["name"] == "members"]
    assert all(f["checked"] for f in shown)


def test_workshop_keeps_every_organisation(manager_client, world):
    from saferplan.planning.models import Workshop

    partnership = world["partnership"]
    for name in ("Fire and Rescue", "Probation", "Health board"):
        OrganisationFactory(partnership=partnership, name=name)
    workshop = Workshop.objects.get(partnership=partnership)
    url = reverse("planning:workshop-edit", kwargs={"slug": partnership.slug, "pk": workshop.pk})
    ticked = _tick_all_and_post(manager_client, url, "organisations")
    assert len(ticked) == 5
    assert sorted(str(o.pk) for o in workshop.organisations.all()) == sorted(ticked)


def _more_points(partnership):
    from saferplan.planning.models import PointKind, Workshop, WorkshopPoint

    workshop = Workshop.objects.get(partnership=partnership)
    for text in ("Tackle shoplifting in the town centre", "Support victims of domestic abuse"):
        WorkshopPoint.objects.create(workshop=workshop, kind=PointKind.PRIORITY, text=text)


def test_priority_keeps_all_its_evidence(manager_client, world):
    from saferplan.planning.models import Priority

    partnership, plan = world["partnership"], world["plan"]
    _more_points(partnership)
    url = reverse("planning:priority-add", kwargs={"slug": partnership.slug})
    ticked = _tick_all_and_post(manager_client, url, "evidence", fill={
        "title": ["Tackle shoplifting"], "description": ["It rose by a fifth"], "theme": [str(plan.themes.get().pk)]})
    priority = Priority.objects.get(title="Tackle shoplifting")
    assert len(ticked) == 3 and priority.evidence.count() == 3


def test_eia_row_keeps_all_its_evidence(manager_client, world):
    from saferplan.planning.models import EIARow

    partnership, plan = world["partnership"], world["plan"]
    _more_points(partnership)
    url = reverse("planning:eia-row", kwargs={"slug": partnership.slug, "characteristic": "age_0_18"})
    ticked = _tick_all_and_post(manager_client, url, "evidence", fill={"narrative": ["Young people are most at risk"]})
    row = EIARow.objects.get(eia=plan.eia, characteristic="age_0_18")
    # Three workshop points, and the Census figures an age group also offers.
    assert len(ticked) >= 3 and row.evidence.count() == len(ticked)


def test_you_said_we_did_keeps_every_priority_and_action_it_links(manager_client, world):
    from saferplan.planning.models import Action, Priority, YouSaidWeDid

    partnership, plan = world["partnership"], world["plan"]
    first = Priority.objects.get(theme__plan=plan)
    second = Priority.objects.create(theme=first.theme, title="Reduce shoplifting", description="It rose", order=2)
    Action.objects.create(priority=second, title="Shop watch", owner=partnership.organisations.first(),
                          due_on=date(2026, 3, 31))
    url = reverse("planning:you-said-add", kwargs={"slug": partnership.slug})
    page = manager_client.get(url)
    fields = main_form_fields(page.content.decode())
    for f in fields:
        if f["name"] in ("priorities", "actions"):
            assert f["type"] == "checkbox"
            f["checked"] = True
    data = as_posted(fields)
    data.update({"you_said": ["Shoplifting worries you"], "we_did": ["Two priorities and two actions"]})
    assert manager_client.post(url, data).status_code == 302
    row = YouSaidWeDid.objects.get(you_said="Shoplifting worries you")
    assert row.priorities.count() == 2 and row.actions.count() == 2


# --- Errors name their field; radios have no dashes; money; links; dates ---------------------------


def test_every_error_in_the_summary_names_its_field(world):
    from saferplan.planning.forms import ActionForm

    form = ActionForm({"title": "", "due_on_day": "", "due_on_month": "", "due_on_year": ""},
                      partnership=world["partnership"])
    assert not form.is_valid()
    messages = [e["message"] for e in error_summary(form)["errors"]]
    assert "This field is required." not in messages
    assert "Enter action" in messages and "Select owner organisation" in messages and "Enter due date" in messages
    # The same words beside the field as in the summary.
    html = render_to_string("govuk/field.html", field_tag(form["title"]))
    assert "Enter action" in html and "This field is required." not in html


def test_a_message_the_form_wrote_itself_is_kept(world):
    from saferplan.partnership.forms import PartnershipForm

    form = PartnershipForm({"name": "X", "police_forces": "Leicestershire Police",
                            "plan_start_day": "1", "plan_start_month": "4", "plan_start_year": "2025",
                            "plan_end_day": "1", "plan_end_month": "4", "plan_end_year": "2024"})
    assert not form.is_valid()
    assert "The plan must end after it starts" in [e["message"] for e in error_summary(form)["errors"]]


def test_error_summary_links_to_the_first_radio_when_the_blank_choice_is_dropped(world):
    from saferplan.planning.forms import PriorityForm

    form = PriorityForm({"title": "A"}, plan=world["plan"], items=[])
    assert not form.is_valid()
    html = render_to_string("govuk/field.html", field_tag(form["theme"]))
    assert f'id="{form["theme"].auto_id}"' in html
    assert {"href": f'#{form["theme"].auto_id}', "message": "Select theme"} in error_summary(form)["errors"]


@pytest.mark.parametrize("typed, stored", [("3500", Decimal("3500")), ("3,500", Decimal("3500")),
                                           ("£3,500.00", Decimal("3500.00")), ("£ 1,234,567.5", Decimal("1234567.5"))])
def test_amounts_are_read_as_people_type_them(typed, stored):
    assert shared.MoneyField(required=False).clean(typed) == stored


@pytest.mark.parametrize("typed", ["3,5", "three thousand", "£", "3.500,00"])
def test_amounts_that_are_not_amounts_are_refused(typed):
    with pytest.raises(forms.ValidationError):
        shared.MoneyField(required=False).clean(typed)


def test_action_amount_with_a_pound_sign_and_commas_is_saved_as_a_decimal(manager_client, world):
    from saferplan.planning.models import Action

    partnership = world["partnership"]
    action = Action.objects.get(priority__theme__plan=world["plan"])
    url = reverse("planning:action-edit", kwargs={"slug": partnership.slug, "pk": action.pk})
    data = as_posted(main_form_fields(manager_client.get(url).content.decode()))
    data["funding_amount"] = ["£3,500.00"]
    response = manager_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    action.refresh_from_db()
    assert action.funding_amount == Decimal("3500.00")


@pytest.mark.parametrize("url", ["//evil.example/phish", "/\\evil.example", "http://example.org/report",
                                 "javascript:alert(1)", "https://", "ftp://example.org/x"])
def test_link_fields_refuse_addresses_that_leave_for_somewhere_unsafe(url):
    with pytest.raises(forms.ValidationError):
        shared.LinkField(required=False).clean(url)


@pytest.mark.parametrize("url, kept", [("https://www.melton.gov.uk/report", "https://www.melton.gov.uk/report"),
                                       ("/p/melton/plan/", "/p/melton/plan/"),
                                       ("www.melton.gov.uk/report", "https://www.melton.gov.uk/report")])
def test_link_fields_accept_https_and_paths_on_this_site(url, kept):
    assert shared.LinkField(required=False).clean(url) == kept


def test_other_evidence_link_is_refused_on_the_page_and_what_was_typed_is_kept(manager_client, world):
    from saferplan.planning.models import Priority

    partnership = world["partnership"]
    priority = Priority.objects.get(theme__plan=world["plan"])
    url = reverse("planning:priority-evidence", kwargs={"slug": partnership.slug, "pk": priority.pk})
    before = priority.evidence.count()
    response = manager_client.post(url, {"other_title": "Phish report", "other_url": "//evil.example/phish"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a web address starting with https://" in page
    assert 'value="Phish report"' in page and 'value="//evil.example/phish"' in page
    assert priority.evidence.count() == before


def test_organisation_website_uses_the_same_link_rule(world):
    from saferplan.partnership.forms import OrganisationForm

    form = OrganisationForm({"name": "Phish", "kind": "other", "website": "//evil.example/phish"},
                            partnership=world["partnership"])
    assert not form.is_valid() and "website" in form.errors


@pytest.mark.parametrize("day, month, year", [("1", "1", "99999999999"), ("1", "1", "10000"), ("31", "2", "2025"),
                                              ("1", "13", "2025"), ("x", "1", "2025"), ("1", "1", "25")])
def test_impossible_dates_are_a_form_error_not_a_server_error(day, month, year):
    with pytest.raises(forms.ValidationError):
        shared.DateField(label="Due date").clean([day, month, year])


def test_a_huge_year_on_a_page_is_a_form_error(manager_client, world):
    partnership = world["partnership"]
    url = reverse("partnership:edit", kwargs={"slug": partnership.slug})
    data = as_posted(main_form_fields(manager_client.get(url).content.decode()))
    data.update({"plan_start_day": ["1"], "plan_start_month": ["4"], "plan_start_year": ["99999999999"]})
    response = manager_client.post(url, data)
    assert response.status_code == 200
    assert "Plan starts year must include 4 numbers" in response.content.decode()
    assert 'value="99999999999"' in response.content.decode()


def test_an_unsafe_link_saved_before_the_rule_is_shown_as_text_not_a_link(manager_client, world):
    from saferplan.planning import services
    from saferplan.planning.evidence_sources import Item
    from saferplan.planning.models import EvidenceKind, Priority

    partnership = world["partnership"]
    priority = Priority.objects.get(theme__plan=world["plan"])
    services.cite(priority, Item(EvidenceKind.OTHER, "Phish report", "//evil.example/phish"))
    services.cite(priority, Item(EvidenceKind.OTHER, "Script", "javascript:alert(1)"))
    page = manager_client.get(reverse("planning:priority", kwargs={"slug": partnership.slug, "pk": priority.pk}))
    html = page.content.decode()
    assert "Phish report" in html and "Script" in html
    assert 'href="//evil.example' not in html and 'href="javascript:' not in html
