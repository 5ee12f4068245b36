"""A resident of a Welsh partnership answers the consultation in Welsh, switching language on the
way, in Chromium without JavaScript doing the work (the switch is a plain link). axe-core checks
every page, in both languages. Cardiff (W06000015) is a real Welsh authority."""
from __future__ import annotations

import pytest

from saferplan.consultation.models import Answer, Option, Response
from saferplan.consultation.testing import make_survey
from saferplan.partnership.testing import make_partnership

from .pages import Journey

pytestmark = pytest.mark.django_db(transaction=True)


class WelshResident(Journey):
    def language(self) -> str:
        return self.page.locator("html").get_attribute("lang")

    def switch_to(self, code: str):
        link = self.page.locator(f"#language-select a[hreflang='{code}']")
        assert link.get_attribute("lang") == code
        link.click()
        self.page.wait_for_load_state("load")
        self.browse.axe()
        return self


def test_a_resident_answers_in_welsh_switching_back_and_forth(browse):
    cardiff = make_partnership(name="Cardiff Community Safety Partnership", slug="cardiff", codes=("W06000015",))
    survey = make_survey(cardiff, with_area=False, title="Community safety survey 2025",
                         title_cy="Arolwg diogelwch cymunedol 2025")
    q1 = survey.questions.get(code="q1")
    q1.text_cy = "Ydych chi neu rywun rydych yn ei adnabod wedi dioddef trosedd?"
    q1.save()
    yes = Option.objects.get(question=q1, label="Yes")

    r = WelshResident(browse).visit(survey.public_url())
    assert r.language() == "en" and r.heading() == "Community safety survey 2025"

    r.switch_to("cy")
    assert r.language() == "cy" and r.heading() == "Arolwg diogelwch cymunedol 2025"
    assert browse.page.url.endswith(survey.public_url())  # the same page, at its own address
    browse.page.get_by_role("button", name="Dechrau nawr").click()
    browse.page.wait_for_load_state("load")
    browse.axe()
    assert r.heading().endswith("Ydych chi neu rywun rydych yn ei adnabod wedi dioddef trosedd?")
    browse.page.get_by_label("Ie", exact=True).check()
    r.submit("Parhau")

    # Half-way, back to English: the page is the same question, in English.
    r.switch_to("en")
    assert r.language() == "en" and "Ydych chi" not in r.heading()
    r.switch_to("cy")
    assert r.language() == "cy"

    r.visit(survey.public_url() + "check-your-answers/")
    assert r.heading() == "Gwiriwch eich atebion cyn anfon eich ymateb"
    assert "Ie" in browse.page.locator(".govuk-summary-list").inner_text()
    r.submit("Anfon ymateb")
    assert r.heading() == "Gwybodaeth cydraddoldeb" and r.language() == "cy"
    browse.page.get_by_label("Nac ydw, hepgor y cwestiynau cydraddoldeb").check()
    r.submit("Parhau")
    assert r.heading() == "Ymateb wedi’i anfon"

    # Stored as the same option whatever the language it was chosen in.
    response = Response.objects.get(survey=survey)
    assert list(Answer.objects.filter(response=response, question=q1).values_list("option_id", flat=True)) == [yes.pk]
    assert response.reference in browse.page.locator("#reference").inner_text()
