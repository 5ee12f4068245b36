"""Outputs: the consultation report (PDF, DOCX), anonymised responses (CSV, XLSX).

Equality answers appear only as aggregate tables (suppressed by their own disclosure rule); the response
exports carry neither contact details nor equality answers, and free text marked as identifying
is withheld.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from saferplan.documents.charts import bar_chart
from saferplan.documents.document import Bullets, ChartBlock, Document, Paragraph, TableBlock
from saferplan.core.downloads import csv_text, xlsx_cell
from saferplan.core.disclosure import EQUALITY_ANSWERS, SURVEY_ANSWERS, Rule, protect_line
from saferplan.documents.tables import Column, Table
from saferplan.partnership.branding import document_logo
from saferplan.wording import counted

from . import analysis, redaction, themes
from .models import (
    COUNTED,
    Answer,
    Channel,
    EqualityResponse,
    ImportBatch,
    Petition,
    Redaction,
    Representation,
    Response,
    Survey,
)

WITHHELD = "[withheld: could identify someone]"


def _uk(d) -> str:
    return d.strftime("%-d %B %Y") if d else ""


@dataclass
class DisclosedTable(Table):
    """A published table whose rows may name counts to hide beyond the small ones (``_hidden``):
    the complementary cells that would otherwise give a small count away by subtraction."""

    rule: Rule = SURVEY_ANSWERS

    def is_suppressed(self, row: dict, column: Column) -> bool:
        forced = row.get("_hidden", ())
        if column.key in forced or any(key in forced for key in column.depends_on):
            return True
        return super().is_suppressed(row, column)


def _protected_rows(rows: list[dict], key: str = "count", total_shown: bool = True) -> list[dict]:
    """Mark the counts to hide so that, with the total shown, no small count can be recovered."""
    hidden = protect_line([r[key] for r in rows], SURVEY_ANSWERS, total_shown)
    return [{**r, "_hidden": (key,) if off else ()} for r, off in zip(rows, hidden)]


def _chart_of(table: DisclosedTable, key: str, title: str, description: str, x_title: str):
    """A bar chart that draws only what its table shows: every category stays on the axis, a
    hidden one labelled as suppressed, with no bar."""
    column = next(c for c in table.columns if c.key == "percent")
    rows, order = [], []
    for r in table.rows:
        off = table.is_suppressed(r, column)
        label = f"{r['label']} (suppressed)" if off else r["label"]
        order.append(label)
        rows.append({"label": label, "percent": None if off else r["percent"]})
    chart = bar_chart(key, title, rows, "label", "percent", table, description, x_title, publish=False)
    chart.spec.setdefault("encoding", {}).setdefault("y", {})["scale"] = {"domain": order}
    return chart


def _masked_summary(text: str, limit: int = 600) -> str:
    text = " ".join(redaction.masked(text or "").split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def key_findings(survey: Survey, results: list, respondents: int, by_channel: dict) -> list[str]:
    """The few sentences a committee reads first (as in Medway's consultation section): who
    answered, the leading answers to each question, the main themes and the correspondence."""
    found = []
    # Only figures the report's tables show: a count hidden there (small, or protecting a small
    # one) is not given here either.
    channel_hidden = protect_line([by_channel.get(value, 0) for value, _ in Channel.choices], SURVEY_ANSWERS)
    channels = ", ".join(f"{label.lower()} {by_channel[value]:,}" for (value, label), off
                         in zip(Channel.choices, channel_hidden) if not off)
    found.append(f"{counted(respondents, 'person', 'people')} answered the survey between {_uk(survey.opens_on)} and {_uk(survey.closes_on)}"
                 + (f" ({channels})." if channels else "."))
    for r in results:
        if not r.question.is_choice or r.base < SURVEY_ANSWERS.threshold:
            continue
        hidden = protect_line([o.count for o in r.options], SURVEY_ANSWERS, not r.question.is_multiple)
        shown = [o for o, off in zip(r.options, hidden) if not off and not o.is_other]
        top = sorted(shown, key=lambda o: -o.count)[: (3 if r.question.is_multiple else 1)]
        if top:
            answers = "; ".join(f"{o.label} ({o.percent:.0f}%)" for o in top)
            found.append(f"{r.question.text} Most chosen: {answers}, of {r.base:,} who answered.")
    for item in themes.overview(survey):
        leading = [t for t in item["themes"] if t["count"] >= SURVEY_ANSWERS.threshold][:3]
        if leading:
            found.append(f"In their own words ({item['question'].text}), the themes raised most were "
                         + "; ".join(f"{t['theme'].name} ({counted(t['count'], 'answer')})" for t in leading) + ".")
    reps = Representation.objects.filter(survey=survey)
    petitions = list(Petition.objects.filter(survey=survey))
    if reps.exists() or petitions:
        found.append(f"{counted(reps.count(), 'letter or email', 'letters and emails')} and {counted(len(petitions), 'petition')} were received"
                     + (": " + "; ".join(f"“{p.title}” ({counted(p.signatures, 'signature')})" for p in petitions[:3]) if petitions else "")
                     + ". They are summarised below.")
    profile = analysis.census_profile(survey)
    missing = [row["band"] for row in profile["rows"] if row["under_represented"]]
    if missing and profile["has_census"]:
        found.append("Under-represented among respondents, against the Census 2021: people aged " + ", ".join(missing) + ".")
    return found


def report(survey: Survey) -> Document:
    results = analysis.analyse(survey, other_limit=5000)
    respondents = results[0].respondents if results else analysis.counted_responses(survey).count()
    examples = analysis.example_responses(survey)
    example_note = (f" Example data: {examples:,} of the {counted(respondents, 'response')} were made up by a program for the "
                    "demo and are not the views of real people." if examples else "")
    doc = Document(
        title=f"Consultation report: {survey.title}" + (" (EXAMPLE DATA)" if examples else ""),
        subtitle=survey.partnership.name,
        author=survey.partnership.name,
        logo=document_logo(survey.partnership),
        meta=[("Consultation period", f"{_uk(survey.opens_on)} to {_uk(survey.closes_on)} ({survey.weeks} weeks)"),
              ("Responses to the survey", f"{respondents:,}"),
              *([("Example data", f"{examples:,} made-up responses, not the views of real people")] if examples else []),
              ("Produced", _uk(timezone.localdate()))],
        publish=True,
    )
    by_channel = dict(analysis.counted_responses(survey).values_list("channel").annotate(n=Count("pk")))
    summary = doc.section("Key findings")
    if examples:
        summary.add(Paragraph("EXAMPLE DATA." + example_note, "lead"))
    summary.add(Bullets(key_findings(survey, results, respondents, by_channel)))

    method = doc.section("Method")
    method.add(Paragraph(survey.purpose or "The partnership consulted residents and stakeholders on community safety, "
                         "as the Crime and Disorder Act 1998 requires before it sets its priorities."))
    method.add(Paragraph(
        f"The survey was open from {_uk(survey.opens_on)} to {_uk(survey.closes_on)}. It could be answered online, "
        "on tablets at drop-in sessions, or on paper (keyed in by officers); representations were also accepted by "
        "email and letter, and petitions were recorded. Responses imported from other survey platforms are analysed "
        "the same way. Each percentage is of the people who answered that question (the base); multiple-choice "
        "questions are counted per option, so their percentages can add up to more than 100. The ranges are 95% "
        "Wilson confidence intervals. Names, addresses, postcodes, phone numbers and email addresses are removed "
        "from every quoted answer." + example_note))
    channels = doc.section("Channels and engagement events")
    channel_table = DisclosedTable(
        "channels", "Survey responses by channel", [Column("label", "Channel"), Column("count", "Responses", "count")],
        _protected_rows([{"label": label, "count": by_channel.get(value, 0)} for value, label in Channel.choices]),
        note=f"Base: all {counted(respondents, 'response')}.")
    channels.add(TableBlock(channel_table))
    events = list(survey.events.all())
    if events:
        channels.add(TableBlock(Table(
            "events", "Engagement events (the formal record of the consultation)",
            [Column("date", "Date"), Column("kind", "Type"), Column("place", "Place"), Column("organisation", "Organisation"),
             Column("participants", "Participants", "number"), Column("summary", "Summary of feedback")],
            [{"date": _uk(e.date), "kind": e.get_kind_display(), "place": e.place, "organisation": e.organisation,
              "participants": e.participants, "summary": redaction.masked(e.summary)} for e in events])))
        channels.add(Paragraph(f"{counted(len(events), 'event')} reached "
                               f"{counted(sum(e.participants for e in events), 'participant')}."))
    else:
        channels.add(Paragraph("No engagement events were recorded."))
    days = analysis.by_day(survey)
    if days["rows"]:
        first, last = days["rows"][0]["day"], days["rows"][-1]["day"]
        channels.add(Paragraph(f"Responses arrived on {counted(len(days['rows']), 'day')} between {_uk(first)} and {_uk(last)}."))

    _correspondence(doc, survey)

    section = doc.section("Results")
    for r in results:
        q = r.question
        heading = f"{q.code}. {q.text}"
        if q.is_choice:
            rows = [{"label": o.label, "count": o.count, "percent": o.percent,
                     "interval": f"{o.low:.1f}% to {o.high:.1f}%"} for o in r.options]
            # A single answer per person: the options add up to the base, which the note gives.
            rows = _protected_rows(rows, total_shown=not q.is_multiple)
            table = DisclosedTable(
                f"{q.code}", heading,
                [Column("label", "Answer"), Column("count", "Respondents", "count"),
                 Column("percent", "% of base", "pct", depends_on=("count",)),
                 Column("interval", "95% interval", depends_on=("count",))], rows,
                note=f"Base: {r.base:,} of {counted(r.respondents, 'respondent')} answered this question." + example_note)
            if r.base:
                title = ("Example data: " if examples else "") + heading
                section.add(ChartBlock(_chart_of(table, f"chart-{q.code}", title,
                                                 f"Bar chart of the percentage choosing each answer to {q.code}",
                                                 "% of those answering")))
            else:
                section.add(TableBlock(table))
            groups = r.other_groups
            if groups:
                section.add(TableBlock(DisclosedTable(
                    f"{q.code}-other", f"‘Other’ answers to {q.code}, grouped",
                    [Column("label", "Answer"), Column("count", "Respondents", "count")],
                    _protected_rows([{"label": text, "count": n} for text, n in groups]),
                    note=f"{len(r.others):,} ‘Other’ answers; the same answer is counted together. "
                         "Personal details are removed.")))
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
                note=f"Themes agreed by staff. {item['answers']:,} answers, {item['coded']:,} coded. "
                     "An answer can have more than one theme.", rule=SURVEY_ANSWERS)))
    if not any_theme:
        theme_section.add(Paragraph("No themes have been agreed yet."))

    profile = analysis.census_profile(survey)
    prof = doc.section("Who responded")
    prof.add(Paragraph(
        "Respondents who chose to give their age, against the Census 2021 usual residents of the area. "
        f"A group is marked under-represented when its share of respondents is under {int(analysis.UNDER_REPRESENTED_RATIO * 100)}% "
        f"of its share of the population. Counts under {EQUALITY_ANSWERS.threshold} are not shown."))
    prof.add(TableBlock(Table(
        "profile", "Respondents' age against the Census 2021 population",
        [Column("band", "Age band"), Column("respondents", "Respondents"), Column("share", "% of respondents"),
         Column("population", "Residents (Census 2021)", "number"), Column("pop_share", "% of residents"),
         Column("flag", "Under-represented")],
        [{"band": row["band"], "respondents": row["count_display"],
          "share": "[c]" if row["share"] is None else f"{row['share']:.1f}%", "population": row["population"],
          "pop_share": f"{row['population_share']:.1f}%", "flag": "Yes" if row["under_represented"] else ""}
         for row in profile["rows"]], rule=EQUALITY_ANSWERS, presuppressed=True)))
    for item in analysis.equality_summary(survey):
        if item["base_display"] in ("0",):
            continue
        prof.add(TableBlock(Table(
            f"equality-{item['code']}", f"{item['label']}: {item['text']}",
            [Column("label", "Answer"), Column("count", "Respondents"), Column("percent", "%")],
            [{"label": row["label"], "count": row["display"],
              "percent": "[c]" if row["percent"] is None else f"{row['percent']:.1f}%"} for row in item["rows"]],
            note=f"Equality answers are optional and are reported only in aggregate. Base: {item['base_display']}.",
            rule=EQUALITY_ANSWERS, presuppressed=True)))
    doc.footer = "Produced by Saferplan. Equality answers are stored apart from survey answers and are never published individually."
    return doc


def _correspondence(doc: Document, survey: Survey) -> None:
    """Letters, emails and petitions: what they said, summarised, with no one's name or address."""
    section = doc.section("Letters, emails and petitions")
    reps = list(Representation.objects.filter(survey=survey))
    petitions = list(Petition.objects.filter(survey=survey))
    emails = sum(1 for r in reps if r.kind == Representation.Kind.EMAIL)
    section.add(Paragraph(f"Representations received: {emails:,} by email and {len(reps) - emails:,} by letter. "
                          "Each is summarised below; senders are named only when they wrote for an organisation."))
    if reps:
        section.add(TableBlock(Table(
            "representations", "What the letters and emails said",
            [Column("received", "Received"), Column("kind", "Type"), Column("sender", "From"),
             Column("summary", "Summary")],
            [{"received": _uk(r.received_on), "kind": r.get_kind_display(),
              "sender": redaction.masked(r.sender_organisation) or "A resident", "summary": _masked_summary(r.text)}
             for r in reps])))
    if petitions:
        section.add(TableBlock(Table(
            "petitions", "Petitions",
            [Column("title", "Petition"), Column("signatures", "Signatures", "number"), Column("received", "Received"),
             Column("summary", "What it asks")],
            [{"title": redaction.masked(p.title), "signatures": p.signatures, "received": _uk(p.received_on),
              "summary": _masked_summary(p.summary) or "No summary recorded"} for p in petitions],
            note="Petitioners’ names are not published.")))
    else:
        section.add(Paragraph("No petitions were received."))
def anonymised_rows(survey: Survey) -> tuple[list[str], list[list]]:
    """One row a counted response: no reference, no contact details, no equality answers, and in
    free text no names, addresses, postcodes, phone numbers or emails. Made-up example responses
    say so in their own column."""
    questions = list(survey.ordered_questions())
    header = ["response", "example_data", "channel", "date"]
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
                v[f"{code}_other"] = WITHHELD if identifying else redaction.masked(text)
        else:
            v[code] = WITHHELD if identifying else redaction.masked(text)
    rows = []
    responses = (Response.objects.filter(survey=survey, status__in=COUNTED).order_by("submitted_at", "pk")
                 .values_list("pk", "channel", "submitted_at", "is_example"))
    for n, (rid, channel, submitted, is_example) in enumerate(responses.iterator(chunk_size=10000), 1):
        v = values.get(rid, {})
        row = [n, "Yes: made up" if is_example else "No", Channel(channel).label,
               timezone.localtime(submitted).date().isoformat()]
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
        "Names, addresses, postcodes, phone numbers and emails found in free text are replaced by [name removed] etc.",
        *([f"EXAMPLE DATA: {analysis.example_responses(survey):,} responses were made up by a program for the demo "
           "(column example_data); they are not the views of real people."] if analysis.example_responses(survey) else []),
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
        "Free-text and ‘Other’ answers that seem to hold personal data, not yet redacted":
            len(redaction.flagged(survey)),
        "Original text of redacted answers": Redaction.objects.filter(
            answer__response__survey=survey).exclude(original="").count(),
        "Uploaded import files": ImportBatch.objects.filter(survey=survey).exclude(content="").count(),
        "Senders of representations": Representation.objects.filter(survey=survey).exclude(
            sender_name="", sender_contact="").count(),
        "Attachments": Representation.objects.filter(survey=survey).exclude(attachment="").count(),
        "Lead petitioners": Petition.objects.filter(survey=survey).exclude(lead_petitioner="").count(),
    }
