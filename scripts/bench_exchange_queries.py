"""The exchange list's costly queries at scale, the former way beside the current one,
interleaved so that the machine's load falls on both alike.

    BENCH_SETTINGS=production BENCH_DATABASE_URL=sqlite:////tmp/bench-exchanges/bench.sqlite3 \
        .venv/bin/python scripts/bench_exchange_queries.py

Run on a database that scripts/bench_exchanges.py filled (10,000 partners, 100,000
activities); prints the median milliseconds of each over BENCH_RUNS (15) rounds: the year ×
field counts grouped over the listed activities (before) or read from ExchangeCount (after),
unfiltered and for a field and continent; and a search's count and first page with
`search_text__holds` (before: instr() on SQLite) or search() (after: the trigram table on
SQLite; on PostgreSQL both are the same LIKE). It asserts nothing.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def main() -> None:
    import bench_exchanges

    if os.environ.get("BENCH_SETTINGS") == "production":
        bench_exchanges.production_settings()
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from partners.models import Exchange, ExchangeCount

    listed = Exchange.objects.published()

    def grouped(exchanges) -> list:
        return list(exchanges.order_by().values("year", "field").annotate(count=Count("*")))

    def stored(**filters) -> list:
        return list(ExchangeCount.objects.filter(**filters).values("year", "field", "count"))

    def page(exchanges) -> list:
        return list(exchanges.order_by("-started_on", "-pk")[:20])

    youth_asia = listed.filter(field="youth").in_continent("asia")
    cases = {
        "list counts, grouped (before)": lambda: grouped(listed),
        "list counts, stored (after)": lambda: stored(continent=""),
        "youth+asia counts, grouped (before)": lambda: grouped(youth_asia),
        "youth+asia counts, stored (after)": lambda: stored(continent="asia", field="youth"),
        "q=haven count, holds (before)": lambda: grouped(listed.filter(search_text__holds="haven")),
        "q=haven count, search() (after)": lambda: grouped(listed.search("haven")),
        "q=haven page, holds (before)": lambda: page(listed.filter(search_text__holds="haven")),
        "q=haven page, search() (after)": lambda: page(listed.search("haven", in_date_order=True)),
    }
    times = {name: [] for name in cases}
    for _ in range(int(os.environ.get("BENCH_RUNS", "15"))):
        for name, run in cases.items():
            began = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - began) * 1000)
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"database: {connection.vendor}, load average {load}")
    for name, values in times.items():
        print(f"{name:<40}{statistics.median(values):8.1f} ms")


if __name__ == "__main__":
    main()
