"""Cold in-process render of every public page at 34 partners (the demo) and at 10,000.

    DJANGO_DEBUG=1 .venv/bin/python scripts/bench_render.py            # SQLite (temp file)
    DJANGO_DEBUG=1 .venv/bin/python scripts/bench_render.py postgres://postgres@127.0.0.1:5432/portal_x
    .venv/bin/python scripts/bench_render.py --production              # as real serving does

--production measures with production settings, which is what the issue's goal is about:
DJANGO_DEBUG=0 (template debug off, the cached template loader, the manifest static files
storage), after `collectstatic` into BENCH_DIR/static (default /tmp/bench-render). Without it,
the settings are the environment's (DJANGO_DEBUG=1 as above), whose template debug
bookkeeping costs a few milliseconds a page.

The database is created afresh: a temporary SQLite file, or the given (empty) PostgreSQL
database, which is flushed first. The demo data is loaded and measured, then
`generate_scale_data` adds partners up to BENCH_PARTNERS (10,000) and BENCH_EXCHANGES
(100,000) activities and every page is measured again. BENCH_KEEP=path.sqlite3 keeps that
SQLite file instead: a second run finds the scale data there and measures it at once;
BENCH_PARTNERS=34 measures the demo only.
BENCH_PAGES=home,search keeps the pages whose names contain one of those words.
Each page is requested through Django's test client with every cache cleared before each
request (cold: no page cache, no cached home city), BENCH_RUNS (15) times after one warm-up;
printed: its queries, p50 and p90 in milliseconds, the p50 of the process's CPU time per
request (less disturbed by other load on the machine than the wall time), and the wall p50 as
a ratio of the goal (10 ms at 34 partners, 50 ms at 10,000). It asserts nothing.
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
PRODUCTION = "--production" in sys.argv[1:]
ARGS = [arg for arg in sys.argv[1:] if arg != "--production"]
BENCH_DIR = Path(os.environ.get("BENCH_DIR", "/tmp/bench-render"))
KEEP = os.environ.get("BENCH_KEEP", "")
ONLY = [word for word in os.environ.get("BENCH_PAGES", "").split(",") if word]
GOALS_MS = {"demo": 10, "scale": 50}


def pages() -> list[tuple[str, str]]:
    """(name, path) of every public page, with a partner and an activity of the demo."""
    from partners.models import City, Exchange

    partner = City.objects.get(slug="kharkiv")
    activity = Exchange.objects.published().order_by("pk").first()
    all_pages = [
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
    return [page for page in all_pages if not ONLY or any(word in page[0] for word in ONLY)]


def measure(client, path: str) -> tuple[int, float, float, float]:
    """(queries, p50 ms, p90 ms, CPU p50 ms) of rendering path cold, after one warm-up."""
    from django.core.cache import caches
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from portal import page_cache

    def get():
        for cache in caches.all():
            cache.clear()
        page_cache.decoded.clear()  # the stored pages this process keeps as objects
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    get()
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        get()
    # Counted now: the context reads the connection's log, which the next request empties.
    queries = len(captured)
    times, cpu_times = [], []
    for _ in range(RUNS):
        began, cpu_began = time.perf_counter(), time.process_time()
        get()
        times.append((time.perf_counter() - began) * 1000)
        cpu_times.append((time.process_time() - cpu_began) * 1000)
    p90 = statistics.quantiles(times, n=10)[8]
    return queries, statistics.median(times), p90, statistics.median(cpu_times)


def report(label: str, goal: float) -> None:
    from django.conf import settings as django_settings
    from django.test import Client

    from partners.models import City

    client = Client(HTTP_HOST="localhost")
    settings = "production" if PRODUCTION else f"DEBUG={int(django_settings.DEBUG)}"
    print(f"\n{label}: {City.objects.count():,} partners, {settings}, load {os.getloadavg()}")
    print(
        f"{'page':<24}{'lang':<6}{'queries':>8}{'p50 ms':>9}{'p90 ms':>9}"
        f"{'cpu p50':>9}{'p50/goal':>10}"
    )
    for name, path in pages():
        for lang in ("ko", "en") if "{lang}" in path else ("",):
            queries, p50, p90, cpu = measure(client, path.format(lang=lang))
            print(
                f"{name:<24}{lang:<6}{queries:>8}{p50:>9.1f}{p90:>9.1f}{cpu:>9.1f}"
                f"{p50 / goal:>10.2f}"
            )


def production_settings() -> None:
    """The environment of a production server on loopback (HTTPS redirect off, as behind a
    proxy), with the static files collected where the manifest storage finds them."""
    os.environ.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench",
        DJANGO_ALLOWED_HOSTS="localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="WARNING",
        DJANGO_STATIC_ROOT=str(BENCH_DIR / "static"),
    )


def empty_database() -> tempfile.TemporaryDirectory:
    """Set Django up on the database given as the first argument (flushed), on BENCH_KEEP
    (kept as it is) or on a new SQLite file in the returned folder, which lasts as long as
    the returned object."""
    tmp = tempfile.TemporaryDirectory()
    url = ARGS[0] if ARGS else f"sqlite:///{KEEP or tmp.name + '/bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    if PRODUCTION:
        production_settings()
    else:
        os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if PRODUCTION:
        call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    if not KEEP or ARGS:
        call_command("flush", interactive=False, verbosity=0)
    return tmp


def main() -> None:
    tmp = empty_database()  # noqa: F841  (the SQLite file lives as long as it)
    from django.core.management import call_command

    from partners.models import City

    if KEEP and City.objects.count() >= PARTNERS > 34:
        report("scale", GOALS_MS["scale"])
        return
    if KEEP and City.objects.exists():
        call_command("flush", interactive=False, verbosity=0)
    call_command("load_demo_data", stdout=io.StringIO())
    report("demo", GOALS_MS["demo"])
    if City.objects.count() >= PARTNERS:  # BENCH_PARTNERS=34: the demo only
        return
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
