"""Pages, downloads and the sitemap under load: gunicorn (2 workers, production settings) on
loopback, driven by wrk, per configuration of partners x database x cache (`make bench`).

For each page it prints req/s, p50 and p99 latency and the ratio to /healthz in the same run:
"warm" (the page cache holds it; wrk sends "Accept-Encoding: gzip", as browsers do, so the
large pages kept as files come gzip-compressed), "uncached" (every request rendered: wrk sends
a CSRF cookie, which keeps the page cache out of the way, as for a visitor who has one) and
"first" (the first request after an edit, when the cache holds no page of the new data
version: median of 3)
and, for the downloads, "304" (revalidations with the ETag they sent). For warm requests
also the bytes per response (headers included, as wrk counts them) and MB/s moved: the large
pages are bound by what loopback carries between wrk and gunicorn on a loaded machine.
Then the resident memory (RSS) of each worker. Configuration, by environment variable:

  BENCH_PARTNERS   34,10000             34 = the demo data (load_demo_data); N = generate_scale_data
  BENCH_DATABASES  sqlite,postgres
  BENCH_REDIS      off,on               on = REDIS_URL set to BENCH_REDIS_URL
  BENCH_SECONDS    5                    per page and mode
  BENCH_PORT       8120
  BENCH_DIR        /tmp/portal-bench    databases (SQLite), static files, logs
  BENCH_POSTGRES   postgres://postgres@127.0.0.1:5432   databases <prefix>_<partners> made here
  BENCH_DATABASE_PREFIX portal_bench
  BENCH_REDIS_URL  redis://127.0.0.1:6379/2
  BENCH_PROJECT    .                    the code to serve (a checkout of main, for "before")
  BENCH_PAGES      a comma-separated list of paths instead of the default one
  BENCH_PAIRED     1                    1 = each page's ratio to a /healthz run just before
                                        it (the load drifts); 0 = to the configuration's first
  BENCH_FLOOR      0                    1 = the floor of each download and each response over
                                        256 KB: the same bytes sent by a WSGI app that does
                                        nothing else (scripts/bench_floor_app.py, on BENCH_PORT+1,
                                        the same gunicorn) right after the page, as a ratio to
                                        the portal's /healthz run just before the page
  BENCH_PROXY      none                 nginx = as README deploys it: wrk sends HTTPS to nginx
                                        (deploy/nginx-portal.conf, a self-signed certificate, on
                                        BENCH_PORT+2 and +3) in front of the same gunicorn, and
                                        nginx sends the stored pages' files (X-Accel-Redirect);
                                        no floor then

The databases are made once and kept in BENCH_DIR / PostgreSQL; delete them to start over.
"""

import os
import re
import shutil
import sqlite3
import ssl
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
PROJECT = Path(os.environ.get("BENCH_PROJECT", HERE)).resolve()
PYTHON = HERE / ".venv" / "bin" / "python"
GUNICORN = HERE / ".venv" / "bin" / "gunicorn"
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
PORT = int(os.environ.get("BENCH_PORT", "8120"))
BENCH_DIR = Path(os.environ.get("BENCH_DIR", "/tmp/portal-bench"))
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "portal_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
PAGES = [
    "/healthz",
    "/ko/",
    "/ko/partners/",
    "/ko/partners/?q=kharkov",
    "/ko/partners/{slug}/",
    "/ko/exchanges/",
    "/data/partners.csv",
    "/data/partners.xlsx",
    "/sitemap.xml",
]
NO_CACHE = {"Cookie": "csrftoken=benchmark"}
BROWSER = {"Accept-Encoding": "gzip"}
PAIRED = os.environ.get("BENCH_PAIRED", "1") == "1"
PROXY = os.environ.get("BENCH_PROXY", "none") == "nginx"
FLOOR = os.environ.get("BENCH_FLOOR", "0") == "1" and not PROXY
# Responses of at least this many bytes as sent are measured against the floor too.
FLOOR_MIN_BYTES = 256 * 1024


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_url(engine: str, partners: int) -> str:
    if engine == "sqlite":
        return f"sqlite:///{BENCH_DIR / f'portal-{partners}.sqlite3'}"
    return f"{POSTGRES}/{PREFIX}_{partners}"


def environment(url: str, redis: bool) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL"))}
    base.pop("DATABASE_URL", None)
    return base | {
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key-not-for-any-real-site-0123456789",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(BENCH_DIR / f"static-{PROJECT.name}"),
        "PORTAL_PAGE_FILES_DIR": str(BENCH_DIR / f"pages-{PROJECT.name}"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": url,
        **({"REDIS_URL": REDIS_URL} if redis else {}),
        **(BEHIND_NGINX if PROXY else {}),
    }


# What README's deploy sets behind its nginx.
BEHIND_NGINX = {
    "DJANGO_SECURE_PROXY_SSL_HEADER": "1",
    "PORTAL_TRUSTED_PROXY_COUNT": "1",
    "PORTAL_PAGE_FILES_ACCEL_URI": "/_page-files/",
}


def manage(env: dict[str, str], *args: str, project: Path = HERE) -> str:
    """Run a command of this checkout (it makes the data), or of `project`."""
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=project, env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def prepare(engine: str, partners: int) -> str:
    """The database with `partners` partners, made once (the demo data for 34)."""
    url = database_url(engine, partners)
    env = environment(url, redis=False)
    if engine == "postgres":
        name = url.rsplit("/", 1)[1]
        query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"
        listed = subprocess.run(
            ["psql", f"{POSTGRES}/postgres", "-Atc", query], capture_output=True, text=True
        )
        if listed.stdout.strip():
            manage(env, "migrate", "--no-input", "-v", "0")  # this checkout's new migrations
            return url
        subprocess.run(
            ["psql", f"{POSTGRES}/postgres", "-c", f'CREATE DATABASE "{name}"'], check=True
        )
    elif Path(url.removeprefix("sqlite:///")).exists():
        manage(env, "migrate", "--no-input", "-v", "0")
        return url
    print(f"-- preparing {engine} with {partners} partners", flush=True)
    manage(env, "migrate", "--no-input", "-v", "0")
    if partners == 34:
        manage(env, "load_demo_data")
    else:
        manage(env, "loaddata", "countries", "-v", "0")
        manage(
            env,
            "generate_scale_data",
            "--partners",
            str(partners),
            "--exchanges",
            str(partners * 2),
        )
    return url


def wrk(url: str, headers: dict[str, str] | None = None) -> dict[str, float]:
    args = ["wrk", "-t2", "-c8", f"-d{SECONDS}s", "--timeout", "30s", "--latency", url]
    for name, value in (headers or {}).items():
        args[1:1] = ["-H", f"{name}: {value}"]
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    value, unit = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", output).groups()
    return {
        "rate": rate,
        "bytes_per_second": float(value) * BYTE_UNITS[unit.upper()],
        "p50": milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1)),
        "p99": milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1)),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def not_modified_p50(url: str) -> float | None:
    """p50 (ms) of revalidations with the ETag the address sends, or None without one."""
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
        etag = response.headers.get("ETag")
    return wrk(url, {"If-None-Match": etag})["p50"] if etag else None


# wrk's Transfer/sec units (binary multiples).
BYTE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


def milliseconds(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def new_data_version(database: str, redis: bool) -> None:
    """What every write does to the page cache (partners.DataVersion.bump), in plain SQL:
    a manage.py call per page would cost more than the page. With Redis, the mirrored
    version (partners/version_mirror.py) is dropped, so the next page reads the new one."""
    sql = "UPDATE partners_dataversion SET token = %s WHERE id = 1"
    token = uuid.uuid4().hex
    if database.startswith("sqlite:///"):
        with sqlite3.connect(database.removeprefix("sqlite:///")) as connection:
            connection.execute(sql.replace("%s", "?"), [token])
    else:
        import psycopg

        with psycopg.connect(database) as connection:
            connection.execute(sql, [token])
    if redis:
        import redis as redis_client

        mirror = redis_client.Redis.from_url(REDIS_URL)
        for key in mirror.scan_iter("portal:data-version:*"):
            mirror.delete(key)


FIRST_TIMEOUT = 120  # seconds; a slower first request is reported as this


def first_after_edit(database: str, redis: bool, url: str) -> float:
    """Median time (ms) of the first request after the data changed (a new data version)."""
    times = []
    for _ in range(3):
        new_data_version(database, redis)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=FIRST_TIMEOUT) as response:
                response.read()
        except TimeoutError:
            return FIRST_TIMEOUT * 1000
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def worker_rss_mib(master: subprocess.Popen, field: str = "VmRSS") -> list[float]:
    """Each worker's resident memory (VmRSS), or its peak (VmHWM), in MiB."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(rf"{field}:\s+(\d+)", status).group(1)) / 1024)
    return sizes


def deployed_config(app: str) -> list[str]:
    """gunicorn's options for the portal as deployed: the served checkout's
    deploy/gunicorn.conf.py (its worker memory bound, say) but for the options serve() gives
    and the access log, left out as in every earlier stop's figures. None for the floor app,
    nor for a checkout without that file."""
    deployed = PROJECT / "deploy" / "gunicorn.conf.py"
    if app != "portal.wsgi" or not deployed.exists():
        return []
    config = BENCH_DIR / f"gunicorn-{PROJECT.name}.conf.py"
    config.write_text(
        f"exec(compile(open({str(deployed)!r}).read(), {str(deployed)!r}, 'exec'))\n"
        "accesslog = None\n"
    )
    return ["-c", str(config)]


def serve(
    env: dict[str, str], app: str = "portal.wsgi", cwd: Path = PROJECT, port: int = PORT
) -> subprocess.Popen:
    log = (BENCH_DIR / "gunicorn.log").open("ab")
    server = subprocess.Popen(
        [
            str(GUNICORN),
            *deployed_config(app),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "180",
            app,
        ],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit(f"gunicorn did not start: see {BENCH_DIR / 'gunicorn.log'}")


def run(engine: str, partners: int, redis: bool) -> None:
    url = prepare(engine, partners)
    env = environment(url, redis)
    slug = manage(env, "shell", "-c", SLUG).split()[-1]
    server = serve(env)
    proxy = start_nginx(env) if PROXY else None
    origin = f"https://localhost:{PORT + 2}" if PROXY else f"http://127.0.0.1:{PORT}"
    floor_server = (
        serve(floor_env(), "bench_floor_app", HERE / "scripts", PORT + 1) if FLOOR else None
    )
    floors = []
    try:
        title = f"{partners} partners, {engine}, {'Redis' if redis else 'local-memory cache'}"
        title += ", behind nginx (HTTPS)" if PROXY else ""
        load = os.getloadavg()[0]
        print(f"\n### {title} (load average {load:.1f})\n", flush=True)
        print(
            "| page | warm req/s | p50 ms | p99 ms | × healthz | KB/response | MB/s "
            "| uncached req/s | p50 ms | p99 ms | × healthz | first after edit ms | 304 p50 ms |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        healthz = None
        for page in env_list("BENCH_PAGES", ",".join(PAGES)):
            address = f"{origin}{page.format(slug=slug)}"
            first = first_after_edit(url, redis, address) if page != "/healthz" else 0.0
            # The load of a shared machine drifts within a configuration's minutes: each page
            # is compared with a /healthz run just before it, not with the first one.
            if PAIRED and page != "/healthz":
                healthz = wrk(f"{origin}/healthz", BROWSER)["rate"]
            warm = wrk(address, BROWSER)
            large = warm["bytes_per_second"] / warm["rate"] > FLOOR_MIN_BYTES
            floor = (
                floor_rate(address, len(floors))
                if floor_server and (page.startswith("/data/") or large)
                else None
            )
            cold = wrk(address, NO_CACHE)
            revalidated = not_modified_p50(address) if page.startswith("/data/") else None
            healthz = warm["rate"] if page == "/healthz" else healthz or warm["rate"]
            if floor:
                floors.append((page.format(slug=slug), warm["rate"], *floor, healthz))
            errors = " (errors)" if warm["errors"] or cold["errors"] else ""
            print(
                f"| `{page.format(slug=slug)}`{errors} | {warm['rate']:,.0f} | {warm['p50']:.1f} "
                f"| {warm['p99']:.1f} | {warm['rate'] / healthz:.2f} "
                f"| {warm['bytes_per_second'] / warm['rate'] / 1024:,.1f} "
                f"| {warm['bytes_per_second'] / 1024**2:,.0f} | {cold['rate']:,.1f} "
                f"| {cold['p50']:.1f} | {cold['p99']:.1f} | {cold['rate'] / healthz:.3f} "
                f"| {first:.0f} | {'–' if revalidated is None else f'{revalidated:.1f}'} |",
                flush=True,
            )
        rss = ", ".join(f"{size:.0f}" for size in worker_rss_mib(server))
        # The peak is what deploy/gunicorn.conf.py's memory bound is checked against first.
        peak = ", ".join(f"{size:.0f}" for size in worker_rss_mib(server, "VmHWM"))
        print(f"\nRSS per worker: {rss} MiB (peak {peak} MiB)", flush=True)
        if floors:
            print_floors(floors)
    finally:
        for running in (proxy, server, floor_server):
            if running:
                running.terminate()
                running.wait(timeout=60)


def start_nginx(env: dict[str, str]) -> subprocess.Popen:
    """deploy/nginx-portal.conf in front of the gunicorn on PORT, HTTPS on PORT+2 with a
    self-signed certificate that urllib here trusts (wrk checks none)."""
    sys.path.insert(0, str(HERE))
    from tests.liveserver import start_nginx

    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    openssl = shutil.which("openssl")
    if not (nginx and openssl):
        sys.exit("BENCH_PROXY=nginx needs nginx and openssl: apt-get install nginx openssl")
    folder = BENCH_DIR / "nginx"
    folder.mkdir(parents=True, exist_ok=True)
    pages = env["PORTAL_PAGE_FILES_DIR"]
    proxy, certificate = start_nginx(nginx, openssl, folder, PORT, PORT + 3, PORT + 2, pages)
    context = ssl.create_default_context(cafile=str(certificate))
    urllib.request.install_opener(
        urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))
    )
    return proxy


def floor_env() -> dict[str, str]:
    folder = BENCH_DIR / "floor"
    folder.mkdir(parents=True, exist_ok=True)
    return os.environ | {"BENCH_FLOOR_DIR": str(folder)}


def floor_rate(address: str, number: int) -> tuple[int, float]:
    """The bytes of `address` as wrk receives them (gzip-encoded where the page has a gzip
    copy), and the rate at which scripts/bench_floor_app.py sends the same bytes."""
    request = urllib.request.Request(address, headers=BROWSER)
    with urllib.request.urlopen(request, timeout=120) as response:
        body = response.read()
    (BENCH_DIR / "floor" / str(number)).write_bytes(body)
    return len(body), wrk(f"http://127.0.0.1:{PORT + 1}/{number}")["rate"]


def print_floors(floors: list[tuple[str, float, int, float, float]]) -> None:
    print(
        "\nFloor: the same bytes sent by a WSGI app that does nothing else, on the same "
        "gunicorn, right after the page (scripts/bench_floor_app.py)\n"
    )
    print("| page | KB sent | portal req/s | floor req/s | portal × /healthz | floor × /healthz |")
    print("|---|---|---|---|---|---|")
    for page, rate, size, floor, healthz in floors:
        print(
            f"| `{page}` | {size / 1024:,.1f} | {rate:,.0f} | {floor:,.0f} "
            f"| {rate / healthz:.2f} | {floor / healthz:.2f} |",
            flush=True,
        )


SLUG = (
    "from partners.models import City; print(City.objects.published().order_by('pk').first().slug)"
)


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("make bench needs wrk, the HTTP load generator: apt-get install wrk")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    env = environment(database_url("sqlite", 34), False)
    manage(env, "collectstatic", "--no-input", "-v", "0", project=PROJECT)
    print(
        f"wrk, 2 threads, 8 connections, {SECONDS} s per page and mode; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    for partners in map(int, env_list("BENCH_PARTNERS", "34,10000")):
        for engine in env_list("BENCH_DATABASES", "sqlite,postgres"):
            for redis in env_list("BENCH_REDIS", "off,on"):
                run(engine, partners, redis == "on")


if __name__ == "__main__":
    main()
