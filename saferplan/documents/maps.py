"""Static maps for documents: an area's polygons (ONS boundaries, WGS84 GeoJSON) drawn with the
same chart library as the charts (Altair geoshape, rendered to SVG by vl-convert), so a PDF or
Word file needs no tile server and no JavaScript. Each map has a legend and says that the table
beneath it carries the values: colour is never the only way to read it.
"""
from __future__ import annotations

from .charts import COLOURS, WIDTH, Chart, _configure, title_of, wrapped
from .tables import Table

NO_FIGURE = "#f3f2f1"  # an area with no figure (none recorded, or withheld)
BOUNDARY = "#505a5f"
TABLE_NOTE = "The table below gives the value for every area on the map."


def _layers(features: list[dict], values: dict[str, object], code_field: str):
    """Every area drawn plain first (so a missing value is still a visible shape), then the
    areas with a value on top."""
    import altair as alt

    shapes = [{"type": "Feature", "geometry": f["geometry"],
               "properties": {"code": f["properties"][code_field], "value": values.get(f["properties"][code_field])}}
              for f in features]
    data = alt.Data(values=shapes)
    projection = "mercator"
    base = alt.Chart(data).mark_geoshape(fill=NO_FIGURE, stroke=BOUNDARY, strokeWidth=0.5).project(type=projection)
    return data, projection, base


def rate_map(key: str, title: str, features: list[dict], code_field: str, rows: list[dict], code: str,
             value: str, table: Table, description: str, legend: str, publish: bool = False) -> Chart:
    """A choropleth of ``value`` per area (e.g. crimes per 1,000 residents). Under ``publish`` an
    area whose figure the table suppresses is drawn without a figure, as in the table."""
    import altair as alt

    column = next(c for c in table.columns if c.key == value)
    values = {r[code]: (None if publish and table.is_suppressed(r, column) else r.get(value)) for r in rows}
    data, projection, base = _layers(features, values, code_field)
    shaded = alt.Chart(data).mark_geoshape(stroke=BOUNDARY, strokeWidth=0.5).project(type=projection).encode(
        # Five classes of equal width, shown as labelled squares: a gradient legend is not drawn
        # by every SVG renderer (WeasyPrint leaves it out), and a class is easier to match.
        color=alt.Color("properties.value:Q", title=wrapped(legend, 22),
                        scale=alt.Scale(type="quantize", scheme="blues", nice=True, zero=False),
                        legend=alt.Legend(orient="right", symbolType="square", symbolSize=150, format=",.0f",
                                          symbolStrokeColor=BOUNDARY, symbolStrokeWidth=0.5, titleLimit=0,
                                          labelLimit=0)),
    ).transform_filter("isValid(datum.properties.value)")
    chart = alt.layer(base, shaded, title=title_of(title)).properties(width=WIDTH - 120, height=WIDTH - 120)
    note = TABLE_NOTE + (" Areas in the lightest grey have no figure." if any(v is None for v in values.values()) else "")
    return Chart(key, title, _configure(chart).to_dict(), table, description, note=note)


def class_map(key: str, title: str, features: list[dict], code_field: str, classes: dict[str, str],
              order: list[str], table: Table, description: str, legend: str,
              colours: list[str] | None = None, note: str = TABLE_NOTE) -> Chart:
    """Each area coloured by its class (e.g. hotspot, coldspot, not significant), in ``order``."""
    import altair as alt

    data, projection, base = _layers(features, classes, code_field)
    shaded = alt.Chart(data).mark_geoshape(stroke=BOUNDARY, strokeWidth=0.5).project(type=projection).encode(
        color=alt.Color("properties.value:N", title=wrapped(legend, 22), sort=order,
                        scale=alt.Scale(domain=order, range=colours or COLOURS[: len(order)]),
                        legend=alt.Legend(orient="right", symbolType="square", symbolSize=150,
                                          symbolStrokeColor=BOUNDARY, symbolStrokeWidth=0.5, titleLimit=0,
                                          labelLimit=0)),
    ).transform_filter("isValid(datum.properties.value)")
    chart = alt.layer(base, shaded, title=title_of(title)).properties(width=WIDTH - 120, height=WIDTH - 120)
    return Chart(key, title, _configure(chart).to_dict(), table, description, note=note)
