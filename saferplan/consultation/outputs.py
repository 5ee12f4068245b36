"""Outputs: the consultation report (PDF, DOCX), anonymised responses (CSV, XLSX).

Equality answers appear only as aggregate tables (counts under 10 suppressed); the response
exports carry neither contact details nor equality answers, and free text marked as identifying
is withheld.
"""
from __future__ import annotations

import io

from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone

from saferplan.documents.charts import bar_chart
from saferplan.documents.document import Bullets, ChartBlock, Document, Paragraph, TableBlock
from saferplan.documents.downloads import attachment, csv_text, xlsx_cell
from saferplan.documents.tables import Column, Table
from saferplan.wording import counted

from . import analysis, themes
from .models import COUNTED, Answer, Channel, EqualityResponse, Petition, Representation, Response, Survey

WITHHELD = "[withheld: could identify someone]"


def _uk(d) -> str:
    return d.strftime("%-d %B %Y") if d else ""


def report(survey: Survey) -> Document:
    results = analysis.analyse(survey, other_limit=50)
    respondents = results[0].respondents if results else analysis.counted_responses(survey).count()
    doc = Document(
        title=f"Consultation report: {survey.title}",
        subtitle=survey.partnership.name,
        author=survey.partnership.name,
        meta=[("Consultation period", f"{_uk(survey.opens_on)} to {_uk(survey.closes_on)} ({survey.weeks} weeks)"),
              ("Responses to the survey", f"{respondents:,}"),
              ("Produced", _uk(timezone.localdate()))],
        publish=True,
    )
    method = doc.section("Method")
    method.add(Paragraph(survey.purpose or "The partnership consulted residents and stakeholders on community safety, "
                         "as the Crime and Disorder Act 1998 requires before it sets its priorities."))
    method.add(Paragraph(
        f"The survey was open from {_uk(survey.opens_on)} to {_uk(survey.closes_on)}. It could be answered online, "
        "on tablets at drop-in sessions, or on paper (keyed in by officers); representations were also accepted by "
        "email and letter, and petitions were recorded. Responses imported from other survey platforms are analysed "
        "the same way. Each percentage is of the people who answered that question (the base); multiple-choice "
        "questions are counted per option, so their percentages can add up to more than 100. The ranges are 95% "
        "Wilson confidence intervals."))
    channels = doc.section("Channels and engagement events")
    by_channel = dict(analysis.counted_responses(survey).values_list("channel").annotate(n=Count("pk")))
    channel_table = Table("channels", "Survey responses by channel",
                          [Column("channel", "Channel"), Column("count", "Responses", "count")],
                          [{"channel": label, "count": by_channel.get(value, 0)} for value, label in Channel.choices])
    channels.add(TableBlock(channel_table))
    events = list(survey.events.all())
    if events:
        channels.add(TableBlock(Table(
            "events", "Engagement events (the formal record of the consultation)",
            [Column("date", "Date"), Column("kind", "Type"), Column("place", "Place"), Column("organisation", "Organisation"),
             Column("participants", "Participants", "number"), Column("summary", "Summary of feedback")],
            [{"date": _uk(e.date), "kind": e.get_kind_display(), "place": e.place, "organisation": e.organisation,
              "participants": e.participants, "summary": e.summary} for e in events])))
        channels.add(Paragraph(f"{counted(len(events), 'event')} reached "
                               f"{counted(sum(e.participants for e in events), 'participant')}."))
    else:
        channels.add(Paragraph("No engagement events were recorded."))
    reps = Representation.objects.filter(survey=survey)
    channels.add(Paragraph(
        f"Representations received: {reps.filter(kind='email').count()} by email and {reps.filter(kind='letter').count()} by letter."))
    petitions = list(Petition.objects.filter(survey=survey))
    if petitions:
        channels.add(TableBlock(Table("petitions", "Petitions",
                                      [Column("title", "Title"), Column("signatures", "Signatures", "number"),
                                       Column("received", "Received")],
                                      [{"title": p.title, "signatures": p.signatures, "received": _uk(p.received_on)}
                                       for p in petitions])))
    days = analysis.by_day(survey)
    if days["rows"]:
        first, last = days["rows"][0]["day"], days["rows"][-1]["day"]
        channels.add(Paragraph(f"Responses arrived on {counted(len(days['rows']), 'day')} between {_uk(first)} and {_uk(last)}."))

    section = doc.section("Results")
    for r in results:
        q = r.question
        heading = f"{q.code}. {q.text}"
        if q.is_choice:
            rows = [{"label": o.label, "count": o.count, "percent": o.percent,
                     "interval": f"{o.low:.1f}% to {o.high:.1f}%"} for o in r.options]
            table = Table(f"{q.code}", heading,
                          [Column("label", "Answer"), Column("count", "Respondents", "count"),
                           Column("percent", "% of base", "pct", depends_on=("count",)),
                           Column("interval", "95% interval")], rows,
                          note=f"Base: {r.base:,} of {r.respondents:,} respondents answered this question.")
            if r.base:
                chart = bar_chart(f"chart-{q.code}", heading, rows, "label", "percent", table,
                                  f"Bar chart of the percentage choosing each answer to {q.code}", "% of those answering",
                                  publish=True)
                section.add(ChartBlock(chart))
            else:
                section.add(TableBlock(table))
            if r.others:
                section.add(Paragraph(f"‘Other’ answers to {q.code} ({len(r.others)}):", "note"),
                            Bullets(r.others[:20]))
        else:
            section.add(Paragraph(heading, "lead"),
                        Paragraph(f"{r.base:,} of {r.respondents:,} respondents answered in their own words; "
                                  "see the themes below."))

    theme_section = doc.section("Themes in the free-text answers")
    any_theme = False
    for item in themes.overview(survey):
        rows = [{"theme": t["theme"].name, "count": t["count"], "percent": t["percent"]} for t in item["themes"]]
        if rows:
            any_theme = True
            theme_section.add(TableBlock(Table(
                f"themes-{item['question'].code}", f"{item['question'].code}. {item['question'].text}",
                [Column("theme", "Theme"), Column("count", "Answers", "count"),
                 Column("percent", "% of answers", "pct", depends_on=("count",))], rows,
                note=f"{item['answers']:,} answers, {item['coded']:,} coded. An answer can have more than one theme.")))
    if not any_theme:
        theme_section.add(Paragraph("No themes have been agreed yet."))

    profile = analysis.census_profile(survey)
    prof = doc.section("Who responded")
    prof.add(Paragraph(
        "Respondents who chose to give their age, against the Census 2021 usual residents of the area. "
        f"A group is marked under-represented when its share of respondents is under {int(analysis.UNDER_REPRESENTED_RATIO * 100)}% "
        f"of its share of the population. Counts under {analysis.CELL_THRESHOLD} are not shown."))
    prof.add(TableBlock(Table(
        "profile", "Respondents' age against the Census 2021 population",
        [Column("band", "Age band"), Column("respondents", "Respondents"), Column("share", "% of respondents"),
         Column("population", "Residents (Census 2021)", "number"), Column("pop_share", "% of residents"),
         Column("flag", "Under-represented")],
        [{"band": row["band"], "respondents": row["count_display"],
          "share": "[c]" if row["share"] is None else f"{row['share']:.1f}%", "population": row["population"],
          "pop_share": f"{row['population_share']:.1f}%", "flag": "Yes" if row["under_represented"] else ""}
         for row in profile["rows"]])))
    for item in analysis.equality_summary(survey):
        if item["base_display"] in ("0",):
            continue
        prof.add(TableBlock(Table(
            f"equality-{item['code']}", f"{item['label']}: {item['text']}",
            [Column("label", "Answer"), Column("count", "Respondents"), Column("percent", "%")],
            [{"label": row["label"], "count": row["display"],
              "percent": "[c]" if row["percent"] is None else f"{row['percent']:.1f}%"} for row in item["rows"]],
            note=f"Equality answers are optional and are reported only in aggregate. Base: {item['base_display']}.")))
    doc.footer = "Produced by Saferplan. Equality answers are stored apart from survey answers and are never published individually."
    return doc


def document_response(document: Document, fmt: str, name: str) -> HttpResponse:
    if fmt == "pdf":
        from saferplan.documents.pdf import render_pdf

        return attachment(render_pdf(document), f"{name}.{fmt}")
    if fmt == "docx":
        from saferplan.documents.word import render_docx

        return attachment(render_docx(document), f"{name}.{fmt}")
    else:
        from saferplan.documents.pdf import render_html, style_hash

        response = HttpResponse(render_html(document), content_type="text/html; charset=utf-8")
        response._csp_update = {"style-src": [style_hash()]}  # read by django-csp's middleware
        return response


def anonymised_rows(survey: Survey) -> tuple[list[str], list[list]]:
    """One row a counted response: no reference, no contact details, no equality answers."""
    questions = list(survey.ordered_questions())
    header = ["response", "channel", "date"]
    for q in questions:
        header.append(q.code)
        if q.allow_other:
            header.append(f"{q.code}_other")
    labels = {o.pk: o.label for q in questions for o in q.options.all()}
    values: dict[int, dict] = {}
    answers = (analysis.counted_answers(survey)
               .values_list("response_id", "question__code", "option_id", "text", "identifying").order_by("pk"))
    for rid, code, option_id, text, identifying in answers.iterator(chunk_size=10000):
        v = values.setdefault(rid, {})
        if option_id:
            v.setdefault(code, []).append(labels.get(option_id, ""))
            if text:
                v[f"{code}_other"] = WITHHELD if identifying else text
        else:
            v[code] = WITHHELD if identifying else text
    rows = []
    responses = (Response.objects.filter(survey=survey, status__in=COUNTED).order_by("submitted_at", "pk")
                 .values_list("pk", "channel", "submitted_at"))
    for n, (rid, channel, submitted) in enumerate(responses.iterator(chunk_size=10000), 1):
        v = values.get(rid, {})
        row = [n, Channel(channel).label, timezone.localtime(submitted).date().isoformat()]
        for q in questions:
            cell = v.get(q.code, "")
            row.append("; ".join(cell) if isinstance(cell, list) else cell)
            if q.allow_other:
                row.append(v.get(f"{q.code}_other", ""))
        rows.append(row)
    return header, rows


def responses_csv(survey: Survey) -> str:
    header, rows = anonymised_rows(survey)
    return csv_text(header, rows)


def responses_xlsx(survey: Survey) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, rows = anonymised_rows(survey)
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "Responses"
    sheet.append([xlsx_cell(c) for c in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([xlsx_cell(c) for c in row])
    sheet.freeze_panes = "A2"
    questions = book.create_sheet("Questions")
    questions.append(["code", "question", "type", "options"])
    for q in survey.ordered_questions():
        questions.append([xlsx_cell(v) for v in (q.code, q.text, q.get_type_display(),
                                                 "; ".join(o.label for o in q.options.all()))])
    notes = book.create_sheet("About")
    for line in [
        f"{survey.title}: anonymised responses",
        "No names, contact details, references or equality answers are included.",
        f"Free text that staff marked as possibly identifying someone is shown as {WITHHELD}.",
        "Multiple-choice answers are joined by ‘; ’.",
    ]:
        notes.append([xlsx_cell(line)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def personal_data_counts(survey: Survey) -> dict:
    responses = Response.objects.filter(survey=survey)
    return {
        "Contact details on responses": responses.exclude(contact_name="", contact_email="").count(),
        "Equality monitoring answers": EqualityResponse.objects.filter(survey=survey).count(),
        "Free-text answers marked as identifying": Answer.objects.filter(
            response__survey=survey, identifying=True).exclude(text="").count(),
        "Senders of representations": Representation.objects.filter(survey=survey).exclude(
            sender_name="", sender_contact="").count(),
        "Attachments": Representation.objects.filter(survey=survey).exclude(attachment="").count(),
        "Lead petitioners": Petition.objects.filter(survey=survey).exclude(lead_petitioner="").count(),
    }
