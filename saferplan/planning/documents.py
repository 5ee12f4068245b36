"""The plan's documents: the full plan (PDF and Word), the plan on a page (one landscape A4 page),
the equality impact assessment, and the JSON export. All read ``services.snapshot``."""
from __future__ import annotations

import json
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone

from saferplan.documents.document import Bullets, Document, Paragraph, TableBlock
from saferplan.documents.tables import Column, Table

from . import services
from .models import CandidateIssue, Plan, Workshop, with_unit


def _date(value: str | None) -> str:
    return date.fromisoformat(value).strftime("%-d %B %Y") if value else ""


def _money(amount) -> str:
    return "" if amount is None else f"£{amount:,.0f}"


def _kpi_target(k: dict) -> str:
    if k.get("target_text"):
        return k["target_text"]
    return with_unit(k.get("target"), k.get("unit", ""))


def _kpi_baseline(k: dict) -> str:
    if k.get("baseline") is None:
        return "Not set"
    return with_unit(k["baseline"], k.get("unit", "")) + (f" ({k['baseline_period']})" if k.get("baseline_period") else "")


def text_table(key: str, title: str, columns: list[tuple[str, str]], rows: list[dict], note: str = "") -> TableBlock:
    return TableBlock(Table(key, title, [Column(k, label) for k, label in columns], rows, note=note))


def period_label(period: str) -> str:
    from saferplan.core.periods import Period

    try:
        return Period.parse(period).label()
    except ValueError:  # a figure typed in by hand, for a period written some other way
        return period.replace(":", " to ")


def evidence_basis(plan: Plan) -> list[str]:
    """One line for each stage the plan rests on, as the committee report would put it: as it was
    when the plan was adopted, or as it is now for a plan still being drafted."""
    if not plan.editable and plan.frozen.get("basis") is not None:
        return plan.frozen["basis"]
    return live_evidence_basis(plan)


def live_evidence_basis(plan: Plan) -> list[str]:
    partnership = plan.partnership
    lines = []
    issues = list(CandidateIssue.objects.filter(partnership=partnership).exclude(period=""))
    if issues:
        lines.append(f"The strategic assessment of crime and disorder for {period_label(issues[0].period)}.")
    from . import evidence_sources

    concern = evidence_sources.concern_results(partnership, question_id=plan.concern_question_id)
    if concern:
        # The same survey and question, and so the same base, as every public concern figure in the plan.
        lines.append(f"The public consultation “{concern.survey_title}”: {concern.base:,} people answered the question "
                     f"“{concern.question_text}”; every public concern percentage in this plan is of those "
                     f"{concern.base:,} people.")
    workshops = list(Workshop.objects.filter(partnership=partnership).order_by("held_on"))
    if workshops:
        names = "; ".join(f"{w.title} ({w.held_on:%-d %B %Y})" for w in workshops)
        lines.append(f"{len(workshops)} partner workshop{'s' if len(workshops) != 1 else ''}: {names}.")
    return lines


def build_plan_document(plan: Plan) -> Document:
    snap = services.snapshot(plan, with_values=False)
    version = plan.versions.order_by("-number").first()
    doc = Document(
        title=plan.title, subtitle=plan.partnership.name, publish=True, author=plan.partnership.name,
        meta=[("Period", plan.period_label), ("Status", plan.get_status_display()),
              ("Area", ", ".join(plan.partnership.areas))] + ([("Version", str(version))] if version else []),
        footer=f"Produced by Saferplan on {timezone.localdate():%-d %B %Y}.",
    )
    intro = doc.section("Introduction")
    if plan.vision:
        intro.add(Paragraph(plan.vision, "lead"))
    for para in [p.strip() for p in plan.introduction.split("\n\n") if p.strip()]:
        intro.add(Paragraph(para))
    basis = evidence_basis(plan)
    intro.add(Paragraph("The plan rests on:" if basis else
                        "The plan rests on the strategic assessment, the public consultation and partner workshops."))
    if basis:
        intro.add(Bullets(basis))

    glance = doc.section("Our priorities at a glance")
    glance.add(text_table("priorities", "Themes and priorities", [("theme", "Theme"), ("priority", "Priority"),
                                                                  ("actions", "Actions")],
                          [{"theme": t["title"], "priority": p["title"], "actions": str(len(p["actions"]))}
                           for t in snap["themes"] for p in t["priorities"]]))
    ranked = services.plan_ranking(plan)
    if ranked:
        how = doc.section("How the priorities were chosen")
        w = services.plan_weights(plan)
        how.add(Paragraph(
            "Each candidate issue was scored from 0 to 5 on volume, trend, harm, public concern, partner view and "
            f"the partnership’s judgement, weighted {w['volume']}, {w['trend']}, {w['harm']}, {w['concern']}, "
            f"{w['partner']} and {w['judgement']} respectively. The partnership chose its priorities from the "
            "ranked list" + (", which is shown as it stood when the plan was adopted." if not plan.editable else ".")))
        how.add(text_table("ranking", "Ranked issues", [("rank", "Rank"), ("issue", "Issue"), ("score", "Score"),
                                                         ("chosen", "In the plan")],
                           [{"rank": str(r["rank"]), "issue": r["issue"], "score": f"{r['total']:.2f}",
                             "chosen": "Yes" if r["chosen"] else ""} for r in ranked]))
    for theme in snap["themes"]:
        section = doc.section(f"Theme: {theme['title']}")
        if theme["description"]:
            section.add(Paragraph(theme["description"]))
        for p in theme["priorities"]:
            sub = doc.section(f"Priority: {p['title']}", level=3)
            if p["description"]:
                sub.add(Paragraph(p["description"]))
            if p["outcome"]:
                sub.add(Paragraph(f"What success looks like: {p['outcome']}"))
            if p["evidence"]:
                sub.add(Paragraph("The evidence behind it:"))
                sub.add(Bullets([f"{_kind(e['kind'])}: {e['title']}" for e in p["evidence"]]))
            if p["actions"]:
                sub.add(text_table(f"actions-{p['id']}", f"Actions for {p['title']}", [
                    ("action", "Action"), ("owner", "Owner"), ("lead", "Lead"), ("group", "Sub-group"),
                    ("due", "Due"), ("funding", "Funding")], [
                    {"action": a["title"], "owner": a["owner_organisation"], "lead": a["lead"] or "",
                     "group": a["sub_group"] or "", "due": _date(a["due_date"]),
                     "funding": _funding(a["funding"])} for a in p["actions"]]))
                kpis = [(a, k) for a in p["actions"] for k in a["kpis"]]
                if kpis:
                    sub.add(text_table(f"kpis-{p['id']}", f"How we will measure progress on {p['title']}", [
                        ("kpi", "Indicator"), ("baseline", "Baseline"), ("target", "Target"), ("direction", "Direction"),
                        ("frequency", "Reported"), ("source", "Source")], [
                        {"kpi": k["title"], "baseline": _kpi_baseline(k), "target": _kpi_target(k),
                         "direction": k["direction_label"], "frequency": k["frequency"].capitalize(),
                         "source": k["source"] + (" (from imported data)" if k["measure"] else "")}
                        for a, k in kpis]))
    if snap["funding"]:
        money = doc.section("Funding")
        money.add(Paragraph("Funding is aligned to the priorities through the actions it pays for."))
        money.add(text_table("funding", "Funding by source", [("source", "Source"), ("amount", "Amount")],
                             [{"source": f["source"], "amount": _money(f["amount"])} for f in snap["funding"]]))
    eia = getattr(plan, "eia", None) if _has_eia(plan) else None
    if eia is not None:
        doc.section("Equality impact").add(Paragraph(
            f"An equality impact assessment ({eia.get_status_display().lower()}) accompanies this plan. "
            f"{eia.overall}."))
    you_said = list(plan.you_said.prefetch_related("priorities"))
    if you_said:
        doc.section("You said, we did").add(text_table(
            "you-said", "What the consultation found and what the plan does about it",
            [("said", "You said"), ("did", "We did")], [{"said": r.you_said, "did": r.we_did} for r in you_said]))
    if snap["approval"]:
        gov = doc.section("How the plan was approved")
        gov.add(text_table("approval", "Meetings that considered the plan", [
            ("date", "Date"), ("committee", "Committee"), ("decision", "Decision")],
            [{"date": _date(s["meeting_date"]), "committee": s["committee"], "decision": s["decision"]}
             for s in snap["approval"]]))
        for s in snap["approval"]:
            if s["comments"] or s["decision_text"]:
                gov.add(Paragraph(f"{s['committee']}, {_date(s['meeting_date'])}", "lead"))
                for para in [p.strip() for p in s["comments"].split("\n") if p.strip()]:
                    gov.add(Paragraph(para))
                if s["decision_text"]:
                    gov.add(Paragraph(f"Decision: {s['decision_text']}"))
    return doc


def _has_eia(plan) -> bool:
    from .models import EqualityImpactAssessment

    return EqualityImpactAssessment.objects.filter(plan=plan).exists()


def _kind(kind: str) -> str:
    from .models import EvidenceKind

    try:
        return EvidenceKind(kind).label
    except ValueError:
        return "Evidence"


def _funding(f: dict) -> str:
    if not f["source"]:
        return "None needed"
    label = f["detail"] or f["source"]
    return f"{label}: {_money(f['amount'])}" if f["amount"] is not None else label


def plan_file(plan: Plan, fmt: str) -> bytes:
    doc = build_plan_document(plan)
    if fmt == "pdf":
        from saferplan.documents.pdf import render_pdf

        return render_pdf(doc)
    from saferplan.documents.word import render_docx

    return render_docx(doc)


# --- The plan on a page --------------------------------------------------------------------------

MAX_ACTIONS = 3


def plan_on_a_page_context(plan: Plan) -> dict:
    """What the one-page summary shows: each priority's first actions and two of its KPIs."""
    snap = services.snapshot(plan)
    themes = []
    for t in snap["themes"]:
        priorities = []
        for p in t["priorities"]:
            shown = p["actions"][:MAX_ACTIONS]
            priorities.append({
                "title": p["title"],
                "actions": [{"title": a["title"], "owner": a["owner_organisation"], "due": _date(a["due_date"])}
                            for a in shown],
                "more": len(p["actions"]) - len(shown),
                "kpis": [{"title": k["title"], "target": _kpi_target(k)}
                         for a in p["actions"] for k in a["kpis"]][:2],
            })
        themes.append({"title": t["title"], "priorities": priorities})
    return {
        "plan": plan, "themes": themes, "basis": evidence_basis(plan),
        "funding": [{"source": f["source"], "amount": _money(f["amount"])} for f in snap["funding"]],
        "approval": [{"committee": s["committee"], "date": _date(s["meeting_date"]), "decision": s["decision"].lower()}
                     for s in snap["approval"]],
    }


def plan_on_a_page_html(plan: Plan) -> str:
    return render_to_string("documents/plan_on_a_page.html", plan_on_a_page_context(plan))


def plan_on_a_page_pdf(plan: Plan) -> bytes:
    from saferplan.documents.pdf import html_to_pdf

    return html_to_pdf(plan_on_a_page_html(plan))


# --- The equality impact assessment --------------------------------------------------------------


def build_eia_document(plan: Plan) -> Document:
    eia = services.ensure_eia(plan)
    rows = services.eia_rows(eia)
    doc = Document(title="Equality Impact Assessment", subtitle=plan.title, publish=True, author=plan.partnership.name,
                   meta=[(label, value) for label, value in [
                       ("Reference", eia.reference or "None yet"), ("Author", eia.author),
                       ("Head of service", eia.head_of_service), ("Cabinet member", eia.cabinet_member),
                       ("Status", eia.get_status_display()), ("Signed off", services.eia_sign_off(eia))] if value],
                   footer=f"Produced by Saferplan on {timezone.localdate():%-d %B %Y}.")
    context = doc.section("Context and background")
    context.add(Paragraph(eia.context or "Not yet written."))
    doc.section("Baseline data and information").add(Paragraph(eia.baseline or "Not yet written."))
    groups = doc.section("Protected groups")
    groups.add(text_table("protected", "Impact on each protected characteristic", [
        ("characteristic", "Protected characteristic"), ("impact", "Impact"), ("narrative", "Why, and what the plan does"),
        ("evidence", "Evidence")], [
        {"characteristic": r.get_characteristic_display(), "impact": r.get_impact_display(),
         "narrative": r.narrative or "–",
         "evidence": "; ".join(f"{e.title}" + (f" ({services.absolute(e.url)})" if e.url else "")
                               for e in r.evidence.all()) or "–"} for r in rows]))
    health = doc.section("Health inequalities")
    health.add(text_table("health", "Health inequalities", [("question", "Question"), ("answer", "Answer")], [
        {"question": q, "answer": a or "Not yet written."} for q, a in services.eia_answers(eia, services.EIA_HEALTH)]))
    digital = doc.section("Digital inequalities")
    digital.add(text_table("digital", "Digital inequalities", [("question", "Question"), ("answer", "Answer")], [
        {"question": q, "answer": a or "Not yet written."} for q, a in services.eia_answers(eia, services.EIA_DIGITAL)]))
    steps = doc.section("Next steps")
    actions = list(eia.actions.all())
    if actions:
        steps.add(text_table("actions", "Actions", [("inequality", "Inequality"), ("action", "Action"),
                                                     ("owner", "Owner"), ("timescale", "Timescale")],
                             [{"inequality": a.inequality, "action": a.action, "owner": a.owner,
                               "timescale": a.timescale} for a in actions]))
    else:
        steps.add(Paragraph("No actions have been recorded."))
    doc.section("Monitoring and evaluation").add(Paragraph(eia.monitoring or "Not yet written."))
    doc.section("Impact on council staff").add(Paragraph(eia.staff_impact or "Not yet written."))
    doc.section("Potential equality impact").add(Paragraph(eia.overall), Paragraph(eia.get_status_display()))
    return doc


def eia_file(plan: Plan, fmt: str) -> bytes:
    doc = build_eia_document(plan)
    if fmt == "pdf":
        from saferplan.documents.pdf import render_pdf

        return render_pdf(doc)
    from saferplan.documents.word import render_docx

    return render_docx(doc)


# --- JSON ------------------------------------------------------------------------------------------


def export_data(plan: Plan) -> dict:
    data = services.snapshot(plan, with_values=True)
    # The ranking and the evidence basis as the plan shows them (frozen at adoption), with the
    # public-concern source every concern figure is a share of.
    data["ranking"] = services.plan_ranking(plan)
    data["evidence_basis"] = evidence_basis(plan)
    data["exported_at"] = timezone.now().isoformat(timespec="seconds")
    return data


def export_json(plan: Plan) -> str:
    return json.dumps(export_data(plan), indent=2, ensure_ascii=False)
