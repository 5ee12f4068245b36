"""Tables shared by pages, documents and CSV exports.

A table marked for publication (``publish=True``) applies its kind of figure's disclosure rule
(:mod:`saferplan.core.disclosure`): counts under the threshold show as the rule's marker ("<5"),
figures worked out from them and counts withheld as complements (``row["withheld"]``) as "[c]".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from saferplan.core.disclosure import CRIME_COUNTS, SUPPRESSED_DERIVED, Rule, is_withheld


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text | count | number | pct | signed_pct | rate | pvalue | bool
    depends_on: tuple[str, ...] = ()  # count columns this figure is derived from

    @property
    def numeric(self) -> bool:
        return self.kind != "text" and self.kind != "bool"


@dataclass
class Table:
    key: str  # short name, used for CSV file names
    title: str
    columns: list[Column]
    rows: list[dict]
    note: str = ""
    caption: str = ""
    extra: dict = field(default_factory=dict)
    rule: Rule = CRIME_COUNTS  # the disclosure rule of the kind of figure it counts
    presuppressed: bool = False  # its cells are text already suppressed by its rule (equality tables)

    @property
    def discloses(self) -> bool:
        """Whether it publishes counts its rule protects (so a document states that rule)."""
        return self.presuppressed or any(c.kind == "count" or c.depends_on for c in self.columns)

    def is_suppressed(self, row: dict, column: Column) -> bool:
        if column.kind == "count":
            return is_withheld(row, column.key, self.rule)
        return any(is_withheld(row, key, self.rule) for key in column.depends_on)

    def cell(self, row: dict, column: Column, publish: bool) -> Any:
        """The value to export: raw, or the suppression marker."""
        if publish and self.is_suppressed(row, column):
            value = row.get(column.key)
            # A count withheld only to protect another is not small: it must not read as "<5".
            return self.rule.marker if column.kind == "count" and self.rule.is_small(value) else SUPPRESSED_DERIVED
        return row.get(column.key)

    def text(self, row: dict, column: Column, publish: bool) -> str:
        """The value to show in a page or document."""
        value = self.cell(row, column, publish)
        if value in (self.rule.marker, SUPPRESSED_DERIVED):
            return value
        return format_value(value, column.kind)

    def text_rows(self, publish: bool) -> list[list[str]]:
        return [[self.text(row, col, publish) for col in self.columns] for row in self.rows]

    def has_suppression(self, publish: bool) -> bool:
        return publish and any(self.is_suppressed(r, c) for r in self.rows for c in self.columns)

    def to_csv(self, publish: bool) -> str:
        from saferplan.core.downloads import csv_text

        return csv_text([c.key for c in self.columns],
                        ([self.cell(row, c, publish) for c in self.columns] for row in self.rows))

    def to_dict(self, publish: bool = False) -> dict:
        return {
            "key": self.key, "title": self.title, "note": self.note,
            "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
            "rows": [{c.key: self.cell(r, c, publish) for c in self.columns} for r in self.rows],
        }


def format_value(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "bool":
        return "Yes" if value else "No"
    if kind == "count":
        return f"{int(value):,}"
    if kind == "pct":
        return f"{value:.1f}%"
    if kind == "signed_pct":
        return f"{value:+.1f}%"
    if kind == "rate":
        return f"{value:,.1f}"
    if kind == "pvalue":
        return "<0.001" if value < 0.001 else f"{value:.3f}"
    if kind == "number":
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return str(value)
