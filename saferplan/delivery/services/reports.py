"""The quarterly performance report for the board: as data (the JSON export) and as a document
(PDF and Word, A4). One function gathers the figures; the JSON, the document and the page all
read them, so they cannot disagree."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from saferplan.documents.document import Bullets, ChartBlock, Document, Paragraph, TableBlock
from saferplan.documents.tables import Column, Table
from saferplan.wording import counted, uk_date

from .. import planning_reads as planning
from ..models import ReturnRound
from saferplan.core.periods import Quarter
from . import funding, kpis, returns, risks

EXAMPLE_NOTE = ("Example data: the quarterly returns, spend, entered KPI values, risks and funding in this report "
                "are made up to show how Saferplan works. KPIs bound to police.uk data use the real published "
                "figures.")


@dataclass
class ActionLine:
    action: object
    ret: object | None

    @property
    def rag(self) -> str | None:
        return self.ret.rag if self.ret else None

    @property
    def status(self) -> str:
        return self.ret.get_status_display() if self.ret else "No return"


@dataclass
class BoardReport:
    partnership: object
    plan: object
    quarter: Quarter
    as_at: date
    round: ReturnRound | None
    actions: list[ActionLine]
    kpis: list[kpis.Standing]
    risks: list[risks.RatedRisk]
    matrix: object
    funding: list[funding.StreamSummary]
    example: bool = False
    notes: list[str] = field(default_factory=list)

    def count(self, rag) -> int:
        return sum(1 for line in self.actions if line.rag == rag)

    @property
    def exceptions(self) -> list[ActionLine]:
        order = {"red": 0, "amber": 1}
        return sorted((line for line in self.actions if line.rag in order), key=lambda line: order[line.rag])

    @property
    def above_tolerance(self) -> list:
        return [r for r in self.risks if r.above_tolerance]


class ReportRefused(ValueError):
    pass


def gather(partnership, quarter: Quarter, today: date | None = None) -> BoardReport:
    today = today or timezone.localdate()
    plan = planning.plan_in_delivery(partnership)
    if plan is None:
        raise ReportRefused(f"{partnership.name} has no adopted plan to report on")
    if quarter not in returns.plan_quarters(plan):
        raise ReportRefused(f"{quarter.label} is not a quarter of the plan ({plan.period_label})")
    round_ = ReturnRound.objects.filter(plan=plan, quarter=quarter.slug).first()
    current = returns.current_returns(round_) if round_ else {}
    lines = [ActionLine(a, current.get(a.pk)) for a in planning.actions_of(plan)]
    streams = [s for s in funding.summaries(partnership, quarter)
               if s.stream.financial_year <= quarter.financial_year.label]
    register = risks.register_rows(partnership, today)
    example = bool((round_ and round_.example) or any(r.risk.example for r in register)
                   or any(s.stream.example for s in streams))
    return BoardReport(partnership, plan, quarter, today, round_, lines, kpis.standings(plan, quarter), register,
                       risks.matrix_for(partnership), streams, example)


# --- JSON -----------------------------------------------------------------------------------------


def _number(value):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _period_key(value) -> str:
    """A quarterly value's period as the export names quarters ("2025-26-Q2"); others by their label."""
    start, end = value.period_start, value.period_end
    q = Quarter.of(start)
    return q.slug if (q.start, q.end) == (start, end) else value.period_label


def as_data(report: BoardReport) -> dict:
    q = report.quarter
    m = report.matrix
    return {
        "partnership": report.partnership.name,
        "partnership_slug": report.partnership.slug,
        "quarter": q.slug,
        "quarter_label": f"{q.label} ({q.span_label})",
        "plan": report.plan.title,
        "as_at": report.as_at.isoformat(),
        "example_data": report.example,
        "rules": {"action_rag": returns.RAG_RULE, "kpi_rag": kpis.RAG_RULE, "funding_flags": funding.FLAG_RULES},
        "actions": [{
            "title": line.action.title,
            "owner": line.action.owner.name,
            "due": line.action.due_on.isoformat(),
            "status": line.status,
            "rag": line.rag,
            "return": None if line.ret is None else {
                "quarter": q.slug, "narrative": line.ret.narrative,
                "spend": funding.money(funding.spend_of_return(line.ret)),
                "rag_suggested": line.ret.rag_suggested, "rag_reason": line.ret.rag_reason,
                "corrected": bool(line.ret.corrects_id)},
        } for line in report.actions],
        "kpis": [{
            "title": s.kpi.title,
            "unit": s.kpi.get_unit_display(),
            "baseline": _number(s.kpi.baseline),
            "target": _number(s.kpi.target),
            "target_text": s.kpi.target_text,
            "direction": s.kpi.direction,
            "source": s.kpi.source,
            "values": [{"quarter": _period_key(v), "value": _number(v.value)}
                       for v in kpis.values_up_to(s.kpi, q) if v.period_start >= report.plan.starts_on],
            "expected": _number(s.expected),
            "rag": s.rag,
            "rag_reason": s.reason,
        } for s in report.kpis],
        "risk_matrix": {
            "key": m.key, "name": m.name, "rating_style": m.rating_style,
            "likelihoods": [{"code": lv.code, "label": lv.label, "score": lv.score} for lv in m.likelihoods],
            "impacts": [{"code": lv.code, "label": lv.label, "score": lv.score} for lv in m.impacts],
            "bands": [{"name": b.name, "lowest_score": b.lowest} for b in m.bands],
        },
        "risks": [{
            "reference": r.risk.reference,
            "title": r.risk.title,
            "owner": r.risk.owner.name,
            "likelihood": r.current.likelihood.code,
            "impact": r.current.impact.code,
            "score": r.current.score,
            "rating": r.current.text,
            "band": r.current.band,
            "tolerance": r.risk.tolerance,
            "above_tolerance": r.above_tolerance,
            "target_rating": r.target.text,
            "review_due": r.risk.review_on.isoformat(),
            "overdue": r.overdue,
        } for r in report.risks],
        "funding": [{
            "source": s.stream.name,
            "year": s.stream.financial_year,
            "amount": funding.money(s.stream.amount),
            "allocated": funding.money(s.allocated),
            "spent": funding.money(s.spent),
            "remaining": funding.money(s.remaining),
            "claimed": funding.money(s.claimed),
            "flags": s.flags,
        } for s in report.funding],
    }


def as_json(report: BoardReport) -> str:
    return json.dumps(as_data(report), indent=2, ensure_ascii=False)


# --- The document ---------------------------------------------------------------------------------


def _rag_text(rag) -> str:
    return rag.capitalize() if rag else "–"


def document(report: BoardReport) -> Document:
    q = report.quarter
    doc = Document(
        title=f"Quarterly performance report: {q.label}",
        subtitle=f"{report.partnership.name}: {report.plan.title}",
        meta=[("Quarter", f"{q.label}, {q.span_label}"), ("For", "The partnership board"),
              ("Prepared", uk_date(report.as_at)),
              ("Returns", f"{counted(sum(1 for a in report.actions if a.ret), 'return')} for "
                          f"{counted(len(report.actions), 'action')}" +
                          (f", due {uk_date(report.round.deadline)}" if report.round else
                           " (no returns were asked for this quarter)"))],
        author=report.partnership.name,
        footer=("Sources: quarterly returns from the owner organisations; KPI values as reported by their owners or "
                "worked out from police.uk data (their source is named with each KPI); the partnership’s risk "
                "register; funding streams and allocations recorded in Saferplan."))
    if report.example:
        doc.section("Example data").add(Paragraph(EXAMPLE_NOTE, "lead"))

    summary = doc.section("Summary")
    counts = {rag: report.count(rag) for rag in ("red", "amber", "green")}
    missing = sum(1 for a in report.actions if not a.ret)
    summary.add(Paragraph(
        f"Of {counted(len(report.actions), 'action')}, {counts['red']:,} {'is' if counts['red'] == 1 else 'are'} red, "
        f"{counts['amber']:,} amber and {counts['green']:,} green; {counted(missing, 'action')} had no return.", "lead"))
    kpi_counts = {rag: sum(1 for s in report.kpis if s.rag == rag) for rag in ("red", "amber", "green", None)}
    summary.add(TableBlock(Table(
        key="rag-summary", title=f"RAG summary, {q.label}",
        columns=[Column("what", "What"), Column("red", "Red", "count"), Column("amber", "Amber", "count"),
                 Column("green", "Green", "count"), Column("none", "No RAG", "count"), Column("total", "Total", "count")],
        rows=[{"what": "Actions", **counts, "none": missing, "total": len(report.actions)},
              {"what": "KPIs", "red": kpi_counts["red"], "amber": kpi_counts["amber"], "green": kpi_counts["green"],
               "none": kpi_counts[None], "total": len(report.kpis)}],
        note="Actions with no return have no RAG.")))

    exceptions = doc.section("Exceptions: red and amber actions")
    if not report.exceptions:
        exceptions.add(Paragraph("No action is red or amber this quarter."))
    for line in report.exceptions:
        ret = line.ret
        sub = doc.section(f"{_rag_text(line.rag)}: {line.action.title}", level=3)
        sub.add(Paragraph(f"Owner: {line.action.owner.name}. Due {uk_date(line.action.due_on)}. Status: "
                          f"{ret.get_status_display().lower()}. RAG {_rag_text(ret.rag)}"
                          + (f" (suggested {ret.rag_suggested}; changed because: {ret.rag_reason})" if ret.overridden
                             else f" ({'; '.join(ret.suggestion_reasons)})") + "."))
        sub.add(Paragraph(ret.narrative))
        if ret.corrects_id:
            sub.add(Paragraph(f"Corrected return: {ret.correction_reason}", "note"))
    doc.section("Actions").add(TableBlock(Table(
        key="actions", title=f"Every action and its return for {q.label}",
        columns=[Column("title", "Action"), Column("owner", "Owner"), Column("due", "Due"), Column("status", "Status"),
                 Column("rag", "RAG"), Column("spend", "Spend to date", "text")],
        rows=[{"title": line.action.title, "owner": line.action.owner.name, "due": uk_date(line.action.due_on),
               "status": line.status, "rag": _rag_text(line.rag),
               "spend": (funding.pounds(funding.spend_of_return(line.ret)) if line.ret and line.ret.spend.exists()
                         else "No allocation" if not line.action.allocations.exists() else "–")}
              for line in report.actions],
        note=returns.RAG_RULE)))

    kpi_section = doc.section("KPIs against target")
    kpi_section.add(Paragraph(kpis.RAG_RULE))
    for s in report.kpis:
        block = doc.section(s.kpi.title, level=3)
        block.add(Paragraph(f"RAG: {s.rag_label}. {s.reason}. Unit: {s.kpi.get_unit_display().lower()}. Baseline {s.kpi.baseline_label}; target "
                            f"{s.kpi.target_label}; {s.kpi.get_direction_display().lower()}. Source: {s.kpi.source}."))
        if kpis.values_up_to(s.kpi, q):
            block.add(ChartBlock(kpis.kpi_chart(s.kpi, q)))

    risk_section = doc.section("Risks above tolerance")
    above = report.above_tolerance
    risk_section.add(Paragraph(f"The register as it stands on {uk_date(report.as_at)}, rated on the "
                               f"{report.matrix.name} matrix. "
                               f"{counted(len(above), 'open risk')} {'is' if len(above) == 1 else 'are'} rated above "
                               f"the tolerance the partnership set for {'it' if len(above) == 1 else 'them'}."))
    if above:
        risk_section.add(TableBlock(risk_table(above, "Risks above tolerance")))
    risk_section.add(TableBlock(heat_table(report)))

    money = doc.section("Funding summary")
    money.add(TableBlock(_funding_table(report)))
    flagged = [f"{s.stream.name} ({s.stream.financial_year}): {flag}" for s in report.funding for flag in s.flags]
    if flagged:
        money.add(Bullets(flagged))
    money.add(Paragraph(funding.FLAG_RULES, "note"))
    return doc


def risk_table(rows, title) -> Table:
    return Table(key="risks", title=title, columns=[
        Column("ref", "Ref"), Column("title", "Risk"), Column("owner", "Owner"), Column("rating", "Current rating"),
        Column("tolerance", "Tolerance"), Column("target", "Target rating"), Column("review", "Next review")],
        rows=[{"ref": r.risk.reference, "title": r.risk.title, "owner": r.risk.owner.name,
               "rating": f"{r.current.text} (L{r.current.likelihood.code} {r.current.likelihood.label} × "
                         f"I{r.current.impact.code} {r.current.impact.label})",
               "tolerance": r.risk.tolerance, "target": r.target.text,
               "review": uk_date(r.risk.review_on) + (" (overdue)" if r.overdue else "")} for r in rows])


def heat_table(report: BoardReport) -> Table:
    heat = risks.heat_map(report.partnership, report.as_at)
    columns = [Column("likelihood", "Likelihood")] + [
        Column(f"i{im.code}", f"Impact {im.code} {im.label}") for im in heat["impacts"]]
    rows = []
    for level, cells in heat["rows"]:
        row = {"likelihood": f"{level.code} {level.label}"}
        for im, cell in zip(heat["impacts"], cells):
            row[f"i{im.code}"] = (f"{cell.rating.text}: {cell.count}" + (f" ({', '.join(cell.references)})"
                                                                        if cell.references else ""))
        rows.append(row)
    return Table(key="heat-map", title="Heat map: open risks by current likelihood and impact", columns=columns,
                 rows=rows, note="Each cell gives its rating, the number of open risks in it and their references.")


def _funding_table(report: BoardReport) -> Table:
    rows = [{"name": s.stream.name, "year": s.stream.financial_year, "amount": funding.pounds(s.stream.amount),
             "allocated": funding.pounds(s.allocated), "spent": funding.pounds(s.spent),
             "remaining": funding.pounds(s.remaining), "claimed": funding.pounds(s.claimed)} for s in report.funding]
    if report.funding:
        total = {k: sum((getattr(s, k) for s in report.funding), Decimal("0")) for k in
                 ("allocated", "spent", "remaining", "claimed")}
        rows.append({"name": "Total", "year": "", "amount": funding.pounds(sum((s.stream.amount for s in report.funding),
                                                                                Decimal("0"))),
                     **{k: funding.pounds(v) for k, v in total.items()}})
    return Table(key="funding", title=f"Funding streams to the end of {report.quarter.label}", columns=[
        Column("name", "Stream"), Column("year", "Year"), Column("amount", "Amount"), Column("allocated", "Allocated"),
        Column("spent", "Spent"), Column("remaining", "Remaining"), Column("claimed", "Claimed")], rows=rows,
        note="Remaining is the amount less what has been spent. Amounts in pounds, to the penny.")


def board_file(partnership, quarter: Quarter, fmt: str, today: date | None = None) -> bytes:
    report = gather(partnership, quarter, today)
    if fmt == "json":
        return as_json(report).encode()
    if fmt not in ("pdf", "docx"):
        raise ReportRefused(f"{fmt!r} is not a report format (json, pdf or docx)")
    from saferplan.core.downloads import render_document

    return render_document(document(report), fmt)
