"""Benchmark the data checks over 10,000 generated partners: open_warnings() (what
`check_data` and the admin's report compute) and the report page itself.

    DJANGO_DEBUG=1 .venv/bin/python scripts/bench_checks.py        # SQLite (temp file)

BENCH_PARTNERS and BENCH_RUNS change the size and the runs. The data is generated into a
temporary SQLite database (never the demo): partners over every country, at their country's
first box centre, one in twenty with a population under 10 per km², one in fifty with swapped
coordinates. Prints the warnings found, the queries, the p50 and p90 in milliseconds, the p50
per partner and the ratio of the p50 to the goal (1 s for the report at 10,000 partners). It
asserts nothing.
"""

import datetime
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARTNERS = int(os.environ.get("BENCH_PARTNERS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
GOAL_MS = 1000


def generate() -> None:
    from partners.checks.places import country_boxes
    from partners.models import Agreement, City, Country, Kind

    boxes = country_boxes()
    countries = [c for c in Country.objects.all() if c.iso_code in boxes]
    cities = []
    for n in range(PARTNERS):
        country = countries[n % len(countries)]
        west, south, east, north = boxes[country.iso_code][0]
        latitude, longitude = round((south + north) / 2, 4), round((west + east) / 2, 4)
        if n % 50 == 1:
            latitude, longitude = longitude if abs(longitude) <= 90 else latitude, latitude
        cities.append(
            City(
                slug=f"partner-{n}",
                name_en=f"Partner {n}",
                name_ko=f"파트너 {n}",
                country=country,
                population=(1000 + n // 20) if n % 20 == 0 else 100_000 + 7 * n,
                area_km2=Decimal(100 + n) + Decimal("0.25"),
                latitude=latitude,
                longitude=((longitude + 180) % 360) - 180,
            )
        )
    cities = City.objects.bulk_create(cities, batch_size=2000)
    Agreement.objects.bulk_create(
        (
            Agreement(city=city, kind=Kind.SISTER, signed_on=datetime.date(1990 + n % 30, 1, 1))
            for n, city in enumerate(cities)
        ),
        batch_size=2000,
    )


def timed(label: str, run) -> None:
    from django.db import connection, reset_queries

    times = []
    for _ in range(RUNS):
        reset_queries()
        start = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - start) * 1000)
    queries = len(connection.queries)
    p50 = statistics.median(times)
    p90 = sorted(times)[int(0.9 * (len(times) - 1))]
    print(
        f"{label}: {result} | {queries} queries | p50 {p50:.0f} ms, p90 {p90:.0f} ms | "
        f"{p50 / PARTNERS:.3f} ms per partner | p50/goal {p50 / GOAL_MS:.2f}"
    )


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
    from django.test.utils import setup_test_environment

    from partners.checks import open_warnings

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("loaddata", "countries", verbosity=0)
    generate()
    client = Client()
    client.force_login(User.objects.create_superuser("bench", "bench@example.com", "pw"))
    print(f"{PARTNERS} partners")
    timed("open_warnings()", lambda: f"{len(open_warnings())} warnings")
    timed(
        "admin report page",
        lambda: client.get("/admin/partners/datawarningreport/").status_code,
    )
    tmp.cleanup()


if __name__ == "__main__":
    main()
