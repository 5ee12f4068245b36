"""The annual report to the council's Crime and Disorder scrutiny committee (issue #12, item 5), in
the shape of the seeds' committee reports: purpose, recommendations, background, main
considerations, consultation, financial, legal, equality and risk implications (with the risk
table and the heat map), appendices, author and contact. Its figures are drawn from the system
when the report is made (the board report's ``gather`` for the year's last quarter with returns,
so the committee and the board read the same figures); its narrative is written by the manager
and kept, with its history, in ``ScrutinyReport``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from saferplan.core.periods import FinancialYear
from saferplan.documents.document import Bullets, Document, Paragraph, TableBlock
from saferplan.documents.tables import Column, Table
from saferplan.wording import counted, uk_date

from .. import planning_reads as planning
from ..models import ReturnRound, ScrutinyReport
from saferplan.core.periods import Quarter
from . import funding, jag, kpis, reports, returns

NOT_WRITTEN = "Not yet written."
LEGAL_DEFAULT = ("Section 19 of the Police and Justice Act 2006 requires the council to have a crime and disorder "
                 "committee with power to review and scrutinise the decisions and actions of the responsible "
                 "authorities in carrying out their crime and disorder functions, at least once a year. The "
                 "partnership must keep its strategy under review (Crime and Disorder (Formulation and "
                 "Implementation of Strategy) Regulations 2007).")


class ScrutinyRefused(ValueError):
    pass


def parse_year(text: str) -> FinancialYear:
    try:
        return FinancialYear.parse(text)
    except ValueError as exc:
        raise ScrutinyRefused(str(exc)) from None


def narrative_for(partnership, year: FinancialYear) -> ScrutinyReport:
    """The stored narrative of the year's report, or a new unsaved one with the law's wording filled in."""
    found = ScrutinyReport.objects.filter(partnership=partnership, financial_year=year.label).first()
    return found or ScrutinyReport(partnership=partnership, financial_year=year.label, legal=LEGAL_DEFAULT)


def save_narrative(report: ScrutinyReport) -> ScrutinyReport:
    parse_year(report.financial_year)
    if not report.pk and ScrutinyReport.objects.filter(partnership=report.partnership,
                                                       financial_year=report.financial_year).exists():
        raise ValidationError(f"The report on {report.financial_year} already exists: change it instead")
    report.save()
    return report


@dataclass
class YearFigures:
    year: FinancialYear
    board: reports.BoardReport  # the year's last quarter with returns, as the board read it
    jag_opened: int
    jag_by_status: dict[str, int]
    jag_example: bool

    @property
    def example(self) -> bool:
        return self.board.example or self.jag_example


def year_quarter(partnership, year: FinancialYear, today: date | None = None) -> Quarter:
    """The quarter whose figures stand for the year: the year's last quarter with a round of returns,
    else its last quarter that has ended."""
    today = today or timezone.localdate()
    plan = planning.plan_in_delivery(partnership)
    if plan is None:
        raise ScrutinyRefused(f"{partnership.name} has no adopted plan to report on")
    in_year = [q for q in returns.plan_quarters(plan) if q.financial_year == year]
    if not in_year:
        raise ScrutinyRefused(f"{year.label} is not a year of the plan ({plan.period_label})")
    rounds = set(ReturnRound.objects.filter(plan=plan).values_list("quarter", flat=True))
    with_returns = [q for q in in_year if q.slug in rounds]
    if with_returns:
        return with_returns[-1]
    ended = [q for q in in_year if q.end < today]
    if not ended:
        raise ScrutinyRefused(f"No quarter of {year.label} has ended yet")
    return ended[-1]


def figures(partnership, year: FinancialYear, today: date | None = None) -> YearFigures:
    quarter = year_quarter(partnership, year, today)
    try:
        board = reports.gather(partnership, quarter, today)
    except reports.ReportRefused as exc:
        raise ScrutinyRefused(str(exc)) from None
    board.funding = [s for s in board.funding if s.stream.financial_year == year.label]
    problems = [p for p in jag.problems_of(partnership) if year.start <= p.opened_on <= year.end]
    by_status: dict[str, int] = {}
    for p in problems:
        by_status[p.get_status_display()] = by_status.get(p.get_status_display(), 0) + 1
    return YearFigures(year, board, len(problems), by_status, any(p.example for p in problems))


def _text(value: str) -> list[Paragraph]:
    parts = [p.strip() for p in (value or "").split("\n\n") if p.strip()]
    return [Paragraph(p) for p in parts] or [Paragraph(NOT_WRITTEN, "note")]


def document(partnership, year: FinancialYear, today: date | None = None) -> Document:
    narrative = narrative_for(partnership, year)
    f = figures(partnership, year, today)
    board, q = f.board, f.board.quarter
    doc = Document(
        title=f"Community Safety Partnership: annual report {year.label}",
        subtitle=narrative.committee or "Crime and Disorder Scrutiny Committee",
        author=partnership.name,
        meta=[("Committee", narrative.committee or "Crime and Disorder Scrutiny Committee"),
              ("Meeting", uk_date(narrative.meeting_on) if narrative.meeting_on else "To be set"),
              ("Report of", narrative.author or "Not yet named"),
              ("Year reported on", f"{year.label} (1 April {year.start.year} to 31 March {year.end.year})"),
              ("Figures as at", f"{q.label} ({q.span_label}), the latest quarter of the year with returns"),
              ("Exempt information", "No")],
        footer=f"{partnership.name}: report to scrutiny {year.label}")
    if f.example or narrative.example:
        doc.section("Example data").add(Paragraph(
            "Example data: the narrative, quarterly returns, entered KPI values, risks, funding and JAG problems in "
            "this report are made up to show how Saferplan works. KPIs bound to police.uk data use the real "
            "published figures.", "note"))
    doc.section("1 Purpose of the report").add(*_text(narrative.purpose))
    recs = doc.section("2 Recommendations")
    recs.add(Paragraph(f"That the {narrative.committee or 'committee'}:"))
    recs.add(Bullets(narrative.recommendation_lines) if narrative.recommendation_lines else Paragraph(NOT_WRITTEN, "note"))
    doc.section("3 Background").add(*_text(narrative.background))

    main = doc.section("4 Main considerations")
    main.add(*_text(narrative.considerations))
    main.add(Paragraph(
        f"Progress of the plan “{board.plan.title}” at {q.label}: of {counted(len(board.actions), 'action')}, "
        f"{board.count('red')} red, {board.count('amber')} amber and {board.count('green')} green; "
        f"{sum(1 for a in board.actions if a.rag is None)} without a return. Source: the quarterly returns of the "
        f"action owners for {q.label}. {returns.RAG_RULE}"))
    main.add(TableBlock(Table(key="actions", title=f"Actions and their RAG at {q.label}", columns=[
        Column("title", "Action"), Column("owner", "Owner"), Column("status", "Status"), Column("rag", "RAG")],
        rows=[{"title": a.action.title, "owner": a.action.owner.name, "status": a.status,
               "rag": (a.rag or "no return").capitalize()} for a in board.actions],
        note="RAG as reported by the action owner (each override of the suggested RAG is given with its reason in "
             "the board report).")))
    main.add(TableBlock(Table(key="kpis", title=f"KPIs against target at the end of {q.label}", columns=[
        Column("title", "KPI"), Column("latest", "Latest value"), Column("expected", "Expected on the trajectory"),
        Column("target", "Target"), Column("rag", "RAG"), Column("source", "Source")],
        rows=[{"title": s.kpi.title, "latest": (f"{s.value_label} ({s.value.period_label})" if s.value else
                                                 s.value_label),
               "expected": s.expected_label, "target": s.kpi.target_label, "rag": s.rag_label,
               "source": s.kpi.source} for s in board.kpis],
        note=kpis.RAG_RULE)))
    if f.jag_opened:
        main.add(Paragraph(
            f"The Joint Action Group took {counted(f.jag_opened, 'place-based problem')} in {year.label}: "
            + ", ".join(f"{n} {status.lower()}" for status, n in sorted(f.jag_by_status.items())) + "."))
    doc.section("5 Consultation").add(*_text(narrative.consultation))

    money = doc.section("6 Financial implications")
    money.add(*_text(narrative.financial))
    if board.funding:
        money.add(TableBlock(_funding_table(board, year)))
        money.add(Paragraph(funding.FLAG_RULES, "note"))
    else:
        money.add(Paragraph(f"No funding stream for {year.label} is recorded."))
    doc.section("7 Legal implications").add(*_text(narrative.legal))
    doc.section("8 Equality implications").add(*_text(narrative.equality))

    risk = doc.section("9 Risk implications")
    risk.add(*_text(narrative.risk))
    risk.add(Paragraph(f"The partnership’s risk register on {uk_date(board.as_at)}, rated on the "
                       f"{board.matrix.name} matrix; {counted(len(board.above_tolerance), 'open risk')} above "
                       "tolerance."))
    if board.risks:
        risk.add(TableBlock(reports.risk_table(board.risks, "Risk register")))
    risk.add(TableBlock(reports.heat_table(board)))

    doc.section("10 Background papers").add(Bullets([
        f"Quarterly performance report to the partnership board, {q.label}",
        f"{board.plan.title} ({board.plan.period_label})"]))
    doc.section("11 Appendices").add(Paragraph(
        f"Appendix 1: the board’s quarterly performance report for {q.label} (Saferplan, PDF or Word)."))
    doc.section("Report author").add(Paragraph(
        f"{narrative.author or 'Not yet named'}. Contact: {narrative.contact or 'not yet given'}."))
    return doc


def _funding_table(board, year) -> Table:
    rows = [{"name": s.stream.name, "amount": funding.pounds(s.stream.amount), "allocated": funding.pounds(s.allocated),
             "spent": funding.pounds(s.spent), "remaining": funding.pounds(s.remaining)} for s in board.funding]
    total = {k: sum((getattr(s, k) for s in board.funding), Decimal("0")) for k in ("allocated", "spent", "remaining")}
    rows.append({"name": "Total", "amount": funding.pounds(sum((s.stream.amount for s in board.funding), Decimal("0"))),
                 **{k: funding.pounds(v) for k, v in total.items()}})
    return Table(key="funding", title=f"Funding for {year.label} to the end of {board.quarter.label}", columns=[
        Column("name", "Stream"), Column("amount", "Amount"), Column("allocated", "Allocated"), Column("spent", "Spent"),
        Column("remaining", "Remaining")], rows=rows,
        note="Spent is the spend to date reported in the action owners’ returns; remaining is the amount less what "
             "has been spent. Pounds, to the penny.")


def scrutiny_file(partnership, year_label: str, fmt: str, today: date | None = None) -> bytes:
    from saferplan.core.downloads import render_document

    if fmt not in ("pdf", "docx"):
        raise ScrutinyRefused(f"{fmt!r} is not a report format (pdf or docx)")
    return render_document(document(partnership, parse_year(year_label), today), fmt)


def default_year(partnership, today: date | None = None) -> str | None:
    """The year a report is most likely wanted for: the financial year of today, within the plan."""
    plan = planning.plan_in_delivery(partnership)
    if plan is None:
        return None
    today = today or timezone.localdate()
    years = [q.financial_year for q in returns.plan_quarters(plan)]
    current = FinancialYear.of(today)
    return (current if current in years else years[-1] if years and current > years[-1] else years[0]).label

