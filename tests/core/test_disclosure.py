"""The disclosure rules: each kind of count has its threshold, and a document states each rule it applies."""
from saferplan.core.disclosure import (
    CRIME_COUNTS,
    EQUALITY_ANSWERS,
    SURVEY_ANSWERS,
    note,
    protect_line,
    shown,
)
from saferplan.documents.document import Document, TableBlock
from saferplan.documents.tables import Column, Table


def test_a_small_count_cannot_be_recovered_from_its_line_total():
    # 12 + 3 + 40 = 55 shown: hiding only the 3 would let a reader subtract it back.
    hidden = protect_line([12, 3, 40], SURVEY_ANSWERS)
    assert hidden == [True, True, False]
    assert [shown(n, SURVEY_ANSWERS, off) for n, off in zip([12, 3, 40], hidden)] == ["[c]", "<5", "40"]
    # Under the equality rule the 3 is small too, and so is nothing else: still two hidden.
    assert protect_line([12, 3, 40], EQUALITY_ANSWERS) == [True, True, False]
    assert protect_line([12, 7, 40], EQUALITY_ANSWERS) == [True, True, False]
    assert protect_line([12, 7, 40], SURVEY_ANSWERS) == [False, False, False]


def test_a_document_states_the_rule_of_every_kind_of_count_it_publishes():
    survey = Table("answers", "Answers", [Column("label", "Answer"), Column("count", "Respondents", "count")],
                   [{"label": "Yes", "count": 3}], rule=SURVEY_ANSWERS)
    events = Table("events", "Events", [Column("date", "Date"), Column("participants", "Participants", "number")],
                   [{"date": "1 July 2025", "participants": 2}])
    equality = Table("sex", "Sex", [Column("label", "Answer"), Column("count", "Respondents")],
                     [{"label": "Female", "count": "<10"}], rule=EQUALITY_ANSWERS, presuppressed=True)
    doc = Document("Report", publish=True)
    doc.section("Results").add(TableBlock(survey), TableBlock(events), TableBlock(equality))
    assert doc.disclosure_note == note(SURVEY_ANSWERS, EQUALITY_ANSWERS)
    assert "Counts under 5 (answers to a survey question)" in doc.disclosure_note
    assert "Counts under 10 (equality answers" in doc.disclosure_note
    assert "crimes" not in doc.disclosure_note  # no crime counts in it
    assert survey.text(survey.rows[0], survey.columns[1], publish=True) == "<5"
    assert survey.text(survey.rows[0], survey.columns[1], publish=False) == "3"


def test_a_count_withheld_as_a_complement_does_not_read_as_small():
    table = Table("t", "T", [Column("count", "N", "count")], [{"count": 50, "withheld": ["count"]}, {"count": 2}])
    assert [table.text(r, table.columns[0], publish=True) for r in table.rows] == ["[c]", CRIME_COUNTS.marker]
