"""Queries that every page runs, their SQL compiled once per database."""

from collections.abc import Callable

from django.db import connections, models, router

# Keyed by (name, database alias, vendor, variant...).
_SQL: dict[tuple[str, ...], tuple[str, tuple]] = {}


def first_of(
    model: type[models.Model], name: str, build: Callable[[], models.QuerySet]
) -> models.Model | None:
    """The first row of build()'s queryset of model, as QuerySet.first() gives it.

    Every page reads the home city and its photo: the ORM built and compiled each of those
    fixed queries anew, about 1 ms a page for the two. Their SQL holds no data (constants
    and column names only), so it is compiled once per process and database; the row is
    read on every call."""
    alias = router.db_for_read(model)
    key = (name, alias, connections[alias].vendor)
    if key not in _SQL:
        queryset = build()
        first = queryset if queryset.ordered else queryset.order_by("pk")
        _SQL[key] = first[:1].query.sql_with_params()
    sql, params = _SQL[key]
    return next(iter(model._default_manager.db_manager(alias).raw(sql, params)), None)


def fixed_rows(
    model: type[models.Model], name: str, build: Callable[[], models.QuerySet], *variant: str
) -> list[tuple]:
    """The rows of build()'s values_list() queryset of model, its SQL compiled once per
    database and variant (the language, where the SQL names a column by it).

    For the fixed queries of a page's filter menus, whose ORM subqueries took longer to
    compile than to run. The rows are the database driver's: no field converters run, so a
    caller reading dates parses them (SQLite returns text)."""
    alias = router.db_for_read(model)
    key = (name, alias, connections[alias].vendor, *variant)
    if key not in _SQL:
        _SQL[key] = build().query.sql_with_params()
    sql, params = _SQL[key]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def rows_for_ids(
    model: type[models.Model],
    name: str,
    build: Callable[[list[int]], models.QuerySet],
    ids: list[int],
) -> list[tuple]:
    """The rows of build(ids)'s values_list() queryset of model, as fixed_rows() gives them,
    for a query whose only data is a list of distinct ids (an IN list, say a page's rows).

    Its SQL is compiled once per database and number of ids, with the stand-in ids -1, -2, …
    (never a row's), which the parameters then carry the given ids in place of."""
    if not ids:
        return []
    stand_ins = [-i for i in range(1, len(ids) + 1)]
    alias = router.db_for_read(model)
    key = (name, alias, connections[alias].vendor, str(len(ids)))
    if key not in _SQL:
        _SQL[key] = build(stand_ins).query.sql_with_params()
    sql, params = _SQL[key]
    swap = dict(zip(stand_ins, ids, strict=True))
    params = [swap.get(param, param) if type(param) is int else param for param in params]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fixed_sql(
    model: type[models.Model], name: str, build: Callable[[], tuple[str, tuple]]
) -> tuple[str, tuple]:
    """build()'s (sql, params), for model's database, compiled once per database: for a
    fixed subquery that a page's ORM query takes as RawSQL."""
    alias = router.db_for_read(model)
    key = (name, alias, connections[alias].vendor)
    if key not in _SQL:
        _SQL[key] = build()
    return _SQL[key]
