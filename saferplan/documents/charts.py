"""One chart definition (Altair / Vega-Lite) rendered as SVG for pages and PDFs, PNG for Word.

Every chart carries the table of the numbers it draws, so a reader who cannot see the chart
(or a screen reader) gets the same information.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import cached_property

from saferplan.core.disclosure import is_withheld
from saferplan.core.downloads import clean_text

from .tables import Table

# The chart is laid out with the widths vl-convert measures and drawn by whatever renders the
# SVG (WeasyPrint, a browser). DejaVu Sans comes first because it is the widest of these fonts:
# where it is installed both measure and draw with it; where it is not, the narrower font that
# draws the text still fits the space measured for it. (With Liberation Sans first and missing,
# WeasyPrint drew DejaVu into space measured for Liberation: "olence and sexual offences".)
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
FONT_SIZE = 11
LINE_HEIGHT = 13  # px per line of an axis label at FONT_SIZE
COLOURS = ["#1d70b8", "#f47738", "#00703c", "#912b88", "#d4351c", "#505a5f"]
WIDTH = 520
LABEL_CHARACTERS = 28  # a category label wraps onto further lines after this many characters
TITLE_CHARACTERS = 70  # a title wraps rather than run past the chart's width
SPLIT_LINES = "split(datum.label, '\\n')"  # Vega draws a label given as a list as lines


@dataclass
class Chart:
    key: str
    title: str
    spec: dict  # Vega-Lite specification
    table: Table  # the data the chart draws
    description: str  # alternative text: what the chart shows
    note: str = ""  # shown under the chart, e.g. that the table beneath carries the values

    @cached_property
    def svg(self) -> str:
        import vl_convert

        return vl_convert.vegalite_to_svg(drawable(self.spec))

    def png(self, scale: float = 2.0) -> bytes:
        import vl_convert

        return vl_convert.vegalite_to_png(drawable(self.spec), scale=scale)


def drawable(spec):
    """The specification with control characters taken out of every string: vl-convert cannot
    parse the SVG text they make and aborts the whole process, not only the chart."""
    if isinstance(spec, str):
        return clean_text(spec)
    if isinstance(spec, dict):
        return {k: drawable(v) for k, v in spec.items()}
    if isinstance(spec, list):
        return [drawable(v) for v in spec]
    return spec


def wrapped(text: str, width: int = LABEL_CHARACTERS) -> list[str]:
    """A label or title as lines of at most ``width`` characters (a longer word is split)."""
    return textwrap.wrap(clean_text(text), width, break_on_hyphens=False) or [""]


def label(text) -> str:
    """A category as the chart draws it: wrapped, its lines joined by a newline that the axis
    splits again (SPLIT_LINES), so a long label takes more lines, never a cut."""
    return "\n".join(wrapped(str(text)))


def title_of(text: str):
    import altair as alt

    return alt.TitleParams(wrapped(text, TITLE_CHARACTERS), anchor="start", fontSize=13, limit=0)


def band(labels: list[str], per_line: int = LINE_HEIGHT, bars: int = 1, minimum: int = 16) -> int:
    """Pixels per category band: room for the longest label's lines, and each bar at least
    ``minimum / bars`` high."""
    lines = max((label(t).count("\n") + 1 for t in labels), default=1)
    return max(minimum, lines * per_line + 4) // bars + 1


def _configure(chart):
    return (
        chart.configure(font=FONT)
        .configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, grid=False, labelLimit=0,
                        labelOverlap=True)
        .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, orient="bottom", labelLimit=0,
                          titleLimit=0)
        .configure_title(font=FONT, limit=0)
        .configure_view(stroke=None)
    )


def publishable(rows: list[dict], value_keys: list[str], publish: bool) -> list[dict]:
    """Rows for drawing: under ``publish``, values under the threshold are left out of the chart."""
    if not publish:
        return rows
    return [{**r, **{k: (None if is_withheld(r, k) else r.get(k)) for k in value_keys}} for r in rows]


def line_chart(key: str, title: str, rows: list[dict], x: str, series: dict[str, str], table: Table,
               description: str, y_title: str = "Records", publish: bool = False) -> Chart:
    """One line per entry of ``series`` (row key -> legend label); ``x`` holds 'YYYY-MM'."""
    import altair as alt

    data = [{"month": r[x], "series": name, "value": v}
            for r in publishable(rows, list(series), publish)
            for k, name in series.items() if (v := r.get(k)) is not None]
    months = len({d["month"] for d in data})
    chart = alt.Chart(alt.Data(values=data), title=title_of(title)).mark_line(point=True).encode(
        # One tick a month up to 12, then every other or third month: angled labels never touch.
        x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=-45,
                                                      tickCount={"interval": "month", "step": max(1, -(-months // 12))})),
        y=alt.Y("value:Q", title=y_title),
        color=alt.Color("series:N", title=None, scale=alt.Scale(range=COLOURS)),
    ).properties(width=WIDTH, height=220)
    return Chart(key, title, _configure(chart).to_dict(), table, description)


def grouped_bar_chart(key: str, title: str, rows: list[dict], category: str, bars: dict[str, str],
                      table: Table, description: str, x_title: str = "Records",
                      publish: bool = False) -> Chart:
    """Horizontal bars per category, one bar per entry of ``bars`` (row key -> legend label)."""
    import altair as alt

    order = [label(r[category]) for r in rows]
    data = [{"category": label(r[category]), "bar": name, "value": v}
            for r in publishable(rows, list(bars), publish)
            for k, name in bars.items() if (v := r.get(k)) is not None]
    chart = alt.Chart(alt.Data(values=data), title=title_of(title)).mark_bar().encode(
        y=alt.Y("category:N", title=None, sort=order, axis=alt.Axis(labelExpr=SPLIT_LINES)),
        yOffset=alt.YOffset("bar:N", sort=list(bars.values())),
        x=alt.X("value:Q", title=x_title, axis=alt.Axis(tickCount=5)),
        color=alt.Color("bar:N", title=None, sort=list(bars.values()), scale=alt.Scale(range=COLOURS)),
    ).properties(width=WIDTH - 190,
                 height=alt.Step(band([r[category] for r in rows], bars=len(bars), minimum=18)))
    return Chart(key, title, _configure(chart).to_dict(), table, description)


def bar_chart(key: str, title: str, rows: list[dict], category: str, value: str, table: Table,
              description: str, x_title: str, publish: bool = False, colour: str = COLOURS[0]) -> Chart:
    import altair as alt

    order = [label(r[category]) for r in rows]
    data = [{"category": label(r[category]), "value": r[value]}
            for r in publishable(rows, [value], publish) if r.get(value) is not None]
    chart = alt.Chart(alt.Data(values=data), title=title_of(title)).mark_bar(color=colour).encode(
        y=alt.Y("category:N", title=None, sort=order, axis=alt.Axis(labelExpr=SPLIT_LINES)),
        x=alt.X("value:Q", title=x_title, axis=alt.Axis(tickCount=5)),
    ).properties(width=WIDTH - 190, height=alt.Step(band([r[category] for r in rows])))
    return Chart(key, title, _configure(chart).to_dict(), table, description)
