"""Statistical disclosure control: the one statement of what a published figure may show.

Every table, chart and document that leaves the partnership applies these rules (decision record
``docs/adr/0003-disclosure-control.md`` and ``docs/adr/00NN-disclosure-rules.md``):

- A count under its kind's threshold is shown as ``<N`` (:attr:`Rule.marker`), and any figure
  worked out from it (a change, a rate, a share) as ``[c]``.
- A count could still be worked out by subtracting the other parts of a sum from a published
  total, so enough other counts in that row, column or total are withheld too (also ``[c]``):
  :func:`complementary_suppression` for cells tied by named sums, :func:`protect` for a grid.
- A chart draws nothing its table withholds (a withheld bar is left out, its category kept on
  the axis and labelled as suppressed), and a document states the rule of every kind of figure
  it publishes (:func:`note`).

The threshold is the kind of figure's, not the document's: one report may publish survey answers
(under 5 withheld) and equality answers (under 10 withheld), and says both.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """The disclosure rule for one kind of published count."""

    figures: str  # what is counted, as a sentence names it
    threshold: int  # a count under this is withheld
    reason: str  # why this threshold, for the decision record and the curious reader

    @property
    def marker(self) -> str:
        return f"<{self.threshold}"

    def is_small(self, value) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value < self.threshold

    def sentence(self) -> str:
        return (f"Counts under {self.threshold} ({self.figures}) are shown as {self.marker}, "
                f"and figures worked out from them as {SUPPRESSED_DERIVED}.")


SUPPRESSED_DERIVED = "[c]"  # a figure worked out from a withheld count, or withheld as a complement
WITHHELD = "withheld"  # a row's list of column keys withheld to protect a small count elsewhere

CRIME_COUNTS = Rule(
    "crimes, incidents and partner records", 5,
    "Five is the threshold police forces and the Home Office apply to published small-area crime "
    "counts: a smaller count in a small area, with the street or the month, can point to a victim.")
SURVEY_ANSWERS = Rule(
    "answers to a survey question", 5,
    "An answer to one question, counted over everyone who answered, says little about any one "
    "person; the same threshold as crime counts keeps one reading of '<5' in a document.")
EQUALITY_ANSWERS = Rule(
    "equality answers: age, sex, disability, ethnicity, religion and the like", 10,
    "Equality answers are special category personal data; a group of under ten respondents of one "
    "characteristic in one area is small enough for neighbours to recognise them.")
CROSS_TABULATIONS = Rule(
    "a cross-tabulation of survey answers", 10,
    "A respondent's answers to two questions together identify them more easily than either "
    "answer alone, so a cross-tabulation needs a larger threshold than a single question.")

RULES = (CRIME_COUNTS, SURVEY_ANSWERS, EQUALITY_ANSWERS, CROSS_TABULATIONS)

COMPLEMENT_SENTENCE = (
    f"Where a withheld count could be worked out by subtracting the other figures from a total, enough "
    f"other figures in its row, column or total are also shown as {SUPPRESSED_DERIVED} that it cannot, so "
    "that no small number of people can be identified; charts leave out what the tables hide.")


def note(*rules: Rule) -> str:
    """What a page or document says about the rules it applied, each stated once."""
    rules = rules or (CRIME_COUNTS,)
    return " ".join([*(r.sentence() for r in dict.fromkeys(rules)), COMPLEMENT_SENTENCE])


def is_withheld(row: dict, key: str, rule: Rule = CRIME_COUNTS) -> bool:
    """A count withheld from publication: under the rule's threshold, or withheld as a complement
    (named in ``row["withheld"]``)."""
    if key in (row.get(WITHHELD) or ()):
        return True
    return rule.is_small(row.get(key))


def complementary_suppression(cells: dict, groups: list[list], fixed: frozenset | set = frozenset(),
                              rule: Rule = CRIME_COUNTS) -> set:
    """The cells to withhold for publication.

    ``cells`` maps a cell's key to its count; each of ``groups`` is a set of cells tied by one
    sum (a total and its parts); ``fixed`` cells are known from elsewhere and cannot be withheld.
    Every count under the threshold is withheld; then, while a group holds exactly one withheld
    cell (which would be its total minus the others), its smallest other cell is withheld too.
    """
    withheld = {k for k, v in cells.items() if k not in fixed and v is not None and v < rule.threshold}
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


def protect(grid: list[list[int]], line_totals_shown: dict, rule: Rule) -> list[list[bool]]:
    """Which cells of a table of counts to hide: every count under the threshold, and then, in
    any row or column whose total is shown, a second cell wherever only one small non-zero count
    is hidden (else it is the total minus the rest). Repeated until no line gives one away.
    ``line_totals_shown`` maps ``("row", i)`` and ``("col", j)`` to whether that total is published."""
    hidden = [[n < rule.threshold for n in row] for row in grid]
    lines = [[(i, j) for j in range(len(grid[i]))] for i in range(len(grid)) if line_totals_shown.get(("row", i))]
    if grid:
        lines += [[(i, j) for i in range(len(grid))] for j in range(len(grid[0])) if line_totals_shown.get(("col", j))]
    changed = True
    while changed:
        changed = False
        for line in lines:
            small = [(i, j) for i, j in line if hidden[i][j] and grid[i][j] > 0]
            if len(small) != 1:
                continue
            visible = sorted(((grid[i][j], i, j) for i, j in line if not hidden[i][j]))
            if visible:
                _, i, j = visible[0]
                hidden[i][j] = changed = True
    return hidden


def protect_line(counts: list[int], rule: Rule, total_shown: bool = True) -> list[bool]:
    """:func:`protect` for one line of counts (the options of a question, channels) with its total."""
    return protect([counts], {("row", 0): total_shown}, rule)[0]


def shown(n: int, rule: Rule, hidden: bool) -> str:
    """A published count as text: the marker when small, ``[c]`` when withheld as a complement."""
    if not hidden:
        return f"{n:,}"
    return rule.marker if rule.is_small(n) else SUPPRESSED_DERIVED
