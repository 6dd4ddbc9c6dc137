from html import escape

from django import template
from django.utils.safestring import SafeString

from partners import charts

register = template.Library()


@register.inclusion_tag("includes/charts.html")
def partner_charts(events, rows: list[dict], continents: list) -> dict:
    """The home page's charts from what it already counted (views.home's `signing_events`
    and its count `rows` per kind and continent)."""
    return {
        "years": charts.year_chart(events),
        "continents": charts.continent_chart(rows, continents),
    }


# The charts' repeated marks are written here rather than by template loops: a year chart
# over decades of agreements was 5-7 ms of the home page's render through the template
# engine. Texts (all str) are escaped by html.escape, which Django's escape() wraps, without
# its check for lazy strings (0.9 µs against 0.2); numbers are the charts' rounded floats and
# ints written as str() writes them, which is what the template wrote inside
# {% localize off %} (and, for the table's counts, without thousands separators, which the
# settings do not turn on). Numbers need no escaping, and escaping each one (format_html)
# cost milliseconds at 10,000 partners.


def bar(segment: charts.Segment) -> str:
    kind = escape(segment.kind)
    changed = f' chart__bar--changed" fill="url(#hatch-{kind})' if segment.changed else ""
    return (
        f'<rect class="chart__bar chart__bar--{kind}{changed}" x="{segment.x}"'
        f' y="{segment.y}" width="{segment.width}" height="{segment.height}"/>'
    )


@register.simple_tag
def year_chart_marks(chart: charts.YearChart) -> SafeString:
    """The grid with its labels, the bars and the years under them."""
    marks = [
        f'<line class="chart__grid" x1="{chart.left}" x2="{chart.width}" y1="{tick.position}"'
        f' y2="{tick.position}"/><text class="chart__label" x="{chart.y_label_x}"'
        f' y="{tick.position}" dy="4" text-anchor="end">{escape(tick.label)}</text>'
        for tick in chart.y_ticks
    ]
    marks += [bar(segment) for segment in chart.segments]
    marks += [
        f'<text class="chart__label" x="{tick.position}" y="{chart.x_label_y}"'
        f' text-anchor="middle">{escape(tick.label)}</text>'
        for tick in chart.x_ticks
    ]
    return SafeString("".join(marks))


@register.simple_tag
def year_table_rows(chart: charts.YearChart) -> SafeString:
    return SafeString(
        "".join(
            f'<tr><th scope="row">{int(row.year)}</th>'
            + "".join(f"<td>{int(count)}</td>" for count in row.counts)
            + "</tr>"
            for row in chart.rows
        )
    )


@register.simple_tag
def continent_chart_marks(chart: charts.ContinentChart) -> SafeString:
    """Each continent's label, its bar split by kind (with the count where it fits) and its
    total after the bar."""
    marks = []
    for continent in chart.bars:
        marks.append(
            f'<text class="chart__label" x="{chart.label_x}" y="{continent.label_y}"'
            f' text-anchor="end">{escape(continent.label)}</text>'
        )
        for segment in continent.segments:
            marks.append(bar(segment))
            if segment.width > 16:
                marks.append(
                    f'<text class="chart__value chart__value--{escape(segment.kind)}"'
                    f' x="{segment.center_x}" y="{segment.center_y}"'
                    f' text-anchor="middle">{int(segment.value)}</text>'
                )
        marks.append(
            f'<text class="chart__label chart__total" x="{continent.end_x}"'
            f' y="{continent.label_y}">{int(continent.total)}</text>'
        )
    return SafeString("".join(marks))
