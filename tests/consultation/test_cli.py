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
    assert "Line 1, column 4 (D): “nonsense” is not a question code" in err
    assert "Line 3, column 1 (A, q1): “Maybe” is not an option of q1" in err
    assert "Line 4, column 2 (B, q5): 4 options chosen; q5 allows no more than 3" in err
    assert "Line 5, column 3 (C, q9): “Carrier pigeon” is not an option of q9" in err
    assert "4 errors" in err and "nothing was imported" in err
    assert Response.objects.count() == 0


def test_import_reports_line_numbers_of_multiline_cells(capsys, survey, tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('q4,q1\n"two\nlines",Yes\n"ok",Perhaps\n', encoding="utf-8")
    _, _, err = run(capsys, "survey", "import", survey.slug, str(path))
    assert "Line 4, column 2 (B, q1)" in err


def test_unknown_survey_is_a_clear_error(capsys, db):
    code, _, err = run(capsys, "survey", "results", "no-such-survey", "--format", "json")
    assert code == 1 and "no survey called no-such-survey" in err
