"""Public pages of exchange activities: the list by year with its filters and counts, and
one activity's page."""

from django.core.paginator import Paginator
from django.db import router
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import capfirst
from django.views.decorators.http import require_safe

from .forms import ExchangeFilterForm, valid_query
from .models import City, Exchange, ExchangeCount, Field
from .models.compiled import rows_for_ids

PAGE_SIZE = 20


def published_partners() -> Prefetch:
    """An activity's published partners, with their countries, as `published_partners`."""
    return Prefetch(
        "partners",
        queryset=City.objects.published().select_related("country").order_by("name_en"),
        to_attr="published_partners",
    )


def partners_of(ids: list[int]) -> QuerySet:
    """The published partners of the activities `ids`, by English name, as
    values_list(activity id, pk, slug, name_en, name_ko)."""
    return (
        City.objects.published()
        .filter(exchanges__in=ids)
        .order_by("name_en", "pk")
        .values_list("exchanges__id", "pk", "slug", "name_en", "name_ko")
    )


def add_published_partners(exchanges: list[Exchange]) -> None:
    """Sets each activity's `published_partners` as the published_partners() prefetch does,
    with the partners' slug and names only, for a list of activities: any other field of
    theirs (their country, say) would cost a query per partner where a template read it.

    One query whose SQL is compiled once per number of activities (rows_for_ids): the
    prefetch's join was built anew on every request, ~2 ms of a 34-partner page."""
    by_exchange: dict[int, list[City]] = {exchange.pk: [] for exchange in exchanges}
    alias = router.db_for_read(City)
    for exchange_id, *values in rows_for_ids(
        City, "exchange-partners", partners_of, list(by_exchange)
    ):
        by_exchange[exchange_id].append(City.from_db(alias, PARTNER_COLUMNS, values))
    for exchange in exchanges:
        exchange.published_partners = by_exchange[exchange.pk]


# The columns of the partners add_published_partners() reads, in the model's order.
PARTNER_COLUMNS = ["id", "slug", "name_en", "name_ko"]


# Filters the stored counts (ExchangeCount) answer; a search or a partner needs a count.
STORED_COUNT_FILTERS = frozenset({"year", "field", "continent"})


def counts_by_year_and_field(exchanges: QuerySet[Exchange], filters: dict) -> dict:
    """The activities counted by start year (newest first) and field, for the counts table:
    {"fields": [Field], "labels": [str per field, capitalised], "rows": [{"year", "cells":
    [int per field], "total"}], "totals": [int per field], "labelled_totals": [(label,
    int) per field], "total": int}. One query: of the
    stored counts when only year, field and continent filter the list (the grouped count of
    ~96,000 activities took 20-45 ms at 100,000); otherwise grouped over `exchanges`, on the
    stored year and field."""
    if STORED_COUNT_FILTERS.issuperset(filters):
        pairs = ExchangeCount.objects.filter(
            continent=filters.get("continent", ""),
            **{name: filters[name] for name in ("year", "field") if name in filters},
        ).values("year", "field", "count")
    else:
        pairs = exchanges.order_by().values("year", "field").annotate(count=Count("*"))
    by_year: dict[int, dict[str, int]] = {}
    for pair in pairs:
        by_year.setdefault(int(pair["year"]), {})[pair["field"]] = pair["count"]
    fields = list(Field)
    rows = [
        {
            "year": year,
            "cells": [by_year[year].get(field.value, 0) for field in fields],
            "total": sum(by_year[year].values()),
        }
        for year in sorted(by_year, reverse=True)
    ]
    totals = [sum(row["cells"][i] for row in rows) for i in range(len(fields))]
    # The heads' labels, translated here: the template looked up and translated each lazy
    # label (capfirst() of a lazy label would stay lazy).
    labels = [capfirst(str(field.label)) for field in fields]
    return {
        "fields": fields,
        "labels": labels,
        "rows": rows,
        "totals": totals,
        "labelled_totals": list(zip(labels, totals, strict=True)),
        "total": sum(totals),
    }


def filtered_exchanges(filters: dict, in_date_order: bool = False) -> QuerySet[Exchange]:
    """The published activities the list's valid `filters` select (in_date_order: for a
    page of them newest first, ExchangeQuerySet.search)."""
    exchanges = Exchange.objects.published()
    if "q" in filters:
        exchanges = exchanges.search(filters["q"], in_date_order=in_date_order)
    if "year" in filters:
        exchanges = exchanges.filter(year=filters["year"])
    if "field" in filters:
        exchanges = exchanges.filter(field=filters["field"])
    if "partner" in filters:
        exchanges = exchanges.filter(
            pk__in=Exchange.partners.through.objects.filter(city__slug=filters["partner"]).values(
                "exchange_id"
            )
        )
    if "continent" in filters:
        exchanges = exchanges.in_continent(filters["continent"])
    return exchanges


@require_safe
def exchange_list(request: HttpRequest) -> HttpResponse:
    form = ExchangeFilterForm(request.GET)
    filters = form.valid_filters()
    exchanges = filtered_exchanges(filters)
    counts = counts_by_year_and_field(exchanges, filters)
    ordered = filtered_exchanges(filters, in_date_order=True).order_by("-started_on", "-pk")
    # get_page: a page number past the end shows the last page, junk shows the first.
    paginator = Paginator(ordered, PAGE_SIZE)
    paginator.count = counts["total"]  # already counted above: one query fewer
    page_obj = paginator.get_page(request.GET.get("page"))
    page_obj.object_list = list(page_obj.object_list)
    add_published_partners(page_obj.object_list)
    context = {
        "form": form,
        "page_obj": page_obj,
        "page_range": page_obj.paginator.get_elided_page_range(page_obj.number, on_ends=1),
        "exchanges": page_obj.object_list,
        "counts": counts,
        "is_filtered": bool(filters),
        "query": valid_query(request.GET, filters, page_obj.number),
    }
    return render(request, "partners/exchange_list.html", context)


@require_safe
def exchange_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = get_object_or_404(
        Exchange.objects.published().prefetch_related(published_partners()), pk=pk
    )
    return render(request, "partners/exchange_detail.html", {"exchange": exchange})
