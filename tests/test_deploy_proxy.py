"""The portal as the README deploys it: nginx from Debian terminating TLS with a certificate
made here, in front of gunicorn with deploy/gunicorn.conf.py, on free loopback ports.

Skipped where nginx is missing, except in CI (.ci/run installs it), where that fails.
"""

import contextlib
import csv
import gzip
import io
import json
import os
import re
import runpy
import ssl
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.liveserver import (
    DEPLOY,
    Browser,
    csrf_token,
    form_fields,
    free_port,
    manage,
    prepare_site,
    production_env,
    require_program,
    start_gunicorn,
    start_nginx,
    stop,
)

GUNICORN = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
SEED_PARTNERS = 34  # Daejeon's published list (fixtures/seed/), the demo data
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@contextlib.contextmanager
def deploy(folder: Path, prepare: Callable[[dict[str, str]], None] = prepare_site):
    """The site in `folder` (made by `prepare`) as README deploys it: gunicorn behind nginx,
    nginx sending the stored pages' files (PORTAL_PAGE_FILES_ACCEL_URI)."""
    nginx = require_program("nginx", "nginx")
    env = production_env(
        folder,
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        PORTAL_TRUSTED_PROXY_COUNT="1",
        PORTAL_PAGE_FILES_DIR=str(folder / "pages"),
        PORTAL_PAGE_FILES_ACCEL_URI="/_page-files/",
    )
    prepare(env)
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    gunicorn = start_gunicorn(env, app_port, folder / "gunicorn.log")
    try:
        proxy, certificate = start_nginx(
            nginx,
            require_program("openssl", "openssl"),
            folder,
            app_port,
            http_port,
            https_port,
            env["PORTAL_PAGE_FILES_DIR"],
        )
    except BaseException:
        stop(gunicorn)
        raise
    try:
        yield {
            "http": http_port,
            "https": https_port,
            "app": app_port,
            "tls": ssl.create_default_context(cafile=str(certificate)),
            "gunicorn": gunicorn,
            "folder": folder,
            "env": env,
        }
    finally:
        stop(proxy)
        stop(gunicorn)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    with deploy(tmp_path_factory.mktemp("deployed")) as site:
        yield site


def https(deployed, source: str = "127.0.0.1") -> Browser:
    return Browser(deployed["https"], tls=deployed["tls"], source=source)


def test_plain_http_redirects_to_the_same_page_over_https(deployed):
    response = Browser(deployed["http"]).get("/ko/partners/?kind=sister")
    assert response.status == 301
    assert response.headers["Location"] == (
        f"https://localhost:{deployed['https']}/ko/partners/?kind=sister"
    )


def test_the_proxys_plain_http_probe_of_healthz_gets_ok(deployed):
    response = Browser(deployed["http"]).get("/healthz", Host="10.0.0.5")
    assert (response.status, response.body) == (200, b"ok")
    assert https(deployed).get("/healthz").body == b"ok"


def test_pages_over_https_carry_hsts_and_the_security_headers(deployed):
    response = https(deployed).get("/ko/")
    assert response.status == 200
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    # Links for search engines name the site as visitors reach it.
    origin = f"https://localhost:{deployed['https']}"
    assert f'<link rel="alternate" hreflang="en" href="{origin}/en/">' in response.text


def test_the_admin_sees_https_logs_in_and_gets_a_secure_session_cookie(deployed):
    browser = https(deployed)
    # Django's CSRF check for HTTPS compares the browser's Origin with the proxied host.
    response = browser.login()
    assert response.status == 302
    assert response.headers["Location"] == "/admin/"
    session = [h for h in browser.set_cookie_headers if h.startswith("sessionid=")]
    assert session and "Secure" in session[-1] and "HttpOnly" in session[-1]
    assert "admin" in browser.get("/admin/").text


def test_a_lockout_through_the_proxy_is_per_real_client(deployed):
    attacker, user = https(deployed, "127.0.0.2"), https(deployed, "127.0.0.3")
    page = attacker.get("/admin/login/")
    for _ in range(5):
        attacker.post(
            "/admin/login/",
            {"csrfmiddlewaretoken": csrf_token(page.text), "username": "admin", "password": "x"},
            # Claiming to be the user's address changes nothing: nginx appends the real one.
            **{"X-Forwarded-For": "127.0.0.3"},
        )
    locked = attacker.login()
    assert locked.status == 429
    assert user.login().status == 302


def test_static_files_and_open_data_downloads_are_served(deployed):
    browser = https(deployed)
    page = browser.get("/en/partners/").text
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page).group(1)
    css = browser.get(stylesheet)
    assert css.status == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert "immutable" in css.headers["Cache-Control"]  # a hashed name, cached for good
    download = browser.get("/data/partners.csv")
    assert download.status == 200
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(download.body.decode("utf-8-sig"))))
    assert len(rows) == 1 + SEED_PARTNERS


def test_trace_through_the_proxy_is_refused(deployed):
    response = https(deployed).request("TRACE", "/ko/")
    assert response.status == 405
    assert "<main" not in response.text


def test_a_double_slash_404_through_the_proxy_links_only_to_the_site(deployed):
    response = https(deployed).get("//evil.example/")
    assert response.status == 404
    hosts = {urlsplit(href).netloc for href in re.findall(r'href="([^"]*)"', response.text)}
    # Besides the site: the footer's link to the responsible office's own web page, which is
    # content from the home-city record (the demo data's), not built from the request.
    office = urlsplit(json_fixture_office_url()).netloc
    assert "evil.example" not in hosts
    assert hosts <= {"", f"localhost:{deployed['https']}", office}


def json_fixture_office_url() -> str:
    """The responsible office's web page in the demo data the deployed server runs on."""
    records = json.loads((FIXTURES / "daejeon.json").read_text(encoding="utf-8"))
    (home,) = [record for record in records if record["model"] == "partners.homecity"]
    return home["fields"]["office_url"]


def largest_allowed_import() -> bytes:
    """PORTAL_IMPORT_MAX_ROWS partners with every column filled, within the file size limit."""
    from django.conf import settings

    from partners.resources import COLUMNS

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for n in range(settings.PORTAL_IMPORT_MAX_ROWS):
        values = {
            "slug": f"load-{n}",
            "name_en": f"Load City {n}",
            "name_ko": f"부하 도시 {n}",
            "aliases": f"Load {n}; 부하 {n}",
            "country": ("JP", "CN", "US", "DE", "BR")[n % 5],
            "kind": ("sister", "friendly")[n % 2],
            "status": "active",
            "signed_on": f"{1990 + n % 30}-0{1 + n % 9}-1{n % 10}",
            "population": f"{10_000 + n * 37:,}",
            "population_year": "2020",
            "area_km2": f"{10 + n % 9000}.{n % 10}",
            "latitude": f"{-60 + (n * 7) % 120}.123456",
            "longitude": f"{-170 + (n * 13) % 340}.654321",
            "feature_en": f"Generated partner {n}.",
            "feature_ko": f"시험용 도시 {n}",
            "website": f"https://load-{n}.example.org/",
            "population_source": "census",
            "area_year": "2020",
            "area_source": f"https://load-{n}.example.org/",
        }
        writer.writerow([values[column] for column in COLUMNS])
    data = buffer.getvalue().encode("utf-8-sig")
    assert len(data) <= settings.PORTAL_MAX_IMPORT_FILE_BYTES
    return data


def worker_pids(gunicorn) -> set[str]:
    return set(Path(f"/proc/{gunicorn.pid}/task/{gunicorn.pid}/children").read_text().split())


def worker_memory_kib(gunicorn) -> list[int]:
    sizes = []
    for pid in worker_pids(gunicorn):
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)))
    return sizes


def get_healthz(port: int) -> int:
    """GET /healthz from gunicorn itself (plain HTTP): its status."""
    return Browser(port).get("/healthz").status


def test_busy_workers_are_not_replaced_while_their_memory_stays_within_the_bound(deployed):
    # 2,000 requests over 3 workers: with max_requests = 500 (+ up to 50), at least one worker
    # would have been replaced, importing Django again and emptying its page cache; under a
    # load that took the server from 2,400-3,100 to 470-920 cached pages a second (issue 13).
    workers = worker_pids(deployed["gunicorn"])
    statuses = {get_healthz(deployed["app"]) for _ in range(2_000)}
    assert statuses == {200}
    assert worker_pids(deployed["gunicorn"]) == workers


@contextlib.contextmanager
def one_worker(site, bound_mib: int):
    """A second gunicorn of `site` with one worker and PORTAL_WORKER_MAX_MEMORY_MIB=bound_mib:
    (its process, its port, its log, its worker's pid), once that worker has started."""
    env = site["env"] | {"PORTAL_WORKER_MAX_MEMORY_MIB": str(bound_mib)}
    port, log = free_port(), site["folder"] / f"gunicorn-{bound_mib}.log"
    gunicorn = start_gunicorn(env, port, log, "--workers", "1")
    try:
        # The master listens a moment before its worker is forked.
        yield gunicorn, port, log, next_worker(gunicorn, set())
    finally:
        stop(gunicorn)


def next_worker(gunicorn, other_than: set[str]) -> str:
    """The pid of the gunicorn's one worker once it is not in `other_than` (30 s at most)."""
    deadline = time.monotonic() + 30
    while worker_pids(gunicorn) in (other_than, set()) and time.monotonic() < deadline:
        time.sleep(0.05)
    (worker,) = worker_pids(gunicorn)
    return worker


def visit_pages(site, port: int) -> None:
    """Pages and downloads, as nginx passes them to gunicorn, each rendered or built (a CSRF
    cookie keeps the stored pages and files out of the way, as for a visitor who has one)."""
    browser = Browser(port)
    browser.cookies["csrftoken"] = "a" * 32
    headers = {
        "Host": f"localhost:{site['https']}",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Port": str(site["https"]),
    }
    for path in ("/ko/", "/ko/partners/", "/en/partners/kharkiv/", "/data/partners.xlsx"):
        assert browser.get(path, **headers).status == 200, path


def test_a_worker_holding_more_than_the_bound_after_a_request_is_replaced(deployed):
    # The bound halfway between what a new worker holds and what it holds once it has served
    # some pages, as measured on a server whose bound is out of reach.
    with one_worker(deployed, 100_000) as (gunicorn, port, _log, _worker):
        assert get_healthz(port) == 200  # answered once the worker has loaded the portal
        new = worker_memory_kib(gunicorn)[0] / 1024
        visit_pages(deployed, port)
        used = worker_memory_kib(gunicorn)[0] / 1024
    assert used - new >= 3, (new, used)  # else no bound between them could be tested
    bound = int((new + used) / 2)
    print(f"a new worker: {new:.1f} MiB, after the pages: {used:.1f} MiB; bound {bound} MiB")
    with one_worker(deployed, bound) as (gunicorn, port, log, worker):
        assert get_healthz(port) == 200
        assert worker_pids(gunicorn) == {worker}  # not past the bound yet
        visit_pages(deployed, port)  # each page answered in full, the last past the bound
        replacement = next_worker(gunicorn, {worker})
        assert get_healthz(port) == 200
    assert replacement != worker
    assert f"Replacing worker {worker}: its memory passed the bound" in log.read_text()


def test_a_bound_below_a_new_workers_memory_is_not_applied_but_logged(deployed):
    # Else every request would replace its worker, as max_requests did under load.
    with one_worker(deployed, 1) as (gunicorn, port, log, worker):
        visit_pages(deployed, port)
        assert {get_healthz(port) for _ in range(20)} == {200}
        assert worker_pids(gunicorn) == {worker}
    assert "PORTAL_WORKER_MAX_MEMORY_MIB (1) is below a new worker's memory" in log.read_text()


def test_the_longest_allowed_import_finishes_within_the_gunicorn_timeout(deployed):
    data = largest_allowed_import()
    browser = https(deployed)
    assert browser.login().status == 302
    before = worker_memory_kib(deployed["gunicorn"])
    form = browser.get("/admin/partners/city/import/").text
    preview = browser.post_file(
        "/admin/partners/city/import/",
        {"csrfmiddlewaretoken": csrf_token(form), "format": "0"},
        "import_file",
        "partners.csv",
        data,
    )
    assert preview.status == 200, preview.text[-2000:]
    confirm_fields = form_fields(preview.text, "/admin/partners/city/process_import/")
    assert confirm_fields, "the preview shows no confirm form: " + preview.text[-2000:]
    # The generated figures and coordinates trip the data checks: the staff member confirms.
    confirm_fields.append(("confirm_warnings", "on"))
    started = time.monotonic()
    confirm = browser.post("/admin/partners/city/process_import/", confirm_fields)
    confirm_seconds = time.monotonic() - started
    after = worker_memory_kib(deployed["gunicorn"])
    rows = data.count(b"\n") - 1
    print(
        f"{len(data):,} bytes, {rows:,} rows: preview {preview.seconds:.1f} s, "
        f"confirm {confirm_seconds:.1f} s, gunicorn timeout {GUNICORN['timeout']} s; "
        f"worker RSS {max(before) // 1024} MiB -> {max(after) // 1024} MiB"
    )
    assert confirm.status == 302
    assert confirm.headers["Location"] == "/admin/partners/city/"
    assert preview.seconds < GUNICORN["timeout"]
    assert confirm_seconds < GUNICORN["timeout"]
    download = browser.get("/data/partners.csv").body.decode("utf-8-sig")
    assert len(download.splitlines()) == 1 + SEED_PARTNERS + rows


# Large pages sent by nginx (X-Accel-Redirect)

SCALE_PARTNERS = 2_000  # a CSV of about 350 KB: over page_cache.LOCAL_COPY_MAX_BYTES, kept as files
# Set by each hop (and nginx's byte ranges, which a file allows), not part of the page.
HOP_HEADERS = {
    "server",
    "date",
    "connection",
    "content-length",
    "transfer-encoding",
    "accept-ranges",
}


def prepare_site_at_scale(env: dict[str, str]) -> None:
    manage(env, "migrate", "--no-input")
    manage(env, "loaddata", "countries")
    manage(env, "generate_scale_data", "--partners", str(SCALE_PARTNERS), "--exchanges", "0")
    manage(env, "collectstatic", "--no-input")


@pytest.fixture(scope="module")
def deployed_at_scale(tmp_path_factory):
    with deploy(tmp_path_factory.mktemp("at-scale"), prepare_site_at_scale) as site:
        yield site


def published_partners(site) -> int:
    """The partners the public download lists (the generated data unpublishes a few)."""
    count = (
        "from partners.models import City; print(City.objects.filter(is_published=True).count())"
    )
    return int(manage(site["env"], "shell", "-v", "0", "-c", count).stdout)


def page_headers(response) -> list[tuple[str, str]]:
    return sorted(
        (h.lower(), v) for h, v in response.headers.items() if h.lower() not in HOP_HEADERS
    )


def test_a_large_download_is_sent_by_nginx_with_every_header_the_app_gave_it(deployed_at_scale):
    site = deployed_at_scale
    https(site).get("/data/partners.csv")  # the first request builds the files
    for encoding in ("gzip", "identity"):
        through_nginx = https(site).get("/data/partners.csv", **{"Accept-Encoding": encoding})
        # The same request as nginx passes it on: the app only names the file.
        from_app = Browser(site["app"]).get(
            "/data/partners.csv",
            Host=f"localhost:{site['https']}",
            **{"X-Forwarded-Port": str(site["https"])},
            **{"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"},
            **{"X-Sendfile-Type": "X-Accel-Redirect"},
            **{"Accept-Encoding": encoding},
        )
        assert through_nginx.status == from_app.status == 200
        name = from_app.headers["X-Accel-Redirect"].removeprefix("/_page-files/")
        assert from_app.body == b""
        assert through_nginx.body == Path(site["env"]["PORTAL_PAGE_FILES_DIR"], name).read_bytes()
        text = gzip.decompress(through_nginx.body) if encoding == "gzip" else through_nginx.body
        rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
        assert len(rows) == 1 + published_partners(site)
        given = [(h, v) for h, v in page_headers(from_app) if h != "x-accel-redirect"]
        assert page_headers(through_nginx) == given
        assert dict(given).get("content-encoding") == ("gzip" if encoding == "gzip" else None)
        assert "strict-transport-security" in dict(given) and "etag" in dict(given)


def test_the_files_nginx_sends_cannot_be_asked_for_directly(deployed_at_scale):
    site = deployed_at_scale
    https(site).get("/data/partners.csv")
    (name,) = [p.name for p in Path(site["env"]["PORTAL_PAGE_FILES_DIR"]).glob("page_*.body")]
    assert https(site).get(f"/_page-files/{name}").status == 404


def test_a_download_whose_files_nginx_would_send_were_removed_is_built_again(deployed_at_scale):
    site = deployed_at_scale
    first = https(site).get("/data/partners.csv")
    for path in Path(site["env"]["PORTAL_PAGE_FILES_DIR"]).iterdir():
        path.unlink()
    again = https(site).get("/data/partners.csv")
    assert again.status == 200 and again.body == first.body


def test_nginx_answers_no_precondition_by_validators_of_its_own(deployed_at_scale):
    """The portal judges If-Match and If-Modified-Since by the data version; nginx, sending the
    file, must not judge them again (by an ETag it does not have, or to the second)."""
    site = deployed_at_scale
    first = https(site).get("/data/partners.csv")
    named = Browser(site["app"]).get(
        "/data/partners.csv",
        Host=f"localhost:{site['https']}",
        **{"X-Forwarded-Port": str(site["https"])},
        **{"X-Forwarded-Proto": "https", "X-Sendfile-Type": "X-Accel-Redirect"},
    )
    # A file written in the second of the edit: a date only proves a copy current a second
    # after the change, and nginx would have answered it 304 by the file's own date.
    changed = parsedate_to_datetime(first.headers["Last-Modified"]).timestamp()
    name = named.headers["X-Accel-Redirect"].removeprefix("/_page-files/")
    os.utime(Path(site["env"]["PORTAL_PAGE_FILES_DIR"], name), (changed, changed))
    dated = https(site).get(
        "/data/partners.csv", **{"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert dated.status == 200 and dated.body == first.body
    matched = https(site).get("/data/partners.csv", **{"If-Match": first.headers["ETag"]})
    assert matched.status == 200 and matched.body == first.body
    current = https(site).get("/data/partners.csv", **{"If-None-Match": first.headers["ETag"]})
    assert current.status == 304


def test_gunicorn_reached_directly_sends_the_file_itself(deployed_at_scale):
    site = deployed_at_scale
    through_nginx = https(site).get("/data/partners.csv")
    direct = Browser(site["app"]).get(
        "/data/partners.csv",
        Host=f"localhost:{site['https']}",
        **{"X-Forwarded-Port": str(site["https"])},
        **{"X-Forwarded-Proto": "https"},
    )
    assert direct.status == 200 and "X-Accel-Redirect" not in direct.headers
    assert direct.body == through_nginx.body


def test_nginx_sends_no_byte_ranges_of_a_stored_page(deployed_at_scale):
    """As gunicorn: an If-Range by date (whole seconds) could join two versions' parts."""
    site = deployed_at_scale
    first = https(site).get("/data/partners.csv")
    ranged = https(site).get(
        "/data/partners.csv", Range="bytes=100-", **{"If-Range": first.headers["Last-Modified"]}
    )
    assert ranged.status == 200 and ranged.body == first.body
