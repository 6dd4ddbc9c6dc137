import datetime
from collections import defaultdict
from collections.abc import Callable
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import Count, F, OrderBy, Prefetch, QuerySet, prefetch_related_objects
from django.db.models.expressions import RawSQL
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.generic import DetailView

from .charts import count_signing_events, signing_event_rows
from .context_processors import load_home_city, load_home_city_photo
from .forms import CityFilterForm, valid_query
from .models import (
    Agreement,
    AgreementDocument,
    City,
    Continent,
    Country,
    Exchange,
    Kind,
    Photo,
    Status,
    localized_name,
)
from .models.compiled import fixed_rows, fixed_sql
from .views_exchanges import published_partners

# The seed's column order for the counts table: Americas, Europe, Oceania, Africa, Asia.
TABLE_CONTINENTS = [
    Continent.AMERICAS,
    Continent.EUROPE,
    Continent.OCEANIA,
    Continent.AFRICA,
    Continent.ASIA,
]

# Sort keys the list accepts; anything else falls back to DEFAULT_SORT.
SORT_FIELDS = {
    "name": ["name", "name_en"],
    "country": ["country__name", "name"],
    "since": ["since", "name_en"],
    "population": ["population", "name_en"],
    "area": ["area_km2", "name_en"],
}
DEFAULT_SORT = "since"

KIND_HEADINGS = {Kind.SISTER: _("Sister cities"), Kind.FRIENDLY: _("Friendly cooperation cities")}
PAGE_SIZE = 20
# A cell of the home page's counts table names its partners up to this many; a larger one
# links its count to the filtered list instead (the seed's largest cell holds 10).
CELL_NAMES = 12
# The world map draws at most this many partners, the first in the page's order; the caption
# says how many it leaves out (10,000 markers would be a 1.7 MB page).
MAP_MARKERS = 100
UPCOMING_ON_HOME = 5


@require_safe
def language_redirect(request: HttpRequest) -> HttpResponseRedirect:
    language = translation.get_language_from_request(request)
    return HttpResponseRedirect(f"/{language}/")


@require_safe
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    # Browsers and the admin ask for /favicon.ico; the icon is a static SVG.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def list_urls() -> Callable[..., str]:
    """list_url(**filters): the partner list with these filters, where a count too large to
    name links to; the list's path reversed once for a page's ten cells (~20 µs each)."""
    path = reverse("partners:city-list")
    return lambda **filters: f"{path}?{urlencode(filters)}"


def first_partners(current: QuerySet, order: list[str]) -> tuple[str, list]:
    """The SQL and parameters selecting the pks of the first MAP_MARKERS of `current` and of
    the first CELL_NAMES of each kind and continent, in `order`: one UNION ALL of eleven
    index lookups.

    The ORM compiled each of the ten cells' subqueries twice (about 5 ms of a 34-partner home
    page); here one cell's subquery is compiled and its SQL reused with each cell's kind and
    continent in place of the first's, which its parameters carry."""
    firsts = current.order_by(*order)[:MAP_MARKERS].values("pk").query.sql_with_params()
    cell_sql, cell_params = (
        current.filter(current_kind=CELL_KIND, continent=CELL_CONTINENT)
        .order_by(*order)[:CELL_NAMES]
        .values("pk")
        .query.sql_with_params()
    )
    parts, params = [firsts[0]], list(firsts[1])
    for kind in Kind.values:
        for continent in TABLE_CONTINENTS:
            parts.append(cell_sql)
            swap = {CELL_KIND: kind, CELL_CONTINENT: continent.value}
            params += [swap.get(param, param) for param in cell_params]
    union = " UNION ALL ".join(f"SELECT * FROM ({sql}) first_{i}" for i, sql in enumerate(parts))
    return union, params


# What the home page, its lists and its map read of a partner and of its country
# (maps.world_map, the markers' labels).
HOME_CITY_FIELDS = [
    "slug",
    "name_en",
    "name_ko",
    "country",
    "current_kind",
    "continent",
    "latitude",
    "longitude",
]
HOME_COUNTRY_FIELDS = ["name_en", "name_ko", "continent"]


def first_cities(current: QuerySet) -> list[City]:
    """The partners that the home page names and maps: the first CELL_NAMES of each kind and
    continent and the first MAP_MARKERS of `current`, in the page's order, each with its
    country; one query, each part found by an index (city_cell, city_since).

    The query is the same SQL on every request: compiled once (the ORM compiled it anew,
    longer than it takes to run) and read with raw(), which takes compiled SQL, with the
    countries' columns as annotations; only the columns the page reads (HOME_CITY_FIELDS,
    HOME_COUNTRY_FIELDS). With every column of both tables, compiled each time, it was
    2.3 ms; now 0.85."""
    order = ["since", "name_en", "pk"]
    sql, params = fixed_sql(
        City,
        "home-first-cities",
        lambda: (
            City.objects.filter(pk__in=RawSQL(*first_partners(current, order)))
            .only(*HOME_CITY_FIELDS)
            .annotate(**{f"country_{name}": F(f"country__{name}") for name in HOME_COUNTRY_FIELDS})
            .order_by(*order)
            .query.sql_with_params()
        ),
    )
    alias = router.db_for_read(City)
    cities = list(City.objects.db_manager(alias).raw(sql, params))
    for city in cities:
        values = [getattr(city, f"country_{name}") for name in HOME_COUNTRY_FIELDS]
        city.country = Country.from_db(
            alias, ["id", *HOME_COUNTRY_FIELDS], [city.country_id, *values]
        )
    return cities


# Stand-ins for a cell's kind and continent in first_partners(), never a stored value.
CELL_KIND, CELL_CONTINENT = "\x00kind", "\x00continent"


# A date that the upcoming activities' compiled SQL holds in place of today's, never a real one.
UPCOMING_STAND_IN = datetime.date(1, 1, 1)


def upcoming_exchanges() -> list[Exchange]:
    """The first UPCOMING_ON_HOME published activities after today, soonest first, with their
    published partners (published_partners()).

    Its SQL is compiled once with a stand-in for today, its only parameter; compiling it and
    building the partners' prefetch queryset when nothing is upcoming took 0.5 ms a page."""
    sql, params = fixed_sql(
        Exchange,
        "home-upcoming",
        lambda: (
            Exchange.objects.published()
            .upcoming(UPCOMING_STAND_IN)[:UPCOMING_ON_HOME]
            .query.sql_with_params()
        ),
    )
    ops = connections[router.db_for_read(Exchange)].ops
    stand_in = ops.adapt_datefield_value(UPCOMING_STAND_IN)
    today = ops.adapt_datefield_value(timezone.localdate())
    exchanges = list(
        Exchange.objects.raw(sql, [today if param == stand_in else param for param in params])
    )
    if exchanges:
        prefetch_related_objects(exchanges, published_partners())
    return exchanges


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Counts by kind x continent from one grouped query; a cell names its partners up to
    CELL_NAMES, else its count, and its continent list an "all N" link, lead to the filtered
    list; the map draws the first MAP_MARKERS; the charts come from one grouped query. The
    page costs the same queries at 34 partners as at 10,000 (issue 13)."""
    current = City.objects.published().filter(current_kind__isnull=False)
    # The counts' and the chart's queries are the same SQL on every request: compiled once
    # (fixed_rows), as the ORM compiled them anew each time (~1-2 ms of the page).
    counts = {
        (kind, continent): count
        for kind, continent, count in fixed_rows(
            City,
            "home-counts",
            lambda: (
                current.values_list("current_kind", "continent")
                .annotate(count=Count("pk"))
                .order_by()
            ),
        )
    }
    cities = first_cities(current)
    # In that order a cell's first CELL_NAMES are its own first, and the first MAP_MARKERS
    # are the first of all: the rows that only one of the two needs come after.
    named = defaultdict(list)
    for city in cities:
        cell = named[(city.current_kind, city.continent)]
        if len(cell) < CELL_NAMES:
            cell.append(city)

    rows = []
    list_url = list_urls()
    # Each continent's name translated once: the template wrote it 29 times.
    labels = {continent: str(continent.label) for continent in TABLE_CONTINENTS}
    for kind in Kind:
        cells = [
            {
                "continent": continent,
                "label": labels[continent],
                "count": counts.get((kind.value, continent.value), 0),
                "cities": named[(kind.value, continent.value)],
                "url": list_url(kind=kind.value, continent=continent.value),
            }
            for continent in TABLE_CONTINENTS
        ]
        rows.append(
            {
                "kind": kind,
                "heading": KIND_HEADINGS[kind],
                "total": sum(cell["count"] for cell in cells),
                "cells": cells,
            }
        )
    totals = [
        {
            "continent": continent,
            "label": labels[continent],
            "count": sum(row["cells"][i]["count"] for row in rows),
        }
        for i, continent in enumerate(TABLE_CONTINENTS)
    ]
    grand_total = sum(total["count"] for total in totals)
    context = {
        "map_cities": cities[:MAP_MARKERS],
        "map_total": grand_total,
        "signing_events": count_signing_events(
            fixed_rows(City, "home-signing-events", lambda: signing_event_rows(current))
        ),
        "continents": TABLE_CONTINENTS,
        "rows": rows,
        "totals": totals,
        "grand_total": grand_total,
        "cell_names": CELL_NAMES,
        "home_photo": load_home_city_photo(request),
        "upcoming_exchanges": upcoming_exchanges(),
    }
    return render(request, "partners/home.html", context)


def _ordering(sort: str) -> list[OrderBy]:
    field_names = SORT_FIELDS[sort.removeprefix("-")]
    descending = sort.startswith("-")
    ordering = []
    for name in field_names:
        if name in ("name", "country__name"):
            name = localized_name(name)
        expression = F(name)
        # Partners without a figure go last whichever way the column is sorted.
        ordering.append(
            expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        )
    ordering.append(F("pk").asc())
    return ordering


@require_safe
def city_list(request: HttpRequest) -> HttpResponse:
    form = CityFilterForm(request.GET)
    filters = form.valid_filters()
    cities = City.objects.published().select_related("country")
    if "q" in filters:
        cities = cities.search(filters["q"])
    if "kind" in filters:
        cities = cities.filter(current_kind=filters["kind"])
    if "continent" in filters:
        cities = cities.filter(continent=filters["continent"])
    if "country" in filters:
        cities = cities.filter(country__iso_code=filters["country"])
    if "status" in filters:
        if filters["status"] == Status.ENDED:
            # An ended relationship is a partner with no current agreement left.
            cities = cities.filter(current_status__isnull=True)
        else:
            cities = cities.filter(current_status=filters["status"])

    sort = request.GET.get("sort", DEFAULT_SORT)
    if sort.removeprefix("-") not in SORT_FIELDS:
        sort = DEFAULT_SORT
    # A search the visitor has not sorted lists the best matches first: a name that is the
    # query, then names starting with it, then the rest by name.
    by_relevance = "q" in filters and "sort" not in request.GET
    if by_relevance:
        cities = cities.order_by("search_rank", *_ordering("name"))
    else:
        cities = cities.order_by(*_ordering(sort))

    # page=all: every matching partner on one page, for printing (a print stylesheet cannot
    # fetch the other pages) and for reading without paging; its size grows with the data.
    show_all = request.GET.get("page") == "all"
    paginator = Paginator(cities, PAGE_SIZE)
    if show_all:
        paginator = Paginator(cities, max(paginator.count, 1))
    # get_page: a page number past the end shows the last page, junk shows the first.
    page_obj = paginator.get_page(None if show_all else request.GET.get("page"))
    query = valid_query(request.GET, filters, "all" if show_all else page_obj.number, sort)
    # The map's rows are the list's first MAP_MARKERS in the same order: a page within them
    # (every page at 34 partners, the first five at any size) is sliced from them instead of
    # read again, a query and twenty rows fewer (about 1 ms of a 34-partner page).
    bottom = (page_obj.number - 1) * PAGE_SIZE
    if show_all:
        map_cities = list(page_obj.object_list)[:MAP_MARKERS]
    else:
        map_cities = list(cities[:MAP_MARKERS])
        if bottom + PAGE_SIZE <= MAP_MARKERS:
            page_obj.object_list = map_cities[bottom : bottom + PAGE_SIZE]
    context = {
        "query": query,
        "form": form,
        "page_obj": page_obj,
        "page_range": page_obj.paginator.get_elided_page_range(page_obj.number, on_ends=1),
        "cities": page_obj.object_list,
        # The map: the first MAP_MARKERS partners in the list's order, whichever the page.
        "map_cities": map_cities,
        "map_total": paginator.count,
        "sort": "" if by_relevance else sort,
        "sort_columns": _sort_columns("" if by_relevance else sort),
        "is_filtered": bool(filters),
        "show_all": show_all,
        "active_filters": _active_filters(query, form, filters),
    }
    return render(request, "partners/city_list.html", context)


def _active_filters(
    query: QueryDict, form: CityFilterForm, filters: dict[str, str]
) -> list[dict[str, str]]:
    """Each filter in use but the search term: its label, chosen value, and the list's URL
    without it (built from the valid query only), so an empty result offers to widen it."""
    active = []
    for name, value in filters.items():
        if name == "q":
            continue
        params = query.copy()
        params.pop(name, None)
        params.pop("page", None)
        active.append(
            {
                "label": form.fields[name].label,
                "value": dict(form.fields[name].choices).get(value, value),
                "url": f"?{params.urlencode()}",
            }
        )
    return active


def _sort_columns(sort: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the sort value its header link asks for and its aria-sort."""
    active, descending = sort.removeprefix("-"), sort.startswith("-")
    columns = {}
    for key in SORT_FIELDS:
        if key == active:
            columns[key] = {
                "link": key if descending else f"-{key}",
                "aria": "descending" if descending else "ascending",
            }
        else:
            columns[key] = {"link": key, "aria": ""}
    return columns


class CityDetailView(DetailView):
    http_method_names = ["get", "head"]
    template_name = "partners/city_detail.html"
    context_object_name = "city"

    def get_queryset(self):
        return (
            City.objects.published()
            .select_related("country")
            .prefetch_related(
                Prefetch("agreements", queryset=Agreement.objects.order_by("signed_on", "pk")),
                Prefetch(
                    "exchanges",
                    queryset=Exchange.objects.published().order_by("-started_on", "-pk"),
                    to_attr="published_exchanges",
                ),
                Prefetch("photos", queryset=Photo.objects.published(), to_attr="published_photos"),
                Prefetch(
                    "documents",
                    queryset=AgreementDocument.objects.public().select_related("agreement"),
                    to_attr="public_documents",
                ),
            )
        )

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        city = self.object
        distance = city.distance_km(load_home_city(self.request))
        context["distance_km"] = round(distance) if distance is not None else None
        context["years"] = city.years_of_partnership()
        # Its last exchange, as with_last_exchange() gives it, from the activities listed
        # (newest first): that subquery walked the activities by date on PostgreSQL.
        today = timezone.localdate()
        last = next((e for e in city.published_exchanges if e.started_on <= today), None)
        city.last_exchange_on = last.started_on if last else None
        city.last_exchange_field = last.field if last else None
        return context
