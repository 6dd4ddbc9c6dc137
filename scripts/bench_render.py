"""Cold in-process render of every public page at 34 partners (the demo) and at 10,000.

    DJANGO_DEBUG=1 .venv/bin/python scripts/bench_render.py            # SQLite (temp file)
    DJANGO_DEBUG=1 .venv/bin/python scripts/bench_render.py postgres://postgres@127.0.0.1:5432/portal_x

The database is created afresh: a temporary SQLite file, or the given (empty) PostgreSQL
database, which is flushed first. The demo data is loaded and measured, then
`generate_scale_data` adds partners up to BENCH_PARTNERS (10,000) and BENCH_EXCHANGES
(100,000) activities and every page is measured again. Each page is requested through
Django's test client with every cache cleared before each request (cold: no page cache, no
cached home city), BENCH_RUNS (15) times after one warm-up; printed: its queries, p50 and p90
in milliseconds, and p50 as a ratio of the goal (10 ms at 34 partners, 50 ms at 10,000).
It asserts nothing.
"""

import io
import os
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
GOALS_MS = {"demo": 10, "scale": 50}


def pages() -> list[tuple[str, str]]:
    """(name, path) of every public page, with a partner and an activity of the demo."""
    from partners.models import City, Exchange

    partner = City.objects.get(slug="kharkiv")
    activity = Exchange.objects.published().order_by("pk").first()
    return [
        ("home", "/{lang}/"),
        ("partner list", "/{lang}/partners/"),
        ("list, kind+continent", "/{lang}/partners/?kind=sister&continent=europe"),
        ("list, by population", "/{lang}/partners/?sort=-population&page=3"),
        ("list, search kharkov", "/{lang}/partners/?q=kharkov"),
        ("list, search 중국", "/{lang}/partners/?q=중국"),
        ("partner page", f"/{{lang}}/partners/{partner.slug}/"),
        ("exchange list", "/{lang}/exchanges/"),
        ("exchange page", f"/{{lang}}/exchanges/{activity.pk}/"),
        ("data dictionary", "/{lang}/data/"),
        ("sitemap", "/sitemap.xml"),
    ]


def measure(client, path: str) -> tuple[int, float, float]:
    """(queries, p50 ms, p90 ms) of rendering path cold, after one warm-up request."""
    from django.core.cache import caches
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    def get():
        for cache in caches.all():
            cache.clear()
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    get()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        get()
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        get()
        times.append((time.perf_counter() - began) * 1000)
    return len(queries), statistics.median(times), statistics.quantiles(times, n=10)[8]


def report(label: str, goal: float) -> None:
    from django.test import Client

    from partners.models import City

    client = Client(HTTP_HOST="localhost")
    print(f"\n{label}: {City.objects.count():,} partners")
    print(f"{'page':<24}{'lang':<6}{'queries':>8}{'p50 ms':>9}{'p90 ms':>9}{'p50/goal':>10}")
    for name, path in pages():
        for lang in ("ko", "en") if "{lang}" in path else ("",):
            queries, p50, p90 = measure(client, path.format(lang=lang))
            print(f"{name:<24}{lang:<6}{queries:>8}{p50:>9.1f}{p90:>9.1f}{p50 / goal:>10.2f}")


def main() -> None:
    tmp = tempfile.TemporaryDirectory()
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from partners.models import City

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("load_demo_data", verbosity=0)
    report("demo", GOALS_MS["demo"])
    began = time.perf_counter()
    call_command(
        "generate_scale_data",
        partners=PARTNERS - City.objects.count(),
        exchanges=EXCHANGES,
        force=True,
        stdout=io.StringIO(),
    )
    print(f"\ngenerate_scale_data: {time.perf_counter() - began:.1f} s")
    report("scale", GOALS_MS["scale"])


if __name__ == "__main__":
    main()
