"""The annual review of the plan (issue #12, item 6). Each year the partnership refreshes the
assessment and reviews its priorities and actions. The review is recorded here (what changed and
why, the assessment period refreshed); the changes themselves are made in a revision, a new draft
version of the adopted plan made by planning's ``start_revision``, which goes through the board
and the approval route again. The adopted plan stays frozen and public until the revision is
adopted. The review is sent to the Police and Crime Commissioner as a document."""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from saferplan.core.periods import FinancialYear, Period
from saferplan.documents.document import Document, Paragraph, TableBlock
from saferplan.documents.tables import Column, Table
from saferplan.wording import uk_date

from .. import assessment_reads
from .. import planning_reads as planning
from ..models import AnnualReview, ReturnRound
from . import returns

EXAMPLE_NOTE = "Example data: this review is made up to show how Saferplan works."


def reviews_of(partnership):
    return AnnualReview.objects.filter(partnership=partnership).select_related("plan", "revision")


def year_choices(plan) -> list[str]:
    """The financial years of the plan's period, each reviewable once."""
    years, day = [], plan.starts_on
    while day <= plan.ends_on:
        fy = FinancialYear.of(day)
        years.append(fy.label)
        day = fy.after_end
    return years


@transaction.atomic
def start_review(plan, financial_year: str, user=None, example: bool = False) -> AnnualReview:
    """Record the year's review and make the revision that carries its changes."""
    if plan is None or plan.status != planning.PlanStatus.ADOPTED:
        raise ValidationError("Only the adopted plan is reviewed: adopt the plan first")
    try:
        FinancialYear.parse(financial_year)
    except ValueError as exc:
        raise ValidationError({"financial_year": str(exc)}) from None
    if financial_year not in year_choices(plan):
        raise ValidationError({"financial_year": f"{financial_year} is not a year of the plan ({plan.period_label})"})
    if AnnualReview.objects.filter(plan=plan, financial_year=financial_year).exists():
        raise ValidationError({"financial_year": f"The plan’s review of {financial_year} has already been started"})
    in_progress = planning.revision_in_progress(plan)
    if in_progress is not None and AnnualReview.objects.filter(revision=in_progress).exists():
        raise ValidationError("A review is already in progress: its revision must be adopted (or the review "
                              "finished) before the next one starts")
    findings = assessment_reads.findings(plan.partnership)
    review = AnnualReview(partnership=plan.partnership, plan=plan, financial_year=financial_year,
                          assessment_period_before=findings[0].period if findings else "",
                          assessment_period=assessment_reads.latest_period(plan.partnership) or "",
                          started_by=user if getattr(user, "pk", None) else None, example=example)
    review.revision = planning.start_revision(plan, user)
    review._change_reason = "Annual review started"
    review.save()
    return review


def save_review(review: AnnualReview) -> AnnualReview:
    if review.assessment_period:
        try:
            review.assessment_period = str(Period.parse(review.assessment_period))
        except ValueError as exc:
            raise ValidationError({"assessment_period": f"Assessment period: {exc}"}) from None
    review.save()
    return review


@dataclass(frozen=True)
class Change:
    kind: str  # theme | priority | action | KPI
    what: str  # added | dropped | changed
    title: str
    detail: str = ""

    @property
    def text(self) -> str:
        return f"{self.kind[:1].upper()}{self.kind[1:]} {self.what}: {self.title}" + (f" ({self.detail})" if self.detail else "")


def _compare(kind, before, after, fields) -> list[Change]:
    """``after`` are copies (``copied_from``) of ``before`` or new; compare them field by field."""
    by_origin = {item.copied_from_id: item for item in after if item.copied_from_id}
    found = []
    for item in before:
        copy = by_origin.get(item.pk)
        if copy is None:
            found.append(Change(kind, "dropped", str(item.title)))
            continue
        diffs = [f"{label} {_show(getattr(item, name))} to {_show(getattr(copy, name))}"
                 for name, label in fields if getattr(item, name) != getattr(copy, name)]
        if diffs:
            found.append(Change(kind, "changed", str(copy.title), "; ".join(diffs)))
    before_ids = {item.pk for item in before}
    found += [Change(kind, "added", str(item.title)) for item in after if item.copied_from_id not in before_ids]
    return found


def _show(value) -> str:
    if value is None or value == "":
        return "none"
    if hasattr(value, "strftime"):
        return uk_date(value)
    return f"“{value}”" if isinstance(value, str) else str(getattr(value, "name", value))


def changes(review: AnnualReview) -> list[Change]:
    """What the revision changes in the adopted plan, worked out from the two versions."""
    if review.revision is None:
        return []
    old, new = review.plan, review.revision
    themes = lambda p: list(planning.themes_of(p))  # noqa: E731
    priorities = lambda p: [pr for t in themes(p) for pr in t.priorities.all()]  # noqa: E731
    found = _compare("theme", themes(old), themes(new), [("title", "title")])
    found += _compare("priority", priorities(old), priorities(new), [("title", "title"), ("outcome", "outcome")])
    found += _compare("action", list(planning.actions_of(old)), list(planning.actions_of(new)),
                      [("title", "title"), ("owner", "owner"), ("due_on", "due"), ("sub_group", "sub-group")])
    found += _compare("KPI", list(planning.kpis_of(old)), list(planning.kpis_of(new)),
                      [("title", "title"), ("baseline", "baseline"), ("target", "target"), ("direction", "direction")])
    return found


def status_text(review: AnnualReview) -> str:
    r = review.revision
    if r is None:
        return "The revision has been removed"
    if r.status == planning.PlanStatus.ADOPTED or r.status == planning.PlanStatus.SUPERSEDED:
        return f"The revision was adopted{f' on {uk_date(r.adopted_at)}' if r.adopted_at else ''}"
    return (f"In progress: the revision is {r.get_status_display().lower()}. The plan adopted "
            f"{f'on {uk_date(review.plan.adopted_at)} ' if review.plan.adopted_at else ''}stays in force and is what "
            "the public sees until the revision is adopted")


def year_in_delivery(review: AnnualReview) -> dict:
    """The year's returns: the latest round of the year and its RAG counts (from the returns, as the board saw them)."""
    fy = FinancialYear.parse(review.financial_year)
    rounds = [r for r in ReturnRound.objects.filter(plan=review.plan).order_by("quarter")
              if fy.start <= r.period.start <= fy.end]
    if not rounds:
        return {"round": None, "counts": {}, "actions": planning.actions_of(review.plan).count()}
    latest = rounds[-1]
    current = returns.current_returns(latest)
    counts = {rag: sum(1 for r in current.values() if r.rag == rag) for rag in ("red", "amber", "green")}
    return {"round": latest, "counts": counts, "actions": planning.actions_of(review.plan).count(),
            "returned": len(current), "example": any(r.example for r in rounds)}


def _period_label(text: str) -> str:
    try:
        return Period.parse(text).label() if text else "not recorded"
    except ValueError:
        return text


def document(review: AnnualReview) -> Document:
    partnership = review.partnership
    doc = Document(title=f"Annual review of the community safety plan {review.financial_year}",
                   subtitle=partnership.name, author=partnership.name,
                   meta=[("Plan", f"{review.plan.title} ({review.plan.period_label})"),
                         ("For", review.pcc_name or "The Police and Crime Commissioner"),
                         ("Status", status_text(review))],
                   footer=f"{partnership.name}: annual review {review.financial_year}")
    if review.example:
        doc.section("Example data").add(Paragraph(EXAMPLE_NOTE, "note"))
    intro = doc.section("Purpose")
    intro.add(Paragraph(
        f"The partnership reviews its strategy every year and shares the review with the Police and Crime Commissioner "
        f"(Crime and Disorder (Formulation and Implementation of Strategy) Regulations 2007, as amended in 2012). "
        f"This is the review of {review.financial_year}."))
    doc.section("The strategic assessment refreshed").add(Paragraph(
        f"The plan was drawn from the strategic assessment of {_period_label(review.assessment_period_before)}. The "
        f"refresh covers {_period_label(review.assessment_period)}, from police.uk data published for the area."))
    year = year_in_delivery(review)
    delivery = doc.section("Delivery in the year")
    if year["round"] is None:
        delivery.add(Paragraph("No quarterly returns were asked for in the year."))
    else:
        c = year["counts"]
        delivery.add(Paragraph(
            f"At {year['round'].period.label}, {year['returned']} of the plan’s {year['actions']} actions had a return: "
            f"{c.get('red', 0)} red, {c.get('amber', 0)} amber and {c.get('green', 0)} green (RAG as reported by the "
            f"action owners; {returns.RAG_RULE})" + (" These returns are example data." if year.get("example") else "")))
    doc.section("What changed").add(Paragraph(review.what_changed or "Not yet written."))
    doc.section("Why").add(Paragraph(review.why or "Not yet written."))
    found = changes(review)
    changed = doc.section("Changes in the revised plan")
    if found:
        changed.add(TableBlock(Table(key="changes", title="What the revision changes in the adopted plan", columns=[
            Column("kind", "Part"), Column("what", "Change"), Column("title", "Title"), Column("detail", "Detail")],
            rows=[{"kind": c.kind, "what": c.what, "title": c.title, "detail": c.detail} for c in found],
            note="Worked out by comparing the revision with the adopted plan.")))
    else:
        changed.add(Paragraph("The revision does not change the plan’s themes, priorities, actions or KPIs yet."))
    changed.add(Paragraph(status_text(review) + "."))
    if review.sent_to_pcc_on:
        doc.section("Sent").add(Paragraph(f"Sent to {review.pcc_name or 'the Police and Crime Commissioner'} on "
                                          f"{uk_date(review.sent_to_pcc_on)}."))
    return doc


def review_file(review: AnnualReview, fmt: str) -> bytes:
    from saferplan.core.downloads import render_document

    if fmt not in ("pdf", "docx"):
        raise ValueError(f"{fmt!r} is not a document format (pdf or docx)")
    return render_document(document(review), fmt)
