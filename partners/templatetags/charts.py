from django import template
from django.utils.html import format_html, format_html_join
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
# engine. Numbers are the charts' rounded floats and ints as str() writes them, which is what
# the template wrote inside {% localize off %} (and, for the table's counts, without
# thousands separators, which the settings do not turn on).


def bar(segment: charts.Segment) -> SafeString:
    if segment.changed:
        return format_html(
            '<rect class="chart__bar chart__bar--{} chart__bar--changed" fill="url(#hatch-{})"'
            ' x="{}" y="{}" width="{}" height="{}"/>',
            segment.kind,
            segment.kind,
            segment.x,
            segment.y,
            segment.width,
            segment.height,
        )
    return format_html(
        '<rect class="chart__bar chart__bar--{}" x="{}" y="{}" width="{}" height="{}"/>',
        segment.kind,
        segment.x,
        segment.y,
        segment.width,
        segment.height,
    )


@register.simple_tag
def year_chart_marks(chart: charts.YearChart) -> SafeString:
    """The grid with its labels, the bars and the years under them."""
    grid = format_html_join(
        "",
        '<line class="chart__grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="chart__label" x="{}" y="{}" dy="4" text-anchor="end">{}</text>',
        (
            (chart.left, chart.width, tick.position, tick.position, chart.y_label_x)
            + (tick.position, tick.label)
            for tick in chart.y_ticks
        ),
    )
    bars = SafeString("".join(bar(segment) for segment in chart.segments))
    years = format_html_join(
        "",
        '<text class="chart__label" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((tick.position, chart.x_label_y, tick.label) for tick in chart.x_ticks),
    )
    return grid + bars + years


@register.simple_tag
def year_table_rows(chart: charts.YearChart) -> SafeString:
    return SafeString(
        "".join(
            format_html('<tr><th scope="row">{}</th>', row.year)
            + format_html_join("", "<td>{}</td>", ((count,) for count in row.counts))
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
            format_html(
                '<text class="chart__label" x="{}" y="{}" text-anchor="end">{}</text>',
                chart.label_x,
                continent.label_y,
                continent.label,
            )
        )
        for segment in continent.segments:
            marks.append(bar(segment))
            if segment.width > 16:
                marks.append(
                    format_html(
                        '<text class="chart__value chart__value--{}" x="{}" y="{}"'
                        ' text-anchor="middle">{}</text>',
                        segment.kind,
                        segment.center_x,
                        segment.center_y,
                        segment.value,
                    )
                )
        marks.append(
            format_html(
                '<text class="chart__label chart__total" x="{}" y="{}">{}</text>',
                continent.end_x,
                continent.label_y,
                continent.total,
            )
        )
    return SafeString("".join(marks))
