"""Benchmark photo uploads: time and peak memory of saving a 12-megapixel JPEG (4000 × 3000)
with its renditions, and the queries of a partner page with 10 photos against none.

    DJANGO_DEBUG=1 .venv/bin/python scripts/bench_photos.py

Each measurement runs in a fresh child process on a temporary SQLite database and media
folder, so its peak memory (the kernel's maxrss) is that of one Django process saving one
photo. The same save with JPEG draft decoding switched off shows what decoding at reduced
size saves. Elapsed time depends on what else the machine runs; CPU time much less. Prints
figures and their ratio to the goals (2 s, 300 MB); asserts nothing.
"""

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL_SECONDS, GOAL_MB = 2.0, 300
RUNS = 5


def make_photo(path: Path) -> None:
    """A 4000 × 3000 camera-like JPEG (smooth gradients with sensor noise), quality 92."""
    from PIL import Image

    gradient = Image.linear_gradient("L").resize((4000, 3000))
    noise = Image.effect_noise((4000, 3000), 24)
    image = Image.merge("RGB", (gradient, noise, gradient.rotate(180)))
    exif = Image.Exif()
    exif[0x0112] = 1  # orientation, as cameras write it
    image.save(path, "JPEG", quality=92, exif=exif)


def setup_django(workdir: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_save(photo: Path, workdir: Path, draft: bool) -> None:
    """Child process: save the photo RUNS times; print seconds and peak MB as one line."""
    if not draft:
        from PIL import JpegImagePlugin

        JpegImagePlugin.JpegImageFile.draft = lambda self, mode, size: None
    setup_django(workdir)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partners.models import Photo
    from tests.factories import make_city

    city = make_city("Bench")
    data = photo.read_bytes()
    before = peak_mb()
    seconds, cpu_seconds = [], []
    for _run in range(RUNS):
        # The same file again would find its renditions stored and skip writing them.
        shutil.rmtree(workdir / "media", ignore_errors=True)
        upload = SimpleUploadedFile("IMG.jpg", data)
        started, cpu_started = time.perf_counter(), time.process_time()
        record = Photo(city=city, image=upload, alt_ko="벤치", alt_en="Bench", credit="x")
        record.licence = "cc0-1.0"
        record.full_clean()
        record.save()
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu_started)
    median_s, median_cpu = statistics.median(seconds), statistics.median(cpu_seconds)
    print(f"{median_s:.3f} {median_cpu:.3f} {peak_mb():.1f} {before:.1f} {len(data)}")


def measure_queries(workdir: Path) -> None:
    """Child process: queries of the partner page with no photo, then with 10."""
    setup_django(workdir)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from partners.models import Photo
    from tests.factories import make_city
    from tests.media_files import jpeg, upload

    setup_test_environment()  # lets the test client's host through ALLOWED_HOSTS
    city = make_city("Bench", kind="sister")
    client = Client()

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get("/en/partners/bench/").status_code == 200
        return len(context)

    none = queries()
    for n in range(10):
        photo = Photo(city=city, image=upload(jpeg((800 + n, 600))), alt_ko="사진", alt_en="Photo")
        photo.credit, photo.licence, photo.position = "x", "cc0-1.0", n
        photo.save()
    print(f"{none} {queries()}")


def child(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise SystemExit(result.stderr)
    return result.stdout.strip().splitlines()[-1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        photo = Path(tmp) / "photo.jpg"
        make_photo(photo)
        rows = {}
        for label, flag in (("draft decoding (as shipped)", "draft"), ("full decoding", "full")):
            workdir = Path(tmp) / flag
            workdir.mkdir()
            line = child("save", str(photo), str(workdir), flag).split()
            seconds, cpu, peak, baseline, size = (float(value) for value in line)
            rows[flag] = (cpu, peak, baseline)
            print(
                f"save 4000×3000 JPEG ({size / 1e6:.1f} MB) with 6 renditions, {label}: "
                f"median of {RUNS}: {seconds:.2f} s elapsed ({seconds / GOAL_SECONDS:.2f} of the "
                f"{GOAL_SECONDS:g} s goal), {cpu:.2f} s CPU; peak {peak:.0f} MB "
                f"({peak / GOAL_MB:.2f} of the {GOAL_MB} MB goal; "
                f"{baseline:.0f} MB before the first save)"
            )
        (shipped_s, shipped_mb, _b), (full_s, full_mb, _f) = rows["draft"], rows["full"]
        print(
            f"draft decoding: {full_s / shipped_s:.2f}× less CPU time, "
            f"{full_mb / shipped_mb:.2f}× less peak memory than full decoding"
        )
        workdir = Path(tmp) / "queries"
        workdir.mkdir()
        none, ten = child("queries", str(workdir)).split()
        print(
            f"partner page queries: {none} with no photo, {ten} with 10 photos "
            f"(ratio {int(ten) / int(none):.2f})"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "save":
        measure_save(Path(sys.argv[2]), Path(sys.argv[3]), draft=sys.argv[4] == "draft")
    elif len(sys.argv) > 1 and sys.argv[1] == "queries":
        measure_queries(Path(sys.argv[2]))
    else:
        main()
