"""The demo's delivery year: Melton's adopted plan with the four quarters of 2025-26 returned, KPI
values, a risk register on Melton's own 6 x 4 matrix and the Home Office and PCC funding streams.

Everything here except the police.uk figures is made up, and marked ``example`` so that pages and
documents label it as example data. The funding amounts are the seeds' own (the Home Office grant
Coventry reports, £153K; the PCC Crime Reduction Grant Medway reports, £106,460) used as an
example for Melton. Safe to run again: the demo's own delivery records are rebuilt.
"""
from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from saferplan.partnership.models import Organisation, User

from . import planning_reads as planning
from . import risk_matrix
from .models import Claim, FundingStream, ReturnRound, Risk, ReturnStatus
from .models.funding import Allocation
from saferplan.core.periods import Quarter
from .services import funding, returns, risks

log = logging.getLogger(__name__)

EXAMPLE_NOTE = "Example data, made up for the demo"
YEAR = 2025
QUARTERS = [Quarter(YEAR, n) for n in (1, 2, 3, 4)]
DEADLINES = [date(2025, 7, 31), date(2025, 10, 31), date(2026, 1, 31), date(2026, 4, 30)]

S = ReturnStatus
# Action title (start) -> status for Q1..Q4 (None: no return sent), and the narrative for each.
RETURNS = {
    "Joint police and council patrols": ([S.ON_TRACK, S.ON_TRACK, S.ON_TRACK, S.COMPLETE], [
        "Patrols ran on 24 of 26 Friday and Saturday evenings; two were cancelled for a major incident in Leicester.",
        "Patrols ran every weekend; the summer events plan added three extra evenings around the town festival.",
        "Christmas night-time economy patrols ran with Melton BID’s street rangers; licensed premises visited.",
        "The patrol programme for the year is complete; the sub-group has agreed to continue it in 2026-27."]),
    "Case-manage repeat anti-social behaviour": ([S.ON_TRACK] * 4, [
        "14 repeat cases opened at the Joint Action Group; 9 closed with the behaviour stopped.",
        "Acceptable behaviour contracts agreed in 6 cases; two community protection notices served.",
        "A review of the case log found two cases closed too early; both reopened.",
        "18 cases open at the year end; closure rate improving since the case log review."]),
    "Community Speed Watch": ([S.ON_TRACK, S.OFF_TRACK, S.AT_RISK, S.ON_TRACK], [
        "Schemes running in six of the ten villages; volunteers trained in Asfordby and Bottesford.",
        "Two Speed Watch teams stood down in August and no sessions ran in three villages.",
        "New volunteers recruited in Long Clawson; equipment shared between villages while two teams rebuild.",
        "Nine of the ten villages now have a working team; sessions back to the planned rate."]),
    "‘Fatal four’ education": ([S.ON_TRACK] * 4, [
        "Sessions held at John Ferneley College and the livestock market’s farmers’ breakfast.",
        "Summer road safety events at the town show; 400 leaflets given out.",
        "Sessions at two primary schools and with young drivers at the college.",
        "Programme for 2026-27 agreed with the county road safety team."]),
    "Domestic abuse awareness training": ([S.ON_TRACK, S.ON_TRACK, S.COMPLETE, S.COMPLETE], [
        "Four sessions held for housing and customer services staff.",
        "Training extended to the leisure centre and the council’s contact centre.",
        "All 150 frontline staff trained by December, as planned.",
        "Complete; refresher sessions to be offered through UAVA’s own programme."]),
    "A domestic abuse champion": ([S.NOT_STARTED, S.ON_TRACK, S.ON_TRACK, S.AT_RISK], [
        "Role description agreed; nominations asked for from every partner.",
        "Champions named in seven of the eleven partner organisations.",
        "Champions’ network met for the first time; two organisations still to nominate.",
        "Two organisations have still not named a champion; expected by the end of June 2026."]),
    "Offer treatment through Turning Point": ([S.ON_TRACK, S.ON_TRACK, S.AT_RISK, S.COMPLETE], [
        "Arrest referral worker now in custody at Euston Street three days a week.",
        "Referrals steady; take-up of treatment after referral 58%.",
        "Worker off sick for six weeks; referrals fell in the quarter.",
        "Arrest referral offer now part of Turning Point’s core contract; the action is complete."]),
    "Close cuckooed addresses": ([S.ON_TRACK] * 4, [
        "Two closure orders obtained on addresses used for dealing.",
        "Joint visits with police to 11 addresses of vulnerable tenants.",
        "One further closure order; tenant supported into new accommodation.",
        "Partial closure order on a block in the town centre; monitoring continues."]),
    "Put the Violence Reduction Network’s": ([S.ON_TRACK] * 4, [
        "Local serious violence needs assessment shared with the sub-group.",
        "Knife crime awareness in schools with the VRN’s education team.",
        "Night-time economy welfare scheme launched with the BID.",
        "Year one of the local delivery plan reported to the VRN board."]),
    "Manage the most prolific violent offenders": ([S.ON_TRACK, S.AT_RISK, S.AT_RISK, S.COMPLETE], [
        "IOM cohort of 12 agreed; joint home visits started.",
        "Two cohort members recalled to prison; vacancy in the probation IOM team.",
        "Vacancy filled in November; cohort reviewed.",
        "Joint management now business as usual; the action is complete."]),
    "Quarterly ‘You said, we did’": ([S.ON_TRACK] * 4, [
        "First update published in the council’s magazine and on social media.",
        "Update on the town centre patrols reached 6,000 people online.",
        "Winter update on doorstep crime and scams.",
        "Year-end update; attendance at engagement events lower than hoped."]),
    "Monthly drop-in surgeries": ([S.ON_TRACK, S.ON_TRACK, S.ON_TRACK, None], [
        "Drop-ins held at Egerton Park and Fairmead community centres.",
        "Drop-ins held monthly; three cases passed to the Joint Action Group.",
        "December drop-in cancelled for the holiday; the others held.",
        ""]),
}
CORRECTION = ("Community Speed Watch", 1, S.AT_RISK,
              "The first return was sent before the sub-group met; it agreed the action is off track")
OVERRIDE = ("Put the Violence Reduction Network’s", 2, "amber",
            "The VRN has not yet confirmed its funding for the second year, which the local plan depends on")

# Entered KPI values for the four quarters (or the year, for annual KPIs) of 2025-26.
KPI_VALUES = {
    "Repeat anti-social behaviour cases closed with the behaviour stopped": [63, 65, 64, 67],
    "Community Speed Watch sessions held": [12, 14, 22, 31],
    "Frontline staff trained": [30, 70, 120, 150],
    "Referrals to UAVA from Melton": [214, 221, 229, 236],
    "People starting treatment after arrest": [25, 27, 26, 28],
    "Drop-in surgeries held": [3, 6, 8, 12],
    "People killed or seriously injured on the borough’s roads": [35],
    "Proven reoffending rate of the IOM cohort": [39],
    "Residents reached at community engagement events": [520],
}
VALUE_NOTES = {
    "Referrals to UAVA from Melton": "Rolling 12 months to the end of the quarter",
    "People starting treatment after arrest": "Rolling 12 months to the end of the quarter",
    "Community Speed Watch sessions held": "Cumulative since April 2025",
    "Frontline staff trained": "Cumulative since April 2025",
    "Drop-in surgeries held": "Cumulative since April 2025",
}

HOME_OFFICE_CONDITIONS = ("The Home Office allocates each Community Safety Partnership a small fund to support its "
                          "statutory duty to reduce crime and disorder; spending is aligned to the plan’s priorities "
                          "(Coventry City Council, Community Safety Partnership Plan consultation report, section 5.1, "
                          "used here as an example).")
PCC_CONDITIONS = (
    "Projects that support the Police and Crime Commissioner’s priorities: reduce anti-social behaviour and crime; "
    "reduce violence against women and girls; crime prevention and reassurance; initiatives to reduce crime and ASB "
    "in the daytime and night-time economy; diversionary activities, including school-based interventions; "
    "partnership approaches to specific areas of concern; drug and alcohol reduction and treatment services; "
    "reducing offending and reoffending (Medway Council, Community Safety Plan report, section 11.2, used here as "
    "an example). Claimed quarterly in arrears.")
STREAMS = [
    ("home_office", "Home Office Community Safety Partnership grant", "Home Office", Decimal("153000.00"),
     HOME_OFFICE_CONDITIONS, {"Joint police and council patrols": Decimal("30000.00"),
                              "Put the Violence Reduction Network’s": Decimal("45000.00"),
                              "Domestic abuse awareness training": Decimal("10000.00"),
                              "Quarterly ‘You said, we did’": Decimal("8000.00"),
                              "Close cuckooed addresses": Decimal("25000.00")}),
    ("pcc", "PCC Crime Reduction Grant", "Office of the Leicestershire Police and Crime Commissioner",
     Decimal("106460.00"), PCC_CONDITIONS, {"Joint police and council patrols": Decimal("12000.00"),
                                            "Community Speed Watch": Decimal("4500.00"),
                                            "Offer treatment through Turning Point": Decimal("28000.00"),
                                            "Monthly drop-in surgeries": Decimal("2500.00"),
                                            "Manage the most prolific violent offenders": Decimal("35000.00"),
                                            "Case-manage repeat anti-social behaviour": Decimal("20000.00")}),
]
SPEND_SHARE = [Decimal("0.21"), Decimal("0.46"), Decimal("0.71"), Decimal("0.93")]

RISKS = [
    # reference, title, cause, consequence, owner, L, I, target L, target I, tolerance, review, actions
    ("R1", "Lack of resource to fulfil the strategic plan",
     "Partners’ budgets are under pressure and community safety is not every partner’s core business.",
     "Actions are delayed or dropped and the plan’s priorities are not delivered.",
     "Melton Borough Council", "3", "2", "2", "2", "Low Risk", date(2026, 12, 31), [],
     "Mitigated by the ongoing requirement for the Council and partners to address crime and disorder across the "
     "borough (Melton Borough Council, Community Safety Strategy report, section 15)."),
    ("R2", "No engagement from partners",
     "Partners do not attend the sub-groups or send their quarterly returns.",
     "The board cannot see progress, and joint work stops.",
     "Melton Borough Council", "2", "2", "1", "2", "Low Risk", date(2026, 12, 31), [],
     "Mitigated through the use of Council resource if necessary; partner agencies reiterated their commitment "
     "to the plan throughout its making (Melton Borough Council, Community Safety Strategy report, section 15)."),
    ("R3", "The PCC Crime Reduction Grant is not renewed at the same level for 2026-27",
     "The Police and Crime Commissioner’s budget for 2026-27 is not yet set.",
     "Patrols, Community Speed Watch and the arrest referral worker would stop or shrink.",
     "Melton Borough Council", "3", "3", "3", "2", "Low Risk", date(2026, 10, 31),
     ["Joint police and council patrols", "Community Speed Watch", "Offer treatment through Turning Point"],
     "Early bid submitted; the board has asked partners to identify match funding."),
    ("R4", "Community Speed Watch volunteers fall away",
     "Schemes depend on a few volunteers in each village.",
     "Sessions stop in villages where residents most want them, and the road safety KPI falls behind.",
     "Leicestershire Police", "5", "2", "3", "2", "Medium Risk", date(2027, 1, 31), ["Community Speed Watch"],
     "Recruitment through parish councils; equipment shared between villages."),
    ("R5", "Police data for the KPIs is delayed",
     "police.uk publishes each month’s records about two months later; the partnership’s import may lag further.",
     "Bound KPIs show no value for the latest quarter when the board meets.",
     "Leicestershire Police", "4", "2", "3", "1", "Medium Risk", date(2027, 3, 31), [],
     "The analyst imports each month as it is published; the report names the months each figure covers."),
    ("R6", "County lines activity displaced into Melton from Leicester",
     "Enforcement in Leicester pushes dealing networks into market towns.",
     "More exploitation of young and vulnerable people and more cuckooed addresses.",
     "Leicestershire Police", "5", "3", "3", "3", "Medium Risk", date(2026, 9, 30),
     ["Close cuckooed addresses", "Put the Violence Reduction Network’s"],
     "Joint visits, closure orders and the VRN’s exploitation work."),
]


def _action(plan, start: str):
    for action in planning.actions_of(plan):
        if action.title.startswith(start):
            return action
    raise LookupError(f"The demo plan has no action starting {start!r}")


def load(partnership) -> None:
    plan = planning.plan_in_delivery(partnership)
    if plan is None:
        print("Delivery: no adopted plan, so no delivery year loaded")
        return
    _load(partnership, plan)
    print(f"Delivery: {len(QUARTERS)} quarters of example returns, {Risk.objects.filter(partnership=partnership).count()} "
          f"risks and {FundingStream.objects.filter(partnership=partnership).count()} funding streams")


@transaction.atomic
def _load(partnership, plan) -> None:
    ReturnRound.objects.filter(partnership=partnership, example=True).delete()
    FundingStream.objects.filter(partnership=partnership, example=True).delete()
    Risk.objects.filter(partnership=partnership, example=True).delete()
    manager = User.objects.filter(people__partnership=partnership, people__roles__kind="manager").first()
    _kpi_values(plan, manager)
    allocations = _funding(partnership, plan)
    _returns(partnership, plan, allocations, manager)
    _claims(partnership)
    _risks(partnership, plan, manager)
    _jag(partnership)
    _review(partnership, plan, manager)
    _scrutiny(partnership)


# Two JAG problems at the assessment's real hotspots (the LSOAs with the highest Gi* z of the
# accepted hotspot finding); the problems themselves are made up.
JAG_PROBLEMS = [
    {"title": "Shop theft and anti-social behaviour around the town centre shops",
     "description": "Repeated shop theft from the same small shops and groups gathering in the evening outside "
                    "takeaways. Reported by shop staff through Melton BID and by residents at the police beat surgery.",
     "tasks": "Police: high-visibility patrols on Friday and Saturday evenings\nMelton BID: Shopwatch radio scheme "
              "extended to the takeaways\nCouncil: CCTV camera review with the control room",
     "scanning": "Calls about theft and anti-social behaviour in this area rose over the summer; the strategic "
                 "assessment names the LSOA as a crime hotspot.",
     "analysis": "Most incidents happen between 16:00 and 20:00 on weekdays, when the shops have one member of "
                 "staff; the same few premises are targeted.",
     "response": "Patrols timed to the peak hours, Shopwatch radios, crime prevention visits to the premises.",
     "assessment": "Review at the next JAG against the police.uk counts for the LSOA and the BID's incident log.",
     "status": "open", "owner_kind": "police"},
    {"title": "Criminal damage and fly-tipping in the back lanes",
     "description": "Damage to garages and fences and repeated fly-tipping in the rear access lanes. Reported through "
                    "the council's street scene team.",
     "tasks": "Council: clear the lanes and install signs\nPolice: include the lanes in evening patrol routes\n"
              "Housing association: repair lighting",
     "scanning": "Street scene reports and police.uk criminal damage counts; the strategic assessment names the "
                 "LSOA as a crime hotspot.",
     "analysis": "Poor lighting and open access at both ends of the lanes; damage clusters at weekends.",
     "response": "Lighting repaired, gating considered with residents' association, fly-tipping enforcement.",
     "assessment": "", "status": "monitoring", "owner_kind": "district_council"},
]


def _jag(partnership) -> None:
    from . import assessment_reads
    from .models import JagProblem
    from .services import jag

    JagProblem.objects.filter(partnership=partnership, example=True).delete()
    hotspots = sorted(assessment_reads.hotspots(partnership), key=lambda h: -h.z)
    if not hotspots:
        print("Delivery: no JAG problems (the assessment has no accepted hotspot finding to place them at)")
        return
    for spec, h in zip(JAG_PROBLEMS, hotspots):
        owner = partnership.organisations.filter(kind=spec["owner_kind"]).first() or partnership.organisations.first()
        problem = JagProblem(partnership=partnership, reference=jag.next_reference(partnership), title=spec["title"],
                             location=f"Around {h.lsoa_name}", description=spec["description"], owner=owner,
                             tasks=spec["tasks"], status=spec["status"], review_on=date(2026, 5, 14),
                             opened_on=date(2025, 9, 11), scanning=spec["scanning"], analysis=spec["analysis"],
                             response=spec["response"], assessment=spec["assessment"], example=True)
        jag.save_problem(problem, f"{h.finding_pk}:{h.lsoa_code}")


def _review(partnership, plan, manager) -> None:
    """The 2025-26 review, in progress: its revision is a draft, so the public still sees the adopted plan."""
    from .models import AnnualReview
    from .services import reviews

    if AnnualReview.objects.filter(plan=plan, financial_year="2025-26").exists():
        return
    try:
        review = reviews.start_review(plan, "2025-26", manager, example=True)
    except ValidationError as exc:
        print(f"Delivery: no annual review started ({'; '.join(exc.messages)})")
        return
    review.what_changed = ("Road safety stays a priority, with Community Speed Watch given a second year after "
                           "the teams stood down in the summer. Domestic abuse awareness training is complete and "
                           "is replaced by a refresher offer through the specialist service.")
    review.why = ("The refreshed assessment shows anti-social behaviour still concentrated in the town centre; the "
                  "returns show Speed Watch off track in Q2 and recovered by Q4; the training action met its target.")
    review.pcc_name = "Office of the Police and Crime Commissioner for Leicestershire"
    reviews.save_review(review)


def _scrutiny(partnership) -> None:
    from .models import ScrutinyReport
    from .services import scrutiny

    ScrutinyReport.objects.filter(partnership=partnership, financial_year="2025-26", example=True).delete()
    scrutiny.save_narrative(ScrutinyReport(
        partnership=partnership, financial_year="2025-26", example=True,
        purpose="To report to the committee on the work of the Community Safety Partnership in 2025-26, the first "
                "year of its plan, as the Police and Justice Act 2006 requires.",
        recommendations="Notes the progress of the plan's actions and KPIs in 2025-26\nNotes the risks above "
                        "tolerance and how they are managed\nComments on the annual review of the plan",
        background="The partnership adopted its plan in 2025. The board monitors it every quarter; the Joint Action "
                   "Group takes tasked local problems.",
        considerations="Most actions were on track at the year end. Community Speed Watch was off track in the "
                       "summer and recovered. The figures below are drawn from the partners' quarterly returns.",
        consultation="The partnership board and its sub-groups agreed this report.",
        financial="The Home Office grant and the PCC Crime Reduction Grant fund the plan's projects; the table "
                  "shows what was allocated and spent.",
        legal=scrutiny.LEGAL_DEFAULT,
        equality="The plan's Equality Impact Assessment is kept under review; no new adverse impact was found.",
        risk="The partnership's risk register is scored on the council's own matrix.",
        author="Community Safety Manager (example)", contact="communitysafety@example.org"))


def _kpi_values(plan, user) -> None:
    for kpi in planning.kpis_of(plan):
        values = KPI_VALUES.get(kpi.title)
        if not values:
            continue
        periods = [p for p in planning.reportable_periods(kpi) if p[0] >= date(YEAR, 4, 1)][:len(values)]
        note = f"{EXAMPLE_NOTE}. {VALUE_NOTES[kpi.title]}" if kpi.title in VALUE_NOTES else EXAMPLE_NOTE
        for (start, _end, _label), value in zip(periods, values):
            if kpi.values.filter(period_start=start).exists():
                continue
            planning.record_kpi_value(kpi, period_start=start, value=Decimal(value), note=note, user=user)


def _funding(partnership, plan) -> dict[str, list[Allocation]]:
    by_action: dict[str, list[Allocation]] = {}
    for source, name, funder, amount, conditions, allocations in STREAMS:
        stream = FundingStream.objects.create(partnership=partnership, source=source, name=name, funder=funder,
                                              financial_year="2025-26", amount=amount, conditions=conditions,
                                              example=True)
        for start, value in allocations.items():
            allocation = funding.save_allocation(Allocation(stream=stream, action=_action(plan, start), amount=value,
                                                            note=EXAMPLE_NOTE))
            by_action.setdefault(start, []).append(allocation)
    return by_action


def _officer(action):
    return User.objects.filter(people__roles__kind="partner_officer", people__roles__organisation=action.owner).first()


def _returns(partnership, plan, allocations, manager) -> None:
    for number, (quarter, deadline) in enumerate(zip(QUARTERS, DEADLINES)):
        round_ = returns.open_round(plan, quarter, deadline, manager, example=True)
        for start, (statuses, narratives) in RETURNS.items():
            status = statuses[number]
            if status is None:
                continue
            action = _action(plan, start)
            user = _officer(action) or manager
            # Odd pennies, so that totals are checked to the penny.
            spend = {a.pk: min(a.amount, (a.amount * SPEND_SHARE[number]).quantize(Decimal("0.01"))
                               + Decimal("0.37") * number) for a in allocations.get(start, [])}
            forecast = date(2026, 6, 30) if start.startswith("A domestic abuse champion") and number == 3 else None
            first_status = status
            if (start, number) == CORRECTION[:2]:
                first_status = CORRECTION[2]
            suggested, _ = returns.suggest_rag(action, first_status, forecast, quarter)
            rag, reason = suggested, ""
            if (start, number) == OVERRIDE[:2]:
                rag, reason = OVERRIDE[2], OVERRIDE[3]
            returns.submit_return(round_, action, status=first_status, narrative=narratives[number], rag=rag,
                                        rag_reason=reason, forecast_on=forecast, spend=spend, user=user,
                                        evidence_links="https://www.melton.gov.uk/community-safety" if number == 3 else "")
            if first_status != status:
                suggested, _ = returns.suggest_rag(action, status, forecast, quarter)
                returns.submit_return(round_, action, status=status, narrative=narratives[number], rag=suggested,
                                      forecast_on=forecast, spend=spend, user=user,
                                      correction_reason=CORRECTION[3])


def _claims(partnership) -> None:
    """The PCC grant is claimed quarterly in arrears: Q1 to Q3 claimed (the first two paid), Q4 not yet."""
    stream = FundingStream.objects.get(partnership=partnership, source="pcc", example=True)
    for number, row in enumerate(funding.spend_by_quarter(stream)[:3]):
        quarter = QUARTERS[number]
        Claim.objects.create(stream=stream, quarter=quarter.slug, amount=row["in_quarter"],
                             claimed_on=quarter.end + timedelta(days=21), reference=f"CRG-MEL-{quarter.slug}",
                             paid_on=quarter.end + timedelta(days=45) if number < 2 else None)


def _risks(partnership, plan, manager) -> None:
    register = risks.register_for(partnership)
    risks.change_matrix(register, risk_matrix.MELTON.key)
    organisations = {o.name: o for o in Organisation.objects.filter(partnership=partnership)}
    for (ref, title, cause, consequence, owner, lk, im, tlk, tim, tolerance, review, actions,
         controls) in RISKS:
        risk = Risk(partnership=partnership, reference=ref, title=title, cause=cause, consequence=consequence,
                    owner=organisations[owner], controls=controls, likelihood=lk, impact=im, target_likelihood=tlk,
                    target_impact=tim, tolerance=tolerance, review_on=review, example=True)
        risks.save_risk(risk, manager, note=f"{EXAMPLE_NOTE}: first rating", reviewed_on=date(2025, 4, 1))
        risk.actions.set([_action(plan, a) for a in actions])
    # One risk re-rated during the year, so the history of ratings shows a change.
    r3 = Risk.objects.get(partnership=partnership, reference="R3")
    risks.review(r3, likelihood="4", impact="3", next_review=date(2026, 10, 31), user=manager,
                 reviewed_on=date(2026, 1, 20), note=f"{EXAMPLE_NOTE}: the PCC’s budget consultation proposes cuts")
