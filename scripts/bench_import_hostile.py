"""Benchmark the import on the hostile and careless file shapes of issue #9.

    DJANGO_DEBUG=1 .venv/bin/python scripts/bench_import_hostile.py

Each shape is written to a temporary folder (tests/hostile_files.py) and read twice, each time
in a fresh subprocess: by `manage.py import_partners FILE --dry-run` (command line) and by a
POST to the admin import page through Django's test client (the preview). Prints
file shape | size | path | wall and CPU seconds | peak MB | outcome, for the whole subprocess
including Django's start-up (shown alone as "start-up only"); CPU seconds (user + system) are
less swayed by other work on a shared machine. Peak MB is the subprocess's maximum resident
set size (os.wait4's ru_maxrss). The goal is under 5 s and 300 MB for every file
within the size limit; the script reports, it asserts nothing.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_CHILD = r"""
import re, sys, django
from django.test.utils import setup_test_environment
django.setup()
setup_test_environment()  # so that the test client records the page's context
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
path = sys.argv[1]
client = Client()
client.force_login(User.objects.get(username="bench"))
upload = SimpleUploadedFile(path.rsplit("/", 1)[-1], open(path, "rb").read())
fmt = "1" if path.endswith(".xlsx") else "0"
response = client.post("/admin/partners/city/import/", {"format": fmt, "import_file": upload})
try:
    result = response.context["result"]
except (KeyError, TypeError):
    result = None
refusal = re.search(r'class="errorlist[^>]*>\s*<li>(.*?)</li>', response.content.decode())
if result is not None and result.report:
    outcome = f"{len(result.report)} report lines: " + result.report[-1]
elif refusal:
    outcome = "refused: " + refusal[1]
else:
    totals = result.totals if result is not None else {}
    outcome = "preview: {new} new, {update} updated, {skip} unchanged".format(**totals)
print(f"{response.status_code} page {len(response.content) / 1e6:.2f} MB; {outcome}")
"""


def shapes(folder: Path) -> list[tuple[str, Path]]:
    from tests import hostile_files as files

    made = [
        ("far styled cell (fault 1)", "far-styled.xlsx", files.far_styled_cell),
        ("dimension A1:XFD1048576", "lying-dimension.xlsx", files.lying_dimension),
        ("1,000,000 rows XLSX", "million-rows.xlsx", files.many_rows),
        ("16,384 columns", "columns.xlsx", files.many_columns),
        ("1e9-character string", "huge-string.xlsx", files.huge_shared_string),
        ("external entity (XXE)", "xxe.xlsx", files.external_entity),
        ("billion laughs", "laughs.xlsx", files.billion_laughs),
        ("200,000 invalid rows CSV", "invalid.csv", files.invalid_rows_csv),
        ("5,000 invalid rows CSV", "invalid-5k.csv", lambda: files.invalid_rows_csv(5_000)),
        ("206,525 tiny valid rows", "tiny.csv", files.tiny_valid_rows_csv),
        ("5,000 partner rows CSV", "partners.csv", partner_rows),
    ]
    paths = []
    for label, name, make in made:
        path = folder / name
        path.write_bytes(make())
        paths.append((label, path))
    return paths


def partner_rows() -> bytes:
    """5,000 new partners, the row limit (PORTAL_IMPORT_MAX_ROWS): read and checked in full."""
    lines = ["slug,name_en,name_ko,country,kind,signed_on,population"]
    lines += [f"b{n},Bench {n},벤치 {n},KR,sister,2001-01-01,{n + 1}" for n in range(5_000)]
    return ("\n".join(lines) + "\n").encode()


def measure(command: list[str], env: dict) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak resident MB and the last output line of a subprocess."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = process.stdout.read()
    _pid, _status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    lines = [line for line in output.strip().splitlines() if line.strip()]
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, (lines[-1] if lines else "")[:100]


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    env = os.environ | {
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_LANGUAGE_CODE": "en",
        "PYTHONPATH": str(ROOT),
    }
    python = sys.executable
    manage = [python, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    subprocess.run([*manage, "loaddata", "countries", "-v0"], env=env, cwd=ROOT, check=True)
    # A superuser for the admin path, and Kharkiv for the far-styled-cell file to update.
    create = (
        "from django.contrib.auth.models import User; User.objects.create_superuser('bench');"
        "from partners.models import City, Country;"
        "City.objects.create(slug='kharkiv', name_en='Kharkiv', name_ko='하르키우',"
        " country=Country.objects.get(iso_code='UA'))"
    )
    subprocess.run([*manage, "shell", "-c", create], env=env, cwd=ROOT, check=True)
    heading = f"{'file shape':26} {'size':>8} {'path':7} {'wall s':>6} {'CPU s':>6} {'peak MB':>7}"
    print(heading + "  outcome")
    seconds, cpu, peak, _ = measure([*manage, "check"], env)
    print(f"{'start-up only':26} {'':>8} {'command':7} {seconds:6.2f} {cpu:6.2f} {peak:7.0f}")
    for label, path in shapes(folder):
        size = f"{path.stat().st_size / 1024:,.0f}K"
        for name, command in (
            ("command", [*manage, "import_partners", str(path), "--dry-run"]),
            ("admin", [python, "-c", ADMIN_CHILD, str(path)]),
        ):
            seconds, cpu, peak, outcome = measure(command, env)
            print(f"{label:26} {size:>8} {name:7} {seconds:6.2f} {cpu:6.2f} {peak:7.0f}  {outcome}")
            size = ""
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


if __name__ == "__main__":
    main()
