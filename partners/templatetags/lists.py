"""The public lists' repeated rows, written in Python: the same markup as the template loop they
replace, at a fraction of its cost (a row of the partner list was some twenty template nodes,
~2 ms of a 34-partner page for twenty rows)."""

import datetime
import html
from decimal import Decimal

from django import template
from django.http import QueryDict
from django.utils import formats, numberformat
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, pgettext

from partners.models import Field, Kind, Status, localized_reader

from .portal import date_pieces, write_date

register = template.Library()

# Values to labels, once: Kind.values builds its list anew on each call (~3 µs, and slower
# still inside a deep template stack). The labels stay lazy, so each request's language.
KIND_LABELS = {kind.value: kind.label for kind in Kind}
STATUS_LABELS = {status.value: status.label for status in Status}
# get_field_display() hashes every choice's lazy label, a translation each, per call.
FIELD_LABELS = {field.value: field.label for field in Field}


def _text(value: object) -> str:
    """`{{ value }}` of a plain value: escaped, without conditional_escape's lazy-argument
    wrapper (a few µs each, some two hundred values a list)."""
    return html.escape(str(value))


class Formats:
    """The active language's number and date formats, read once for a list's rows: Django's
    number_format and the date filter read them (and the language) anew for every value."""

    def __init__(self) -> None:
        self.language = get_language()
        self.decimal = formats.get_format("DECIMAL_SEPARATOR", self.language)
        self.grouping = formats.get_format("NUMBER_GROUPING", self.language)
        self.thousands = formats.get_format("THOUSAND_SEPARATOR", self.language)
        self.date_pieces = date_pieces(str(formats.get_format("DATE_FORMAT", self.language)))
        self.readers: dict = {}  # field -> localized_reader(field), made at first use

    def number(self, value: int | Decimal | None) -> str:
        """`{{ value|number }}` (portal.number)."""
        if value is None or value == "":
            return ""
        if isinstance(value, Decimal):
            value = value.normalize()
        return numberformat.format(
            value,
            self.decimal,
            grouping=self.grouping,
            thousand_sep=self.thousands,
            force_grouping=True,
            use_l10n=True,
        )

    def integer(self, value: int) -> str:
        """`{{ value }}` of a count (formats.localize: grouped only if USE_THOUSAND_SEPARATOR)."""
        return numberformat.format(
            value, self.decimal, grouping=self.grouping, thousand_sep=self.thousands, use_l10n=True
        )

    def date(self, value: datetime.date | None) -> str:
        """`{{ value|local_date }}` (portal.local_date)."""
        return "" if value is None else write_date(value, self.date_pieces)

    def localized(self, obj: object, field: str) -> str:
        """`obj.<field>` of a Localized field (models/text.py): the active language's
        column, the other's when empty."""
        if field not in self.readers:
            self.readers[field] = localized_reader(field)
        return self.readers[field](obj)


def _iso(value: datetime.date | None) -> str:
    """`{{ value.isoformat }}`: empty for a missing date, as the template's lookup gave."""
    return value.isoformat() if value is not None else ""


def _relationship(city) -> str:
    if not city.current_kind:
        # Translated outside the f-string: xgettext (makemessages) does not read into one.
        ended = gettext("ended")
        return f'<span class="badge">{_text(ended)}</span>'
    label = str(KIND_LABELS.get(city.current_kind, ""))
    cell = _text(label[:1].upper() + label[1:])  # |capfirst
    if city.current_status != "active":
        cell += f' <span class="badge">{_text(STATUS_LABELS.get(city.current_status, ""))}</span>'
    return cell


def _since(city, written: Formats) -> str:
    if not city.since:
        return ""
    cell = f'<time datetime="{_iso(city.since)}">{_text(written.date(city.since))}</time>'
    if city.kind_changed:
        first = city.relationship_since
        label = gettext("first agreement")  # outside the f-string, for makemessages
        cell += (
            f'<br><span class="muted">{_text(label)} '
            f'<time datetime="{_iso(first)}">{_text(written.date(first))}</time></span>'
        )
    return cell


def _population(city, written: Formats) -> str:
    cell = _text(written.number(city.population))
    if city.population and city.population_year:
        year = pgettext("as-of year", "(%(year)s)") % {
            "year": _text(formats.localize(city.population_year))
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
    written = Formats()
    rows = [
        "\n      <tr>\n"
        f'        <td data-label="{nation}">{_text(written.localized(city.country, "name"))}</td>\n'
        f'        <th scope="row"><a href="{_text(city.get_absolute_url())}">'
        f"{_text(written.localized(city, 'name'))}</a></th>\n"
        f'        <td data-label="{relationship}">{_relationship(city)}</td>\n'
        f'        <td class="nowrap" data-label="{since}">{_since(city, written)}</td>\n'
        f'        <td class="num" data-label="{population}">{_population(city, written)}</td>\n'
        f'        <td class="num" data-label="{area}">{_text(written.number(city.area_km2))}</td>\n'
        f'        <td class="feature" data-label="{feature}">'
        f"{_text(written.localized(city, 'feature'))}</td>\n"
        "      </tr>\n      "
        for city in cities
    ]
    return SafeString("".join(rows))


@register.simple_tag
def sort_header(query: QueryDict, column: dict[str, str], label: str, css_class: str = "") -> str:
    """A sortable column's head, as the include it replaces wrote it: the link sorts by the
    column (the other way when it sorts by it already), on the first page (column: the
    view's _sort_columns() entry, {"link", "aria"})."""
    aria = column["aria"]
    arrow = {"ascending": "▲", "descending": "▼"}.get(aria)
    # {% querystring query sort=... page=None %}: the page's valid query, sorted anew, page 1.
    params = query.copy()
    params["sort"] = column["link"]
    params.pop("page", None)
    return SafeString(
        '<th scope="col"'
        + (f' aria-sort="{_text(aria)}"' if aria else "")
        + (f' class="{conditional_escape(css_class)}"' if css_class else "")
        + f'><a href="?{_text(params.urlencode())}">'
        + conditional_escape(label)
        + (f' <span aria-hidden="true">{arrow}</span>' if arrow else "")
        + "</a></th>\n"  # the include's file ended in a newline
    )


def _exchange_meta(exchange, show_partners: bool, written: Formats) -> str:
    started = exchange.started_on
    dates = f'<time datetime="{_iso(started)}">{_text(written.date(started))}</time>'
    if exchange.ended_on and exchange.ended_on != exchange.started_on:
        dates += (
            f' – <time datetime="{_iso(exchange.ended_on)}">'
            f"{_text(written.date(exchange.ended_on))}</time>"
        )
    place = written.localized(exchange, "place")
    if place:
        dates += f" · {_text(place)}"
    partners = getattr(exchange, "published_partners", None) if show_partners else None
    if partners:
        dates += " · " + ", ".join(
            f'<a href="{_text(city.get_absolute_url())}">'
            f"{_text(written.localized(city, 'name'))}</a>"
            for city in partners
        )
    field = str(FIELD_LABELS.get(exchange.field, exchange.field))  # get_field_display()
    return (
        '<p class="exchange__meta">\n'
        f'  <span class="badge">{_text(field[:1].upper() + field[1:])}</span>\n'
        f"  {dates}\n</p>"
    )


@register.simple_tag
def exchange_meta(exchange, show_partners: bool = False) -> SafeString:
    """An activity's field, dates, place and (show_partners) its published_partners, linked:
    includes/exchange_meta.html, which the home page, a partner's page and the exchange list
    show each activity with."""
    return SafeString(_exchange_meta(exchange, show_partners, Formats()))


@register.simple_tag
def exchange_items(exchanges: list) -> SafeString:
    """The exchange list's items of one year, as its template loop wrote them: each
    activity's linked title and its includes/exchange_meta.html with its partners."""
    written = Formats()
    return SafeString(
        "".join(
            '\n    <li class="exchange">\n'
            f'      <h3><a href="{_text(exchange.get_absolute_url())}">'
            f"{_text(written.localized(exchange, 'title'))}</a></h3>\n"
            f"      {_exchange_meta(exchange, True, written)}\n\n    </li>\n    "
            for exchange in exchanges
        )
    )


@register.simple_tag
def count_rows(rows: list[dict], labels: list[str], total_label: str) -> SafeString:
    """The exchange list's counts table body, as its template loop wrote it: a row per year
    (rows: counts_by_year_and_field()'s, {"year", "cells", "total"}), each cell naming its
    field (labels, in the cells' order) or the total as data-label for the phones' cards."""
    written = Formats()
    names = [_text(label) for label in labels]
    total_name = _text(total_label)
    return SafeString(
        "".join(
            f'\n        <tr>\n          <th scope="row">{row["year"]:d}</th>\n          '
            + "".join(
                f'<td data-label="{name}">{written.integer(count)}</td>'
                for name, count in zip(names, row["cells"], strict=True)
            )
            + f'\n          <td data-label="{total_name}">{written.integer(row["total"])}</td>'
            + "\n        </tr>\n        "
            for row in rows
        )
    )
