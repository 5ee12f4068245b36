"""`saferplan survey questions | import | results`, checked against an independent tally."""
from __future__ import annotations

import csv
import io
import json
import random
from collections import Counter

import pytest

from saferplan.cli import main
from saferplan.consultation.models import Response
from saferplan.consultation.testing import respond

pytestmark = pytest.mark.django_db(transaction=True)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_questions_as_json(capsys, survey):
    code, out, _ = run(capsys, "survey", "questions", survey.slug, "--format", "json")
    assert code == 0
    data = json.loads(out)
    q5 = next(q for q in data if q["code"] == "q5")
    assert q5["type"] == "multiple" and q5["max_choices"] == 3 and q5["options"][0].startswith("Anti-social Behaviour")
    assert set(q5) >= {"code", "text", "type", "options", "max_choices"}
    assert next(q for q in data if q["code"] == "q4")["options"] == []


def _random_csv(questions, rows, seed=1):
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    codes = [q["code"] for q in questions]
    writer.writerow(codes)
    for _ in range(rows):
        row = []
        for q in questions:
            if rng.random() < 0.15:
                row.append("")
            elif q["type"] == "text":
                row.append(rng.choice(["Speeding, mostly", "Drugs\nand litter", "“Quoted”; text"]))
            elif q["type"] == "multiple":
                k = rng.randint(1, q["max_choices"] or len(q["options"]))
                row.append(";".join(rng.sample(q["options"][:-1] if q["options"][-1] == "Other" else q["options"], min(k, len(q["options"]) - 1))))
            else:
                row.append(rng.choice(q["options"]))
        writer.writerow(row)
    return out.getvalue()


def _tally(text, questions):
    """An independent tally of a CLI-format CSV: base and count per option label."""
    types = {q["code"]: q for q in questions}
    reader = csv.DictReader(io.StringIO(text))
    base, counts = Counter(), {q["code"]: Counter() for q in questions}
    for row in reader:
        for code, cell in row.items():
            if not cell.strip():
                continue
            base[code] += 1
            if types[code]["type"] == "text":
                continue
            labels = cell.split(";") if types[code]["type"] == "multiple" else [cell]
            for label in set(labels):
                counts[code][label.strip()] += 1
    return base, counts


def test_import_then_results_match_an_independent_tally(capsys, survey, tmp_path):
    _, out, _ = run(capsys, "survey", "questions", survey.slug, "--format", "json")
    questions = json.loads(out)
    text = _random_csv(questions, 300)
    path = tmp_path / "responses.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "survey", "import", survey.slug, str(path))
    assert code == 0, err
    assert "Imported 300 responses" in out
    # Responses submitted through other channels count too.
    respond(survey, q1="Yes", q5=["Robbery", "Other"], q5_other="Speeding")
    code, out, _ = run(capsys, "survey", "results", survey.slug, "--format", "json")
    results = {r["code"]: r for r in json.loads(out)}
    base, counts = _tally(text, questions)
    base["q1"] += 1
    base["q5"] += 1
    counts["q1"]["Yes"] += 1
    counts["q5"]["Robbery"] += 1
    counts["q5"]["Other"] += 1
    for q in questions:
        r = results[q["code"]]
        assert set(r) == {"code", "question", "base", "options"}
        assert r["base"] == base[q["code"]], q["code"]
        for option in r["options"]:
            expected = counts[q["code"]][option["label"]]
            assert option["count"] == expected, (q["code"], option["label"])
            assert option["percent"] == (round(100 * expected / r["base"], 1) if r["base"] else 0.0)
    # Multiple choice is counted per option: the percentages add to more than 100.
    assert sum(o["percent"] for o in results["q7"]["options"]) > 100
    assert Response.objects.filter(channel="imported").count() == 300


def test_import_is_all_or_nothing_and_names_every_error(capsys, survey, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "q1,q5,q9,nonsense\n"
        "Yes,Robbery;Theft,Facebook,\n"
        "Maybe,Robbery,Facebook,\n"
        "No,Robbery;Theft;Burglary;Hate Crime,TikTok,\n"
        "yes,robbery,Carrier pigeon,\n", encoding="utf-8")
    code, out, err = run(capsys, "survey", "import", survey.slug, str(path))
    assert code == 1
    assert f"{path}, line 1, column 4 (D): “nonsense” is not a question code" in err
    assert f"{path}, line 3, column 1 (A, q1): “Maybe” is not an option of q1" in err
    assert f"{path}, line 4, column 2 (B, q5): 4 options chosen; q5 allows no more than 3" in err
    assert f"{path}, line 5, column 3 (C, q9): “Carrier pigeon” is not an option of q9" in err
    assert "4 errors" in err and "nothing was imported" in err
    assert Response.objects.count() == 0


def test_import_reports_line_numbers_of_multiline_cells(capsys, survey, tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('q4,q1\n"two\nlines",Yes\n"ok",Perhaps\n', encoding="utf-8")
    _, _, err = run(capsys, "survey", "import", survey.slug, str(path))
    assert f"{path}, line 4, column 2 (B, q1)" in err


def test_unknown_survey_is_a_clear_error(capsys, db):
    code, _, err = run(capsys, "survey", "results", "no-such-survey", "--format", "json")
    assert code == 1 and "no survey called no-such-survey" in err


# Files that are not CSV UTF-8, and hostile files ----------------------------------------------------

HARM_WORKBOOK = "harm/cambridge-crime-harm-index-2020.xlsx"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_refused_with_save_as_csv_utf8(capsys, survey, tmp_path, encoding):
    path = tmp_path / "export.csv"
    path.write_bytes("q1,q4\nYes,Speeding\n".encode(encoding))
    code, _, err = run(capsys, "survey", "import", survey.slug, str(path))
    assert code == 1
    assert f"{path}, line 1: the file is saved as UTF-16" in err and "save it as CSV UTF-8" in err
    assert Response.objects.count() == 0


def test_a_binary_file_is_refused_naming_where(capsys, survey, tmp_path, settings):
    path = tmp_path / "results.csv"
    path.write_bytes((settings.DATA_DIR / HARM_WORKBOOK).read_bytes())
    code, _, err = run(capsys, "survey", "import", survey.slug, str(path))
    assert code == 1 and "Traceback" not in err
    assert f"{path}, line 1, column 1 (A):" in err and "save it as CSV UTF-8" in err
    assert Response.objects.count() == 0


def test_a_cp1252_file_names_the_line_and_column_of_the_first_bad_byte(capsys, survey, tmp_path):
    path = tmp_path / "paper.csv"
    path.write_bytes("q1,q4\nYes,Speeding\nNo,Costs me £5 a week in damage\n".encode("cp1252"))
    code, _, err = run(capsys, "survey", "import", survey.slug, str(path))
    assert code == 1
    assert f"{path}, line 3, column 2 (B): byte 0xA3 is not UTF-8 text" in err
    assert Response.objects.count() == 0


def test_a_batch_imported_by_two_requests_at_once_is_imported_once(survey):
    """Two people (or two clicks) press Import together: one import, the other told so, no error."""
    import threading

    from django.db import connection

    from saferplan.consultation import importer
    from saferplan.consultation.models import ImportBatch

    batch = ImportBatch.objects.create(survey=survey, filename="export.csv", content="q1,q4\nYes,Speeding\nNo,Litter\n",
                                       mapping={"columns": {"0": "q1", "1": "q4"}, "separator": ";"})
    start = threading.Barrier(2)
    outcomes = []

    def press_import():
        try:
            mine = ImportBatch.objects.get(pk=batch.pk)
            checked = importer.check_batch(mine)
            start.wait()
            outcomes.append(importer.import_batch(mine, checked))
        except importer.AlreadyImported:
            outcomes.append("already imported")
        finally:
            connection.close()

    threads = [threading.Thread(target=press_import) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str) == [2, "already imported"]
    assert Response.objects.filter(import_batch=batch).count() == 2
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED and batch.content == "" and batch.rows == 2
    # The database itself refuses a second copy of a line of the batch.
    from django.db import IntegrityError, transaction

    first = Response.objects.filter(import_batch=batch).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(survey=survey, import_batch=batch, import_row=first.import_row)


def test_any_file_imports_whole_or_is_refused_naming_file_line_and_field(survey, settings):
    """Fuzzing the survey CSV import: whatever the bytes, either every row is imported or nothing
    is, and each refusal names the file and the line (and the column where there is one)."""
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hypothesis_settings
    from hypothesis import strategies as st

    from saferplan.consultation import importer
    from saferplan.consultation.models import ImportBatch

    questions = {q.code: q for q in survey.ordered_questions()}
    labels = {code: [o.label for o in q.options.all()] for code, q in questions.items()}
    real_bytes = (settings.DATA_DIR / HARM_WORKBOOK).read_bytes()[:400]
    codes = ["q1", "q4", "q5", "q9", "ward", "submitted_at", "nonsense"]

    def cell(code):
        choices = [st.text(max_size=30), st.just(""), st.sampled_from(["2024-07-10", "31/02/2024", "=cmd()", "Other: x"])]
        if labels.get(code):
            choices.append(st.sampled_from(labels[code]))
            choices.append(st.lists(st.sampled_from(labels[code]), max_size=4).map(";".join))
        return st.one_of(*choices)

    @st.composite
    def csv_files(draw):
        header = draw(st.lists(st.sampled_from(codes), min_size=1, max_size=5))
        rows = draw(st.lists(st.tuples(*[cell(c) for c in header]), max_size=6))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
        writer.writerow(header)
        writer.writerows(rows)
        raw = out.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])))
        mangle = draw(st.sampled_from(["none", "bytes", "truncate", "quote", "real-binary"]))
        if mangle == "bytes":
            at = draw(st.integers(0, len(raw)))
            raw = raw[:at] + draw(st.binary(min_size=1, max_size=4)) + raw[at:]
        elif mangle == "truncate":
            raw = raw[:draw(st.integers(0, len(raw)))]
        elif mangle == "quote":
            raw = raw + b'"unclosed'
        elif mangle == "real-binary":
            raw = real_bytes
        return raw

    @hypothesis_settings(max_examples=80, deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(csv_files())
    def check(raw):
        before = Response.objects.count()
        checked = importer.check_file(survey, "upload.csv", raw)
        if checked.errors:
            for error in checked.errors:
                assert error.startswith("upload.csv, line "), error
                assert "Traceback" not in error
            with pytest.raises(ValueError):
                importer.import_checked(survey, checked)
            assert Response.objects.count() == before
        else:
            assert importer.import_checked(survey, checked) == checked.rows
            assert Response.objects.count() == before + checked.rows
        # The web's way in: upload (refused whole, or kept for mapping), map as guessed, import.
        before = Response.objects.count()
        try:
            text = importer.read_upload("upload.csv", raw)
        except importer.FileRefused as exc:
            assert str(exc).startswith("upload.csv, line "), str(exc)
            return
        batch = ImportBatch.objects.create(survey=survey, filename="upload.csv", content=text,
                                           mapping=importer.guess_mapping(survey, text))
        checked = importer.check_batch(batch)
        for error in checked.errors:
            assert error.startswith(("upload.csv, line ", "Match at least one column", "Each question can come")), error
        if checked.errors:
            assert Response.objects.count() == before
        else:
            assert importer.import_batch(batch, checked) == checked.rows
            assert Response.objects.filter(import_batch=batch).count() == checked.rows

    check()


def test_purge_command_also_clears_expired_sessions_holding_answers(capsys, survey):
    from datetime import timedelta

    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    stale = SessionStore()
    stale["answers"] = {"q4": {"text": "I live at 3 High Street"}}
    stale.create()
    Session.objects.filter(session_key=stale.session_key).update(expire_date=timezone.now() - timedelta(hours=1))
    live = SessionStore()
    live["answers"] = {"q1": {"options": [1]}}
    live.create()
    code, out, _ = run(capsys, "survey", "purge")
    assert code == 0 and "Expired sessions" in out
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_results_and_list_say_when_responses_are_made_up(capsys, partnership):
    from saferplan.consultation import examples

    made_up = examples.load(partnership)
    code, out, err = run(capsys, "survey", "results", made_up.slug, "--format", "json")
    assert code == 0 and json.loads(out) and f"EXAMPLE DATA: {examples.RESPONSES}" in err
    _, out, _ = run(capsys, "survey", "list")
    assert f"{made_up.slug}" in out and f"({examples.RESPONSES} made-up examples)" in out
