"""The demo's plan: Melton's partner workshops, prioritisation, plan, EIA, approval and "You said,
we did", built from the demo's own assessment and consultation where they are loaded.

The priorities follow Melton's Community Safety Partnership Strategic Plan (Scrutiny Committee,
2 March 2021): drug related crime, road safety, violent crime, domestic abuse and engagement with
communities, placed in the place / victim / offender themes the Coventry plan uses. Figures come
from the assessment engine and the consultation's results; where those are not loaded the plan is
still built, without them. Safe to run any number of times: the demo's own plan and workshops are
rebuilt, anything else people made is left alone.
"""
from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from django.db import transaction

from saferplan.partnership.models import Organisation, Person, SubGroup
from saferplan.wording import counted

from . import evidence_sources, services
from .evidence_sources import Item
from .models import (
    KPI,
    Action,
    ApprovalStep,
    CandidateIssue,
    Characteristic,
    Decision,
    EIAAction,
    EvidenceKind,
    Impact,
    Plan,
    PointKind,
    Priority,
    Theme,
    Workshop,
    WorkshopPoint,
    YouSaidWeDid,
)

log = logging.getLogger(__name__)

PLAN_TITLE = "Melton Community Safety Partnership Plan 2025 to 2028"
DEMO_WORKSHOP_NOTE = "Demo workshop."

EXTRA_ISSUES = [
    ("Cybercrime and fraud", "Online crime, scams and fraud against residents and businesses", [], ["fraud", "cyber"],
     []),
]

JUDGEMENTS = {
    "Road safety": (5, "Consistently a high priority for residents across the borough; speeding hotspots on rural "
                       "roads are raised at every parish meeting, though police.uk records do not show them."),
    "Domestic abuse": (5, "Under-reported, so recorded crime understates it; the council’s Domestic Abuse policy and "
                          "the Domestic Abuse Act 2021 place duties on partners."),
    "Drugs and alcohol": (4, "Linked to shoplifting, burglary and county lines exploitation across Leicestershire; "
                             "a countywide priority of the Police and Crime Commissioner."),
    "Violent crime": (4, "The most harmful crime in the area (see the harm figures beside it); the Violence "
                         "Reduction Network asks each partnership to make it a priority under the Serious "
                         "Violence Duty."),
    "Anti-social behaviour": (4, "The issue residents raise most often with councillors and the neighbourhood teams."),
    "Cybercrime and fraud": (3, "Rising nationally and hard to see locally; older and younger residents are most at "
                                "risk."),
    "Exploitation": (3, "County lines activity links Melton with Leicester; few cases, but severe harm."),
    "Hate crime": (2, "Low numbers locally; kept under review through the victims sub-group."),
    "Serious youth violence": (2, "Few incidents locally; covered through the violent crime priority."),
}

WORKSHOPS = [
    {
        "title": "Public place safety and reassurance", "group": "Joint Action Group", "theme": "Place",
        "held_on": date(2024, 10, 15), "place": "Melton Borough Council, Parkside",
        "orgs": ["Melton Borough Council", "Leicestershire Police", "Leicestershire Fire and Rescue Service",
                 "Melton Borough Council Housing Services", "Melton BID"],
        "findings": ["Anti-social behaviour", "Criminal damage and arson", "overall", "asb", "concentration",
                     "hotspot"],
        "points": [
            (PointKind.POINT, "Anti-social behaviour clusters in the town centre and around Egerton Park in the "
                              "evenings; the BID reports most of it at closing time.", ["Anti-social behaviour"]),
            (PointKind.POINT, "Residents in the priority neighbourhoods say they do not hear what happens after they "
                              "report anti-social behaviour.", ["Anti-social behaviour"]),
            (PointKind.PRIORITY, "Keep anti-social behaviour as a priority, with a focus on the town centre.",
             ["Anti-social behaviour"]),
            (PointKind.ACTION, "Joint police and council patrols in the town centre on Friday and Saturday evenings.",
             ["Anti-social behaviour"]),
        ],
    },
    {
        "title": "Vulnerable persons and victims", "group": "Vulnerable persons and victims", "theme": "Victim",
        "held_on": date(2024, 10, 22), "place": "Melton Borough Council, Parkside",
        "orgs": ["Melton Borough Council", "Leicestershire Police", "UAVA (domestic abuse support)",
                 "Leicester, Leicestershire and Rutland Integrated Care Board", "Leicestershire County Council"],
        "findings": ["Violence and sexual offences"],
        "points": [
            (PointKind.POINT, "UAVA’s referrals from Melton rose after the lockdowns and have not fallen back.",
             ["Domestic abuse"]),
            (PointKind.POINT, "Older residents are targeted by doorstep and telephone scams.", ["Cybercrime and fraud"]),
            (PointKind.PRIORITY, "Make domestic abuse a priority in its own right, not only as part of violent crime.",
             ["Domestic abuse", "Violence against women and girls"]),
            (PointKind.ACTION, "Domestic abuse awareness training for frontline council and housing staff.",
             ["Domestic abuse"]),
        ],
    },
    {
        "title": "Reducing reoffending and harm", "group": "Reducing reoffending and harm", "theme": "Offender",
        "held_on": date(2024, 10, 29), "place": "Melton Mowbray Police Station",
        "orgs": ["Leicestershire Police", "Probation Service – Leicestershire", "Turning Point (substance misuse)",
                 "Melton Borough Council"],
        "findings": ["Drugs", "Violence and sexual offences", "Shoplifting", "harm"],
        "points": [
            (PointKind.POINT, "Much of the shoplifting in the town is by a small number of people with drug "
                              "dependency.", ["Drugs and alcohol", "Theft and shoplifting", "Reoffending"]),
            (PointKind.POINT, "County lines: young people from Melton are being drawn into dealing in Leicester.",
             ["Exploitation", "Drugs and alcohol"]),
            (PointKind.PRIORITY, "Make drug related crime a priority, with treatment as well as enforcement.",
             ["Drugs and alcohol"]),
            (PointKind.POINT, "Few serious youth violence incidents locally, but schools report more knife carrying.",
             ["Serious youth violence"]),
            (PointKind.PRIORITY, "Keep violent crime as a priority, working with the Violence Reduction Network.",
             ["Violent crime"]),
            (PointKind.ACTION, "Offer treatment through Turning Point to everyone arrested for drug-related "
                               "offences.", ["Drugs and alcohol", "Reoffending"]),
        ],
    },
    {
        "title": "Road safety", "group": "Road safety", "theme": "Place",
        "held_on": date(2024, 11, 5), "place": "Online",
        "orgs": ["Leicestershire Police", "Leicestershire Fire and Rescue Service", "Leicestershire County Council",
                 "Melton Borough Council"],
        "findings": [],
        "points": [
            (PointKind.POINT, "Speeding in the villages is the most common complaint at parish meetings, but does not "
                              "appear in police.uk crime data.", ["Road safety"]),
            (PointKind.POINT, "The ‘fatal four’ (inappropriate speed, drink driving, mobile phones and seatbelts) "
                              "account for most serious collisions on the rural roads.", ["Road safety"]),
            (PointKind.PRIORITY, "Make road safety a priority: the ‘fatal four’ on rural roads.", ["Road safety"]),
            (PointKind.ACTION, "Community Speed Watch in the villages with the most complaints.", ["Road safety"]),
            (PointKind.ACTION, "‘Fatal four’ education in schools and at the livestock market.", ["Road safety"]),
        ],
    },
]

PLAN = [
    {"theme": "Place: safer streets and public places",
     "description": "Tackling the problems that affect where people live, work and go out.",
     "priorities": [
         {"issue": "Anti-social behaviour", "title": "Tackle anti-social behaviour",
          "outcome": "Fewer anti-social behaviour incidents in the town centre and the priority neighbourhoods.",
          "actions": [
              {"title": "Joint police and council patrols in the town centre on Friday and Saturday evenings",
               "owner": "Leicestershire Police", "lead": "Dan Okafor", "group": "Joint Action Group",
               "due": date(2026, 3, 31), "funding": ("pcc", "PCC Crime Reduction Grant 2025/26", 12000),
               "kpis": [{"title": "Anti-social behaviour records in the borough per quarter", "bound": "Anti-social behaviour",
                         "direction": "down", "target_pct": -10, "source": "police.uk"}]},
              {"title": "Case-manage repeat anti-social behaviour perpetrators through the Joint Action Group",
               "owner": "Melton Borough Council", "lead": "Sam Whitaker", "group": "Joint Action Group",
               "due": date(2028, 3, 31), "funding": ("council", "Community safety budget", None),
               "kpis": [{"title": "Repeat anti-social behaviour cases closed with the behaviour stopped",
                         "unit": "percent", "baseline": 62, "target": 75, "direction": "up",
                         "source": "Joint Action Group case log"}]},
          ]},
         {"issue": "Road safety", "title": "Improve road safety",
          "outcome": "Fewer people killed or seriously injured on the borough’s roads.",
          "actions": [
              {"title": "Community Speed Watch in the ten villages with the most complaints",
               "owner": "Leicestershire Police", "lead": "Dan Okafor", "group": "Road safety",
               "due": date(2026, 9, 30), "funding": ("pcc", "PCC Crime Reduction Grant 2025/26", 4500),
               "kpis": [{"title": "Community Speed Watch sessions held", "baseline": 0, "target": 120,
                         "direction": "up", "frequency": "quarterly", "source": "Leicestershire Police"}]},
              {"title": "‘Fatal four’ education in schools and at the livestock market",
               "owner": "Leicestershire Fire and Rescue Service", "lead": "Helen Marsh", "group": "Road safety",
               "due": date(2027, 3, 31), "funding": ("partner", "Fire and Rescue Service prevention budget", None),
               "kpis": [{"title": "People killed or seriously injured on the borough’s roads", "baseline": 38,
                         "baseline_period": "2024", "target_text": "A 10% reduction by 2028", "direction": "down",
                         "frequency": "annually", "source": "Leicestershire County Council road safety team"}]},
          ]},
     ]},
    {"theme": "Victim: protecting vulnerable people",
     "description": "Supporting victims and protecting those most at risk of harm.",
     "priorities": [
         {"issue": "Domestic abuse", "title": "Reduce the harm caused by domestic abuse",
          "outcome": "More victims come forward earlier and get support.",
          "actions": [
              {"title": "Domestic abuse awareness training for frontline council and housing staff",
               "owner": "UAVA (domestic abuse support)", "lead": "Lucy Brennan",
               "group": "Vulnerable persons and victims", "due": date(2025, 12, 31),
               "funding": ("domestic_abuse", "Domestic Abuse Act 2021 new burdens funding 2025/26", 6000),
               "kpis": [{"title": "Frontline staff trained", "baseline": 0, "target": 150, "direction": "up",
                         "frequency": "quarterly", "source": "UAVA training records"}]},
              {"title": "A domestic abuse champion in every partner organisation",
               "owner": "Melton Borough Council", "lead": "Sam Whitaker", "group": "Vulnerable persons and victims",
               "due": date(2026, 3, 31), "funding": None,
               "kpis": [{"title": "Referrals to UAVA from Melton", "baseline": 210, "baseline_period": "2024/25",
                         "target_text": "An increase: more victims referred earlier", "direction": "up",
                         "frequency": "quarterly", "source": "UAVA"}]},
          ]},
     ]},
    {"theme": "Offender: reducing offending and harm",
     "description": "Preventing offending, reducing reoffending and cutting the harm drugs and violence cause.",
     "priorities": [
         {"issue": "Drugs and alcohol", "title": "Tackle drug related crime",
          "outcome": "Less drug dealing and more people in treatment.",
          "actions": [
              {"title": "Offer treatment through Turning Point to everyone arrested for drug-related offences",
               "owner": "Turning Point (substance misuse)", "lead": "Mark Ellis",
               "group": "Reducing reoffending and harm", "due": date(2026, 3, 31),
               "funding": ("pcc", "PCC Crime Reduction Grant 2025/26", 8000),
               "kpis": [{"title": "People starting treatment after arrest", "baseline": 24, "target": 40,
                         "direction": "up", "frequency": "quarterly", "source": "Turning Point"}]},
              {"title": "Close cuckooed addresses and disrupt county lines with housing and police",
               "owner": "Melton Borough Council Housing Services", "lead": "Tom Fielding",
               "group": "Reducing reoffending and harm", "due": date(2027, 3, 31), "funding": None,
               "kpis": [{"title": "Drug offences recorded in the borough per quarter", "bound": "Drugs",
                         "direction": "up", "source": "police.uk",
                         "note": "An increase: more proactive enforcement means more drug offences are recorded"}]},
          ]},
         {"issue": "Violent crime", "title": "Reduce violent crime",
          "outcome": "Fewer people hurt by violence, in public places and at home.",
          "actions": [
              {"title": "Put the Violence Reduction Network’s serious violence strategy into practice locally",
               "owner": "Leicestershire Police", "lead": "Dan Okafor", "group": "Reducing reoffending and harm",
               "due": date(2028, 3, 31), "funding": ("home_office", "Serious Violence Duty funding (via the VRN)", 5000),
               "kpis": [{"title": "Violence and sexual offences recorded in the borough per quarter",
                         "bound": "Violence and sexual offences", "direction": "down", "target_pct": -5,
                         "source": "police.uk"}]},
              {"title": "Manage the most prolific violent offenders jointly with probation (IOM)",
               "owner": "Probation Service – Leicestershire", "lead": "Gareth Price",
               "group": "Reducing reoffending and harm", "due": date(2026, 3, 31), "funding": None,
               "kpis": [{"title": "Proven reoffending rate of the IOM cohort", "unit": "percent", "baseline": 41,
                         "target": 35, "direction": "down", "frequency": "annually",
                         "source": "Probation Service"}]},
          ]},
     ]},
    {"theme": "Engagement: communities that know and shape what we do",
     "description": "Localised engagement, using community centres in the priority neighbourhoods.",
     "priorities": [
         {"issue": None, "title": "Improve communication and engagement with communities",
          "outcome": "Residents know what the partnership is doing and how to report problems.",
          "description": "Residents told us they do not hear what the partnership does. The 2021 plan committed to "
                         "localised engagement and better communication; this plan keeps that commitment.",
          "actions": [
              {"title": "Quarterly ‘You said, we did’ updates on social media and in the council’s magazine",
               "owner": "Melton Borough Council", "lead": "Sam Whitaker", "group": None,
               "due": date(2028, 3, 31), "funding": None,
               "kpis": [{"title": "Residents reached at community engagement events", "baseline": 400,
                         "target": 1200, "direction": "up", "frequency": "annually",
                         "source": "Community safety team records"}]},
              {"title": "Monthly drop-in surgeries at the community centres in the priority neighbourhoods",
               "owner": "Melton Borough Council Housing Services", "lead": "Tom Fielding", "group": None,
               "due": date(2026, 3, 31), "funding": ("pcc", "PCC Crime Reduction Grant 2025/26", 2500),
               "kpis": [{"title": "Drop-in surgeries held", "baseline": 0, "target": 36, "direction": "up",
                         "frequency": "quarterly", "source": "Housing Services"}]},
          ]},
     ]},
]

EIA_ROWS = {
    Characteristic.AGE_0_18: (Impact.POSITIVE, "Young people are affected by crime as victims and offenders. The "
                              "plan’s work on county lines, knife carrying and exploitation protects children, and "
                              "‘fatal four’ education reaches pupils. The consultation was promoted through schools "
                              "and youth services to hear from under-18s."),
    Characteristic.AGE_19_64: (Impact.POSITIVE, "Most victims and offenders are in this age group. Every priority "
                               "reduces crime, the fear of crime and anti-social behaviour for working-age "
                               "residents."),
    Characteristic.AGE_65: (Impact.POSITIVE, "Older residents are more often targeted by fraud and doorstep crime, "
                            "and fear of crime is higher among them. Engagement through community centres and paper "
                            "copies of the survey reached older residents."),
    Characteristic.DISABILITY: (Impact.POSITIVE, "Disabled people are more likely to be victims of hate crime and "
                                "anti-social behaviour. Hate crime by strand is monitored through the victims "
                                "sub-group; the plan is available in accessible formats."),
    Characteristic.GENDER_REASSIGNMENT: (Impact.POSITIVE, "Transgender hate crime is monitored through the victims "
                                         "sub-group; support is offered through UAVA and national services."),
    Characteristic.MARRIAGE: (Impact.NONE, ""),
    Characteristic.PREGNANCY: (Impact.POSITIVE, "Domestic abuse often begins or gets worse during pregnancy; the "
                               "domestic abuse training for frontline staff covers it."),
    Characteristic.RACE: (Impact.POSITIVE, "Race hate crime is the most common strand of hate crime. The survey was "
                          "promoted through community groups to reach minority ethnic residents."),
    Characteristic.RELIGION: (Impact.POSITIVE, "Religious hate crime is monitored through the victims sub-group; "
                              "faith groups were invited to the consultation."),
    Characteristic.SEX: (Impact.POSITIVE, "Women and girls are most affected by domestic abuse and sexual violence; "
                         "men are most often victims of violence in public places. The domestic abuse and violent "
                         "crime priorities address both."),
    Characteristic.SEXUAL_ORIENTATION: (Impact.POSITIVE, "Homophobic hate crime is monitored through the victims "
                                        "sub-group."),
}


def _lookup(model, partnership, **kwargs):
    return model.objects.filter(partnership=partnership, **kwargs).first()


def load(partnership) -> Plan:
    """Build (or rebuild) the demo's planning stage for ``partnership``."""
    plan = _load(partnership)
    print(f"Plan: {plan.title} ({plan.get_status_display().lower()}, {plan.priorities().count()} priorities, "
          f"{plan.actions().count()} actions)")
    return plan


@transaction.atomic
def _load(partnership) -> Plan:
    Plan.objects.filter(partnership=partnership, title=PLAN_TITLE).delete()
    Workshop.objects.filter(partnership=partnership, summary__startswith=DEMO_WORKSHOP_NOTE).delete()
    issues = _issues(partnership)
    _workshops(partnership, issues)
    question_id = _concern_question_id(partnership)
    try:
        concern = evidence_sources.concern_results(partnership, question_id=question_id) if question_id else None
        services.refresh_issues(partnership, concern=concern)
    except evidence_sources.AssessmentUnavailable:  # the plan is still built, without the assessment's figures
        log.warning("Could not refresh the demo's issues", exc_info=True)
    issues = {i.name: i for i in CandidateIssue.objects.filter(partnership=partnership)}  # with fresh figures
    plan = _plan(partnership, issues, question_id)
    _eia(plan)
    _you_said(plan)
    _approve(plan)
    services.publish(plan)
    return plan


def _concern_question_id(partnership) -> int | None:
    """The public-concern source the demo's plan records: the priorities question of the closed
    example consultation (its responses are labelled as made up), never the open survey."""
    from saferplan.consultation.examples import SLUG

    question = next((q for q in evidence_sources.concern_candidates(partnership) if q.survey.slug == SLUG), None)
    return question.pk if question else None


def _issues(partnership) -> dict[str, CandidateIssue]:
    services.ensure_issues(partnership)
    for order, (name, description, categories, partner, options) in enumerate(EXTRA_ISSUES, 100):
        CandidateIssue.objects.get_or_create(partnership=partnership, name=name, defaults={
            "description": description, "police_categories": categories, "partner_measures": partner,
            "consultation_options": options, "order": order})
    issues = {i.name: i for i in CandidateIssue.objects.filter(partnership=partnership)}
    for name, (score, reason) in JUDGEMENTS.items():
        issue = issues.get(name)
        if issue and (issue.judgement, issue.judgement_reason) != (score, reason):
            issue.judgement, issue.judgement_reason = score, reason
            issue.save()
    services.weights_for(partnership)
    return issues


def _workshops(partnership, issues) -> None:
    findings = evidence_sources.accepted_findings(partnership)
    for spec in WORKSHOPS:
        workshop = Workshop.objects.create(
            partnership=partnership, title=spec["title"], theme=spec["theme"], held_on=spec["held_on"],
            place=spec["place"], sub_group=_lookup(SubGroup, partnership, name=spec["group"]),
            summary=f"{DEMO_WORKSHOP_NOTE} Partners reviewed the strategic assessment’s findings and the "
                    "consultation’s results for the theme, and proposed priorities and actions.")
        workshop.organisations.set(Organisation.objects.filter(partnership=partnership, name__in=spec["orgs"]))
        order = 0
        for finding in findings:
            if finding.category in spec["findings"] or finding.kind in spec["findings"]:
                item = evidence_sources.finding_item(finding)
                order += 1
                WorkshopPoint.objects.create(workshop=workshop, kind=PointKind.FINDING, text=item.summary or item.title,
                                             source_title=item.title[:300], source_url=item.url[:500],
                                             source_pk=item.source_pk, order=order)
        for kind, text, names in spec["points"]:
            order += 1
            point = WorkshopPoint.objects.create(workshop=workshop, kind=kind, text=text, order=order)
            point.issues.set([issues[n] for n in names if n in issues])


def _bound_baseline(partnership, category: str):
    """The last four complete quarters' average for a police.uk category, from the assessment."""
    try:
        summary = evidence_sources.assessment_summary(partnership)
    except evidence_sources.AssessmentUnavailable:
        log.warning("No baseline for %s", category, exc_info=True)
        return None, ""
    row = summary.category(category) if summary else None
    if row is None:
        return None, ""
    return Decimal(round(row.change.count / 4)), f"quarterly average, {summary.period_label}"


def _plan(partnership, issues, question_id=None) -> Plan:
    plan = services.start_plan(
        partnership, title=PLAN_TITLE, concern_question_id=question_id,
        vision="A borough where people are safe and feel safe, and where communities shape what the partnership does.",
        introduction=(
            "The Melton Community Safety Partnership brings together the council, Leicestershire Police, the fire "
            "and rescue service, probation, health and the voluntary sector to reduce crime and disorder, tackle "
            "substance misuse and reduce reoffending, as the Crime and Disorder Act 1998 requires.\n\n"
            "This plan sets out the partnership’s priorities for the next three years. They come from the strategic "
            "assessment of crime and disorder in the borough, from what residents told us in the public "
            "consultation, and from the partner workshops held by the sub-groups. An action plan under each "
            "priority says who will do what, by when, and how we will know it has worked.\n\n"
            "The partnership will monitor the plan every quarter and report to the Scrutiny Committee every year."),
    )
    people = {p.full_name: p for p in Person.objects.filter(partnership=partnership)}
    orgs = {o.name: o for o in Organisation.objects.filter(partnership=partnership)}
    groups = {g.name: g for g in SubGroup.objects.filter(partnership=partnership)}
    for t_order, t in enumerate(PLAN, 1):
        theme = Theme.objects.create(plan=plan, title=t["theme"], description=t["description"], order=t_order)
        for p in t["priorities"]:
            issue = issues.get(p["issue"]) if p["issue"] else None
            description = p.get("description") or _why(issue)
            if issue:
                priority = services.priority_from_issue(issue, theme, title=p["title"], description=description,
                                                        outcome=p["outcome"])
            else:
                priority = Priority.objects.create(theme=theme, title=p["title"], description=description,
                                                   outcome=p["outcome"], order=services.next_order(theme.priorities.all()))
                services.cite(priority, Item(EvidenceKind.OTHER, "Melton Community Safety Partnership Strategic Plan "
                                             "2021-23: improved communication (Scrutiny Committee, 2 March 2021)"))
            for a_order, a in enumerate(p["actions"], 1):
                source, detail, amount = a["funding"] or ("", "", None)
                action = Action.objects.create(
                    priority=priority, title=a["title"], owner=orgs[a["owner"]], lead=people.get(a["lead"]),
                    sub_group=groups.get(a["group"]) if a["group"] else None, starts_on=plan.starts_on,
                    due_on=a["due"], funding_source=source, funding_detail=detail,
                    funding_amount=Decimal(amount) if amount is not None else None, order=a_order)
                for k_order, k in enumerate(a["kpis"], 1):
                    _kpi(partnership, action, k, k_order)
    return plan


def _why(issue) -> str:
    if issue is None:
        return ""
    parts = []
    if issue.volume is not None:
        parts.append(f"{counted(issue.volume, 'record')} in the last 12 months"
                     + (f", a {issue.change_pct:+.1f}% change on the year before"
                        + (" (statistically significant)" if issue.significant else "") if issue.change_pct is not None
                        else "") + ".")
    if issue.concern_pct is not None:
        parts.append(f"{services.concern_figure(issue)} chose it as a priority.")
    points = issue.workshop_points.count()
    if points:
        parts.append(f"Partners raised it {points} time{'s' if points != 1 else ''} in the workshops.")
    if issue.judgement_reason:
        parts.append(issue.judgement_reason)
    return " ".join(parts) or issue.description


def _kpi(partnership, action, k, order) -> KPI:
    fields = {"title": k["title"], "unit": k.get("unit", "count"), "direction": k["direction"],
              "frequency": k.get("frequency", "quarterly"), "source": k["source"], "order": order,
              "baseline_period": k.get("baseline_period", ""), "target_text": k.get("target_text", "")}
    if k.get("bound"):
        fields.update(measure_kind="police", measure_category=k["bound"])
        baseline, period = _bound_baseline(partnership, k["bound"])
        fields["baseline"], fields["baseline_period"] = baseline, period
        if baseline is not None and k.get("target_pct"):
            fields["target"] = Decimal(round(baseline * (100 + k["target_pct"]) / 100))
        elif k.get("target_pct"):
            fields["target_text"] = f"A {abs(k['target_pct'])}% {'reduction' if k['target_pct'] < 0 else 'increase'}"
        elif k.get("note"):
            fields["target_text"] = k["note"]
    else:
        fields["baseline"] = Decimal(k["baseline"]) if k.get("baseline") is not None else None
        fields["target"] = Decimal(k["target"]) if k.get("target") is not None else None
    kpi = KPI.objects.create(action=action, **fields)
    if kpi.bound:
        try:
            services.refresh_kpi_values(kpi)
        except evidence_sources.AssessmentUnavailable:
            log.warning("No imported data for %s", kpi, exc_info=True)
    return kpi


def _eia(plan) -> None:
    eia = services.ensure_eia(plan)
    eia.author = "Sam Whitaker (Community Safety Manager)"
    eia.head_of_service = "Director for Housing and Communities"
    eia.cabinet_member = "Cllr Margaret Hale (Portfolio Holder for Housing and Communities)"
    eia.context = ("Community Safety Partnerships are the statutory body that brings together local partners to "
                   "solve shared issues around crime and disorder, anti-social behaviour, drug and alcohol misuse "
                   "and reoffending. Every three years the partnership must produce a plan under the Crime and "
                   "Disorder Act 1998. This assessment considers the impact of the 2025 to 2028 plan.")
    eia.baseline = ("The strategic assessment of police.uk and partner data for the borough, the public "
                    "consultation and the partner workshops. The consultation’s equality monitoring gives the "
                    "profile of respondents in aggregate.")
    eia.health_how_reduced = ("Drug treatment on arrest and domestic abuse support reduce harms that fall hardest on "
                              "the most deprived neighbourhoods.")
    eia.health_evidence = "Treatment starts and referrals to UAVA are KPIs of the plan, reported every quarter."
    eia.health_groups = "People with drug or alcohol dependency; victims of domestic abuse; residents of the priority neighbourhoods."
    eia.health_improve = "Joint work with the Integrated Care Board’s safeguarding lead through the victims sub-group."
    eia.digital_impact = ("The consultation was online, on paper and at drop-in sessions, so residents without "
                          "digital access could take part.")
    eia.digital_opportunities = ("The plan and ‘You said, we did’ are published online and on paper at the council "
                                 "offices and community centres.")
    eia.monitoring = ("The sub-groups monitor their actions, and the partnership the whole plan, every quarter; "
                      "the Scrutiny Committee reviews the partnership every year.")
    eia.staff_impact = "No impact on council staff is expected."
    # A made-up reference, labelled as the demo's: a final assessment needs one, and its sign-off.
    eia.reference = "DEMO-EIA-2025-01"
    eia.signed_off_by, eia.signed_off_role = "Cllr Margaret Hale", "Portfolio Holder for Housing and Communities"
    eia.signed_off_on = date(2025, 2, 20)
    eia.status = "final"
    eia.save()
    for row in eia.rows.all():
        impact, narrative = EIA_ROWS[Characteristic(row.characteristic)]
        row.impact, row.narrative = impact, narrative
        row.save()
        for item in services.equality_evidence(plan.partnership, row.characteristic):
            services.cite(row, item)
    for order, (inequality, action, owner, timescale) in enumerate([
        ("Digital inequalities", "Paper copies of the plan and ‘You said, we did’ at the council offices and "
                                 "community centres", "Melton Borough Council", "April 2025"),
        ("Age 65+", "Fraud and doorstep crime awareness sessions with older people’s groups", "Leicestershire Police",
         "By March 2026"),
        ("Race; religion or belief", "Report hate crime by strand to the victims sub-group every quarter",
         "Leicestershire Police", "Quarterly from June 2025"),
    ], 1):
        EIAAction.objects.create(eia=eia, inequality=inequality, action=action, owner=owner, timescale=timescale,
                                 order=order)


def _you_said(plan) -> None:
    # The demo's manager accepts each suggestion, in their own words.
    suggestions = services.draft_suggestions(plan)
    order = len(suggestions)
    for suggestion in suggestions:
        priorities = list(suggestion.priorities.all())
        we_did = ("We made " + " and ".join(f"“{p.title}”" for p in priorities) + " a priority, with the actions "
                  "below.") if priorities else ("We did not make this a priority of its own: it is covered by the "
                                                "partnership’s day-to-day work, and we will keep it under review.")
        services.accept_suggestion(suggestion, we_did=we_did, actions=Action.objects.filter(priority__in=priorities))
    if not suggestions:
        by_title = {p.title: p for p in plan.priorities()}
        for said, did, titles in [
            ("Road safety and speeding in the villages matter to you more than anything else.",
             "We made road safety a priority, with Community Speed Watch in the villages.", ["Improve road safety"]),
            ("You do not hear what the partnership does.",
             "We will publish quarterly ‘You said, we did’ updates and hold drop-in surgeries.",
             ["Improve communication and engagement with communities"]),
        ]:
            order += 1
            row = YouSaidWeDid.objects.create(plan=plan, you_said=said, we_did=did, order=order)
            row.priorities.set([by_title[t] for t in titles if t in by_title])


def _approve(plan) -> None:
    services.send_to(plan, "board")
    services.record_step(
        plan, stage=ApprovalStep.Stage.BOARD, committee="Melton Community Safety Partnership board",
        meeting_on=date(2025, 2, 11),
        comments="The board reviewed the draft priorities against the strategic assessment, the consultation’s "
                 "results and the workshops, and asked that each action name an owner and a KPI.",
        decision=Decision.RECOMMENDED,
        decision_text="The board signed the draft plan off and recommended it to the Scrutiny Committee.")
    services.record_step(
        plan, stage=ApprovalStep.Stage.SCRUTINY, committee="Scrutiny Committee", meeting_on=date(2025, 3, 4),
        comments=(
            "Members asked how the priorities related to the consultation’s results. Officers explained that each "
            "priority cites the assessment findings, consultation results and workshop points behind it, and that "
            "‘You said, we did’ would be published with the plan.\n"
            "Members expressed concern that some actions had no numerical targets. Officers agreed to add targets "
            "before the plan goes to Council.\n"
            "Members asked that rural crime and speeding in the villages be kept in view; officers noted the road "
            "safety priority and Community Speed Watch."),
        decision=Decision.COMMENTED,
        decision_text="The Committee commented on the proposed plan and noted that it will be determined by "
                      "Council on 26 March 2025.")
    # As scrutiny asked: targets for the actions that had none.
    for kpi in KPI.objects.filter(action__priority__theme__plan=plan, target__isnull=True, target_text=""):
        kpi.target_text = "A reduction on the baseline"
        kpi.save()
    referrals = KPI.objects.filter(action__priority__theme__plan=plan, title="Referrals to UAVA from Melton").first()
    if referrals:
        referrals.target, referrals.target_text = Decimal(250), ""
        referrals.save()
    services.record_step(
        plan, stage=ApprovalStep.Stage.COUNCIL, committee="Full Council", meeting_on=date(2025, 3, 26),
        comments="Council noted the Scrutiny Committee’s comments and the targets added in response.",
        decision=Decision.APPROVED, decision_text="Council approved the Community Safety Partnership Plan 2025 to "
                                                  "2028, to take effect from 1 April 2025.")
