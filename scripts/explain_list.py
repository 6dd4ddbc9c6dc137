"""The query plans of the partner list's queries for every filter and sort it offers, at
10,000 generated partners: which index each uses (issue 13).

    DJANGO_DEBUG=1 .venv/bin/python scripts/explain_list.py            # SQLite (temp file)
    DJANGO_DEBUG=1 .venv/bin/python scripts/explain_list.py postgres://postgres@127.0.0.1:5432/portal_x

The database is created afresh (a PostgreSQL one is flushed) and filled by
generate_scale_data. Each list URL is requested once; every query on partners_city it runs is
explained (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN, after ANALYZE) and the plan
printed beneath its URL. It asserts nothing.
"""

import io

from bench_render import empty_database

PATHS = [
    "/en/partners/",
    "/en/partners/?sort=-since",
    "/ko/partners/?sort=name",
    "/en/partners/?sort=name",
    "/en/partners/?sort=country",
    "/en/partners/?sort=-population",
    "/en/partners/?sort=area",
    "/en/partners/?kind=sister",
    "/en/partners/?continent=europe",
    "/en/partners/?country=DE",
    "/en/partners/?status=suspended",
    "/en/partners/?status=ended",
    "/en/partners/?q=kharkov",
]


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN {sql}")
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return [row[-1] for row in cursor.fetchall()]


def main() -> None:
    tmp = empty_database()  # noqa: F841  (the SQLite file lives as long as it)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("loaddata", "countries", verbosity=0)
    call_command("generate_scale_data", partners=10000, exchanges=0, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client(HTTP_HOST="localhost")
    for path in PATHS:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200, path
        print(f"\n== {path}")
        for query in queries.captured_queries:
            sql = query["sql"]
            if 'FROM "partners_city"' not in sql or sql.startswith(("UPDATE", "INSERT")):
                continue
            print(f"-- {sql[:150]}…")
            for line in explain(sql):
                print(f"   {line}")


if __name__ == "__main__":
    main()
