"""The cost of one cached request inside the process, without the network and the load
generator that make `make bench`'s ratios noisy on a shared machine: wall time per request, or
(--instructions) the instructions valgrind's callgrind counts, which do not depend on the
machine's speed.

    .venv/bin/python scripts/bench_hit.py /ko/partners/ /healthz
    .venv/bin/python scripts/bench_hit.py /data/partners.csv --database sqlite:////tmp/portal-bench/portal-10000.sqlite3
    .venv/bin/python scripts/bench_hit.py /ko/partners/ --instructions   # needs valgrind

The database is one `make bench` made (default: its 34-partner SQLite file in BENCH_DIR), served
with the same production settings (scripts/bench_pages.py's environment; BENCH_PROJECT picks
another checkout, for a before/after). Requests go through Django's WSGI handler as gunicorn
sends them: request_started and request_finished each time (so a kept connection's health
check is due), `Accept-Encoding: gzip`, and `wsgi.file_wrapper` standing in for gunicorn's
sendfile, so a download's file is never read in Python. The first 50 requests fill the cache.
Wall time: the minimum and median of BENCH_RUNS (12) runs of BENCH_REQUESTS (400), in µs.
Instructions: two runs under callgrind, of 10 and 410 requests; their difference / 400.

--revalidate sends each request with `If-None-Match` set to the ETag the path's first response
carried, as a browser or a mirror revisiting it does: the figure is then the cost of a 304 in
process (issue 13's goal: a 304 in at most 5 ms).
"""

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_pages  # noqa: E402 (its environment and paths, after the path above)

RUNS = int(os.environ.get("BENCH_RUNS", "12"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "400"))
WARM_UP = 50


class FileWrapper:
    """gunicorn's wsgi.file_wrapper as far as Django sees it: the file is sent by sendfile."""

    def __init__(self, filelike, block_size: int = 8192) -> None:
        self.filelike = filelike

    def __iter__(self):
        return iter(())

    def close(self) -> None:
        self.filelike.close()


def child(paths: list[str], requests: int | None, revalidate: bool) -> None:
    """Run in the served checkout with its settings: time the paths, or send `requests`."""
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()

    def send(path: str, etag: str | None = None) -> tuple[str, dict[str, str]]:
        address, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": address,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": str(bench_pages.PORT),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": f"127.0.0.1:{bench_pages.PORT}",
            "HTTP_ACCEPT_ENCODING": "gzip",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.file_wrapper": FileWrapper,
        }
        if etag:
            environ["HTTP_IF_NONE_MATCH"] = etag
        started = []
        body = application(environ, lambda *response: started.append(response))
        for _ in body:
            pass
        body.close()
        status, headers = started[0][:2]
        return status, dict(headers)

    for path in paths:
        for _ in range(WARM_UP):
            status, headers = send(path)
        etag = headers.get("ETag") if revalidate else None  # /healthz has none
        for _ in range(WARM_UP if etag else 0):
            status, _headers = send(path, etag)
        if requests is not None:  # under callgrind: the count is the process's own
            for _ in range(requests):
                send(path, etag)
            continue
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            for _ in range(REQUESTS):
                send(path, etag)
            times.append((time.perf_counter() - started) / REQUESTS * 1e6)
        print(
            f"{path:40} {status:8} min {min(times):7.1f} µs   "
            f"median {statistics.median(times):7.1f} µs",
            flush=True,
        )


def instructions(env: dict[str, str], path: str, requests: int, options: list[str]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={output}",
                str(bench_pages.PYTHON),
                __file__,
                "--child",
                str(requests),
                *options,
                path,
            ],
            cwd=bench_pages.PROJECT,
            env=env,
            check=True,
            capture_output=True,
        )
        summary = next(
            line for line in output.read_text().splitlines() if line.startswith("summary:")
        )
        return int(summary.split()[1])


def main() -> None:
    arguments = sys.argv[1:]
    if arguments[:1] == ["--child"]:
        count = int(arguments[1])
        paths = [argument for argument in arguments[2:] if argument.startswith("/")]
        child(paths, count if count >= 0 else None, "--revalidate" in arguments)
        return
    counting = "--instructions" in arguments
    database = bench_pages.database_url("sqlite", 34)
    if "--database" in arguments:
        database = arguments[arguments.index("--database") + 1]
        arguments.remove(database)
    paths = [argument for argument in arguments if argument.startswith("/")]
    options = ["--revalidate"] if "--revalidate" in arguments else []
    # PYTHONHASHSEED: the same dict and set layouts every run, so the counts repeat.
    env = bench_pages.environment(database, redis=False) | {"PYTHONHASHSEED": "0"}
    print(f"{bench_pages.PROJECT} on {database}", flush=True)
    bench_pages.manage(env, "collectstatic", "--no-input", "-v", "0", project=bench_pages.PROJECT)
    if not counting:
        subprocess.run(
            [str(bench_pages.PYTHON), __file__, "--child", "-1", *options, *paths],
            cwd=bench_pages.PROJECT,
            env=env,
            check=True,
        )
        return
    for path in paths:
        # The first run fills the cache (and writes a download's files), unmeasured.
        instructions(env, path, 0, options)
        few = instructions(env, path, 10, options)
        many = instructions(env, path, 410, options)
        print(f"{path:40} {(many - few) / 400:12,.0f} instructions per request", flush=True)


if __name__ == "__main__":
    main()
