"""The entity-relationship diagram in docs/ is the one the models give today."""
from pathlib import Path

from saferplan.erd import mermaid

DOC = Path(__file__).resolve().parents[1] / "docs" / "erd.md"


def test_erd_in_docs_is_current():
    text = mermaid()
    assert "erDiagram" in text and "Partnership {" in text
    assert DOC.read_text(encoding="utf-8") == text, (
        "docs/erd.md is stale: run `saferplan erd --out docs/erd.md`")


def test_erd_draws_relations_between_stages():
    text = mermaid()
    # A finding belongs to a partnership: the diagram must show the link, not only the tables.
    assert 'Finding }o--|| Partnership : "partnership"' in text
