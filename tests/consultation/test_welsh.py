"""Welsh public pages for a Welsh partnership (issue #11, item 5), without JavaScript: the Django
test client. Cardiff (W06000015) is a real Welsh authority from the shared ONS lookup."""
from __future__ import annotations

import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from saferplan.consultation import definition
from saferplan.consultation.forms import QuestionEditForm, SurveyForm
from saferplan.consultation.models import Answer, Option, Response
from saferplan.consultation.testing import make_survey
from saferplan.partnership.testing import make_member, make_partnership, sign_in_verified

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "cy" / "LC_MESSAGES"


@pytest.fixture
def cardiff(db):
    return make_partnership(name="Cardiff Community Safety Partnership", slug="cardiff", codes=("W06000015",))


@pytest.fixture
def welsh_survey(cardiff):
    survey = make_survey(cardiff, with_area=False, title="Community safety survey 2025")
    survey.title_cy = "Arolwg diogelwch cymunedol 2025"
    survey.purpose_cy = "Clywed beth mae trigolion yn ei feddwl am droseddu."
    survey.save()
    q1 = survey.questions.get(code="q1")
    q1.text_cy = "Ydych chi’n teimlo’n ddiogel yn eich ardal?"
    q1.required = True
    q1.save()
    return survey


def url(survey, name, **kwargs):
    return reverse(f"public-consultation:{name}", kwargs={"partnership": survey.partnership.slug,
                                                           "survey": survey.slug, **kwargs})


def choose_welsh(client, page_url):
    response = client.get(page_url + "?lang=cy")
    assert response.status_code == 302 and response["Location"] == page_url
    return client.get(page_url)


def test_welsh_authorities_offer_welsh_unless_told_not_to(db):
    assert make_partnership(name="Cardiff", slug="cardiff", codes=("W06000015",)).offers_welsh
    melton = make_partnership()
    assert not melton.offers_welsh
    melton.public_welsh = True
    assert melton.offers_welsh
    conwy = make_partnership(name="Conwy", slug="conwy", codes=("W06000003",))
    conwy.public_welsh = False
    assert not conwy.offers_welsh


def test_landing_in_english_offers_welsh_with_hreflang(client, welsh_survey):
    page = client.get(welsh_survey.public_url())
    html = page.content.decode()
    assert '<html lang="en"' in html and "Community safety survey 2025" in html
    assert 'hreflang="cy"' in html and 'lang="cy"' in html and "Cymraeg" in html
    assert page["Content-Language"] == "en"


def test_a_resident_answers_in_welsh_and_the_response_holds_the_same_options(client, welsh_survey):
    page = choose_welsh(client, welsh_survey.public_url())
    html = page.content.decode()
    assert '<html lang="cy"' in html and page["Content-Language"] == "cy"
    assert "Arolwg diogelwch cymunedol 2025" in html and "Dechrau nawr" in html
    assert "Clywed beth mae trigolion" in html
    assert 'hreflang="en"' in html and "Start now" not in html

    question = client.get(url(welsh_survey, "question", code="q1")).content.decode()
    assert "Ydych chi’n teimlo’n ddiogel yn eich ardal?" in question
    # No Welsh label entered for the service's own Yes/No options: the catalogue's Welsh.
    assert ">Ie</label>" in question and ">Na</label>" in question and "Parhau" in question

    # A question with no Welsh text falls back to the English, never to an empty page.
    q4 = welsh_survey.questions.get(code="q4")
    assert q4.text in client.get(url(welsh_survey, "question", code="q4")).content.decode()

    # A required answer left out: the error is in Welsh.
    error = client.post(url(welsh_survey, "question", code="q1"), {}).content.decode()
    assert "Dewiswch ateb" in error and "Mae problem wedi codi" in error
    q1 = welsh_survey.questions.get(code="q1")

    yes = Option.objects.get(question=q1, label="Yes")
    assert client.post(url(welsh_survey, "question", code="q1"), {"answer": str(yes.pk)}).status_code == 302
    check = client.get(url(welsh_survey, "check")).content.decode()
    assert "Gwiriwch eich atebion" in check and "Ie" in check and "Anfon ymateb" in check

    # Back to English mid-way: the answer given in Welsh is kept, shown in English.
    english = client.get(url(welsh_survey, "check") + "?lang=en")
    assert english.status_code == 302
    check = client.get(url(welsh_survey, "check")).content.decode()
    assert "Check your answers before sending" in check and ">Yes<" in check.replace("\n", "")
    client.get(url(welsh_survey, "check") + "?lang=cy")

    sent = client.post(url(welsh_survey, "check"), {"website": ""})
    assert sent.status_code == 302
    response = Response.objects.get(survey=welsh_survey)
    assert list(Answer.objects.filter(response=response, question=q1).values_list("option_id", flat=True)) == [yes.pk]
    done = client.get(url(welsh_survey, "done")).content.decode()
    assert "Ymateb wedi’i anfon" in done and response.reference in done


def test_welsh_dates_use_welsh_month_names(client, welsh_survey):
    html = choose_welsh(client, welsh_survey.public_url()).content.decode()
    from django.utils import translation
    from saferplan.wording import uk_date

    with translation.override("cy"):
        closes = uk_date(welsh_survey.closes_on)
    english = welsh_survey.closes_on.strftime("%-d %B %Y")
    assert closes in html and closes != english


def test_partnership_home_and_privacy_notice_in_welsh(client, welsh_survey):
    home = reverse("public-consultation:partnership", kwargs={"partnership": "cardiff"})
    html = choose_welsh(client, home).content.decode()
    assert "Ymgynghoriadau sydd ar agor nawr" in html and "Arolwg diogelwch cymunedol 2025" in html
    privacy = client.get(reverse("public-consultation:privacy", kwargs={"partnership": "cardiff"})).content.decode()
    assert "Hysbysiad preifatrwydd ar gyfer ymgynghoriadau" in privacy and '<html lang="cy"' in privacy


def test_an_english_partnership_ignores_a_request_for_welsh(client, partnership):
    survey = make_survey(partnership, with_area=False)
    assert client.get(survey.public_url() + "?lang=cy").status_code == 302
    html = client.get(survey.public_url()).content.decode()
    assert '<html lang="en"' in html and "Start now" in html and "hreflang" not in html
    assert "Content-Language" not in client.get(survey.public_url())


def test_staff_pages_stay_english_after_a_resident_chose_welsh(client, welsh_survey, cardiff):
    choose_welsh(client, welsh_survey.public_url())
    manager = make_member(cardiff)
    sign_in_verified(client, manager)
    html = client.get(welsh_survey.get_absolute_url()).content.decode()
    assert '<html lang="en"' in html and "Neidio" not in html
    # The language never stays on the thread after a Welsh page.
    client.get(welsh_survey.public_url())
    from django.utils import translation
    assert translation.get_language() != "cy"


def test_cached_definition_is_kept_per_language_and_moves_with_welsh_edits(welsh_survey):
    definition.forget_local()
    english = {q.code: q.text for q in definition.questions_of(welsh_survey, "en")}
    welsh = {q.code: q.text for q in definition.questions_of(welsh_survey, "cy")}
    assert english["q1"] != welsh["q1"] == "Ydych chi’n teimlo’n ddiogel yn eich ardal?"
    q2 = welsh_survey.questions.get(code="q2")
    q2.text_cy = "Cwestiwn dau"
    q2.save()
    welsh_survey.refresh_from_db()
    assert {q.code: q.text for q in definition.questions_of(welsh_survey, "cy")}["q2"] == "Cwestiwn dau"
    # The English copy is untouched by the Welsh one (they are separate objects).
    assert {q.code: q.text for q in definition.questions_of(welsh_survey, "en")}["q2"] == q2.text


def test_staff_enter_welsh_options_in_the_same_order(welsh_survey):
    q5 = welsh_survey.questions.get(code="q5")
    labels = [o.label for o in q5.options.filter(is_other=False)]
    data = {"section": q5.section_id, "code": "q5", "text": q5.text, "type": q5.type,
            "options_text": "\n".join(labels), "options_text_cy": "Lladrad\nByrgleriaeth",
            "order": 5, "max_length": 1000}
    form = QuestionEditForm(data, instance=q5, survey=welsh_survey)
    assert not form.is_valid()
    assert f"{len(labels)} in English, 2 in Welsh" in str(form.errors["options_text_cy"])
    assert "Lladrad" in form["options_text_cy"].value()  # what was typed is kept


def test_welsh_fields_only_for_partnerships_that_offer_welsh(welsh_survey, partnership):
    assert "title_cy" in SurveyForm(instance=welsh_survey, partnership=welsh_survey.partnership).fields
    english = make_survey(partnership, with_area=False)
    assert "title_cy" not in SurveyForm(instance=english, partnership=partnership).fields
    from saferplan.consultation.forms import SectionForm
    from saferplan.consultation.models import Section

    welsh_section = SectionForm({"title": "About you", "title_cy": "Amdanoch chi", "order": "1,200"},
                                instance=Section(survey=welsh_survey))
    assert welsh_section.is_valid(), welsh_section.errors
    assert welsh_section.save().title_cy == "Amdanoch chi"
    assert "title_cy" not in SectionForm(instance=Section(survey=english)).fields


# The catalogue ------------------------------------------------------------------------------------
def test_compiled_catalogue_matches_its_source():
    """The committed .mo says what the .po says (a fresh machine may have no msgfmt to rebuild it)."""
    po = polib.pofile(str(CATALOGUE / "django.po"))
    with open(CATALOGUE / "django.mo", "rb") as f:
        mo = gettext.GNUTranslations(f)
    catalogue = mo._catalog
    for entry in po.translated_entries():
        if entry.msgid_plural:
            for n, text in entry.msgstr_plural.items():
                assert catalogue[(entry.msgid, int(n))] == text, entry.msgid
        else:
            assert catalogue[entry.msgid] == entry.msgstr, f"{entry.msgid!r}: the .mo is stale, run msgfmt"
    compiled = {key if isinstance(key, str) else key[0] for key in catalogue if key}
    assert compiled == {e.msgid for e in po.translated_entries()}


def test_no_welsh_entry_is_english_in_disguise():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    same = [e.msgid for e in po.translated_entries() if not e.msgid_plural and e.msgstr == e.msgid]
    assert same == []
    assert po.percent_translated() == 100


def test_a_manager_turns_welsh_off_and_back_to_the_areas_choice(cardiff):
    from saferplan.partnership.forms import PartnershipForm

    data = {"name": cardiff.name, "police_forces": "South Wales Police", "public_welsh": "no"}
    form = PartnershipForm(data, instance=cardiff)
    assert form.is_valid(), form.errors
    form.save()
    cardiff.refresh_from_db()
    assert cardiff.public_welsh is False and not cardiff.offers_welsh
    assert PartnershipForm(instance=cardiff)["public_welsh"].value() == "no"
    form = PartnershipForm({**data, "public_welsh": ""}, instance=cardiff)
    assert form.is_valid()
    form.save()
    cardiff.refresh_from_db()
    assert cardiff.public_welsh is None and cardiff.offers_welsh
    assert cardiff.history.count() >= 3  # each change kept in the partnership's history
