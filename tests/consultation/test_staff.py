"""Staff pages: the survey builder, every channel, imports, themes, outputs and retention."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from saferplan.consultation import services, themes
from saferplan.consultation.models import (
    Answer,
    Channel,
    EngagementEvent,
    EqualityResponse,
    Option,
    Petition,
    PurgeLog,
    Question,
    Representation,
    Response,
    ResponseStatus,
    Survey,
    Theme,
    ThemeSuggestion,
)
from saferplan.consultation.factories import PetitionFactory, QuestionFactory, RepresentationFactory
from saferplan.consultation.testing import respond
from saferplan.partnership.models import RoleKind
from saferplan.partnership.testing import make_member, sign_in_verified

pytestmark = pytest.mark.django_db


def u(name, partnership, **kwargs):
    return reverse(f"consultation:{name}", kwargs={"slug": partnership.slug, **kwargs})


def test_create_a_survey_from_the_coventry_template(staff_client, partnership):
    today = timezone.localdate()
    response = staff_client.post(u("survey-add", partnership), {
        "title": "Melton survey 2025", "slug": "", "template": "coventry-2024", "add_area": "on",
        "opens_on_day": today.day, "opens_on_month": today.month, "opens_on_year": today.year,
        "closes_on_day": "1", "closes_on_month": "1", "closes_on_year": today.year + 1,
        "equality_monitoring": "on",
    })
    assert response.status_code == 302
    survey = Survey.objects.get(slug="melton-survey-2025")
    assert survey.questions.count() == 10 and not survey.published
    assert staff_client.get(survey.get_absolute_url()).status_code == 200


def test_closing_date_before_opening_is_refused(staff_client, partnership):
    page = staff_client.post(u("survey-add", partnership), {
        "title": "Backwards", "template": "blank", "opens_on_day": "2", "opens_on_month": "10", "opens_on_year": "2024",
        "closes_on_day": "10", "closes_on_month": "7", "closes_on_year": "2024"}).content.decode()
    assert "The closing date must be on or after the opening date" in page


def test_builder_adds_a_limited_question_with_other_and_routing(staff_client, survey):
    p = survey.partnership
    yes = Option.objects.get(question__survey=survey, question__code="q1", label="Yes")
    response = staff_client.post(u("question-add", p, pk=survey.pk), {
        "section": survey.sections.first().pk, "code": "q1b", "text": "What happened?", "type": "multiple",
        "options_text": "Burglary\nVehicle crime\nAssault", "max_choices": "2", "allow_other": "on",
        "max_length": "1000", "order": "2", "show_if_option": yes.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    q = Question.objects.get(survey=survey, code="q1b")
    assert [o.label for o in q.options.all()] == ["Burglary", "Vehicle crime", "Assault", "Other"]
    assert q.max_choices == 2 and q.show_if_option == yes
    # Codes are unique in a survey; option lists need two options.
    page = staff_client.post(u("question-add", p, pk=survey.pk), {
        "section": survey.sections.first().pk, "code": "q1b", "text": "Again", "type": "single",
        "options_text": "Only one", "max_length": "1000", "order": "3"}).content.decode()
    assert "Another question in this survey has this code" in page and "Enter at least 2 options" in page


def test_answered_options_are_never_deleted(staff_client, survey):
    respond(survey, q5=["Robbery"])
    q5 = survey.questions.get(code="q5")
    staff_client.post(u("question-edit", survey.partnership, pk=q5.pk), {
        "section": q5.section_id, "code": "q5", "text": q5.text, "type": "multiple", "options_text": "Theft\nBurglary",
        "max_choices": "3", "allow_other": "on", "max_length": "1000", "order": q5.order})
    assert q5.options.filter(label="Robbery").exists() and not q5.options.filter(label="Hate Crime").exists()
    assert staff_client.post(u("question-remove", survey.partnership, pk=q5.pk)).status_code == 302
    assert Question.objects.filter(pk=q5.pk).exists()


def test_copy_a_survey(staff_client, survey):
    q1 = survey.questions.get(code="q1")
    follow = QuestionFactory(section=q1.section, code="q1a", text="Reported?", type="text",
                             show_if_option=q1.options.get(label="Yes"))
    respond(survey, q1="Yes")
    staff_client.post(u("survey-copy", survey.partnership, pk=survey.pk), {"title": "Copy", "slug": "copy-2025"})
    copy = Survey.objects.get(slug="copy-2025")
    assert copy.questions.count() == survey.questions.count() and copy.responses.count() == 0
    assert not copy.published
    routed = copy.questions.get(code="q1a")
    assert routed.show_if_option.question.survey == copy and routed.show_if_option.label == "Yes"
    assert follow


def test_paper_entry_on_one_page(staff_client, survey):
    p = survey.partnership
    page = staff_client.get(u("paper", p, pk=survey.pk)).content.decode()
    assert page.count('type="checkbox"') > 30 and "Save and enter the next" in page
    q5 = {o.label: str(o.pk) for o in survey.questions.get(code="q5").options.all()}
    data = {"q1-answer": str(survey.questions.get(code="q1").options.get(label="No").pk),
            "q5-answer": [q5["Robbery"], q5["Theft"], q5["Burglary"], q5["Hate Crime"]],
            "q4-answer": "Parking", "contact-contact_email": "resident@example.org"}
    refused = staff_client.post(u("paper", p, pk=survey.pk), data).content.decode()
    assert "Select no more than 3 options" in refused and 'href="#id_q5-answer"' in refused and "Parking" in refused
    data["q5-answer"] = data["q5-answer"][:3]
    assert staff_client.post(u("paper", p, pk=survey.pk), data).status_code == 302
    response = Response.objects.get()
    assert response.channel == Channel.PAPER and response.contact_email == "resident@example.org"
    assert response.answers.filter(question__code="q5").count() == 3


def test_partner_officer_can_enter_paper_but_not_review(client, survey):
    officer = make_member(survey.partnership, RoleKind.PARTNER_OFFICER)
    sign_in_verified(client, officer)
    assert client.get(u("paper", survey.partnership, pk=survey.pk)).status_code == 200
    assert client.get(u("responses", survey.partnership, pk=survey.pk)).status_code == 403
    assert client.post(u("survey-edit", survey.partnership, pk=survey.pk), {}).status_code == 403


def test_review_a_possible_duplicate(staff_client, survey):
    respond(survey, client_key="same", q1="Yes")
    dup = respond(survey, client_key="same", q1="Yes")
    assert dup.status == ResponseStatus.POSSIBLE_DUPLICATE
    listing = staff_client.get(u("responses", survey.partnership, pk=survey.pk) + "?status=possible_duplicate")
    assert dup.reference in listing.content.decode()
    staff_client.post(u("response", survey.partnership, pk=dup.pk), {"status": "excluded", "note": "Same person"})
    dup.refresh_from_db()
    assert dup.status == ResponseStatus.EXCLUDED


def test_events_representations_and_petitions(staff_client, survey):
    p = survey.partnership
    staff_client.post(u("event-add", p, pk=survey.pk), {
        "date_day": "20", "date_month": "7", "date_year": "2024", "kind": "drop_in", "place": "Melton Library",
        "organisation": "Friends of the library", "participants": "23", "summary": "Speeding <b>and</b> parking"})
    event = EngagementEvent.objects.get()
    assert event.participants == 23
    listing = staff_client.get(u("events", p, pk=survey.pk)).content.decode()
    assert "Melton Library" in listing and "&lt;b&gt;and&lt;/b&gt;" in listing
    staff_client.post(u("representation-add", p, pk=survey.pk), {
        "kind": "letter", "received_on_day": "1", "received_on_month": "8", "received_on_year": "2024",
        "sender_name": "A Resident", "text": "Please act on speeding.",
        "attachment": SimpleUploadedFile("letter.pdf", b"%PDF-1.4 test", content_type="application/pdf")})
    rep = Representation.objects.get()
    download = staff_client.get(u("representation-attachment", p, pk=rep.pk))
    assert download["Content-Disposition"].startswith("attachment") and b"".join(download.streaming_content) == b"%PDF-1.4 test"
    bad = staff_client.post(u("representation-add", p, pk=survey.pk), {
        "kind": "email", "received_on_day": "1", "received_on_month": "8", "received_on_year": "2024", "text": "x",
        "attachment": SimpleUploadedFile("run.exe", b"MZ")}).content.decode()
    assert "must be a PDF, Word, text, email or image file" in bad
    staff_client.post(u("petition-add", p, pk=survey.pk), {
        "title": "Save our PCSOs", "signatures": "1204", "received_on_day": "2", "received_on_month": "9",
        "received_on_year": "2024"})
    assert Petition.objects.get().signatures == 1204


def test_web_import_with_a_mapping_step(staff_client, survey):
    p = survey.partnership
    text = ("Timestamp,Have you or anyone you know been a victim of ASB or crime in the last 12 months?,Priorities,Name\n"
            "10/07/2024 09:00,Yes,Robbery|Theft,Ann\n11/07/2024 10:30,No,Burglary,Bob\n")
    r = staff_client.post(u("import", p, pk=survey.pk), {"file": SimpleUploadedFile("export.csv", text.encode())})
    batch = survey.imports.get()
    assert r["Location"] == u("import-map", p, pk=batch.pk)
    assert batch.mapping["columns"] == {"0": "submitted_at", "1": "q1", "2": "", "3": ""}
    mapping = {"column-0": "submitted_at", "column-1": "q1", "column-2": "q5", "column-3": "", "separator": ";"}
    # The worker checks the file (at once, in tests); the page shows its errors with the mapping kept.
    page = staff_client.post(u("import-map", p, pk=batch.pk), {**mapping, "action": "import"},
                             follow=True).content.decode()
    assert "export.csv, line 2, column 3 (C, q5): “Robbery|Theft” is not an option of q5" in page
    assert 'value="q5" selected' in page
    assert Response.objects.count() == 0
    mapping["separator"] = "|"
    checked = staff_client.post(u("import-map", p, pk=batch.pk), {**mapping, "action": "check"},
                                follow=True).content.decode()
    assert "All 2 rows are right" in checked
    staff_client.post(u("import-map", p, pk=batch.pk), {**mapping, "action": "import"})
    assert Response.objects.filter(channel=Channel.IMPORTED).count() == 2
    first = Response.objects.order_by("submitted_at").first()
    assert timezone.localtime(first.submitted_at).date() == date(2024, 7, 10)
    batch.refresh_from_db()
    assert batch.content == "" and batch.rows == 2
    assert "Ann" not in str(list(Answer.objects.values_list("text", flat=True)))


@pytest.mark.parametrize("raw, message", [
    ("Timestamp,Priorities,Priorities\n10/07/2024,Theft,Robbery\n".encode(),
     "export.csv, line 1, column 3 (C): “Priorities” appears twice (also column 2 (B))"),
    ("q1,q4\nYes,Speeding\n".encode("utf-16"), "export.csv, line 1: the file is saved as UTF-16"),
    ("q1,q4\nYes,Speeding\nNo,Costs £5\n".encode("cp1252"), "export.csv, line 3, column 2 (B): byte 0xA3 is not UTF-8"),
])
def test_an_upload_that_cannot_be_read_is_refused_with_where_and_how_to_fix(staff_client, survey, raw, message):
    r = staff_client.post(u("import", survey.partnership, pk=survey.pk), {"file": SimpleUploadedFile("export.csv", raw)})
    page = r.content.decode()
    assert r.status_code == 200 and "There is a problem" in page
    assert message.replace("“", "&ldquo;").replace("”", "&rdquo;") in page or message in page
    assert not survey.imports.exists() and not Response.objects.exists()


def test_an_import_pressed_again_after_it_was_done_adds_nothing(staff_client, survey):
    p = survey.partnership
    staff_client.post(u("import", p, pk=survey.pk), {"file": SimpleUploadedFile("export.csv", b"q1\nYes\nNo\n")})
    batch = survey.imports.get()
    mapping = {"column-0": "q1", "separator": ";", "action": "import"}
    assert staff_client.post(u("import-map", p, pk=batch.pk), mapping).status_code == 302
    again = staff_client.post(u("import-map", p, pk=batch.pk), mapping, follow=True).content.decode()
    assert "has already been imported" in again and "imported once only" in again
    assert Response.objects.filter(import_batch=batch).count() == 2


def test_theme_suggestions_are_suggestions_until_accepted(staff_client, survey):
    texts = ["Speeding cars on the main road", "Cars speeding through the village", "Speeding drivers near school",
             "Drug dealing in the park", "People dealing drugs by the shops", "Drugs and dealing at night",
             "Litter and fly tipping everywhere", "Fly tipping in the lanes", "Litter in the town centre",
             "Speeding motorbikes", "Drug users in the park", "Fly tipping and litter again"]
    for t in texts:
        respond(survey, q4=t)
    q4 = survey.questions.get(code="q4")
    staff_client.post(u("theme-coding", survey.partnership, pk=q4.pk), {"action": "suggest"})
    suggestions = list(ThemeSuggestion.objects.filter(question=q4))
    assert suggestions and not Theme.objects.exists()
    speeding = next(s for s in suggestions if any("speed" in k for k in s.keywords))
    staff_client.post(u("theme-coding", survey.partnership, pk=q4.pk),
                      {"action": "accept", "suggestion": speeding.pk, "name": "Speeding"})
    theme = Theme.objects.get(name="Speeding")
    assert theme.answers.count() >= 3
    counts = {c["theme"].name: c["count"] for c in themes.counts(q4)}
    assert counts["Speeding"] == theme.answers.count()
    # Coding by hand, and marking an answer as identifying.
    staff_client.post(u("theme-coding", survey.partnership, pk=q4.pk), {"action": "add", "name": "Drugs"})
    drugs = Theme.objects.get(name="Drugs")
    answer = Answer.objects.get(text="Drug users in the park")
    staff_client.post(u("theme-coding", survey.partnership, pk=q4.pk), {
        "action": "code", "answer_ids": [answer.pk], f"themes-{answer.pk}": [drugs.pk], f"identifying-{answer.pk}": "on"})
    answer.refresh_from_db()
    assert list(answer.themes.all()) == [drugs] and answer.identifying


def test_outputs_report_and_anonymised_exports(staff_client, survey):
    r = respond(survey, q1="Yes", q5=["Robbery", "Other"], q5_other="=cmd()", q4="My name is Jo Bloggs")
    r.contact_email = "jo@example.org"
    r.save()
    Answer.objects.filter(text__startswith="My name").update(identifying=True)
    EqualityResponse.objects.create(survey=survey, response=r, answers={"sex": "Female"})
    p = survey.partnership
    pdf = staff_client.get(u("report", p, pk=survey.pk, fmt="pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = staff_client.get(u("report", p, pk=survey.pk, fmt="docx"))
    assert docx.content[:2] == b"PK"
    text = staff_client.get(u("export", p, pk=survey.pk, fmt="csv")).content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["response", "example_data", "channel", "date"] and "q5_other" in rows[0]
    assert "jo@example.org" not in text and "Female" not in text and r.reference not in text
    assert "Jo Bloggs" not in text and "[withheld" in text
    assert "'=cmd()" in text
    xlsx = staff_client.get(u("export", p, pk=survey.pk, fmt="xlsx"))
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Responses", "Questions", "About"]
    assert book["Responses"].max_row == 2


def test_purge_deletes_personal_data_and_is_logged(staff_client, survey):
    r = respond(survey, client_key="device", q1="Yes", q4="I live at 3 High Street")
    Response.objects.filter(pk=r.pk).update(contact_name="Jo", contact_email="jo@example.org")
    Answer.objects.filter(question__code="q4").update(identifying=True)
    EqualityResponse.objects.create(survey=survey, response=r, answers={"age": "25 to 34"})
    rep = RepresentationFactory(survey=survey, sender_name="Jo", sender_contact="jo@example.org", text="Hello")
    PetitionFactory(survey=survey, title="P", signatures=10, lead_petitioner="Jo")
    survey.purge_on = survey.closes_on + timedelta(days=1)
    survey.save()
    assert services.purge_due(survey.closes_on) == []
    logs = services.purge_due(survey.purge_on)
    assert len(logs) == 1 and logs[0].trigger == "scheduled"
    r.refresh_from_db()
    rep.refresh_from_db()
    assert (r.contact_name, r.contact_email, r.client_hash) == ("", "", "")
    assert not EqualityResponse.objects.exists()
    assert Answer.objects.get(question__code="q4").text == ""
    assert Answer.objects.get(question__code="q1").option.label == "Yes"  # the answers themselves stay
    assert (rep.sender_name, rep.sender_contact) == ("", "")
    assert Petition.objects.get().lead_petitioner == ""
    assert logs[0].counts["equality_responses"] == 1 and logs[0].counts["contact_details"] == 1
    # The audit history never held the sender's details.
    assert not hasattr(Representation.history.model, "sender_name")
    survey.refresh_from_db()
    assert survey.purged_at is not None
    assert services.purge_due(survey.purge_on) == []
    page = staff_client.get(u("retention", survey.partnership, pk=survey.pk)).content.decode()
    assert "Deletion log" in page and "scheduled" in page


def test_manual_purge_needs_confirmation(staff_client, survey):
    url = u("retention", survey.partnership, pk=survey.pk)
    assert "Confirm that you understand" in staff_client.post(url, {}).content.decode()
    staff_client.post(url, {"confirm": "on"})
    assert PurgeLog.objects.get().trigger == "manual"


def test_another_partnerships_survey_is_not_reachable(staff_client, survey):
    from saferplan.consultation.testing import make_survey
    from saferplan.partnership.testing import make_partnership

    elsewhere = make_partnership("Coventry Community Safety Partnership", "coventry", ("E08000026",))
    theirs = make_survey(elsewhere, slug="theirs")
    assert staff_client.get(u("survey", survey.partnership, pk=theirs.pk)).status_code == 404
    assert staff_client.get(u("analysis", survey.partnership, pk=theirs.pk)).status_code == 404
    q = theirs.questions.get(code="q1")
    assert staff_client.post(u("question-remove", survey.partnership, pk=q.pk)).status_code == 404


def test_results_reach_every_member_and_letters_only_those_who_handle_them(client, survey):
    """Partner officers' workshops review the results; a resident's letter, its sender and its
    attachment stay with the manager and the analyst who handle the correspondence."""
    from django.core.files.base import ContentFile

    p = survey.partnership
    respond(survey, q1="Yes")
    rep = Representation(survey=survey, kind="letter", received_on=date(2024, 8, 1), sender_name="Mrs J Smith",
                         sender_contact="12 Park Road, Melton Mowbray", text="Please deal with the speeding.")
    rep.attachment.save("letter.pdf", ContentFile(b"%PDF-1.4 letter"), save=True)
    for kind in RoleKind:
        client.logout()
        sign_in_verified(client, make_member(p, kind))
        handles = kind in (RoleKind.MANAGER, RoleKind.ANALYST)
        assert client.get(u("analysis", p, pk=survey.pk)).status_code == 200, kind
        assert client.get(u("report", p, pk=survey.pk, fmt="html")).status_code == 200, kind
        for name, pk in (("representations", survey.pk), ("representation", rep.pk),
                         ("representation-attachment", rep.pk), ("representation-add", survey.pk)):
            assert client.get(u(name, p, pk=pk)).status_code == (200 if handles else 403), (kind, name)
        assert client.post(u("representation-add", p, pk=survey.pk), {"kind": "email"}).status_code in (
            (200,) if handles else (403,)), kind
        page = client.get(u("survey", p, pk=survey.pk)).content.decode()
        assert ("Emails and letters" in page) == handles, kind
        assert "Mrs J Smith" not in page and "Park Road" not in page


def _report_tables(document):
    from saferplan.documents.document import ChartBlock, TableBlock

    tables, charts = {}, {}
    for section in document.sections:
        for block in section.blocks:
            if isinstance(block, TableBlock):
                tables[block.table.key] = block.table
            elif isinstance(block, ChartBlock):
                charts[block.chart.key] = block.chart
                tables[block.chart.table.key] = block.chart.table
    return tables, charts


def test_report_chart_shows_every_ward_small_ones_labelled_suppressed(survey):
    from saferplan.consultation import outputs

    wards = [o.label for o in survey.questions.get(code="ward").options.all()]
    assert len(wards) == 17
    for n in range(60):
        respond(survey, q1="Yes", ward=wards[0] if n < 40 else wards[1 + n % 4])
    tables, charts = _report_tables(outputs.report(survey))
    chart = charts["chart-ward"]
    domain = chart.spec["encoding"]["y"]["scale"]["domain"]
    assert len(domain) == 17  # every option, none silently dropped
    assert f"{wards[5]} (suppressed)" in domain  # nobody there: shown as suppressed, with no bar
    drawn = {row["category"]: row["value"] for row in chart.spec["data"]["values"]}
    assert drawn[wards[0]] == round(100 * 40 / 60, 1)
    assert set(drawn) == set(wards[:5])
    # What the table hides, the chart does not draw: the wards with 5 each are under no threshold.
    table_text = dict((r[0], r[1:]) for r in tables["ward"].text_rows(publish=True))
    for label, value in drawn.items():
        assert not label.endswith("(suppressed)"), label
        assert table_text[label][0] not in ("<5", "[c]")


def test_published_report_hides_what_it_suppresses_everywhere(survey):
    """No interval or percentage of a suppressed cell, no 100% bar for one person, and no small
    count recoverable as a total minus the rest (online = total - paper)."""
    from saferplan.consultation import outputs

    for n in range(23):
        respond(survey, channel="paper" if n < 3 else "online", q1="Yes" if n < 20 else "No")
    respond(survey, q2="Yes")  # the only person to answer q2... and q1 is left unanswered by them
    document = outputs.report(survey)
    tables, charts = _report_tables(document)
    channels = {r[0]: r[1] for r in tables["channels"].text_rows(publish=True)}
    assert channels["Paper"] == "<5" and channels["Online"] == "[c]"  # 24 in all, shown in the report
    q1 = {r[0]: r[1:] for r in tables["q1"].text_rows(publish=True)}
    assert q1["No"] == ["<5", "[c]", "[c]"]  # count, percent and interval all hidden
    assert q1["Yes"] == ["[c]", "[c]", "[c]"]  # else 23 - 20 gives the 3
    assert not charts["chart-q1"].spec["data"]["values"]  # the chart shows no more than its table
    assert charts["chart-q1"].spec["encoding"]["y"]["scale"]["domain"][:2] == ["Yes (suppressed)", "No (suppressed)"]
    # The key findings give no figure the tables hide: not the online count, nor the 20 who said Yes.
    findings = " ".join(document.sections[0].blocks[-1].items)
    assert "online 20" not in findings and "Yes (" not in findings
    q2 = charts["chart-q2"]
    assert not q2.spec["data"]["values"], "a bar for one respondent"
    assert {r[0]: r[1:] for r in tables["q2"].text_rows(publish=True)}["Yes"] == ["<5", "[c]", "[c]"]


def test_report_has_key_findings_letters_and_petitions_summarised_and_other_grouped(survey):
    from saferplan.consultation import outputs
    from saferplan.documents.pdf import render_html

    for n in range(30):
        respond(survey, q1="Yes" if n < 21 else "No", q5=["Robbery", "Other"] if n < 6 else ["Theft"],
                q5_other="Speeding" if n < 4 else "speeding.")
    respond(survey, q5=["Other"], q5_other="John Smith at 4 Elm Road deals drugs, phone 07700 900123")
    RepresentationFactory(survey=survey, kind="letter", sender_name="Mrs J Smith", sender_contact="12 Park Road",
                          text="The speeding on the A606 at night is dangerous. Signed Mrs J Smith, 12 Park Road")
    RepresentationFactory(survey=survey, received_on=date(2024, 8, 3),
                          sender_organisation="Mr Bob Jones (Asfordby Parish Council)", text="More PCSOs please.")
    PetitionFactory(survey=survey, title="Reopen the police desk", signatures=812, lead_petitioner="Bob Jones",
                    summary="Asks for the front desk to open on Saturdays.")
    document = outputs.report(survey)
    assert document.sections[0].heading == "Key findings"
    findings = " ".join(document.sections[0].blocks[-1].items)
    assert "31 people answered" in findings and "Yes (70%)" in findings and "Theft" in findings
    assert "“Reopen the police desk” (812 signatures)" in findings
    tables, _ = _report_tables(document)
    other = tables["q5-other"].rows
    assert other[0]["label"] == "Speeding" and other[0]["count"] == 6  # "Speeding" x4 and "speeding." x2, together
    # With the total of 7 given, the 6 would give away the single other answer: hidden as well.
    assert [r[1] for r in tables["q5-other"].text_rows(publish=True)] == ["[c]", "<5"]
    html = render_html(document)
    assert "The speeding on the A606 at night is dangerous" in html and "Asks for the front desk" in html
    for personal in ("Mrs J Smith", "Park Road", "John Smith", "Elm Road", "07700 900123", "Bob Jones"):
        assert personal not in html, personal
    assert "[name removed] at [address removed] deals drugs" in html
    assert "[name removed] (Asfordby Parish Council)" in html and "A resident" in html


def test_personal_data_in_free_text_and_other_is_masked_redacted_with_audit_and_purged(client, survey):
    from saferplan.consultation import outputs
    from saferplan.consultation.models import ImportBatch, Redaction

    p = survey.partnership
    respond(survey, q4="Youths outside the shop every night. Signed Mrs J Smith, 12 Park Road, LE13 1GH")
    respond(survey, q5=["Other"], q5_other="John Smith at 4 Elm Road deals drugs, phone 07700 900123")
    respond(survey, q4="Speeding on Melton Road near the school")  # a road, not an address: left alone
    unmapped = ImportBatch.objects.create(survey=survey, filename="export.csv",
                                          content="Name,Email,q1\nAnn Other,ann@example.org,Yes\n")
    analyst, board, manager = (make_member(p, kind) for kind in (RoleKind.ANALYST, RoleKind.BOARD_MEMBER, RoleKind.MANAGER))
    # Before anyone has looked, every output already leaves the personal data out.
    export = outputs.responses_csv(survey)
    sign_in_verified(client, board)
    analysis_page = client.get(u("analysis", p, pk=survey.pk)).content.decode()
    assert client.get(u("redactions", p, pk=survey.pk)).status_code == 403
    for text in (export, analysis_page):
        for personal in ("Mrs J Smith", "12 Park Road", "LE13 1GH", "John Smith", "4 Elm Road", "07700 900123"):
            assert personal not in text, personal
    assert "[name removed] at [address removed] deals drugs, phone [phone number removed]" in analysis_page
    assert "Speeding on Melton Road near the school" in export

    client.logout()
    sign_in_verified(client, analyst)
    page = client.get(u("redactions", p, pk=survey.pk)).content.decode()
    assert "To check (2)" in page and "an address, a name, a phone number" in page
    other = Answer.objects.get(option__is_other=True)
    r = client.post(u("redactions", p, pk=survey.pk), {"answer": other.pk, "text": ""})
    assert "Enter the answer as it should read once redacted" in r.content.decode()
    client.post(u("redactions", p, pk=survey.pk), {"answer": other.pk, "text": "[name removed] deals drugs at [address removed]"})
    other.refresh_from_db()
    assert other.text == "[name removed] deals drugs at [address removed]"
    redacted = Redaction.objects.get(answer=other)
    assert redacted.redacted_by == analyst and redacted.kinds == ["address", "name", "phone"]
    assert "John Smith" in redacted.original
    page = client.get(u("redactions", p, pk=survey.pk)).content.decode()
    assert "To check (1)" in page and "John Smith" not in page  # the original is for managers only
    assert redacted.history.first().history_user == analyst and not hasattr(Redaction.history.model, "original")
    client.logout()
    sign_in_verified(client, manager)
    assert "John Smith at 4 Elm Road" in client.get(u("redactions", p, pk=survey.pk)).content.decode()
    # An answer of another survey cannot be redacted from this one.
    from saferplan.consultation.testing import make_survey

    theirs = respond(make_survey(p, slug="other-survey"), q4="Call Dave Jones on 07700 900456")
    assert client.post(u("redactions", p, pk=survey.pk), {"answer": theirs.answers.get().pk, "text": "x"}).status_code == 404

    pending = outputs.personal_data_counts(survey)
    assert pending["Free-text and ‘Other’ answers that seem to hold personal data, not yet redacted"] == 1
    assert pending["Original text of redacted answers"] == 1 and pending["Uploaded import files"] == 1
    log = services.purge(survey, by=manager)
    assert log.counts["redaction_originals"] == 1 and log.counts["import_files"] == 1
    # The answer nobody redacted by hand is masked in the database by the purge.
    assert log.counts["masked_texts"] == 1
    assert Answer.objects.get(question__code="q4", text__startswith="Youths").text == (
        "Youths outside the shop every night. Signed [name removed], [address removed], [postcode removed]")
    redacted.refresh_from_db()
    unmapped.refresh_from_db()
    assert redacted.original == "" and unmapped.content == ""
    assert "Deleted with the survey’s personal data" in client.get(u("redactions", p, pk=survey.pk)).content.decode()


def test_routing_choices_are_grouped_by_question_not_interleaved(staff_client, survey):
    import re

    page = staff_client.get(u("question-add", survey.partnership, pk=survey.pk)).content.decode()
    select = re.search(r'<select[^>]*name="show_if_option".*?</select>', page, re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    codes = [label.split(":")[0] for label, _ in groups]
    assert len(codes) == len(set(codes))  # each question once: its answers are together
    expected = [q.code for q in survey.ordered_questions() if q.type != "text"]
    assert codes == expected
    q1 = dict(groups)[next(label for label, _ in groups if label.startswith("q1:"))]
    assert re.findall(r">([^<]+)</option>", q1) == ["Yes", "No"]


def test_suggested_themes_are_never_made_of_personal_data(survey):
    texts = ["Mrs J Smith keeps reporting speeding", "Speeding near school, Mrs J Smith", "Mrs J Smith: drugs in park",
             "Drug dealing in the park", "Speeding cars", "Drugs and dealing", "Litter and fly tipping",
             "Fly tipping in lanes", "Litter everywhere", "Speeding motorbikes, Mrs J Smith", "Drug users in park",
             "Fly tipping again"]
    for t in texts:
        respond(survey, q4=t)
    found = themes.suggest(survey.questions.get(code="q4"))
    assert found
    words = " ".join(" ".join(s.keywords) for s in found).lower()
    assert "smith" not in words and "removed" not in words and "mrs" not in words


def test_the_report_is_rendered_by_the_worker_and_forgotten_with_the_surveys_personal_data(
        staff_client, survey, settings, tmp_path, manager):
    from saferplan.consultation.testing import respond
    from saferplan.documents import stored
    from saferplan.ops.models import StoredDocument

    settings.DOCUMENT_STORE_DIR = tmp_path / "documents"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # a worker elsewhere
    for n in range(6):
        respond(survey, q1="Yes", q4=f"Speeding on Dalby Road {n}")
    url = reverse("consultation:report", kwargs={"slug": survey.partnership.slug, "pk": survey.pk, "fmt": "pdf"})
    assert staff_client.get(url).status_code == 202
    stored.render(StoredDocument.objects.get(key=f"consultation-report:{survey.pk}:pdf").pk)  # the worker
    served = staff_client.get(url)
    assert served.status_code == 200 and served.content.startswith(b"%PDF")
    [kept] = StoredDocument.objects.filter(status="ready")
    assert (settings.DOCUMENT_STORE_DIR / kept.path).exists()
    # A new answer is a new report.
    respond(survey, q1="No", q4="Nothing")
    assert staff_client.get(url).status_code == 202
    # The purge of the survey's personal data takes its stored reports, file and row, with it.
    log = services.purge(survey, by=manager)
    assert log.counts["stored_reports"] == 2
    assert not StoredDocument.objects.exists() and not (settings.DOCUMENT_STORE_DIR / kept.path).exists()
    # The preview is built on the spot, as before.
    preview = reverse("consultation:report", kwargs={"slug": survey.partnership.slug, "pk": survey.pk, "fmt": "html"})
    assert staff_client.get(preview).status_code == 200


def test_a_report_forgotten_while_it_renders_leaves_no_file(survey, settings, tmp_path, monkeypatch):
    from saferplan.consultation import outputs, stored_documents
    from saferplan.documents import stored
    from saferplan.ops.models import StoredDocument

    settings.DOCUMENT_STORE_DIR = tmp_path / "documents"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    queued = stored.current(stored_documents.key(survey, "pdf"))
    real = outputs.report

    def purged_meanwhile(s):
        document = real(s)
        stored.forget(stored_documents.keys_of(s))  # the purge commits while the worker renders
        return document

    monkeypatch.setattr(outputs, "report", purged_meanwhile)
    stored.render(queued.pk)
    assert not StoredDocument.objects.exists()
    assert not [p for p in (tmp_path / "documents").rglob("*") if p.is_file()]
