"""First build of each open-data download, in process, on the database DATABASE_URL names.

    export DATABASE_URL=sqlite:////tmp/xlsx-bench/portal.sqlite3 DJANGO_DEBUG=1
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py loaddata countries
    .venv/bin/python manage.py generate_scale_data --partners 10000 --exchanges 20000
    .venv/bin/python scripts/bench_downloads.py

(34 partners: `manage.py load_demo_data` into another file instead.) For each of
/data/partners.{csv,xlsx,json} and /data/exchanges.{csv,xlsx,json}, requests it through
Django's test client with a CSRF cookie, which keeps the page cache out of the way (every
request is a first build), and prints the median over BENCH_RUNS (default 3) first builds in
seconds, its ratio to the 3 s goal (issue 13), the CPU seconds of the process (less disturbed
by other load) and the file's size. It asserts nothing.

Production settings, as real serving builds them (DEBUG keeps every query in memory):

    DJANGO_DEBUG=0 DJANGO_SECRET_KEY=bench DJANGO_ALLOWED_HOSTS=localhost \\
    DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_LOG_LEVEL=WARNING \\
    .venv/bin/python scripts/bench_downloads.py
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


def first_build(client, path: str) -> tuple[float, float, int]:
    """(seconds, CPU seconds, bytes) of one request of path, built by its view."""
    began, cpu = time.perf_counter(), time.process_time()
    response = client.get(path, headers={"cookie": "csrftoken=benchmark"})
    content = b"".join(response) if response.streaming else response.content
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    assert response.status_code == 200, (path, response.status_code)
    return seconds, cpu, len(content)


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from partners.models import City, Exchange

    setup_test_environment()
    client = Client()
    print(f"{City.objects.count()} partners, {Exchange.objects.count()} exchange activities")
    print(f"load average {os.getloadavg()[0]:.1f}, DEBUG {settings.DEBUG}")
    print(f"{'download':<24} {'first build s':>14} {'× goal':>7} {'CPU s':>6} {'size kB':>9}")
    for path in env_paths():
        builds = [first_build(client, path) for _ in range(RUNS)]
        seconds = statistics.median(time for time, _cpu, _size in builds)
        cpu = statistics.median(cpu for _time, cpu, _size in builds)
        size = builds[-1][2]
        print(
            f"{path:<24} {seconds:>14.2f} {seconds / GOAL_SECONDS:>7.2f} {cpu:>6.2f} "
            f"{size / 1000:>9.0f}"
        )


def env_paths() -> list[str]:
    """BENCH_PATHS, a comma-separated list, instead of every download."""
    chosen = os.environ.get("BENCH_PATHS")
    return chosen.split(",") if chosen else PATHS


if __name__ == "__main__":
    main()
