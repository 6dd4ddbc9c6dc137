from django import template

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
