"""First build of each open-data download, in process, on the database DATABASE_URL names.

    export DATABASE_URL=sqlite:////tmp/xlsx-bench/portal.sqlite3 DJANGO_DEBUG=1
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py loaddata countries
    .venv/bin/python manage.py generate_scale_data --partners 10000 --exchanges 20000
    .venv/bin/python scripts/bench_downloads.py

(34 partners: `manage.py load_demo_data` into another file instead.) For each of
/data/partners.{csv,xlsx,json} and /data/exchanges.{csv,xlsx,json}, empties the cache, requests
it through Django's test client and prints the median over BENCH_RUNS (default 3) first builds
in seconds, its ratio to the 3 s goal (issue 13) and the file's size. It asserts nothing.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
GOAL_SECONDS = 3.0
PATHS = [
    f"/data/{name}.{fmt}" for name in ("partners", "exchanges") for fmt in ("csv", "xlsx", "json")
]


def first_build(client, path: str) -> tuple[float, int]:
    """(seconds, bytes) of one request of path with an empty cache."""
    from django.core.cache import cache

    cache.clear()
    began = time.perf_counter()
    response = client.get(path)
    content = b"".join(response) if response.streaming else response.content
    seconds = time.perf_counter() - began
    assert response.status_code == 200, (path, response.status_code)
    return seconds, len(content)


def main() -> None:
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from partners.models import City, Exchange

    setup_test_environment()
    client = Client()
    print(f"{City.objects.count()} partners, {Exchange.objects.count()} exchange activities")
    print(f"{'download':<24} {'first build s':>14} {'× goal':>7} {'size kB':>9}")
    for path in PATHS:
        builds = [first_build(client, path) for _ in range(RUNS)]
        seconds = statistics.median(time for time, _size in builds)
        size = builds[-1][1]
        print(f"{path:<24} {seconds:>14.2f} {seconds / GOAL_SECONDS:>7.2f} {size / 1000:>9.0f}")


if __name__ == "__main__":
    main()
