"""Tables shared by pages, documents and CSV exports, with statistical disclosure control.

A table marked for publication (``publish=True``) shows counts under the threshold as "<5" and
any figure worked out from such a count (a change, a rate, a share) as "[c]", so the small count
cannot be recovered from it. A small count could still be worked out by subtraction from a
published total and the other parts of it, so :func:`complementary_suppression` withholds enough
other counts ("[c]") that every withheld count has company in every sum it is part of; a row
carries the keys of those cells in ``row["withheld"]``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SUPPRESSION_THRESHOLD = 5
SUPPRESSED_COUNT = f"<{SUPPRESSION_THRESHOLD}"
SUPPRESSED_DERIVED = "[c]"
SUPPRESSION_NOTE = (
    f"Counts under {SUPPRESSION_THRESHOLD} are shown as {SUPPRESSED_COUNT}, and figures worked out "
    f"from them as {SUPPRESSED_DERIVED}. Where a small count could be worked out by subtracting "
    "the other figures from a total, enough other figures in its row, column or total are also "
    f"shown as {SUPPRESSED_DERIVED} that it cannot, so that no small number of people can be "
    "identified; charts leave out what the tables hide."
)
WITHHELD = "withheld"  # a row's list of column keys withheld to protect a small count elsewhere


def is_withheld(row: dict, key: str) -> bool:
    """The one disclosure rule for a count: under the threshold, or withheld as a complement."""
    if key in (row.get(WITHHELD) or ()):
        return True
    value = row.get(key)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value < SUPPRESSION_THRESHOLD


def complementary_suppression(cells: dict, groups: list[list], fixed: frozenset | set = frozenset()) -> set:
    """The cells to withhold for publication.

    ``cells`` maps a cell's key to its count; each of ``groups`` is a set of cells tied by one
    sum (a total and its parts); ``fixed`` cells are known from elsewhere and cannot be withheld.
    Every count under the threshold is withheld; then, while a group holds exactly one withheld
    cell (which would be its total minus the others), its smallest other cell is withheld too.
    """
    withheld = {k for k, v in cells.items()
                if k not in fixed and v is not None and v < SUPPRESSION_THRESHOLD}
    changed = True
    while changed:
        changed = False
        for group in groups:
            if sum(1 for k in group if k in withheld) != 1:
                continue
            others = [k for k in group if k not in withheld and k not in fixed and cells.get(k) is not None]
            if others:
                withheld.add(min(others, key=lambda k: (cells[k], str(k))))
                changed = True
    return withheld


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

    def is_suppressed(self, row: dict, column: Column) -> bool:
        if column.kind == "count":
            return is_withheld(row, column.key)
        return any(is_withheld(row, key) for key in column.depends_on)

    def cell(self, row: dict, column: Column, publish: bool) -> Any:
        """The value to export: raw, or the suppression marker."""
        if publish and self.is_suppressed(row, column):
            value = row.get(column.key)
            # A count withheld only to protect another is not small: it must not read as "<5".
            small = isinstance(value, (int, float)) and value < SUPPRESSION_THRESHOLD
            return SUPPRESSED_COUNT if column.kind == "count" and small else SUPPRESSED_DERIVED
        return row.get(column.key)

    def text(self, row: dict, column: Column, publish: bool) -> str:
        """The value to show in a page or document."""
        value = self.cell(row, column, publish)
        if value in (SUPPRESSED_COUNT, SUPPRESSED_DERIVED):
            return value
        return format_value(value, column.kind)

    def text_rows(self, publish: bool) -> list[list[str]]:
        return [[self.text(row, col, publish) for col in self.columns] for row in self.rows]

    def has_suppression(self, publish: bool) -> bool:
        return publish and any(self.is_suppressed(r, c) for r in self.rows for c in self.columns)

    def to_csv(self, publish: bool) -> str:
        from .downloads import csv_text

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
