"""One chart definition (Altair / Vega-Lite) rendered as SVG for pages and PDFs, PNG for Word.

Every chart carries the table of the numbers it draws, so a reader who cannot see the chart
(or a screen reader) gets the same information.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .downloads import clean_text
from .tables import SUPPRESSION_THRESHOLD, Table

FONT = "Liberation Sans, Arial, sans-serif"
COLOURS = ["#1d70b8", "#f47738", "#00703c", "#912b88", "#d4351c", "#505a5f"]
WIDTH = 520


@dataclass
class Chart:
    key: str
    title: str
    spec: dict  # Vega-Lite specification
    table: Table  # the data the chart draws
    description: str  # alternative text: what the chart shows

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


def _configure(chart):
    return (
        chart.configure(font=FONT)
        .configure_axis(labelFontSize=11, titleFontSize=11, grid=False)
        .configure_legend(labelFontSize=11, titleFontSize=11, orient="bottom")
        .configure_view(stroke=None)
    )


def publishable(rows: list[dict], value_keys: list[str], publish: bool) -> list[dict]:
    """Rows for drawing: under ``publish``, values under the threshold are left out of the chart."""
    if not publish:
        return rows
    return [{**r, **{k: (None if isinstance(r.get(k), (int, float)) and r[k] < SUPPRESSION_THRESHOLD
                         else r.get(k)) for k in value_keys}} for r in rows]


def line_chart(key: str, title: str, rows: list[dict], x: str, series: dict[str, str], table: Table,
               description: str, y_title: str = "Records", publish: bool = False) -> Chart:
    """One line per entry of ``series`` (row key -> legend label); ``x`` holds 'YYYY-MM'."""
    import altair as alt

    data = [{"month": r[x], "series": label, "value": v}
            for r in publishable(rows, list(series), publish)
            for k, label in series.items() if (v := r.get(k)) is not None]
    chart = alt.Chart(alt.Data(values=data), title=title).mark_line(point=True).encode(
        x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=-45)),
        y=alt.Y("value:Q", title=y_title),
        color=alt.Color("series:N", title=None, scale=alt.Scale(range=COLOURS)),
    ).properties(width=WIDTH, height=220)
    return Chart(key, title, _configure(chart).to_dict(), table, description)


def grouped_bar_chart(key: str, title: str, rows: list[dict], category: str, bars: dict[str, str],
                      table: Table, description: str, x_title: str = "Records",
                      publish: bool = False) -> Chart:
    """Horizontal bars per category, one bar per entry of ``bars`` (row key -> legend label)."""
    import altair as alt

    order = [r[category] for r in rows]
    data = [{"category": r[category], "bar": label, "value": v}
            for r in publishable(rows, list(bars), publish)
            for k, label in bars.items() if (v := r.get(k)) is not None]
    chart = alt.Chart(alt.Data(values=data), title=title).mark_bar().encode(
        y=alt.Y("category:N", title=None, sort=order),
        yOffset=alt.YOffset("bar:N", sort=list(bars.values())),
        x=alt.X("value:Q", title=x_title),
        color=alt.Color("bar:N", title=None, sort=list(bars.values()), scale=alt.Scale(range=COLOURS)),
    ).properties(width=WIDTH - 150, height=alt.Step(9))
    return Chart(key, title, _configure(chart).to_dict(), table, description)


def bar_chart(key: str, title: str, rows: list[dict], category: str, value: str, table: Table,
              description: str, x_title: str, publish: bool = False, colour: str = COLOURS[0]) -> Chart:
    import altair as alt

    order = [r[category] for r in rows]
    data = [{"category": r[category], "value": r[value]}
            for r in publishable(rows, [value], publish) if r.get(value) is not None]
    chart = alt.Chart(alt.Data(values=data), title=title).mark_bar(color=colour).encode(
        y=alt.Y("category:N", title=None, sort=order),
        x=alt.X("value:Q", title=x_title),
    ).properties(width=WIDTH - 150, height=alt.Step(16))
    return Chart(key, title, _configure(chart).to_dict(), table, description)
