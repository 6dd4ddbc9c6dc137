"""Benchmark the exchange pages over 10,000 generated partners and 100,000 activities.

    DJANGO_DEBUG=1 .venv/bin/python scripts/bench_exchanges.py        # SQLite (temp file)

BENCH_PARTNERS, BENCH_EXCHANGES and BENCH_RUNS change the sizes and the runs per page;
BENCH_PROFILE=/en/exchanges/ profiles one request of that path instead.

The data is generated into a temporary SQLite database (never the demo). Each page is rendered
in process through Django's test client, in English and Korean; prints its queries, the p50 and
p90 of the render in milliseconds over the runs, and the p50 as a ratio of the goal (50 ms for
the lists and the partner page, 200 ms for the admin's dormant report). It asserts nothing.
"""

import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARTNERS = int(os.environ.get("BENCH_PARTNERS", "10000"))
EXCHANGES = int(os.environ.get("BENCH_EXCHANGES", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
FIELDS = ["administration", "economy", "education", "culture", "sports", "tourism", "youth"]


def generate() -> None:
    """PARTNERS partners over every country, each with a current agreement; EXCHANGES
    activities from 1990 to next year, one to three partners each."""
    from partners.models import Agreement, City, Country, Exchange, Kind

    rng = random.Random(12)
    countries = list(Country.objects.all())
    cities = City.objects.bulk_create(
        (
            City(
                slug=f"partner-{n}",
                name_en=f"Partner {n}",
                name_ko=f"파트너 {n}",
                aliases=f"Old Partner {n}",
                country=countries[n % len(countries)],
                population=1000 + n,
            )
            for n in range(PARTNERS)
        ),
        batch_size=2000,
    )
    Agreement.objects.bulk_create(
        (
            Agreement(
                city=city,
                kind=Kind.SISTER if n % 3 else Kind.FRIENDLY,
                signed_on=datetime.date(1990 + n % 30, 1, 1),
            )
            for n, city in enumerate(cities)
        ),
        batch_size=2000,
    )
    start = datetime.date(1990, 1, 1)
    days = (datetime.date.today().replace(month=12, day=31) - start).days + 365
    exchanges = Exchange.objects.bulk_create(
        (
            Exchange(
                field=FIELDS[n % len(FIELDS)],
                title_en=f"Exchange {n}",
                title_ko=f"교류 {n}",
                place_en=f"Place {n % 500}",
                started_on=start + datetime.timedelta(days=rng.randrange(days)),
            )
            for n in range(EXCHANGES)
        ),
        batch_size=2000,
    )
    Link = Exchange.partners.through
    links = []
    for exchange in exchanges:
        for city in rng.sample(cities, rng.choice((1, 1, 1, 2, 3))):
            links.append(Link(exchange_id=exchange.pk, city_id=city.pk))
    Link.objects.bulk_create(links, batch_size=5000)


def measure(client, path: str) -> tuple[int, float, float]:
    """(queries, p50 ms, p90 ms) of rendering path, after one warm-up request."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    # Each request empties the query log at its start; a full log would hide its queries.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - began) * 1000)
    quantiles = statistics.quantiles(times, n=10)
    return len(queries), statistics.median(times), quantiles[8]


def profile(client, path: str) -> None:
    """BENCH_PROFILE=1: where one request of the path spends its time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(client.get, path)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main() -> None:
    tmp = tempfile.TemporaryDirectory()
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from partners.models import City

    call_command("migrate", verbosity=0)
    call_command("loaddata", "countries", verbosity=0)
    began = time.perf_counter()
    generate()
    print(f"generated {PARTNERS:,} partners and {EXCHANGES:,} activities "
          f"in {time.perf_counter() - began:.1f} s")  # fmt: skip
    busiest = City.objects.order_by("-exchanges__started_on").first()
    client = Client(HTTP_HOST="localhost")
    admin = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(User.objects.create_superuser("bench", "bench@example.com", "x"))
    year = datetime.date.today().year - 3
    pages = [
        ("exchange list", "/{lang}/exchanges/", client, 50),
        ("list, filtered", f"/{{lang}}/exchanges/?field=culture&continent=europe&year={year}",
         client, 50),
        ("list, filtered, page 3", "/{lang}/exchanges/?field=youth&continent=asia&page=3",
         client, 50),
        ("list, search q", "/{lang}/exchanges/?q=place+42", client, 50),
        ("partner page", f"/{{lang}}/partners/{busiest.slug}/", client, 50),
        ("home (upcoming)", "/{lang}/", client, 50),
        ("dormant report (admin)", "/admin/partners/dormantpartner/", admin, 200),
    ]  # fmt: skip
    if os.environ.get("BENCH_PROFILE"):
        profile(client, os.environ["BENCH_PROFILE"])
        return
    print(f"{'page':<26}{'lang':<6}{'queries':>8}{'p50 ms':>9}{'p90 ms':>9}{'p50/goal':>10}")
    for name, path, page_client, goal in pages:
        for lang in ("en", "ko") if "{lang}" in path else ("en",):
            queries, p50, p90 = measure(page_client, path.format(lang=lang))
            print(f"{name:<26}{lang:<6}{queries:>8}{p50:>9.1f}{p90:>9.1f}{p50 / goal:>10.2f}")


if __name__ == "__main__":
    main()
