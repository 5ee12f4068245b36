"""A document as data (title, sections of paragraphs, tables, charts), rendered by pdf.py and
word.py. Any stage (assessment, consultation report, plan) can build one and get both formats."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from .charts import Chart
from saferplan.core.disclosure import note

from .tables import Table


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # body | lead | note


@dataclass
class Bullets:
    items: list[str]


@dataclass
class TableBlock:
    table: Table


@dataclass
class ChartBlock:
    chart: Chart  # rendered with its data table beneath


Block = Union[Paragraph, Bullets, TableBlock, ChartBlock]


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 2

    def add(self, *blocks: Block) -> "Section":
        self.blocks.extend(blocks)
        return self


@dataclass(frozen=True)
class Logo:
    """The partnership's logo at the top of its documents: PNG or JPEG bytes, already checked and
    re-encoded when it was uploaded (``saferplan.partnership.branding``), and what it shows."""

    data: bytes
    content_type: str
    alt: str


@dataclass
class Document:
    title: str
    subtitle: str = ""
    meta: list[tuple[str, str]] = field(default_factory=list)  # e.g. ("Period", "Jan to Dec 2024")
    sections: list[Section] = field(default_factory=list)
    publish: bool = False  # apply statistical disclosure control to every table and chart
    footer: str = ""
    author: str = ""  # the partnership whose document it is: the file's author property
    logo: Logo | None = None  # the partnership's own logo, above the title

    def section(self, heading: str, level: int = 2) -> Section:
        section = Section(heading, level=level)
        self.sections.append(section)
        return section

    def tables(self) -> list[Table]:
        found = []
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, TableBlock):
                    found.append(block.table)
                elif isinstance(block, ChartBlock):
                    found.append(block.chart.table)
        return found

    @property
    def disclosure_note(self) -> str:
        """The disclosure rule of every kind of figure its tables publish, each stated once."""
        return note(*(t.rule for t in self.tables() if t.discloses)) if self.publish else (
            "Not for publication: small counts are shown unsuppressed.")
