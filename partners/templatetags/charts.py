from django import template

from partners import charts

register = template.Library()


@register.inclusion_tag("includes/charts.html")
def partner_charts(cities: list, rows: list[dict], continents: list) -> dict:
    """The home page's charts from the rows it already read (views.home's `cities`, with
    their stored relationship, and its count `rows` per kind and continent)."""
    return {
        "years": charts.year_chart(list(cities)),
        "continents": charts.continent_chart(rows, continents),
    }
