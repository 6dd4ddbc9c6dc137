"""The public lists' repeated rows, written in Python: the same markup as the template loop they
replace, at a fraction of its cost (a row of the partner list was some twenty template nodes,
~2 ms of a 34-partner page for twenty rows)."""

import datetime

from django import template
from django.utils import formats
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext

from partners.models import Kind, Status

from .portal import local_date, number

register = template.Library()

# Values to labels, once: Kind.values builds its list anew on each call (~3 µs, and slower
# still inside a deep template stack). The labels stay lazy, so each request's language.
KIND_LABELS = {kind.value: kind.label for kind in Kind}
STATUS_LABELS = {status.value: status.label for status in Status}


def _iso(value: datetime.date | None) -> str:
    """`{{ value.isoformat }}`: empty for a missing date, as the template's lookup gave."""
    return value.isoformat() if value is not None else ""


def _relationship(city) -> str:
    if not city.current_kind:
        return f'<span class="badge">{escape(gettext("ended"))}</span>'
    cell = escape(capfirst(str(KIND_LABELS.get(city.current_kind, ""))))
    if city.current_status != "active":
        cell += f' <span class="badge">{escape(STATUS_LABELS.get(city.current_status, ""))}</span>'
    return cell


def _since(city) -> str:
    if not city.since:
        return ""
    cell = f'<time datetime="{_iso(city.since)}">{escape(local_date(city.since))}</time>'
    if city.kind_changed:
        first = city.relationship_since
        cell += (
            f'<br><span class="muted">{escape(gettext("first agreement"))} '
            f'<time datetime="{_iso(first)}">{escape(local_date(first))}</time></span>'
        )
    return cell


def _population(city) -> str:
    cell = escape(number(city.population))
    if city.population and city.population_year:
        year = pgettext("as-of year", "(%(year)s)") % {
            "year": escape(formats.localize(city.population_year))
        }
        cell += f' <span class="muted">{year}</span>'
    return cell


@register.simple_tag
def partner_rows(
    cities: list,
    nation_label: str,
    relationship_label: str,
    since_label: str,
    population_label: str,
    area_label: str,
    feature_label: str,
) -> SafeString:
    """The partner list's table rows, each as templates/partners/city_list.html wrote it
    (cities: partners with their country; the labels: the column heads, repeated as each
    cell's data-label for the phone layout)."""
    nation, relationship, since, population, area, feature = (
        conditional_escape(label)
        for label in (
            nation_label,
            relationship_label,
            since_label,
            population_label,
            area_label,
            feature_label,
        )
    )
    rows = [
        "\n      <tr>\n"
        f'        <td data-label="{nation}">{escape(city.country.name)}</td>\n'
        f'        <th scope="row"><a href="{escape(city.get_absolute_url())}">'
        f"{escape(city.name)}</a></th>\n"
        f'        <td data-label="{relationship}">{_relationship(city)}</td>\n'
        f'        <td class="nowrap" data-label="{since}">{_since(city)}</td>\n'
        f'        <td class="num" data-label="{population}">{_population(city)}</td>\n'
        f'        <td class="num" data-label="{area}">{escape(number(city.area_km2))}</td>\n'
        f'        <td class="feature" data-label="{feature}">{escape(city.feature)}</td>\n'
        "      </tr>\n      "
        for city in cities
    ]
    return SafeString("".join(rows))
