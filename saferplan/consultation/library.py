"""Question templates a survey can start from.

- ``coventry-2024``: the nine questions of Coventry's 2024 Engagement and Consultation Plan
  (section 3.3), with their option lists, word for word. Where the plan says
  "Other – If selected allow for open text box", the option is "Other" with a text box. The
  plan's "Not Answered" (question 9) is left out: it records a non-answer as if it were a way of
  getting news, and leaving a question unanswered is always possible.
- ``medway-feeling-safe``: Medway's feeling-safe questions, during the day and in the evening.
- ``equality``: turns on the equality monitoring section (see ``equality.py``).
An area question (the partnership's wards) can be added to any of them.
"""
from __future__ import annotations

import re

from django.db import transaction

from .models import Option, Question, QuestionType, Section, Survey

# The places the templates were written for: a survey of another partnership must not name them.
TEMPLATE_PLACES = ("Coventry", "Medway")
# What a survey builder must still fill in, shown in square brackets, e.g. "[town centre]".
PLACEHOLDER = re.compile(r"\[[^\[\]]{1,60}\]")
TOWN_CENTRE = "[town centre]"
COUNCIL = "[council]"
AREA = "[area]"

T = QuestionType

COVENTRY_2024 = [
    {
        "title": "Your experience",
        "questions": [
            {"code": "q1", "type": T.YES_NO,
             "text": "Have you or anyone you know been a victim of ASB or crime in the last 12 months?"},
            {"code": "q2", "type": T.YES_NO,
             "text": "Do you go into Coventry city centre on a regular basis during the day?"},
            {"code": "q3", "type": T.YES_NO,
             "text": "Do you go into Coventry city centre on a regular basis at night/evening?"},
            {"code": "q4", "type": T.TEXT, "max_length": 1000,
             "text": "What do you think are the biggest crime and ASB issues in your neighbourhood?"},
        ],
    },
    {
        "title": "Priorities",
        "questions": [
            {"code": "q5", "type": T.MULTIPLE, "max_choices": 3, "allow_other": True,
             "text": "From the list below which three options do you think should be the main priorities for "
                     "Coventry's Community Safety partnership to focus on.",
             "options": [
                 "Anti-social Behaviour (i.e. noisy neighbours, begging, hanging around streets, minor damage, graffiti)",
                 "Hate Crime",
                 "Motor Vehicle Crime/theft",
                 "Robbery",
                 "Burglary",
                 "Theft",
                 "Youth violence, gangs",
                 "Violent crime",
                 "Drugs offences",
             ]},
            {"code": "q6", "type": T.TEXT, "max_length": 2000,
             "text": "Do you have any additional thoughts on the priorities for the Coventry Community Safety "
                     "Partnership, or about community safety issues in general?"},
        ],
    },
    {
        "title": "Reducing crime",
        "questions": [
            {"code": "q7", "type": T.MULTIPLE, "max_choices": 5, "allow_other": True,
             "text": "From the list below please select the five most effective ways that you think crime could be "
                     "reduced in your neighbourhood and the city.",
             "options": [
                 "High visibility patrols by police/wardens",
                 "Mediation services for neighbours or local conflicts",
                 "Target hardening e.g. better physical security",
                 "Specialist support for victims of crime",
                 "Family and parental support",
                 "Specialist support to reduce reoffending",
                 "Improving employment opportunities/supporting business",
                 "Community Pay Back projects",
                 "Involve community in designing responses to crime",
                 "Outreach youth work in local communities",
                 "Specialist support for individuals",
                 "Youth services and activities",
                 "Environmental improvements for local neighbourhoods",
                 "Law enforcement for criminals",
                 "Enforcement against anti-social behaviour",
                 "Increasing CCTV",
             ]},
            {"code": "q8", "type": T.MULTIPLE, "max_choices": 3, "allow_other": True,
             "text": "From the list below select three ways you think Coventry's Community safety partnership could "
                     "help local communities respond to ASB and crime in your area.",
             "options": [
                 "Community groups that advise local services about crime issues",
                 "Information about support for those affected by crime",
                 "Personal safety/security",
                 "Community Champions providing advice on safety issues",
                 "Examples of enforcement against those who commit crime",
                 "Information on actions taken by CSP to tackle crime",
                 "Information about crime/disorder trends in your area",
                 "Guidance on how to report crime/anti-social behaviour",
                 "Neighbourhood watch schemes",
             ]},
        ],
    },
    {
        "title": "Keeping you informed",
        "questions": [
            {"code": "q9", "type": T.MULTIPLE,
             "text": "From the list below select all the ways you currently get news and updates from Coventry City Council.",
             "options": [
                 "Coventry City Council web site",
                 "TikTok",
                 "YouTube",
                 "Instagram",
                 "Posters",
                 "Facebook",
                 "Community Forums",
             ]},
        ],
    },
]

SAFETY_SCALE = ["Very safe", "Fairly safe", "Neither safe nor unsafe", "Fairly unsafe", "Very unsafe", "Don't know"]


def medway_feeling_safe(place: str = "Medway") -> list[dict]:
    return [
        {
            "title": "Feeling safe",
            "questions": [
                {"code": "safe_day", "type": T.SCALE, "options": SAFETY_SCALE,
                 "text": f"How safe or unsafe do you feel in {place} during the day?"},
                {"code": "safe_evening", "type": T.SCALE, "options": SAFETY_SCALE,
                 "text": f"How safe or unsafe do you feel in {place} in the evening?"},
            ],
        }
    ]


AREA_SECTION = {
    "title": "Where you live",
    "questions": [
        {"code": "ward", "type": T.AREA, "text": "Which ward do you live in?",
         "hint": "If you are not sure, choose the ward nearest to where you live."},
    ],
}

TEMPLATES = {
    "coventry-2024": "Coventry 2024 community safety questionnaire (nine questions)",
    "medway-feeling-safe": "Medway feeling-safe questions (day and evening)",
    "equality": "Equality monitoring (optional questions, stored apart)",
}

OUTSIDE_AREA = "I do not live in the area"


def wards_for(partnership) -> list[tuple[str, str]]:
    """(ward code, ward name) for every ward of the partnership's districts, by name."""
    from saferplan.assessment.services import ward_names

    return ward_names(partnership.area_codes)


def set_area_options(question: Question) -> None:
    question.options.all().delete()
    wards = wards_for(question.survey.partnership)
    for order, (code, name) in enumerate(wards, 1):
        Option.objects.create(question=question, label=name, code=code, order=order)
    Option.objects.create(question=question, label=OUTSIDE_AREA, code="", order=len(wards) + 1)


def _options_for(spec: dict) -> list[str]:
    if spec["type"] == T.YES_NO:
        return ["Yes", "No"]
    return list(spec.get("options", []))


@transaction.atomic
def add_sections(survey: Survey, sections: list[dict]) -> list[Question]:
    created = []
    next_section = (survey.sections.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    for s_index, spec in enumerate(sections):
        section = Section.objects.create(survey=survey, title=spec["title"], order=next_section + s_index)
        for q_index, q in enumerate(spec["questions"], 1):
            question = Question.objects.create(
                survey=survey, section=section, code=q["code"], text=q["text"], hint=q.get("hint", ""),
                type=q["type"], max_choices=q.get("max_choices"), allow_other=q.get("allow_other", False),
                max_length=q.get("max_length", 1000), order=q_index, required=q.get("required", False),
            )
            if question.type == T.AREA:
                set_area_options(question)
            else:
                labels = _options_for(q)
                for order, label in enumerate(labels, 1):
                    Option.objects.create(question=question, label=label, order=order)
                if question.allow_other:
                    Option.objects.create(question=question, label="Other", order=len(labels) + 1, is_other=True)
            created.append(question)
    return created


COUNCIL_KINDS = ("district_council", "unitary_council", "county_council")


def council_of(partnership) -> str | None:
    """The name of the partnership's council: a district or unitary before a county."""
    councils = {o.kind: o.name for o in partnership.organisations.filter(kind__in=COUNCIL_KINDS)}
    return next((councils[k] for k in COUNCIL_KINDS if k in councils), None)


def place_words(partnership) -> dict[str, str]:
    """How the templates' Coventry words read in this partnership's survey.

    The partnership's own name and council are known; its town centre is not (Melton's is
    Melton Mowbray), so that becomes a placeholder the survey builder is shown and must fill in."""
    if any("Coventry" in name for name in [partnership.name, *partnership.area_names]):
        return {}
    name = partnership.name
    the_name = name if name.lower().startswith("the ") else f"the {name}"
    council = council_of(partnership) or COUNCIL
    return {
        "Coventry's Community Safety partnership": the_name,
        "Coventry's Community safety partnership": the_name,
        "Coventry Community Safety Partnership": name,
        "Coventry City Council": council,
        "Coventry city centre": TOWN_CENTRE,
        "your neighbourhood and the city": "your neighbourhood and the area",
    }


def other_places(partnership) -> list[str]:
    own = " ".join([partnership.name, *partnership.area_names])
    return [place for place in TEMPLATE_PLACES if place not in own]


def still_to_edit(survey: Survey) -> list[dict]:
    """Question wording that cannot go to the public as it is: a placeholder to fill in, or the
    name of the place a template was written for. One entry per question or option."""
    places = other_places(survey.partnership)

    def problem(text: str) -> str | None:
        found = PLACEHOLDER.findall(text)
        if found:
            return f"fill in {', '.join(dict.fromkeys(found))}"
        named = [p for p in places if re.search(rf"\b{p}\b", text)]
        if named:
            return f"names {', '.join(named)}, not this partnership’s area"
        return None

    items = []
    for question in survey.ordered_questions():
        for part, text in (("question", question.text), ("hint", question.hint)):
            why = problem(text)
            if why:
                items.append({"question": question, "where": part, "text": text, "why": why})
        for option in question.options.all():
            why = problem(option.label)
            if why:
                items.append({"question": question, "where": "option", "text": option.label, "why": why})
    return items


def adapt_place(survey: Survey, replacements: dict[str, str]) -> int:
    """Reword a template's place names for another partnership (in order, longest first).

    Templates keep the wording of the council that wrote them; a partnership adopting one says
    what each place name becomes (a city centre may be a town centre). Returns the number of
    questions and options changed; running it again changes nothing.
    """
    return _reword(survey.questions.all(), replacements)


def _reword(questions, replacements: dict[str, str]) -> int:
    def reword(text: str) -> str:
        for old, new in replacements.items():
            text = text.replace(old, new)
        return text

    changed = 0
    for question in questions:
        text, hint = reword(question.text), reword(question.hint)
        if (text, hint) != (question.text, question.hint):
            question.text, question.hint = text, hint
            question.save(update_fields=["text", "hint"])
            changed += 1
        for option in question.options.all():
            label = reword(option.label)
            if label != option.label:
                option.label = label
                option.save(update_fields=["label"])
                changed += 1
    return changed


@transaction.atomic
def apply_template(survey: Survey, key: str, *, place: str | None = None, with_area: bool = False,
                   replacements: dict[str, str] | None = None) -> list[Question]:
    """Add a template's questions to a survey (after any it already has), in the words of the
    survey's partnership (``place_words``) unless ``replacements`` says otherwise."""
    if key == "equality":
        survey.equality_monitoring = True
        survey.save(update_fields=["equality_monitoring"])
        return []
    partnership = survey.partnership
    if key == "coventry-2024":
        sections = COVENTRY_2024
    elif key == "medway-feeling-safe":
        own = "Medway" if "Medway" not in other_places(partnership) else None
        sections = medway_feeling_safe(place or own or (partnership.area_names[:1] or [AREA])[0])
    else:
        raise ValueError(f"No template called {key}")
    if with_area and not survey.questions.filter(type=T.AREA).exists():
        sections = [AREA_SECTION, *sections]
    created = add_sections(survey, sections)
    words = place_words(partnership) if replacements is None else replacements
    if words:
        _reword(Question.objects.filter(pk__in=[q.pk for q in created]), words)
        for q in created:
            q.refresh_from_db()
    return created
