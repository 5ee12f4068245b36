"""What the planning pages, the command line and the demo do, as plain functions."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from saferplan.core.periods import add_months, period_of
from saferplan.partnership.models import default_plan_period
from saferplan.wording import counted

from . import evidence_sources
from .evidence_sources import Item
from .models import (
    KPI,
    STATE_PHRASES,
    Action,
    ApprovalStep,
    CandidateIssue,
    Characteristic,
    Criterion,
    Decision,
    EIAAction,
    EIARow,
    EqualityImpactAssessment,
    Evidence,
    EvidenceKind,
    IllegalMove,
    Impact,
    KPIValue,
    MeasureKind,
    Plan,
    PlanStatus,
    PlanVersion,
    PointKind,
    PrioritisationWeights,
    Priority,
    Theme,
    YouSaidWeDid,
    with_unit,
)

# --- The plan -----------------------------------------------------------------------------------


def current_plan(partnership) -> Plan | None:
    """The plan being worked on or in force: the latest by start date (a revision of the adopted
    plan, while it is being drafted and approved, before the plan it revises)."""
    return (Plan.objects.filter(partnership=partnership).exclude(status=PlanStatus.SUPERSEDED)
            .order_by("-starts_on", "-pk").first())


def adopted_plan(partnership) -> Plan | None:
    """The plan in force: the latest adopted one (never a draft revision of it)."""
    return Plan.objects.filter(partnership=partnership, status=PlanStatus.ADOPTED).order_by("-starts_on", "-pk").first()


def adopted_plan_during(partnership, starts_on: date, ends_on: date) -> Plan | None:
    """The adopted plan whose period overlaps these dates: a new plan for them would be a second,
    unapproved version of it."""
    return Plan.objects.filter(partnership=partnership, status=PlanStatus.ADOPTED, starts_on__lte=ends_on,
                               ends_on__gte=starts_on).first()


def public_plan(partnership) -> Plan | None:
    """What the public sees: the adopted plan if it is published; before any plan is adopted, a
    published draft (shown as a draft). A revision becomes public only when it is adopted."""
    published = Plan.objects.filter(partnership=partnership, published=True).order_by("-starts_on", "-pk")
    return (published.filter(status=PlanStatus.ADOPTED).first()
            or published.exclude(status__in=[PlanStatus.SUPERSEDED]).filter(revision_of__isnull=True).first())


def revision_in_progress(plan: Plan) -> Plan | None:
    return plan.revisions.exclude(status__in=[PlanStatus.ADOPTED, PlanStatus.SUPERSEDED]).order_by("-pk").first()


def plan_period(partnership, today: date | None = None) -> tuple[date, date]:
    """Three years from 1 April: the partnership's recorded period, else the next one."""
    if partnership.plan_start and partnership.plan_end:
        return partnership.plan_start, partnership.plan_end
    return default_plan_period(today)


def default_title(partnership, starts_on: date, ends_on: date) -> str:
    return f"{partnership.name} Plan {starts_on:%Y} to {ends_on:%Y}"


def start_plan(partnership, **fields) -> Plan:
    starts_on, ends_on = plan_period(partnership)
    fields.setdefault("starts_on", starts_on)
    fields.setdefault("ends_on", ends_on)
    fields.setdefault("title", default_title(partnership, fields["starts_on"], fields["ends_on"]))
    return Plan.objects.create(partnership=partnership, **fields)


def next_order(queryset) -> int:
    return (queryset.aggregate(m=Max("order"))["m"] or 0) + 1


# --- Evidence -----------------------------------------------------------------------------------


def cite(subject, item: Item, *, criterion: str = "", automatic: bool = False, partnership=None) -> Evidence:
    """Attach one piece of evidence to a priority, issue, EIA row or "You said" row (no duplicates)."""
    partnership = partnership or _partnership_of(subject)
    content_type = ContentType.objects.get_for_model(subject)
    existing = Evidence.objects.filter(content_type=content_type, object_id=subject.pk, kind=item.kind,
                                       criterion=criterion)
    if item.source_model:
        existing = existing.filter(source_app=item.source_app, source_model=item.source_model,
                                   source_pk=item.source_pk)
    else:
        existing = existing.filter(title=item.title, url=item.url)
    evidence = existing.first()
    values = {"title": item.title[:500], "url": item.url[:500], "summary": item.summary[:2000],
              "automatic": automatic}
    if evidence is None:
        order = next_order(Evidence.objects.filter(content_type=content_type, object_id=subject.pk))
        return Evidence.objects.create(partnership=partnership, content_type=content_type, object_id=subject.pk,
                                       kind=item.kind, criterion=criterion, source_app=item.source_app,
                                       source_model=item.source_model, source_pk=item.source_pk, order=order,
                                       **values)
    changed = [k for k, v in values.items() if getattr(evidence, k) != v]
    if changed:
        for k in changed:
            setattr(evidence, k, values[k])
        evidence.save()
    return evidence


def _partnership_of(subject):
    if isinstance(subject, CandidateIssue):
        return subject.partnership
    if isinstance(subject, Priority):
        return subject.theme.plan.partnership
    if isinstance(subject, EIARow):
        return subject.eia.plan.partnership
    return subject.plan.partnership


def item_of(evidence: Evidence) -> Item:
    return Item(evidence.kind, evidence.title, evidence.url, evidence.summary, evidence.source_app,
                evidence.source_model, evidence.source_pk)


# --- Candidate issues and the matrix ------------------------------------------------------------

# (name, description, police.uk categories, words picking partner measures, consultation options)
DEFAULT_ISSUES = [
    ("Anti-social behaviour", "Nuisance, disorder and environmental anti-social behaviour",
     ["Anti-social behaviour"], ["anti-social", "asb"], ["Anti-social Behaviour"]),
    ("Violent crime", "Violence against the person and sexual offences",
     ["Violence and sexual offences"], ["assault"], ["Violent crime"]),
    ("Violence against women and girls", "Sexual violence, stalking, harassment and abuse of women and girls",
     [], ["vawg", "sexual", "stalking"], []),
    ("Domestic abuse", "Abuse between partners, ex-partners and family members", [], ["domestic"], []),
    ("Hate crime", "Crime motivated by hostility to a protected characteristic", [], ["hate"], ["Hate Crime"]),
    ("Exploitation", "Criminal and sexual exploitation, county lines and modern slavery", [],
     ["exploitation", "county lines", "modern slavery"], []),
    ("Serious youth violence", "Violence involving young people, weapons and gangs", ["Possession of weapons"],
     ["youth violence", "knife"], ["Youth violence"]),
    ("Drugs and alcohol", "Drug-related crime, dealing and alcohol-related harm", ["Drugs"],
     ["drug", "alcohol"], ["Drugs offences"]),
    ("Reoffending", "People who offend again after a sentence or caution", [], ["reoffend"], []),
    ("Road safety", "Speeding, drink driving, mobile phones and seatbelts", [], ["road", "collision", "ksi"], []),
    ("Burglary", "Burglary of homes and businesses", ["Burglary"], [], ["Burglary"]),
    ("Robbery", "Robbery of personal property and businesses", ["Robbery"], [], ["Robbery"]),
    ("Vehicle crime", "Theft of and from vehicles, and interference", ["Vehicle crime"], [], ["Motor Vehicle Crime"]),
    ("Theft and shoplifting", "Shoplifting, theft from the person, bicycle and other theft",
     ["Shoplifting", "Theft from the person", "Bicycle theft", "Other theft"], [], ["Theft"]),
    ("Criminal damage and arson", "Criminal damage and deliberate fires", ["Criminal damage and arson"],
     ["fire"], []),
    ("Public order", "Public order offences", ["Public order"], [], []),
]


@transaction.atomic
def ensure_issues(partnership) -> list[CandidateIssue]:
    """The standard candidate issues, added once (the partnership may add, change or remove them)."""
    if CandidateIssue.objects.filter(partnership=partnership).exists():
        return list(CandidateIssue.objects.filter(partnership=partnership))
    for order, (name, description, categories, partner, options) in enumerate(DEFAULT_ISSUES, 1):
        CandidateIssue.objects.create(partnership=partnership, name=name, description=description,
                                      police_categories=categories, partner_measures=partner,
                                      consultation_options=options, order=order)
    return list(CandidateIssue.objects.filter(partnership=partnership))


def weights_for(partnership) -> PrioritisationWeights:
    weights, _ = PrioritisationWeights.objects.get_or_create(partnership=partnership)
    return weights


def _partner_rows(issue: CandidateIssue, data: dict) -> list[dict]:
    words = [w.lower() for w in issue.partner_measures if w.strip()]
    return [r for r in data.get("partner", [])
            if any(w in f"{r['dataset']}: {r['measure']}".lower() for w in words)]


@dataclass
class RefreshResult:
    assessment: bool = False
    consultation: bool = False
    issues: int = 0
    period: str = ""


@transaction.atomic
def refresh_issues(partnership, data: dict | None = None, concern=None) -> RefreshResult:
    """Bring every candidate issue's figures up to date from the assessment, the consultation and
    the workshops, with the evidence each figure came from. Figures with no source keep what a
    person typed."""
    data = data if data is not None else evidence_sources.assessment_data(partnership)
    concern = concern if concern is not None else evidence_sources.concern_results(partnership)
    plan = current_plan(partnership)
    if concern is not None and plan is not None and plan.editable and plan.concern_question_id is None:
        plan.concern_question_id = concern.question_pk  # the only candidate: recorded, so it stays the source
        plan.save(update_fields=["concern_question_id"])
    issues = ensure_issues(partnership)
    result = RefreshResult(assessment=bool(data), consultation=bool(concern), issues=len(issues))
    findings = evidence_sources.accepted_findings(partnership) if data else []
    for issue in issues:
        Evidence.objects.filter(content_type=ContentType.objects.get_for_model(issue), object_id=issue.pk,
                                automatic=True).delete()
        if data:
            result.period = data["period"]
            _refresh_from_assessment(issue, data, findings)
        if concern:
            _refresh_from_consultation(issue, concern)
        _refresh_from_workshops(issue)
        issue.refreshed_at = timezone.now()
        issue.save()
    return result


@transaction.atomic
def choose_concern_question(plan: Plan, question_id: int) -> None:
    """Record the survey question the plan's public concern figures come from, and refresh them."""
    plan.check_editable()
    if question_id not in {q.pk for q in evidence_sources.concern_candidates(plan.partnership)}:
        raise ValidationError("Choose one of the partnership’s survey questions about priorities")
    plan.concern_question_id = question_id
    plan.save(update_fields=["concern_question_id"])
    refresh_issues(plan.partnership)


def _refresh_from_assessment(issue: CandidateIssue, data: dict, findings: list) -> None:
    from saferplan.assessment.analysis import compare_counts

    partnership = issue.partnership
    categories = {c["category"]: c for c in data.get("categories", [])}
    chosen = [categories[c] for c in issue.police_categories if c in categories]
    partner = _partner_rows(issue, data)
    rows = chosen or partner
    if not rows:
        return
    count = sum(r["count"] for r in rows)
    previous = sum(r["previous_count"] for r in rows)
    if len(rows) == 1:
        change = rows[0]
    else:
        change = compare_counts(count, previous)
    issue.period = data["period"]
    issue.volume, issue.previous_volume = count, previous
    issue.change_pct = Decimal(str(change["change_pct"])) if change.get("change_pct") is not None else None
    issue.significant = change.get("significant")
    population = (data.get("rates") or {}).get("population")
    # Annualised from the months that hold data, as the assessment's own rates are.
    months = (data.get("rates") or {}).get("months") or (data.get("period_detail") or {}).get("months", 12) or 12
    issue.rate = (Decimal(str(round(count * 1000 / population * 12 / months, 2))) if population else None)
    harm_rows = [r for r in (data.get("harm") or {}).get("rows", []) if r["category"] in issue.police_categories]
    if harm_rows:
        issue.harm = Decimal(str(round(sum(r["harm"] for r in harm_rows), 1)))
        issue.harm_share = Decimal(str(round(sum(r["harm_share_pct"] or 0 for r in harm_rows), 1)))
    else:
        issue.harm = issue.harm_share = None
    period_label = _period_label(data)
    source = "police.uk records" if chosen else "partner data"
    names = ", ".join(issue.police_categories if chosen else [f"{r['dataset']}: {r['measure']}" for r in partner])
    url = evidence_sources.assessment_url(partnership, data["period"])
    kind = EvidenceKind.ASSESSMENT if chosen else EvidenceKind.PARTNER
    cite(issue, Item(kind, f"{count:,} {source} in {period_label} ({names})", url,
                     f"{previous:,} in the same months a year earlier", "", "", ""), criterion=Criterion.VOLUME,
         automatic=True)
    if issue.change_pct is not None:
        way = change.get("direction") or ("rise" if count > previous else "fall" if count < previous else "same")
        word = {"rise": "rise", "fall": "fall"}.get(way, "no change")
        sig = "statistically significant" if issue.significant else "not statistically significant"
        cite(issue, Item(kind, f"A {abs(issue.change_pct)}% {word} on the same months a year earlier ({sig})", url,
                         data.get("significance", {}).get("test", "") if isinstance(data.get("significance"), dict)
                         else ""), criterion=Criterion.TREND, automatic=True)
    if harm_rows:
        cite(issue, Item(EvidenceKind.ASSESSMENT,
                         f"{issue.harm_share}% of all crime harm in the area (Cambridge Crime Harm Index)", url,
                         f"{issue.harm:,} harm days", "", "", ""), criterion=Criterion.HARM, automatic=True)
    wanted = set(issue.police_categories)
    for finding in findings:
        category = getattr(finding, "category", "")
        if category and category in wanted:
            cite(issue, evidence_sources.finding_item(finding), criterion=Criterion.TREND, automatic=True)


def _period_label(data: dict) -> str:
    detail = data.get("period_detail") or {}
    return detail.get("label") or data.get("period", "")


def _refresh_from_consultation(issue: CandidateIssue, concern) -> None:
    matching = [o for o in concern.options if evidence_sources.option_matches(o.label, issue.consultation_options)]
    if not matching:
        issue.concern_pct = issue.concern_count = issue.concern_base = None
        issue.concern_source = ""
        return
    best = max(matching, key=lambda o: o.count)
    issue.concern_count, issue.concern_base = best.count, best.base
    issue.concern_source = f"{concern.survey_title}: {concern.question_text}"[:500]
    issue.concern_pct = Decimal(str(best.pct)) if best.pct is not None else None
    for option in matching:
        cite(issue, evidence_sources.concern_item(concern, option), criterion=Criterion.CONCERN, automatic=True)


def _refresh_from_workshops(issue: CandidateIssue) -> None:
    for point in issue.workshop_points.select_related("workshop"):
        cite(issue, evidence_sources.workshop_item(point), criterion=Criterion.PARTNER, automatic=True)


def partner_points(issue: CandidateIssue) -> float:
    """Workshop points about the issue; a priority proposed counts twice."""
    return sum(2 if p.kind == PointKind.PRIORITY else 1 for p in issue.workshop_points.all())


TREND_SCORES = [
    ("Statistically significant rise", 5),
    ("Rise, not statistically significant", 3),
    ("No change", 2),
    ("Fall, not statistically significant", 1),
    ("Statistically significant fall", 0),
]


def trend_score(issue: CandidateIssue) -> tuple[float | None, str]:
    if issue.change_pct is None:
        return None, "No data"
    change = float(issue.change_pct)
    if change > 0:
        return (5, TREND_SCORES[0][0]) if issue.significant else (3, TREND_SCORES[1][0])
    if change < 0:
        return (0, TREND_SCORES[4][0]) if issue.significant else (1, TREND_SCORES[3][0])
    return 2, TREND_SCORES[2][0]


@dataclass
class Score:
    criterion: str
    label: str
    score: float | None  # 0 to 5; None: no data (scores 0)
    figure: str
    evidence: list = field(default_factory=list)

    @property
    def value(self) -> float:
        return self.score or 0.0

    @property
    def display(self) -> str:
        return "–" if self.score is None else f"{self.score:.1f}"


@dataclass
class RankedIssue:
    issue: CandidateIssue
    scores: list[Score]
    total: float
    rank: int = 0
    priorities: list = field(default_factory=list)

    def score(self, criterion: str) -> Score:
        return next(s for s in self.scores if s.criterion == criterion)


def _proportional(value, largest) -> float | None:
    if value is None:
        return None
    if not largest:
        return 0.0
    return round(5 * float(value) / float(largest), 1)


def concern_figure(issue: CandidateIssue) -> str:
    """The public concern figure with its base and the survey and question it comes from."""
    if issue.concern_pct is None:
        return "No data"
    base = f" of the {counted(issue.concern_base, 'respondent')} who answered" if issue.concern_base else " of respondents"
    source = issue.concern_source or "source not recorded"
    return f"{issue.concern_pct}%{base} ({source})"


def ranked_issues(partnership, weights: dict[str, int] | None = None, plan: Plan | None = None) -> list[RankedIssue]:
    """Every candidate issue with its six scores (0 to 5) and its weighted total, best first.

    Volume, harm, public concern and partner view score in proportion to the largest among the
    issues (the largest scores 5); trend scores by direction and significance; the judgement score
    is the partnership's own. The total is the weighted average of the six scores.
    """
    issues = list(CandidateIssue.objects.filter(partnership=partnership).prefetch_related(
        "evidence", "workshop_points", "priorities__theme"))
    plan = plan or current_plan(partnership)
    weights = weights or weights_for(partnership).as_dict()
    points = {i.pk: partner_points(i) for i in issues}
    most = {
        "volume": max([i.volume or 0 for i in issues], default=0),
        "harm": max([float(i.harm or 0) for i in issues], default=0),
        "concern": max([float(i.concern_pct or 0) for i in issues], default=0),
        "partner": max(points.values(), default=0),
    }
    total_weight = sum(weights.values()) or 1
    rows = []
    for issue in issues:
        evidence = {c.value: [] for c in Criterion}
        for e in issue.evidence.all():
            evidence.setdefault(e.criterion or Criterion.JUDGEMENT, []).append(e)
        t_score, t_label = trend_score(issue)
        volume_figure = "No data" if issue.volume is None else (
            counted(issue.volume, "record") + (f", {issue.rate:,.1f} per 1,000 a year" if issue.rate is not None else ""))
        trend_figure = t_label if issue.change_pct is None else f"{issue.change_pct:+.1f}%: {t_label.lower()}"
        scores = [
            Score("volume", "Volume and rate", _proportional(issue.volume, most["volume"]), volume_figure,
                  evidence["volume"]),
            Score("trend", "Trend", t_score, trend_figure, evidence["trend"]),
            Score("harm", "Harm", _proportional(issue.harm, most["harm"]),
                  "No data" if issue.harm is None else f"{issue.harm_share}% of all harm", evidence["harm"]),
            Score("concern", "Public concern", _proportional(issue.concern_pct, most["concern"]),
                  concern_figure(issue), evidence["concern"]),
            Score("partner", "Partner view", _proportional(points[issue.pk], most["partner"]) if points[issue.pk]
                  or most["partner"] else None,
                  f"{len(issue.workshop_points.all())} workshop point{'s' if len(issue.workshop_points.all()) != 1 else ''}",
                  evidence["partner"]),
            Score("judgement", "Judgement", None if issue.judgement is None else float(issue.judgement),
                  issue.judgement_reason or ("Not scored yet" if issue.judgement is None else "No reason given"),
                  evidence["judgement"]),
        ]
        total = round(sum(weights[s.criterion] * s.value for s in scores) / total_weight, 2)
        # "In the plan" means this plan, not an earlier version of it.
        chosen = [p for p in issue.priorities.all() if plan is not None and p.theme.plan_id == plan.pk]
        rows.append(RankedIssue(issue, scores, total, priorities=chosen))
    rows.sort(key=lambda r: (-r.total, r.issue.name))
    for position, row in enumerate(rows, 1):
        row.rank = position
    return rows


@transaction.atomic
def priority_from_issue(issue: CandidateIssue, theme: Theme, **fields) -> Priority:
    """A priority answering a candidate issue, citing all the evidence the matrix used for it."""
    fields.setdefault("title", issue.name)
    priority = Priority.objects.create(theme=theme, issue=issue, order=next_order(theme.priorities.all()), **fields)
    copy_issue_evidence(issue, priority)
    return priority


def copy_issue_evidence(issue: CandidateIssue, priority: Priority) -> None:
    for evidence in issue.evidence.all():
        cite(priority, item_of(evidence))


# --- KPIs bound to data -------------------------------------------------------------------------


def monthly_counts(kpi, conn) -> tuple[dict[date, float], set[date]]:
    """The KPI's measure per month in the area, and the months the store covers for it.

    ``conn`` reads what the partnership may read (``assessment.services.reading(partnership)``)."""
    partnership = kpi.action.priority.theme.plan.partnership
    areas = partnership.area_codes
    if kpi.measure_kind == MeasureKind.POLICE:
        rows = conn.execute(
            "select month, count(*) from police_seen where lad_code in (select unnest(?)) and category = ? "
            "group by month", [areas, kpi.measure_category]).fetchall()
        try:
            from saferplan.assessment.services import months_held

            covered = {date.fromisoformat(m["month"] + "-01") for m in months_held(partnership, conn)}
        except Exception:
            covered = {r[0] for r in conn.execute(
                "select distinct month from police_seen where lad_code in (select unnest(?))", [areas]).fetchall()}
    else:
        rows = conn.execute(
            "select month, sum(value) from partner_seen where lad_code in (select unnest(?)) and dataset = ? "
            "and measure = ? group by month", [areas, kpi.measure_dataset, kpi.measure_name]).fetchall()
        covered = {r[0] for r in rows}
    counts = {(m if isinstance(m, date) else m.date()): float(n) for m, n in rows}
    covered = {(m if isinstance(m, date) and not hasattr(m, "hour") else m.date()) for m in covered}
    return counts, covered


@transaction.atomic
def refresh_kpi_values(kpi, conn=None) -> int:
    """Replace a bound KPI's values with those worked out from the imported data: one per complete
    reporting period (every month of it in the store), from two years before the plan starts."""
    if not kpi.bound:
        return 0
    if conn is None:
        from saferplan.assessment.services import reading

        with reading(kpi.action.priority.theme.plan.partnership) as cursor:
            counts, covered = monthly_counts(kpi, cursor)
    else:
        counts, covered = monthly_counts(kpi, conn)
    plan = kpi.action.priority.theme.plan
    earliest = date(plan.starts_on.year - 2, plan.starts_on.month, 1)
    periods: dict[date, tuple[date, str]] = {}
    for month in covered:
        if month >= earliest:
            start, after, label = period_of(month, kpi.frequency)
            periods[start] = (after, label)
    kpi.values.filter(source=KPIValue.Source.IMPORTED).delete()
    # A figure a person reported is never overwritten by a refresh: it is corrected only by a person, with a reason.
    entered = set(kpi.values.filter(source=KPIValue.Source.ENTERED).values_list("period_start", flat=True))
    made = 0
    for start, (after, label) in sorted(periods.items()):
        months = []
        m = start
        while m < after:
            months.append(m)
            m = add_months(m, 1)
        if not all(m in covered for m in months) or start in entered:
            continue
        value = sum(counts.get(m, 0) for m in months)
        KPIValue.objects.update_or_create(
            kpi=kpi, period_start=start,
            defaults={"period_label": label, "period_end": date.fromordinal(after.toordinal() - 1),
                      "value": Decimal(str(value)),
                      "source": KPIValue.Source.IMPORTED, "note": kpi.measure_label})
        made += 1
    return made


def reportable_periods(kpi, today: date | None = None) -> list[tuple[date, date, str]]:
    """The reporting periods a value can be entered for: those of the KPI's frequency (financial-year
    quarters, Q1 April to June, for a quarterly KPI) that lie in the plan's period and have ended."""
    today = today or timezone.localdate()
    plan = kpi.action.priority.theme.plan
    periods, month = {}, plan.starts_on.replace(day=1)
    while month <= plan.ends_on:
        start, after, label = period_of(month, kpi.frequency)
        end = date.fromordinal(after.toordinal() - 1)
        if start >= plan.starts_on and end <= plan.ends_on and end < today:
            periods.setdefault(start, (start, end, label))
        month = add_months(month, 1)
    return list(periods.values())


class KPIValueRefused(ValidationError):
    pass


@transaction.atomic
def record_kpi_value(kpi, *, period_start: date, value, note: str = "", reason: str = "", user=None,
                     today: date | None = None) -> KPIValue:
    """Report a KPI's value for one ended period of the plan. Reporting a period again is a
    correction: it needs a reason, and the value it replaces stays in the history."""
    if KPI.objects.filter(pk=kpi.pk, action__priority__theme__plan__status=PlanStatus.SUPERSEDED).exists():
        raise KPIValueRefused({"period": "This KPI belongs to a version of the plan that has been superseded: report "
                                         "the value on the adopted plan’s KPI"})
    periods = {p[0]: p for p in reportable_periods(kpi, today)}
    if period_start not in periods:
        raise KPIValueRefused({"period": "Choose a reporting period that has ended and is in the plan’s period "
                                         f"({kpi.plan.period_label})"})
    start, end, label = periods[period_start]
    existing = KPIValue.objects.select_for_update().filter(kpi=kpi, period_start=start).first()
    user = user if getattr(user, "pk", None) else None
    if existing is None:
        return KPIValue.objects.create(kpi=kpi, period_start=start, period_end=end, period_label=label, value=value,
                                       note=note, source=KPIValue.Source.ENTERED, entered_by=user)
    if not reason.strip():
        raise KPIValueRefused({"reason": f"{label} already has a value ({existing.value_label}): give the reason "
                                         "for correcting it"})
    existing.value, existing.note, existing.correction_reason = value, note, reason.strip()
    existing.source, existing.entered_by = KPIValue.Source.ENTERED, user
    existing.save()
    return existing


# --- Versions and approval ----------------------------------------------------------------------


def absolute(url: str) -> str:
    base = getattr(settings, "SAFERPLAN_SITE_URL", "").rstrip("/")
    return f"{base}{url}" if url.startswith("/") and base else url


def _num(value):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _origin(obj) -> int:
    """The first version of a theme, priority, action or KPI that later versions were copied from:
    the key that pairs them up when two versions of the plan are compared."""
    pk, parent = obj.pk, obj.copied_from_id
    while parent is not None:
        pk, parent = parent, type(obj)._default_manager.filter(pk=parent).values_list("copied_from_id", flat=True).first()
    return pk


def snapshot(plan: Plan, with_values: bool = False) -> dict:
    """The plan as data: themes, priorities (with evidence), actions (with owner, due date and
    funding) and KPIs. The JSON export, the versions and the documents all read this."""
    themes = plan.themes.prefetch_related(
        "priorities__evidence", "priorities__actions__kpis__values", "priorities__actions__owner",
        "priorities__actions__lead", "priorities__actions__sub_group", "priorities__issue")
    data_themes = []
    funding: dict[str, Decimal] = {}
    for theme in themes:
        priorities = []
        for priority in theme.priorities.all():
            actions = []
            for action in priority.actions.all():
                kpis = []
                for kpi in action.kpis.all():
                    entry = {
                        "id": kpi.pk, "key": _origin(kpi), "title": kpi.title, "unit": kpi.unit, "unit_label": kpi.get_unit_display(),
                        "baseline": _num(kpi.baseline),
                        "baseline_period": kpi.baseline_period, "target": _num(kpi.target),
                        "target_text": kpi.target_text, "direction": kpi.direction,
                        "direction_label": kpi.get_direction_display(), "frequency": kpi.frequency,
                        "source": kpi.source,
                        "measure": ({"kind": kpi.measure_kind, "category": kpi.measure_category,
                                     "dataset": kpi.measure_dataset, "measure": kpi.measure_name,
                                     "label": kpi.measure_label} if kpi.bound else None),
                    }
                    if with_values:
                        entry["values"] = [{"period": v.period_label, "start": v.period_start.isoformat(),
                                            "value": _num(v.value), "source": v.source} for v in kpi.values.all()]
                    kpis.append(entry)
                if action.funding_source and action.funding_amount is not None:
                    label = action.funding_source_name
                    funding[label] = funding.get(label, Decimal(0)) + action.funding_amount
                actions.append({
                    "id": action.pk, "key": _origin(action), "title": action.title, "description": action.description,
                    "owner_organisation": action.owner.name, "lead": action.lead.full_name if action.lead else None,
                    "sub_group": action.sub_group.name if action.sub_group else None,
                    "start_date": action.starts_on.isoformat() if action.starts_on else None,
                    "due_date": action.due_on.isoformat(),
                    "funding": {"source": action.funding_source_name or None,
                                "detail": action.funding_detail, "amount": _num(action.funding_amount)},
                    "url": absolute(action.get_absolute_url()),
                    "kpis": kpis,
                })
            priorities.append({
                "id": priority.pk, "key": _origin(priority), "title": priority.title, "description": priority.description,
                "outcome": priority.outcome, "issue": priority.issue.name if priority.issue else None,
                "url": absolute(priority.get_absolute_url()),
                "evidence": [{"kind": e.kind, "title": e.title, "url": absolute(e.url)} for e in priority.evidence.all()],
                "actions": actions,
            })
        data_themes.append({"id": theme.pk, "key": _origin(theme), "title": theme.title, "description": theme.description,
                            "priorities": priorities})
    partnership = plan.partnership
    return {
        "format": "saferplan-plan/1",
        "partnership": {"name": partnership.name, "slug": partnership.slug, "areas": partnership.areas},
        "plan": {"id": plan.pk, "title": plan.title, "start": plan.starts_on.isoformat(),
                 "end": plan.ends_on.isoformat(), "status": plan.status, "status_label": plan.get_status_display(),
                 "vision": plan.vision, "introduction": plan.introduction, "published": plan.published},
        "themes": data_themes,
        "funding": [{"source": k, "amount": _num(v)} for k, v in funding.items()],
        "approval": [{"stage": s.stage, "committee": s.committee, "meeting_date": s.meeting_on.isoformat(),
                      "comments": s.comments, "decision": s.get_decision_display(),
                      "decision_text": s.decision_text, "version": s.version.number if s.version else None}
                     for s in plan.approval_steps.select_related("version")],
    }


def save_version(plan: Plan, label: str, user=None) -> PlanVersion:
    number = (plan.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    return PlanVersion.objects.create(plan=plan, number=number, label=label[:200], status=plan.status,
                                      snapshot=snapshot(plan), created_by=user if getattr(user, "pk", None) else None)


def next_status(plan: Plan) -> str | None:
    """Where the "send" button takes the plan: the next committee. Full council adopts the plan
    by a recorded decision, never by a button."""
    following = {PlanStatus.DRAFT: PlanStatus.BOARD, PlanStatus.BOARD: PlanStatus.SCRUTINY,
                 PlanStatus.SCRUTINY: PlanStatus.CABINET, PlanStatus.CABINET: PlanStatus.COUNCIL}
    status = following.get(plan.status)
    return status.value if status else None


SENT_LABELS = {"board": "Sent to the board for sign-off", "scrutiny": "Sent to scrutiny",
               "cabinet": "Sent to cabinet", "council": "Sent to full council", "draft": "Returned to draft"}
STAGE_AFTER = {"board": PlanStatus.SCRUTINY, "scrutiny": PlanStatus.CABINET, "cabinet": PlanStatus.COUNCIL}


@transaction.atomic
def send_to(plan: Plan, status: str, user=None) -> PlanVersion:
    """Move the plan on (for example send the draft to the board), keeping the version sent. Only
    the moves the plan's state allows; adoption comes only from full council's recorded decision."""
    if status == PlanStatus.ADOPTED:
        raise IllegalMove("The plan is adopted when full council’s decision to approve it is recorded: "
                          "record the meeting instead")
    if status == PlanStatus.SUPERSEDED:
        raise IllegalMove("An adopted plan is superseded only when its revision is adopted")
    plan.move_to(status)
    return save_version(plan, SENT_LABELS.get(status, plan.get_status_display()), user)


def outcome(stage: str, decision: str) -> str:
    """Where a committee's decision leaves the plan: full council's approval adopts it; an earlier
    committee's approval, recommendation or comments send it on; referred back returns it to draft;
    deferred leaves it at the committee."""
    if decision == Decision.REFERRED_BACK:
        return PlanStatus.DRAFT
    if decision == Decision.DEFERRED:
        return stage
    if stage == ApprovalStep.Stage.COUNCIL:
        return PlanStatus.ADOPTED if decision in (Decision.APPROVED, Decision.APPROVED_AMENDED) else PlanStatus.COUNCIL
    return STAGE_AFTER[stage]


def step_problem(plan: Plan, stage: str) -> str:
    """Why a meeting at ``stage`` cannot be recorded for the plan now ('' if it can)."""
    if not plan.editable:
        return ("The plan has been adopted, so its approval is complete. To change it, start a revision from the "
                "plan’s page: the revision goes through the board and the committees in the same way")
    if stage != plan.status and not plan.can_move_to(stage):
        labels = dict(ApprovalStep.Stage.choices)
        return (f"The plan is {STATE_PHRASES[plan.status]}, so a {labels.get(stage, stage).lower()} meeting cannot be "
                "recorded yet" + (": the partnership board signs the draft off first"
                                  if plan.status == PlanStatus.DRAFT else ""))
    return ""


@transaction.atomic
def record_step(plan: Plan, *, stage: str, committee: str, meeting_on: date, comments: str, decision: str,
                decision_text: str = "", user=None) -> ApprovalStep:
    """Record a meeting that considered the plan, keep the version it considered, and move the plan
    on as the decision says (see ``outcome``), through the plan's own transitions."""
    problem = step_problem(plan, stage)
    if problem:
        raise IllegalMove(problem)
    if plan.status != stage:
        plan.move_to(stage)  # the plan is at this meeting now (a committee may be skipped: not every council has a cabinet)
    version = save_version(plan, f"Considered by {committee} on {meeting_on:%-d %B %Y}", user)
    step = ApprovalStep.objects.create(plan=plan, stage=stage, committee=committee, meeting_on=meeting_on,
                                       comments=comments, decision=decision, decision_text=decision_text,
                                       version=version, recorded_by=user if getattr(user, "pk", None) else None)
    after = outcome(stage, decision)
    if after == PlanStatus.ADOPTED:
        adopt(plan)
    elif after != plan.status:
        plan.move_to(after)
    # The version kept is the one the committee considered; the record of its decision follows.
    version.snapshot = {**version.snapshot, "approval": snapshot(plan)["approval"]}
    version.save(update_fields=["snapshot"])
    return step


def adopt(plan: Plan) -> None:
    """Adopt the plan: keep its ranking, weights and evidence basis as they were when council
    approved it, supersede the plan it revises, and make it the public plan in its place."""
    plan.frozen = freeze(plan)
    plan.adopted_at = timezone.now()
    plan.adopt()
    previous = plan.revision_of
    if previous is not None and previous.status == PlanStatus.ADOPTED:
        _carry_kpi_values(plan)
        was_public = previous.published
        previous.supersede()
        if was_public:
            publish(previous, False)
            publish(plan)


def freeze(plan: Plan) -> dict:
    from .documents import live_evidence_basis

    weights = weights_for(plan.partnership).as_dict()
    ranking = [{"rank": r.rank, "issue": r.issue.name, "total": r.total, "chosen": bool(r.priorities),
                "scores": {s.criterion: {"score": s.display, "figure": s.figure} for s in r.scores}}
               for r in ranked_issues(plan.partnership, weights, plan=plan)]
    concern = evidence_sources.concern_results(plan.partnership, question_id=plan.concern_question_id)
    return {"ranking": ranking, "weights": weights, "basis": live_evidence_basis(plan),
            "concern": ({"survey": concern.survey_title, "question": concern.question_text, "base": concern.base}
                        if concern else None)}


def plan_ranking(plan: Plan) -> list[dict]:
    """The ranked issues as the plan shows them: frozen at adoption, live while it is drafted."""
    if plan.frozen.get("ranking") is not None and not plan.editable:
        return plan.frozen["ranking"]
    return [{"rank": r.rank, "issue": r.issue.name, "total": r.total, "chosen": bool(r.priorities),
             "scores": {s.criterion: {"score": s.display, "figure": s.figure} for s in r.scores}}
            for r in ranked_issues(plan.partnership, plan=plan)]


def plan_weights(plan: Plan) -> dict[str, int]:
    if plan.frozen.get("weights") and not plan.editable:
        return plan.frozen["weights"]
    return weights_for(plan.partnership).as_dict()


def _carry_kpi_values(plan: Plan) -> None:
    """Values reported on the adopted plan's KPIs while the revision was being approved carry on."""
    for kpi in KPI.objects.filter(action__priority__theme__plan=plan, copied_from__isnull=False):
        have = set(kpi.values.values_list("period_start", flat=True))
        for value in kpi.copied_from.values.exclude(period_start__in=have):
            _copy_value(value, kpi)


def _copy_value(value: KPIValue, kpi) -> KPIValue:
    return KPIValue.objects.create(kpi=kpi, period_label=value.period_label, period_start=value.period_start,
                                   period_end=value.period_end, value=value.value, source=value.source,
                                   note=value.note, correction_reason=value.correction_reason,
                                   entered_by=value.entered_by)


@transaction.atomic
def start_revision(plan: Plan, user=None) -> Plan:
    """A new draft version of the adopted plan, with its structure copied (themes, priorities and
    their evidence, actions, KPIs and their values, the EIA and "You said, we did"). The adopted
    plan stays in force and public until the revision is adopted through the approval route."""
    if plan.status != PlanStatus.ADOPTED:
        raise IllegalMove("Only the adopted plan can be revised; this plan is "
                          f"{plan.get_status_display().lower()}, so change it directly")
    existing = revision_in_progress(plan)
    if existing is not None:
        return existing
    revision = Plan.objects.create(
        partnership=plan.partnership, title=plan.title, starts_on=plan.starts_on, ends_on=plan.ends_on,
        introduction=plan.introduction, vision=plan.vision, concern_question_id=plan.concern_question_id,
        revision_of=plan)
    priorities, actions = {}, {}
    for theme in plan.themes.all():
        new_theme = Theme.objects.create(plan=revision, title=theme.title, description=theme.description,
                                         order=theme.order, copied_from=theme)
        for priority in theme.priorities.all():
            new_priority = Priority.objects.create(theme=new_theme, title=priority.title,
                                                   description=priority.description, outcome=priority.outcome,
                                                   issue=priority.issue, order=priority.order, copied_from=priority)
            priorities[priority.pk] = new_priority
            _copy_evidence(priority, new_priority)
            for action in priority.actions.all():
                new_action = Action.objects.create(
                    priority=new_priority, title=action.title, description=action.description, owner=action.owner,
                    lead=action.lead, sub_group=action.sub_group, starts_on=action.starts_on, due_on=action.due_on,
                    funding_source=action.funding_source, funding_detail=action.funding_detail,
                    funding_amount=action.funding_amount, order=action.order, copied_from=action)
                actions[action.pk] = new_action
                for kpi in action.kpis.all():
                    fields = {f.attname: getattr(kpi, f.attname) for f in KPI._meta.concrete_fields
                              if f.attname not in ("id", "action_id", "copied_from_id")}
                    new_kpi = KPI.objects.create(action=new_action, copied_from=kpi, **fields)
                    for value in kpi.values.all():
                        _copy_value(value, new_kpi)
    eia = EqualityImpactAssessment.objects.filter(plan=plan).first()
    if eia is not None:
        fields = {f.attname: getattr(eia, f.attname) for f in EqualityImpactAssessment._meta.concrete_fields
                  if f.attname not in ("id", "plan_id", "status", "signed_off_by", "signed_off_role",
                                       "signed_off_on")}
        new_eia = EqualityImpactAssessment.objects.create(plan=revision, **fields)
        for row in eia.rows.all():
            new_row = EIARow.objects.create(eia=new_eia, characteristic=row.characteristic, impact=row.impact,
                                            narrative=row.narrative)
            _copy_evidence(row, new_row)
        for a in eia.actions.all():
            EIAAction.objects.create(eia=new_eia, inequality=a.inequality, action=a.action, owner=a.owner,
                                     timescale=a.timescale, order=a.order)
    for row in plan.you_said.all():
        new_row = YouSaidWeDid.objects.create(plan=revision, you_said=row.you_said, we_did=row.we_did, order=row.order)
        new_row.priorities.set([priorities[p.pk] for p in row.priorities.all() if p.pk in priorities])
        new_row.actions.set([actions[a.pk] for a in row.actions.all() if a.pk in actions])
        _copy_evidence(row, new_row)
    save_version(revision, f"Revision of the plan adopted on {plan.adopted_at:%-d %B %Y}" if plan.adopted_at
                 else "Revision of the adopted plan", user)
    return revision


def _copy_evidence(subject, to) -> None:
    content_type = ContentType.objects.get_for_model(to)
    for e in subject.evidence.all():
        Evidence.objects.create(partnership=e.partnership, content_type=content_type, object_id=to.pk, kind=e.kind,
                                title=e.title, url=e.url, summary=e.summary, criterion=e.criterion,
                                source_app=e.source_app, source_model=e.source_model, source_pk=e.source_pk,
                                automatic=e.automatic, order=e.order)


def publish(plan: Plan, published: bool = True) -> None:
    if published and plan.revision_of_id and plan.status != PlanStatus.ADOPTED:
        raise IllegalMove("A revision is published when it is adopted: until then the public sees the adopted plan")
    plan.published = published
    plan.published_at = timezone.now() if published else None
    plan.save()


# --- Comparing two versions ---------------------------------------------------------------------

ENTITY_FIELDS = {
    "plan": [("title", "Title"), ("start", "Starts"), ("end", "Ends"), ("status_label", "Status"),
             ("vision", "Vision"), ("introduction", "Introduction")],
    "theme": [("title", "Title"), ("description", "Description")],
    "priority": [("title", "Title"), ("description", "Why this is a priority"), ("outcome", "What success looks like"),
                 ("evidence", "Evidence")],
    "action": [("title", "Title"), ("description", "Description"), ("owner_organisation", "Owner organisation"),
               ("lead", "Lead person"), ("sub_group", "Sub-group"), ("start_date", "Start date"),
               ("due_date", "Due date"), ("funding", "Funding")],
    "kpi": [("title", "Indicator"), ("unit_label", "Unit"), ("baseline", "Baseline"), ("target", "Target"),
            ("target_text", "Target (in words)"),
            ("direction_label", "Direction"), ("frequency", "Frequency"), ("source", "Data source"),
            ("measure", "Bound to")],
}
NOUNS = {"plan": "Plan", "theme": "Theme", "priority": "Priority", "action": "Action", "kpi": "KPI"}


def _flatten(snap: dict) -> dict[str, tuple[str, str, dict]]:
    """key -> (noun, where it sits, fields)."""
    def key(entity):  # versions kept before revisions existed have no key: their id is their key
        return entity.get("key", entity["id"])

    out = {"plan": ("plan", "", snap["plan"])}
    for theme in snap.get("themes", []):
        out[f"theme:{key(theme)}"] = ("theme", "", theme)
        for priority in theme["priorities"]:
            out[f"priority:{key(priority)}"] = ("priority", theme["title"], priority)
            for action in priority["actions"]:
                out[f"action:{key(action)}"] = ("action", priority["title"], action)
                for kpi in action["kpis"]:
                    out[f"kpi:{key(kpi)}"] = ("kpi", action["title"], kpi)
    return out


def _text(name: str, value, entity: dict | None = None) -> str:
    if value in (None, "", [], {}):
        return "(blank)"
    if name in ("baseline", "target") and entity is not None:
        return with_unit(value, entity.get("unit", ""))
    if name == "evidence":
        return "; ".join(e["title"] for e in value)
    if name == "funding":
        parts = [value.get("source") or "None", value.get("detail") or ""]
        amount = value.get("amount")
        text = " – ".join(p for p in parts if p)
        return f"{text}: £{amount:,.0f}" if amount is not None else text
    if name == "measure":
        return value.get("label", "")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return date.fromisoformat(value).strftime("%-d %B %Y")
    return str(value)


@dataclass
class Difference:
    noun: str
    name: str
    where: str
    change: str  # added | removed | changed
    fields: list[tuple[str, str, str]] = field(default_factory=list)


def compare(old: dict, new: dict) -> list[Difference]:
    """What changed between two snapshots, in plan order: added, removed and changed items."""
    a, b = _flatten(old), _flatten(new)
    result = []
    for key in list(b) + [k for k in a if k not in b]:
        noun, where, fields_new = b.get(key, (None, None, None))
        if key not in a:
            result.append(Difference(NOUNS[noun], fields_new.get("title", ""), where, "added"))
            continue
        noun_old, where_old, fields_old = a[key]
        if key not in b:
            result.append(Difference(NOUNS[noun_old], fields_old.get("title", ""), where_old, "removed"))
            continue
        changes = []
        for name, label in ENTITY_FIELDS[noun]:
            before = _text(name, fields_old.get(name), fields_old)
            after = _text(name, fields_new.get(name), fields_new)
            if before != after:
                changes.append((label, before, after))
        if changes:
            result.append(Difference(NOUNS[noun], fields_new.get("title", ""), where, "changed", changes))
    return result


# --- Equality impact assessment -----------------------------------------------------------------


@transaction.atomic
def ensure_eia(plan: Plan) -> EqualityImpactAssessment:
    eia, created = EqualityImpactAssessment.objects.get_or_create(plan=plan)
    have = set(eia.rows.values_list("characteristic", flat=True))
    for characteristic in Characteristic:
        if characteristic.value not in have:
            EIARow.objects.create(eia=eia, characteristic=characteristic.value, impact=Impact.UNKNOWN)
    return eia


def eia_sign_off(eia: EqualityImpactAssessment) -> str:
    if not (eia.signed_off_by or eia.signed_off_on):
        return "Not signed off yet (needed before the assessment is final)"
    who = ", ".join(p for p in (eia.signed_off_by, eia.signed_off_role) if p)
    return f"{who}, {eia.signed_off_on:%-d %B %Y}" if eia.signed_off_on else who


def eia_rows(eia: EqualityImpactAssessment) -> list[EIARow]:
    rows = list(eia.rows.prefetch_related("evidence"))
    rows.sort(key=lambda r: r.position)
    return rows


# The equality monitoring question that speaks to each protected characteristic (none asks about
# marriage or pregnancy), and the Census 2021 age bands nearest each EIA age group.
EQUALITY_QUESTION = {"age_0_18": "age", "age_19_64": "age", "age_65": "age", "disability": "disability",
                     "gender_reassignment": "gender_identity", "race": "ethnic_group", "religion": "religion",
                     "sex": "sex", "sexual_orientation": "sexual_orientation"}
CENSUS_AGE_GROUPS = {
    "age_0_18": ("aged 15 and under", ["Aged 15 years and under"]),
    "age_19_64": ("aged 16 to 64", ["Aged 16 to 24 years", "Aged 25 to 34 years", "Aged 35 to 49 years",
                                    "Aged 50 to 64 years"]),
    "age_65": ("aged 65 and over", ["Aged 65 years and over"]),
}
HATE_STRANDS = {"disability": "disab", "gender_reassignment": "transgender", "race": "race", "religion": "relig",
                "sexual_orientation": "sexual orientation"}
CENSUS_URL = "https://www.ons.gov.uk/census"


def equality_evidence(partnership, characteristic: str | None = None) -> list[Item]:
    """Evidence for one protected characteristic (every characteristic's, if none is given): the
    Census 2021 residents of the age group, what respondents to the consultation said about it in
    aggregate, with its base, and hate crime of its strand where partner data holds it. Each
    characteristic cites its own figures, never one address for all."""
    wanted = [characteristic] if characteristic else list(Characteristic.values)
    items = []
    for code in wanted:
        items += _census_items(partnership, code) + _respondent_items(partnership, code)
    items += _partner_equality_items(partnership, wanted)
    return items


def _census_items(partnership, characteristic: str) -> list[Item]:
    if characteristic not in CENSUS_AGE_GROUPS:
        return []
    try:
        from saferplan.consultation.analysis import census_age
    except ImportError:  # pragma: no cover - the consultation app is part of the project
        return []
    population = census_age(partnership)
    total = sum(population.values())
    if not total:
        return []
    words, bands = CENSUS_AGE_GROUPS[characteristic]
    n = sum(population.get(b, 0) for b in bands)
    return [Item(EvidenceKind.CENSUS,
                 f"Census 2021: {n:,} of the area’s {total:,} usual residents ({n * 100 / total:.1f}%) are {words}",
                 CENSUS_URL, "Census 2021 usual residents by age band, ONS (Open Government Licence), for the "
                 f"partnership’s area ({', '.join(partnership.area_codes)})", "", "", "")]


# The equality question's age bands that make up each EIA age group.
RESPONDENT_AGE_GROUPS = {"age_0_18": ("aged under 16", ["Under 16"]),
                         "age_19_64": ("aged 16 to 64", ["16 to 24", "25 to 34", "35 to 49", "50 to 64"]),
                         "age_65": ("aged 65 or over", ["65 or over"])}


def _respondent_items(partnership, characteristic: str) -> list[Item]:
    code = EQUALITY_QUESTION.get(characteristic)
    survey_model = evidence_sources._model("consultation.Survey")
    if code is None or survey_model is None:
        return []
    try:
        from saferplan.consultation.analysis import equality_summary
        from saferplan.core.disclosure import EQUALITY_ANSWERS
    except ImportError:  # pragma: no cover
        return []
    items = []
    for survey in survey_model.objects.filter(partnership=partnership, equality_monitoring=True):
        if not survey.equality_responses.exists():
            continue  # nobody has answered the equality questions: nothing to cite yet
        question = next((q for q in equality_summary(survey) if q["code"] == code), None)
        if question is None:
            continue
        url = evidence_sources.url_for([("consultation:analysis", {"slug": partnership.slug, "pk": survey.pk})])
        url = f"{url}#profile" if url else evidence_sources.results_url(survey)
        if characteristic in RESPONDENT_AGE_GROUPS:
            words, bands = RESPONDENT_AGE_GROUPS[characteristic]
            base = sum(r["count"] for r in question["rows"])
            n = sum(r["count"] for r in question["rows"] if r["label"] in bands)
            # Shown only if neither the group nor the rest is small, so the base cannot reveal a suppressed count.
            if n < EQUALITY_ANSWERS.threshold:
                shown = EQUALITY_ANSWERS.marker
            elif base - n < EQUALITY_ANSWERS.threshold:
                shown = f"not shown (the rest of the respondents are fewer than {EQUALITY_ANSWERS.threshold})"
            else:
                shown = f"{n:,}"
            title = (f"Respondents {words}: {shown} of the {question['base_display']} who gave their age "
                     f"({survey.title})")
        else:
            title = (f"{question['label']} of the {question['base_display']} respondents to {survey.title} "
                     "who answered the equality question")
        # The answers themselves stay on the consultation's page: beside the base, a list of counts with
        # only the small ones hidden would let a reader subtract their way to them.
        items.append(Item(EvidenceKind.CONSULTATION, title, url,
                          f"Answers to “{question['text']}”, in aggregate; counts under {EQUALITY_ANSWERS.threshold} are not shown.",
                          "consultation", "survey", f"{survey.pk}:{characteristic}"))
    return items


def _partner_equality_items(partnership, characteristics: list[str]) -> list[Item]:
    data = evidence_sources.assessment_data(partnership)
    if not data:
        return []
    url = evidence_sources.assessment_url(partnership, data["period"])
    items = []
    for row in data.get("partner", []):
        name = f"{row['dataset']}: {row['measure']}"
        lowered = name.lower()
        if "hate" not in lowered:
            continue
        if len(characteristics) > 1 or any(HATE_STRANDS.get(c) and HATE_STRANDS[c] in lowered
                                           for c in characteristics):
            items.append(Item(EvidenceKind.PARTNER, f"{name}: {row['count']:,} in {_period_label(data)}", url,
                              "", "", "", ""))
    return items


# --- You said, we did ---------------------------------------------------------------------------


def suggested_you_said(plan: Plan, limit: int = 5) -> list[dict]:
    """Rows to start "You said, we did" from: the consultation's top concerns, each with the
    priorities that answer them."""
    concern = evidence_sources.concern_results(plan.partnership, question_id=plan.concern_question_id)
    if not concern:
        return []
    issues = list(CandidateIssue.objects.filter(partnership=plan.partnership))
    suggestions = []
    for option in sorted(concern.options, key=lambda o: -o.count)[:limit]:
        matching = [i for i in issues if evidence_sources.option_matches(option.label, i.consultation_options)]
        priorities = list(Priority.objects.filter(theme__plan=plan, issue__in=matching))
        suggestions.append({"option": option, "item": evidence_sources.concern_item(concern, option),
                            "priorities": priorities})
    return suggestions
