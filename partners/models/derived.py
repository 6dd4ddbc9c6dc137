"""Values stored on a partner that derive from other records: its current relationship (from
its agreements), its country's continent, and its folded search text (from its names and its
country's names); and the folded search text of an exchange activity (from its titles, places
and its partners' search texts).

Pages sort, filter and search 10,000 partners by them, which subqueries per partner could not
do fast (issue 13). One function computes them from scratch, refresh_partners()
(`City.objects.….refresh_derived()`); every write path calls it: the signals on save and
delete (partners/signals.py, raw saves of loaddata and history restores included), the
spreadsheet import and loaddata (batched by refresh_afterwards()), generate_scale_data.
Exchanges likewise: refresh_exchanges() (search text, year, listed on public pages), run on
every Exchange save, change of its partners, and change of a partner (exchanges_changed());
then refresh_exchange_counts() recounts the exchange list's stored counts (ExchangeCount) for
the years of the activities refreshed, and of those deleted, and refresh_exchange_dates()
rebuilds their partners' stored start dates (ExchangeDate, the dormant report's).
tests/test_derived.py, tests/test_exchange_search_text.py and tests/test_exchange_counts.py
prove the stored values never drift from the records.
"""

import datetime
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import NamedTuple

from django.apps import apps
from django.db import connections, router, transaction
from django.db.models import Count, QuerySet

from .agreements import Status
from .countries import country_search_names
from .text import fold

# No break: a date before any signing (the rule's "unbroken run" starts at the first one).
NO_BREAK = datetime.date(1, 1, 1)
# Separates the terms of the search text, and starts and ends it, so that "|seoul|" finds an
# exact term and "|seo" a term's start (CityQuerySet.search ranks by them).
SEPARATOR = "|"
# Partners refreshed per round trip: a few thousand ids stay under every database's limit
# on query parameters.
CHUNK = 2000


class AgreementRow(NamedTuple):
    kind: str
    signed_on: datetime.date
    status: str
    ended_on: datetime.date | None


@dataclass(frozen=True)
class Relationship:
    """A partner's relationship as its agreements give it (docs/data-model.md, "Since").

    current_kind, current_status, current_signed_on: its current (not ended) agreement's,
    None without one. since: the first signing in the unbroken run of the current kind (a
    renewal keeps it; an upgrade, or a gap where an agreement ended before the next was
    signed, restarts it). relationship_since: the first signing of any kind since the last
    gap, from which the partnership's age counts; both None without a current agreement.
    first_signed_on, first_kind: its earliest agreement, ended or not (the charts count a
    partnership from it), None without any.
    """

    current_kind: str | None = None
    current_status: str | None = None
    current_signed_on: datetime.date | None = None
    since: datetime.date | None = None
    relationship_since: datetime.date | None = None
    first_signed_on: datetime.date | None = None
    first_kind: str | None = None


DERIVED_FIELDS = [*Relationship.__dataclass_fields__, "continent", "search_text"]
# The partner's own fields that continent and search_text derive from.
SEARCHED_FIELDS = frozenset({"name_en", "name_ko", "aliases", "country", "country_id"})


def relationship(agreements: list[AgreementRow]) -> Relationship:
    """The Relationship of a partner's agreements, given in signing order (then by id)."""
    if not agreements:
        return Relationship()
    first = agreements[0]
    current = next((a for a in agreements if a.status != Status.ENDED), None)
    if current is None:
        return Relationship(first_signed_on=first.signed_on, first_kind=first.kind)
    signings = sorted({a.signed_on for a in agreements})

    def next_signing(after: datetime.date) -> datetime.date | None:
        return next((day for day in signings if day > after), None)

    gap_break = max(
        (
            a.signed_on
            for a in agreements
            if a.signed_on < current.signed_on
            and a.ended_on is not None
            and (following := next_signing(a.signed_on)) is not None
            and a.ended_on < following
        ),
        default=NO_BREAK,
    )
    kind_break = max(
        (
            a.signed_on
            for a in agreements
            if a.signed_on <= current.signed_on and a.kind != current.kind
        ),
        default=NO_BREAK,
    )
    run_break = max(gap_break, kind_break)
    since = min(
        (
            a.signed_on
            for a in agreements
            if a.kind == current.kind and run_break < a.signed_on <= current.signed_on
        ),
        # An upgrade signed the same day as the agreement it ends starts its own run.
        default=current.signed_on,
    )
    return Relationship(
        current_kind=current.kind,
        current_status=current.status,
        current_signed_on=current.signed_on,
        since=since,
        relationship_since=min(a.signed_on for a in agreements if a.signed_on > gap_break),
        first_signed_on=first.signed_on,
        first_kind=first.kind,
    )


def search_text(
    name_en: str, name_ko: str, aliases: str, iso_code: str, country_en: str, country_ko: str
) -> str:
    """The folded text a search for a partner looks in: "|name|이름|alias|country|국가|…|",
    its names and other spellings (aliases split at semicolons) and its country's names
    (country_search_names), each folded (text.fold) and between SEPARATORs."""
    terms = [name_en, name_ko, *aliases.split(";")]
    terms += country_search_names(iso_code, country_en, country_ko)
    folded = [fold(term).replace(SEPARATOR, " ").strip() for term in terms]
    return SEPARATOR + SEPARATOR.join(term for term in folded if term) + SEPARATOR


def refresh_partners(cities: QuerySet) -> int:
    """Recompute DERIVED_FIELDS of the partners in `cities` (a City queryset) from their
    agreements, names and country, and write those that changed. Returns how many changed.

    Queries: one for the partners and, per CHUNK of them, one for their agreements; then one
    UPDATE run for each changed partner (write_derived). Also run by migration 0007 with
    the historical models, hence the agreements' model is read from the queryset's."""
    agreement_model = cities.model._meta.get_field("agreements").related_model
    rows = list(
        cities.order_by("pk").values_list(
            "pk",
            "name_en",
            "name_ko",
            "aliases",
            "country__iso_code",
            "country__name_en",
            "country__name_ko",
            "country__continent",
            *DERIVED_FIELDS,
        )
    )
    changed = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        agreements = defaultdict(list)
        histories = agreement_model.objects.filter(city_id__in=[row[0] for row in chunk])
        for city_id, *values in histories.order_by("signed_on", "pk").values_list(
            "city_id", "kind", "signed_on", "status", "ended_on"
        ):
            agreements[city_id].append(AgreementRow(*values))
        for pk, *texts in chunk:
            texts, continent, stored = texts[:6], texts[6], tuple(texts[7:])
            values = asdict(relationship(agreements[pk])) | {
                "continent": continent,
                "search_text": search_text(*texts),
            }
            if tuple(values.values()) != stored:
                changed.append((pk, values))
    write_derived(cities, DERIVED_FIELDS, changed)
    return len(changed)


def exchange_search_text(texts: Iterable[str], partner_texts: Iterable[str]) -> str:
    """The folded text a search for an exchange activity looks in: its own `texts` (titles
    and places in both languages) folded (text.fold), then the terms of its partners'
    stored search texts (search_text above: names, other spellings, country names), each
    between SEPARATORs, as "|title|제목|place|name|alias|country|…|"."""
    terms = [fold(text).replace(SEPARATOR, " ").strip() for text in texts]
    terms += [term for text in partner_texts for term in text.split(SEPARATOR)]
    return SEPARATOR + SEPARATOR.join(term for term in terms if term) + SEPARATOR


EXCHANGE_TEXTS = ["title_en", "title_ko", "place_en", "place_ko"]
EXCHANGE_DERIVED_FIELDS = ["search_text", "year", "is_listed", "continents"]


def refresh_exchanges(exchanges: QuerySet, years: set[int] | None = None) -> int:
    """Recompute EXCHANGE_DERIVED_FIELDS of the activities in `exchanges` (an Exchange
    queryset) and write those that changed; returns how many changed. search_text: from
    its texts and its partners' search texts (exchange_search_text); year: its start's;
    is_listed: published with at least one published partner (what public pages show, so
    none links to a partner page that is a 404); continents: those of its published
    partners, sorted, between SEPARATORs ("|asia|europe|"; "" without one).

    `years`, if given, gets the stored year of every activity refreshed, before and after,
    whose counts (refresh_exchange_counts) its change may have moved.

    Queries: one for the activities, one per CHUNK of them for their partners, one UPDATE
    run per changed activity. Also run by migration 0010 with the historical models."""
    through = exchanges.model.partners.through
    rows = list(
        exchanges.order_by("pk").values_list(
            "pk", *EXCHANGE_TEXTS, "started_on", "is_published", *EXCHANGE_DERIVED_FIELDS
        )
    )
    changed = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        partner_texts, continents = defaultdict(list), defaultdict(set)
        links = through.objects.filter(exchange_id__in=[row[0] for row in chunk])
        for exchange_id, text, published, continent in links.order_by("city_id").values_list(
            "exchange_id", "city__search_text", "city__is_published", "city__continent"
        ):
            partner_texts[exchange_id].append(text)
            if published:
                continents[exchange_id].add(continent)
        for pk, *values in chunk:
            texts, (started_on, is_published), stored = values[:4], values[4:6], values[6:]
            public = sorted(continents.get(pk, ()))
            values = {
                "search_text": exchange_search_text(texts, partner_texts[pk]),
                "year": started_on.year,
                "is_listed": is_published and bool(public),
                "continents": SEPARATOR.join(["", *public, ""]) if public else "",
            }
            if list(values.values()) != stored:
                changed.append((pk, values))
            if years is not None:
                # Its field may have changed without any derived value: counted either way.
                years.update(year for year in (stored[1], values["year"]) if year is not None)
    write_derived(exchanges, EXCHANGE_DERIVED_FIELDS, changed)
    return len(changed)


# PostgreSQL advisory lock key of the recount (any constant the app uses for nothing else).
COUNTS_LOCK = 0x45584354  # "EXCT"


def refresh_exchange_counts(years: Iterable[int] | None = None, registry=apps) -> None:
    """Recount the stored ExchangeCount rows of `years` (all years when None) from the
    activities' stored year, field, is_listed and continents: one grouped query (the index
    exchange_listed_year_field finds the years' listed activities), then one DELETE and one
    INSERT run. `registry`: the models' apps (a migration's historical ones).

    One recount at a time, to the end of its transaction: two staff saves counting the same
    year at once would each count without the other's activity and write over each other
    (or collide on the key). SQLite serialises writing transactions already; on PostgreSQL
    an advisory lock does, taken before the count so that it sees what the other committed."""
    exchanges = registry.get_model("partners", "Exchange").objects.filter(is_listed=True)
    count_model = registry.get_model("partners", "ExchangeCount")
    if years is not None:
        years = sorted(set(years))
        if not years:
            return
        exchanges = exchanges.filter(year__in=years)
    connection = connections[exchanges.db]
    meta, quote = count_model._meta, connection.ops.quote_name
    columns = [meta.get_field(name).column for name in ("year", "field", "continent", "count")]
    table = quote(meta.db_table)
    with transaction.atomic(using=exchanges.db), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [COUNTS_LOCK])
        counts = Counter()
        groups = exchanges.order_by().values_list("year", "field", "continents")
        for year, field, continents, count in groups.annotate(count=Count("*")):
            for continent in ["", *(c for c in continents.split(SEPARATOR) if c)]:
                counts[year, field, continent] += count
        # Raw statements: the model's delete and save would each send signals per row (the
        # data version's), for a table that only follows writes that sent theirs.
        if years is None:
            cursor.execute(f"DELETE FROM {table}")
        else:
            marks = ", ".join(["%s"] * len(years))
            cursor.execute(f"DELETE FROM {table} WHERE {quote(columns[0])} IN ({marks})", years)
        if counts:
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(map(quote, columns))}) VALUES (%s, %s, %s, %s)",
                [(*key, count) for key, count in sorted(counts.items())],
            )


def refresh_exchange_dates(exchange_pks: Iterable[int] | None = None, registry=apps) -> None:
    """Rebuild the stored ExchangeDate rows (partner, start date, activity) of the activities
    `exchange_pks` (all when None) from their links: one DELETE and one INSERT … SELECT per
    CHUNK of ids; an id whose activity is gone just loses its rows. `registry`: the models'
    apps (a migration's historical ones). Raw statements, as for the counts: the model's
    would send a data-version signal per row for what only follows other writes."""
    if exchange_pks is not None:
        exchange_pks = sorted(set(exchange_pks))
        if not exchange_pks:
            return
    Exchange = registry.get_model("partners", "Exchange")
    date_model = registry.get_model("partners", "ExchangeDate")
    connection = connections[router.db_for_write(date_model)]
    quote = connection.ops.quote_name
    table = quote(date_model._meta.db_table)
    through = Exchange.partners.through._meta
    links, exchanges = quote(through.db_table), quote(Exchange._meta.db_table)
    city_id, exchange_id = (quote(through.get_field(name).column) for name in ("city", "exchange"))
    insert = (
        f"INSERT INTO {table} (city_id, started_on, exchange_id) "
        f"SELECT l.{city_id}, e.started_on, e.id FROM {links} l "
        f"JOIN {exchanges} e ON e.id = l.{exchange_id}"
    )
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # As the counts' (the same lock): a concurrent rebuild of the same activity's
            # rows would insert what the other's uncommitted statements hide from it (a
            # removed link's row, or a duplicate key). SQLite serialises writers already.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [COUNTS_LOCK])
        if exchange_pks is None:
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(insert)
            return
        for start in range(0, len(exchange_pks), CHUNK):
            chunk = exchange_pks[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE exchange_id IN ({marks})", chunk)
            cursor.execute(f"{insert} WHERE e.id IN ({marks})", chunk)


def write_derived(rows: QuerySet, names: list[str], changed: list[tuple[int, dict]]) -> None:
    """UPDATE the fields `names` of the model of `rows` for each (pk, values), one statement
    run for every row.

    Not bulk_update: its CASE WHEN per field and row took 25 s for 10,000 partners here,
    against under a second for this."""
    connection = connections[rows.db]
    meta, quote = rows.model._meta, connection.ops.quote_name
    fields = [meta.get_field(name) for name in names]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = [
        [field.get_db_prep_save(values[field.name], connection) for field in fields] + [pk]
        for pk, values in changed
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


_pending = threading.local()


def partners_changed(pks: Iterable[int]) -> None:
    """A write changed these partners' records: refresh them and their exchanges (which
    hold their search text and publication) now, or once at the end of the
    refresh_afterwards() block the write is in."""
    pending = getattr(_pending, "pks", None)
    if pending is not None:
        pending.update(pks)
        return
    refresh_now(list(pks), [])


def exchanges_changed(pks: Iterable[int], years: Iterable[int] = ()) -> None:
    """A write changed these exchange activities or their partners, or deleted activities
    counted in `years` (their stored year): refresh their search text and the counts now,
    or once at the end of the refresh_afterwards() block the write is in."""
    pending = getattr(_pending, "exchange_pks", None)
    if pending is not None:
        pending.update(pks)
        _pending.years.update(years)
        return
    refresh_now([], list(pks), set(years))


def refresh_now(partner_pks: list[int], exchange_pks: list[int], years: set[int] = frozenset()):
    """Refresh the partners, then the given exchanges and those of the partners, CHUNK ids
    per query; then the counts of their years and of `years`."""
    City = apps.get_model("partners", "City")
    Exchange = apps.get_model("partners", "Exchange")
    partner_pks, exchange_pks, years = sorted(partner_pks), set(exchange_pks), set(years)
    for start in range(0, len(partner_pks), CHUNK):
        chunk = partner_pks[start : start + CHUNK]
        refresh_partners(City.objects.filter(pk__in=chunk))
        links = Exchange.partners.through.objects.filter(city_id__in=chunk)
        exchange_pks.update(links.values_list("exchange_id", flat=True))
    exchange_pks = sorted(exchange_pks)
    for start in range(0, len(exchange_pks), CHUNK):
        chunk = exchange_pks[start : start + CHUNK]
        refresh_exchanges(Exchange.objects.filter(pk__in=chunk), years)
    refresh_exchange_dates(exchange_pks)
    refresh_exchange_counts(years)


@contextmanager
def refresh_afterwards() -> Iterator[set[int]]:
    """Within the block, partners_changed() and exchanges_changed() only collect the
    partners and exchanges; they are refreshed once when it ends (a bulk load: thousands of
    saves, one refresh). Yields the partners' set, to which a bulk_create, which sends no
    signal, adds its partners (exchanges_changed() collects a bulk_create's activities).
    Nested blocks join the outer one."""
    if getattr(_pending, "pks", None) is not None:
        yield _pending.pks
        return
    _pending.pks, _pending.exchange_pks, _pending.years = pks, exchange_pks, years = (
        set(),
        set(),
        set(),
    )
    try:
        yield pks
    finally:
        _pending.pks = _pending.exchange_pks = _pending.years = None
    refresh_now(list(pks), list(exchange_pks), years)
