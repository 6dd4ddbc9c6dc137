import functools
import html

from django import forms
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import City, Continent, Country, Exchange, Field, Kind, Status, localized_name
from .models.compiled import fixed_rows

# Django's message repeats the rejected value, which may be 100 KB long.
NOT_A_CHOICE = {"invalid_choice": _("That is not one of the choices.")}


def html_attrs(attrs: dict) -> SafeString:
    """Attributes as Django's widgets/attrs.html writes them: False left out, True bare."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


def _escaped(value: object) -> str:
    """conditional_escape's text without its lazy-argument wrapper and SafeString, for the
    many options of a menu (a lazy label is read in the request's language)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


class MenuSelect(forms.Select):
    """Django's Select, its HTML written in Python: the same markup as its select.html and
    select_option.html templates, which the public filter menus (a country menu of dozens of
    options) rendered at about 4 ms a page, an include per option and per attribute list.
    The field's choices and validation are Django's own."""

    def render(self, name: str, value, attrs: dict | None = None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = []
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:  # the public menus have no groups; Django's own markup for them
                return super().render(name, value, attrs, renderer)
            # An f-string of escaped parts, not format_html: ~3x faster over a country
            # menu's dozens of options; an option's attrs are {} or {"selected": True}.
            options += [
                f'\n  <option value="{_escaped(option["value"])}"'
                f"{html_attrs(option['attrs']) if option['attrs'] else ''}>"
                f"{_escaped(option['label'])}</option>\n"
                for option in group_choices
            ]
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            html_attrs(widget["attrs"]),
            SafeString("".join(options)),
        )


class SearchInput(forms.TextInput):
    """Django's TextInput, its HTML written in Python as MenuSelect's is: the same markup as
    its input.html and attrs.html templates, two includes for one search box."""

    def render(self, name: str, value, attrs: dict | None = None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        value = widget["value"]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            format_html(' value="{}"', str(value)) if value is not None else "",
            html_attrs(widget["attrs"]),
        )


def partner_countries(name: str) -> QuerySet:
    """(ISO code, name) of the countries with a published partner, by name."""
    published = City.objects.filter(country=OuterRef("pk"), is_published=True)
    return Country.objects.filter(Exists(published)).order_by(name).values_list("iso_code", name)


class CityFilterForm(forms.Form):
    """The public list's GET filters; an invalid field is reported and ignored, and neither
    its message nor its input shows the rejected value again."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False, widget=SearchInput)
    kind = forms.ChoiceField(
        label=_("Relationship"), required=False, error_messages=NOT_A_CHOICE, widget=MenuSelect
    )
    continent = forms.ChoiceField(
        label=_("Continent"), required=False, error_messages=NOT_A_CHOICE, widget=MenuSelect
    )
    country = forms.ChoiceField(
        label=_("Country"), required=False, error_messages=NOT_A_CHOICE, widget=MenuSelect
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, error_messages=NOT_A_CHOICE, widget=MenuSelect
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        # The model labels are lower case to sit mid-sentence ("a sister city"); a menu
        # option starts a line. Translated once here, as the form is made per request in its
        # language: a lazy label was translated again at each use (hashing, escaping).
        for field, choices in (("kind", Kind), ("continent", Continent), ("status", Status)):
            self.fields[field].choices = any_choice + [
                (value, capfirst(str(label))) for value, label in choices.choices
            ]
        name = localized_name("name")
        # Only countries that have a published partner, so no choice leads to an empty page.
        # EXISTS finds each country's first such partner by the country index; a DISTINCT
        # join read every partner (8 ms at 10,000 partners on SQLite, now about 1 ms). The
        # same SQL on every request, compiled once (fixed_rows).
        countries = fixed_rows(
            Country, "partner-country-menu", functools.partial(partner_countries, name), name
        )
        self.fields["country"].choices = any_choice + countries

    def valid_filters(self) -> dict[str, str]:
        """The filters that passed validation, even when another one did not."""
        if not self.is_valid():
            self.data = self.data.copy()
            for name in self.errors:
                self.data[name] = ""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value and name not in self.errors
        }


def exchange_years() -> QuerySet:
    """The first and the last activity's date: two index lookups, not a scan of every
    activity (a year between them without a published activity shows none). Not MIN and MAX
    in one aggregate: SQLite then scans the whole index."""
    dates = Exchange.objects.values("started_on")
    return Exchange.objects.annotate(
        first=Subquery(dates.order_by("started_on")[:1]),
        last=Subquery(dates.order_by("-started_on")[:1]),
    ).values_list("first", "last")[:1]


def partners_with_activities(name: str, limit: int) -> QuerySet:
    """(slug, name) of the first `limit` published partners with a published activity, which
    is public through them, by name."""
    with_activities = Exchange.partners.through.objects.filter(
        city_id=OuterRef("pk"), exchange__is_published=True
    )
    return (
        City.objects.published()
        .filter(Exists(with_activities))
        .order_by(name, "slug")
        .values_list("slug", name)[:limit]
    )


class ExchangeFilterForm(forms.Form):
    """The exchange list's GET filters; an invalid field is reported and ignored.

    The partner is a menu while it stays short enough to read (PARTNER_MENU_LIMIT partners
    with published activities); beyond that, a text field taking a slug, a name or another
    spelling, so that the page never carries thousands of options."""

    PARTNER_MENU_LIMIT = 200

    q = forms.CharField(label=_("Search"), max_length=100, required=False, widget=SearchInput)
    year = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        required=False,
        error_messages=NOT_A_CHOICE,
        widget=MenuSelect,
    )
    field = forms.ChoiceField(
        label=_("Field"), required=False, error_messages=NOT_A_CHOICE, widget=MenuSelect
    )
    partner = forms.ChoiceField(
        label=_("Partner"), required=False, error_messages=NOT_A_CHOICE, widget=MenuSelect
    )
    continent = forms.ChoiceField(
        label=_("Continent"), required=False, error_messages=NOT_A_CHOICE, widget=MenuSelect
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        any_choice = [("", _("Any"))]
        for field, choices in (("field", Field), ("continent", Continent)):
            self.fields[field].choices = any_choice + [
                (value, capfirst(str(label))) for value, label in choices.choices
            ]
        # Both menus' queries are the same SQL on every request, compiled once (fixed_rows):
        # their subqueries took longer to compile than to run.
        years = []
        for first, last in fixed_rows(Exchange, "exchange-years", exchange_years):
            # SQLite gives the dates as text.
            first, last = models.DateField().to_python(first), models.DateField().to_python(last)
            years = range(last.year, first.year - 1, -1)
        self.fields["year"].choices = any_choice + [(year, str(year)) for year in years]
        name = localized_name("name")
        limit = self.PARTNER_MENU_LIMIT + 1
        menu = functools.partial(partners_with_activities, name, limit)
        partners = fixed_rows(City, "exchange-partner-menu", menu, name, str(limit))
        if len(partners) <= self.PARTNER_MENU_LIMIT:
            self.fields["partner"].choices = any_choice + partners
        else:
            self.fields["partner"] = forms.CharField(
                label=_("Partner"),
                max_length=120,
                required=False,
                help_text=_("A partner's name, another spelling or its slug."),
            )

    def clean_partner(self) -> str:
        """The partner's slug; a typed name must fit exactly one published partner."""
        value = self.cleaned_data["partner"].strip()
        if not value or isinstance(self.fields["partner"], forms.ChoiceField):
            return value
        published = City.objects.published()
        if published.filter(slug=value).exists():
            return value
        matches = list(published.search(value).values_list("slug", flat=True)[:2])
        if len(matches) != 1:
            raise forms.ValidationError(
                _("No one partner is called “%(name)s”: write its slug.")
                % {"name": value if len(value) <= 40 else value[:40] + "…"}
            )
        return matches[0]

    valid_filters = CityFilterForm.valid_filters


def valid_query(
    given: QueryDict, filters: dict[str, object], page: int | str, sort: str | None = None
) -> QueryDict:
    """A list's query parameters that were used, in the visitor's order, for its links (the
    partner list's and the exchange list's).

    Only the valid values: an unknown parameter or a rejected value (a 100 KB `q`, a `kind`
    that is no kind) is never echoed into the sort, page and language links.
    """
    used = {name: str(value) for name, value in filters.items()} | {"page": str(page)}
    if sort is not None and given.get("sort") == sort:
        used["sort"] = sort
    query = QueryDict(mutable=True)
    for name in given:
        if name in used:
            query[name] = used[name]
    return query
