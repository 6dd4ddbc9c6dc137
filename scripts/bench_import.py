"""Benchmark the partner import: 10,000 generated rows, new and then as updates.

    DJANGO_DEBUG=1 .venv/bin/python scripts/bench_import.py                 # SQLite (temp file)
    DJANGO_DEBUG=1 .venv/bin/python scripts/bench_import.py postgres://postgres@127.0.0.1:5432/bench_io

A PostgreSQL database named in the URL is created for the run and dropped afterwards.
Prints wall seconds, rows/s, this process's CPU seconds (which other work on a shared machine
sways less), rows per CPU second and queries per row for each pass; it asserts nothing about
speed. The file is twice the import's default row limit (PORTAL_IMPORT_MAX_ROWS, raised for the
run).
"""

import csv
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROWS = int(os.environ.get("BENCH_ROWS", "10000"))


def postgres_admin(url: str, statement: str) -> None:
    import psycopg
    from dj_database_url import parse

    config = parse(url)
    with psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        connection.execute(statement)


def generate(countries: list[str], generation: int) -> bytes:
    """The same partners each generation; generation 1 changes figures and some agreements."""
    from partners.resources import COLUMNS

    rng = random.Random(42)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for n in range(ROWS):
        upgraded = generation and n % 10 == 0
        year = 1990 + n % 30
        writer.writerow(
            {
                "slug": f"bench-{n}",
                "name_en": f"Bench City {n}",
                "name_ko": f"벤치 도시 {n}",
                "aliases": f"Bench {n}; 벤치 {n}",
                "country": countries[n % len(countries)],
                "kind": "sister" if upgraded or n % 3 == 0 else "friendly",
                "status": "active",
                "signed_on": f"{year + 20 if upgraded else year}-0{1 + n % 9}-1{n % 10}",
                "population": f"{rng.randint(10_000, 20_000_000) + generation:,}",
                "population_year": "2020",
                "area_km2": f"{rng.randint(10, 90_000):,}.{rng.randint(0, 9)}",
                "latitude": f"{rng.uniform(-89, 89):.6f}",
                "longitude": f"{rng.uniform(-179, 179):.6f}",
                "feature_en": f"Feature {n} of generation {generation}",
                "feature_ko": f"특징 {n}",
                "website": f"https://bench-{n}.example.org/",
            }.values()
        )
    return buffer.getvalue().encode("utf-8-sig")


def timed_import(label: str, data: bytes) -> None:
    from django.db import connection

    from partners.resources import import_partners, read_dataset

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    started, cpu_started = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        result = import_partners(read_dataset(data, "bench.csv"))
    seconds = time.perf_counter() - started
    # CPU time of this process alone: steadier than wall time on a machine shared with others.
    cpu = time.process_time() - cpu_started
    if result.report:
        raise SystemExit("\n".join(result.report[:5]))
    totals = ", ".join(f"{kind} {n}" for kind, n in result.totals.items() if n)
    print(
        f"{connection.vendor:10} {label:22} {ROWS:6} rows {seconds:7.2f} s "
        f"{ROWS / seconds:6.0f} rows/s {cpu:7.2f} s CPU ({ROWS / cpu:.0f} rows per CPU s) "
        f"{queries / ROWS:5.2f} queries/row  ({totals})"
    )


def main() -> None:
    url = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BENCH_DATABASE_URL")) or ""
    tmp = tempfile.TemporaryDirectory()
    if not url:
        url = f"sqlite:///{tmp.name}/bench.sqlite3"
    postgres = url.startswith(("postgres://", "postgresql://"))
    name = url.rsplit("/", 1)[-1]
    if postgres:
        postgres_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
        postgres_admin(url, f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["DJANGO_CONN_MAX_AGE"] = "0"
    # The benchmark's file is larger than the import's default row limit.
    os.environ.setdefault("PORTAL_IMPORT_MAX_ROWS", str(ROWS))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from partners.models import Agreement, City, Country

    try:
        call_command("migrate", verbosity=0)
        call_command("loaddata", "countries", verbosity=0)
        countries = list(Country.objects.values_list("iso_code", flat=True))
        timed_import("new partners", generate(countries, 0))
        timed_import("updates (10% upgraded)", generate(countries, 1))
        timed_import("unchanged re-import", generate(countries, 1))
        print(f"{'':10} partners {City.objects.count()}, agreements {Agreement.objects.count()}")
    finally:
        connections.close_all()
        if postgres:
            postgres_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
        tmp.cleanup()


if __name__ == "__main__":
    main()
