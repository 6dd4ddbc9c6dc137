"""The warm page cache's shortcuts stay exact: the data version mirrored in Redis, large pages
kept as files (with gzip copies), and queryset updates, which send no signals, still retire
the cached pages."""

import datetime
import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
import reversion
from django.apps import apps
from django.core.cache import caches
from django.db import connection
from django.http import FileResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partners.models import (
    Agreement,
    AgreementDocument,
    City,
    Country,
    DataVersion,
    Exchange,
    HomeCity,
    Photo,
)
from partners.models.versioned import VersionedQuerySet
from portal import page_cache
from tests.factories import make_exchange, make_home_city
from tests.media_files import new_document, new_photo, saved
from tests.spreadsheets import make_countries, make_partner

PAGE = "/en/partners/kharkiv/"
DOWNLOAD = "/data/partners.csv"
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


@pytest.fixture
def kharkiv(db) -> City:
    make_countries()
    make_home_city()
    with reversion.create_revision():
        city = make_partner(population=1_421_125)
    return city


@pytest.fixture
def visitor() -> Client:
    return Client()


def queries_for(client: Client, path: str, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    return response, len(queries)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# Queryset updates


def test_a_queryset_update_of_a_partner_is_on_the_next_page(visitor, kharkiv):
    assert "1,421,125" in visitor.get(PAGE).text
    City.objects.filter(pk=kharkiv.pk).update(population=1_500_000)
    assert "1,500,000" in visitor.get(PAGE).text


def test_a_queryset_update_of_an_agreement_is_on_the_next_page(visitor, kharkiv):
    assert "1995" not in visitor.get(PAGE).text
    Agreement.objects.filter(city=kharkiv).update(signed_on=datetime.date(1995, 3, 4))
    assert "1995" in visitor.get(PAGE).text


def test_a_queryset_update_of_an_activity_is_on_the_next_page(visitor, kharkiv):
    exchange = make_exchange(kharkiv, title_en="Youth orchestra visit")
    address = exchange.get_absolute_url()
    assert "Youth orchestra visit" in visitor.get(address).text
    Exchange.objects.filter(pk=exchange.pk).update(title_en="Chamber choir visit")
    assert "Chamber choir visit" in visitor.get(address).text


def test_a_queryset_update_of_a_country_is_on_its_partners_pages(visitor, kharkiv):
    assert "Ukraine" in visitor.get(PAGE).text
    Country.objects.filter(iso_code="UA").update(name_en="Ukraina")
    assert "Ukraina" in visitor.get(PAGE).text


def test_a_queryset_update_of_the_home_city_is_on_every_page(visitor, kharkiv):
    for path in ("/en/", PAGE):
        assert "International Relations Division" not in visitor.get(path).text
    HomeCity.objects.update(office_en="International Relations Division")
    for path in ("/en/", PAGE):
        assert "International Relations Division" in visitor.get(path).text


@pytest.mark.usefixtures("media_root")
def test_a_queryset_update_of_a_photo_or_document_is_on_the_partner_page(visitor, kharkiv):
    photo = saved(new_photo(kharkiv, alt_en="Freedom Square at dusk"))
    saved(new_document(kharkiv.agreements.get(), title_en="Friendship agreement"))
    assert "Freedom Square at dusk" in visitor.get(PAGE).text
    Photo.objects.filter(pk=photo.pk).update(alt_en="Freedom Square at noon")
    AgreementDocument.objects.filter(city=kharkiv).update(title_en="Friendship charter")
    page = visitor.get(PAGE).text
    assert "Freedom Square at noon" in page and "Friendship charter" in page


def test_a_bulk_create_gives_revalidating_visitors_a_new_page(visitor, kharkiv):
    etag = visitor.get("/en/exchanges/")["ETag"]
    assert visitor.get("/en/exchanges/", headers={"if-none-match": etag}).status_code == 304
    Exchange.objects.bulk_create(
        [Exchange(field="culture", title_en="Trade mission", started_on=datetime.date(2024, 5, 1))]
    )
    assert visitor.get("/en/exchanges/", headers={"if-none-match": etag}).status_code == 200


def test_every_model_whose_saves_retire_pages_has_a_versioned_queryset():
    """The models whose saves bump the data version (signals.connect_data_version_receivers)
    are the ones whose updates must; a new model without VersionedQuerySet would be served
    stale after an update. Many-to-many tables change through m2m_changed."""
    for model in apps.get_app_config("partners").get_models():
        if model is DataVersion or not model._meta.managed:
            continue
        assert isinstance(model._default_manager.all(), VersionedQuerySet), model


def test_a_queryset_update_of_no_row_keeps_the_cached_pages(kharkiv):
    before = DataVersion.current().token
    City.objects.filter(slug="nowhere").update(population=1)
    assert DataVersion.current().token == before


# Large pages kept as files


@pytest.fixture
def small_pages_limit(monkeypatch):
    """One partner's download is a few hundred bytes: count anything over 100 as large."""
    monkeypatch.setattr(page_cache, "LOCAL_COPY_MAX_BYTES", 100)


def test_a_large_download_is_sent_from_a_file_and_gzipped_for_clients_that_take_it(
    visitor, kharkiv, small_pages_limit
):
    first = visitor.get(DOWNLOAD)
    plain, queries = queries_for(visitor, DOWNLOAD)
    zipped = visitor.get(DOWNLOAD, headers={"accept-encoding": "gzip, deflate, br"})
    assert queries == 1  # the data version
    assert isinstance(plain, FileResponse)  # WSGI servers send its file (gunicorn: sendfile)
    assert body(plain) == first.content and b"kharkiv" in first.content
    assert plain["Content-Type"] == first["Content-Type"]
    assert plain["Content-Disposition"] == 'attachment; filename="partners.csv"'
    assert plain["ETag"] == first["ETag"]
    assert zipped["Content-Encoding"] == "gzip"
    zipped_body = body(zipped)
    assert gzip.decompress(zipped_body) == first.content
    assert int(zipped["Content-Length"]) == len(zipped_body) < len(first.content)
    assert zipped["ETag"] != plain["ETag"]
    assert "Accept-Encoding" in zipped["Vary"] and "Accept-Encoding" in plain["Vary"]
    # The file is sent with the headers the page was rendered with, and its own length.
    assert dict(plain.items()) == dict(first.items()) | {"Content-Length": str(len(first.content))}
    assert dict(zipped.items()) == dict(plain.items()) | {
        "Content-Encoding": "gzip",
        "Content-Length": zipped["Content-Length"],
        "ETag": zipped["ETag"],
    }
    # Each copy revalidates with its own ETag.
    for response in (plain, zipped):
        again = visitor.get(
            DOWNLOAD, headers={"if-none-match": response["ETag"], "accept-encoding": "gzip"}
        )
        assert again.status_code == 304


def test_a_client_refusing_gzip_gets_the_plain_file(visitor, kharkiv, small_pages_limit):
    visitor.get(DOWNLOAD)
    refused = visitor.get(DOWNLOAD, headers={"accept-encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused and b"kharkiv" in body(refused)


def test_an_edit_retires_the_download_files(visitor, kharkiv, small_pages_limit, settings):
    visitor.get(DOWNLOAD)
    assert b"1421125" in body(visitor.get(DOWNLOAD))
    old_files = set(settings.PORTAL_PAGE_FILES_DIR.iterdir())
    kharkiv.population = 1_500_000
    kharkiv.save()
    after = visitor.get(DOWNLOAD)
    assert b"1500000" in after.content and b"1421125" not in after.content
    zipped = visitor.get(DOWNLOAD, headers={"accept-encoding": "gzip"})
    assert b"1500000" in gzip.decompress(body(zipped))
    # The version before the edit keeps its files until the next version's are written: a
    # request that read it may have named them to nginx, which has yet to open them.
    assert old_files and old_files <= set(settings.PORTAL_PAGE_FILES_DIR.iterdir())
    kharkiv.population = 1_600_000
    kharkiv.save()
    assert b"1600000" in visitor.get(DOWNLOAD).content
    assert old_files.isdisjoint(settings.PORTAL_PAGE_FILES_DIR.iterdir())


def test_a_download_whose_files_were_removed_is_served_and_kept_again(
    visitor, kharkiv, small_pages_limit, settings
):
    """Each process remembers a file's headers after its first download: a file removed since
    (a folder cleaned by hand, a full disk's files) must not make the download fail."""
    first = body(visitor.get(DOWNLOAD, headers=GZIP))
    assert body(visitor.get(DOWNLOAD, headers=GZIP)) == first  # served from the file
    for path in settings.PORTAL_PAGE_FILES_DIR.iterdir():
        path.unlink()
    again = visitor.get(DOWNLOAD, headers=GZIP)
    assert again.status_code == 200 and body(again) == first
    assert list(settings.PORTAL_PAGE_FILES_DIR.glob("page_*.gz"))
    assert gzip.decompress(body(visitor.get(DOWNLOAD, headers=GZIP))) == body(visitor.get(DOWNLOAD))


def test_a_download_reads_its_stored_headers_from_disk_once_per_process(
    visitor, kharkiv, small_pages_limit, settings
):
    visitor.get(DOWNLOAD)
    first = visitor.get(DOWNLOAD, headers=GZIP)
    assert isinstance(first, FileResponse)
    for headers in settings.PORTAL_PAGE_FILES_DIR.glob("page_*.json"):
        headers.unlink()
    again, queries = queries_for(visitor, DOWNLOAD, **GZIP)
    assert queries == 1  # the data version: the download was not built again
    assert isinstance(again, FileResponse) and body(again) == body(first)
    assert again.items() == first.items()


NGINX = {"x-sendfile-type": "X-Accel-Redirect"}  # what deploy/nginx-portal.conf sends


def test_behind_nginx_a_download_names_its_file_for_nginx_to_send(
    visitor, kharkiv, small_pages_limit, settings
):
    """PORTAL_PAGE_FILES_ACCEL_URI: the response nginx turns into the file (X-Accel-Redirect),
    with every header the file's own response has (tests/test_deploy_proxy.py runs nginx)."""
    visitor.get(DOWNLOAD)
    sent = {"plain": visitor.get(DOWNLOAD), "gzip": visitor.get(DOWNLOAD, headers=GZIP)}
    bodies = {encoding: body(response) for encoding, response in sent.items()}
    settings.PORTAL_PAGE_FILES_ACCEL_URI = "/_page-files/"
    for encoding, headers in (("plain", {}), ("gzip", GZIP)):
        named, queries = queries_for(visitor, DOWNLOAD, **headers, **NGINX)
        assert queries == 1 and named.status_code == 200 and named.content == b""
        name = named["X-Accel-Redirect"].removeprefix("/_page-files/")
        file = settings.PORTAL_PAGE_FILES_DIR / name
        assert file.read_bytes() == bodies[encoding]
        assert file.stat().st_mode & 0o044 == 0o044  # readable by nginx's user
        assert name.endswith(".gz" if encoding == "gzip" else ".body")
        own = {"X-Accel-Redirect", "Content-Length"}
        assert {h: v for h, v in named.items() if h not in own} == {
            h: v for h, v in sent[encoding].items() if h not in own
        }
    # Files removed since (a folder cleaned by hand): built again, not named while missing.
    for path in settings.PORTAL_PAGE_FILES_DIR.iterdir():
        path.unlink()
    rebuilt = visitor.get(DOWNLOAD, headers={**GZIP, **NGINX})
    assert "X-Accel-Redirect" not in rebuilt
    assert gzip.decompress(body(rebuilt)) == bodies["plain"]
    assert visitor.get(DOWNLOAD, headers={**GZIP, **NGINX})["X-Accel-Redirect"].endswith(".gz")


def test_a_request_that_nginx_did_not_mark_gets_the_file_itself(
    visitor, kharkiv, small_pages_limit, settings
):
    """Gunicorn reached directly, or an nginx without the portal's configuration, must never
    get an empty download; nor a precondition nginx would judge again by the file's validators
    (an If-Match the portal found true would be nginx's 412)."""
    settings.PORTAL_PAGE_FILES_ACCEL_URI = "/_page-files/"
    first = visitor.get(DOWNLOAD)
    etag = visitor.get(DOWNLOAD, headers=NGINX)["ETag"]
    for headers in (
        {},
        {"if-match": etag, **NGINX},
        {"if-unmodified-since": "Fri, 01 Jan 2100 00:00:00 GMT", **NGINX},
    ):
        response = visitor.get(DOWNLOAD, headers=headers)
        assert response.status_code == 200 and "X-Accel-Redirect" not in response
        assert isinstance(response, FileResponse) and body(response) == first.content


def test_a_download_rendered_for_a_version_replaced_meanwhile_writes_and_removes_no_files(
    visitor, kharkiv, small_pages_limit, settings, monkeypatch
):
    """A request that read the data version before two edits and renders after them (a slow
    XLSX) must not count as the latest writer: it would remove the files of the version before
    the current one, which requests that read it may have named to nginx (found in review)."""
    stale = DataVersion.current()
    files = settings.PORTAL_PAGE_FILES_DIR
    for population in (1_500_000, 1_600_000):
        kharkiv.population = population
        kharkiv.save()
        visitor.get(DOWNLOAD)
    kept = set(files.iterdir())  # the current version's files and the previous one's
    real = DataVersion.current.__func__
    read = iter([stale])
    monkeypatch.setattr(
        DataVersion, "current", classmethod(lambda cls: next(read, None) or real(cls))
    )
    late = visitor.get(DOWNLOAD)
    assert late.status_code == 200 and b"kharkiv" in late.content
    assert set(files.iterdir()) == kept


def test_addresses_with_a_query_string_are_never_kept_as_files(
    visitor, kharkiv, small_pages_limit, settings
):
    for number in range(3):
        assert visitor.get(f"{PAGE}?junk={number}").status_code == 200
    assert not list(settings.PORTAL_PAGE_FILES_DIR.glob("page_*"))


def test_a_download_ignores_a_junk_query_string_and_is_kept_once(
    visitor, kharkiv, small_pages_limit, settings
):
    """Its view reads no query string: each ?junk=N was built again (seconds at scale)."""
    for number in range(3):
        assert b"kharkiv" in body(visitor.get(f"{DOWNLOAD}?junk={number}"))
    assert len(list(settings.PORTAL_PAGE_FILES_DIR.glob("page_*.body"))) == 1
    assert body(visitor.get(DOWNLOAD)) == body(visitor.get(f"{DOWNLOAD}?junk=9"))


def test_a_page_this_process_has_read_is_served_again_without_unpickling_it(
    visitor, kharkiv, monkeypatch
):
    """The stored page's object is kept (page_cache.decoded): reading the local-memory cache
    unpickled it on every hit. Each request still gets a response of its own."""
    first = visitor.get(PAGE, headers=GZIP)

    def unread(*args, **kwargs):
        raise AssertionError("the page was read from the cache again")

    for alias in ("local-pages", "pages"):
        monkeypatch.setattr(caches[alias], "get", unread)
    again, queries = queries_for(visitor, PAGE, **GZIP)
    assert queries == 1 and again.content == first.content and again.items() == first.items()
    assert again is not first
    kharkiv.population = 1_500_000
    kharkiv.save()
    monkeypatch.undo()
    assert b"1,500,000" in gzip.decompress(visitor.get(PAGE, headers=GZIP).content)


def test_a_hit_on_a_full_set_of_kept_pages_keeps_them_all(visitor, kharkiv, monkeypatch):
    monkeypatch.setattr(page_cache, "DECODED_MAX", 2)
    visitor.get(PAGE)
    visitor.get("/ko/partners/")
    assert len(page_cache.decoded) == 2
    visitor.get(PAGE)  # served from the kept page
    assert len(page_cache.decoded) == 2


# Gzip copies of every stored page

GZIP = {"accept-encoding": "gzip, deflate, br"}
# What differs between a page and its gzip copy by design.
ENCODING_HEADERS = {"Content-Encoding", "Content-Length", "ETag"}


def test_a_stored_page_is_sent_gzipped_to_clients_that_take_it(visitor, kharkiv):
    plain = visitor.get(PAGE)
    zipped, queries = queries_for(visitor, PAGE, **GZIP)
    assert queries == 1  # the data version: compressed when stored, not per request
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    # Even a small page (5 KB here) shrinks to well under half.
    assert int(zipped["Content-Length"]) == len(zipped.content) < len(plain.content) / 2
    assert zipped["ETag"] != plain["ETag"]
    assert "Accept-Encoding" in zipped["Vary"] and "Accept-Encoding" in plain["Vary"]
    # No secret for BREACH to guess in a compressed body.
    assert not zipped.cookies and b"csrfmiddlewaretoken" not in gzip.decompress(zipped.content)


def test_a_gzipped_page_keeps_the_security_headers_of_the_page(visitor, kharkiv):
    plain = visitor.get(PAGE)
    zipped = visitor.get(PAGE, headers=GZIP)
    assert "Content-Security-Policy" in plain and "X-Frame-Options" in plain
    assert {h: v for h, v in plain.items() if h not in ENCODING_HEADERS} == {
        h: v for h, v in zipped.items() if h not in ENCODING_HEADERS
    }


def test_the_first_request_of_a_page_is_gzipped_as_its_later_copies(visitor, kharkiv):
    first = visitor.get(PAGE, headers=GZIP)
    later = visitor.get(PAGE, headers=GZIP)
    assert first["Content-Encoding"] == later["Content-Encoding"] == "gzip"
    assert first["ETag"] == later["ETag"]
    assert gzip.decompress(first.content) == gzip.decompress(later.content)


def test_each_copy_of_a_page_revalidates_with_its_own_etag(visitor, kharkiv):
    plain = visitor.get(PAGE)
    zipped = visitor.get(PAGE, headers=GZIP)
    for response, headers in ((plain, {}), (zipped, GZIP)):
        again = visitor.get(PAGE, headers={"if-none-match": response["ETag"], **headers})
        assert again.status_code == 304 and again["ETag"] == response["ETag"]
        assert "Accept-Encoding" in again["Vary"]
    # A client that no longer takes gzip is not told its gzip copy is current.
    assert visitor.get(PAGE, headers={"if-none-match": zipped["ETag"]}).status_code == 200


def test_a_client_refusing_gzip_gets_the_plain_page(visitor, kharkiv):
    visitor.get(PAGE, headers=GZIP)
    refused = visitor.get(PAGE, headers={"accept-encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused and "1,421,125" in refused.text


def test_an_edit_retires_the_gzip_copy_of_a_page(visitor, kharkiv):
    assert b"1,421,125" in gzip.decompress(visitor.get(PAGE, headers=GZIP).content)
    kharkiv.population = 1_500_000
    kharkiv.save()
    assert b"1,500,000" in gzip.decompress(visitor.get(PAGE, headers=GZIP).content)


def start_of_request() -> None:
    """What Django does as a request starts (the test client leaves it out): a kept connection
    is checked before the request's first query."""
    connection.close_if_unusable_or_obsolete()
    assert connection.connection is not None, "the connection is kept between requests"
    assert not connection.health_check_done


# serialized_rollback: as the other transactional tests (test_page_cache.py). Transactional:
# a request outside a test's transaction, as in production.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_from_the_cache_costs_one_query_and_no_health_check_of_its_own(kharkiv, monkeypatch):
    """The data version's query is the request's health check: on PostgreSQL Django's own
    check (`SELECT 1`, not counted by CaptureQueriesContext) was a second round trip on every
    page served from the cache."""
    visitor = Client()
    assert visitor.get(PAGE).status_code == 200  # cached now
    checks = []
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or True)
    start_of_request()
    response, queries = queries_for(visitor, PAGE)
    assert response.status_code == 200 and b"Kharkiv" in response.content
    assert queries == 1
    assert checks == []
    assert connection.health_check_done


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a server that ends a connection: PostgreSQL"
)
def test_a_connection_the_database_ended_is_replaced_and_the_page_served(kharkiv):
    """As after a database restart: the version's query fails on the dead connection, which is
    what the health check would have found, so the page is served on a new connection."""
    import psycopg

    visitor = Client()
    assert visitor.get(PAGE).status_code == 200
    ended = connection.connection.info.backend_pid
    settings_dict = connection.settings_dict
    with psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"],
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [ended])
    start_of_request()
    response = visitor.get(PAGE)
    assert response.status_code == 200 and b"Kharkiv" in response.content
    assert connection.connection.info.backend_pid != ended


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statement_timeout")
def test_a_query_failing_on_a_usable_connection_is_raised_not_retried(kharkiv):
    """Only a dead connection is replaced: a query's own failure (here a timeout) is the
    caller's, on the same connection, as without the shortcut."""
    from django.db import OperationalError, connections

    from partners.models.data_version import fetch_one_as_health_check

    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 100")
    start_of_request()
    backend = connection.connection.info.backend_pid
    with CaptureQueriesContext(connection) as queries, pytest.raises(OperationalError):
        fetch_one_as_health_check(connections["default"], "SELECT pg_sleep(1)")
    assert len(queries) == 1
    assert connection.connection is not None
    assert connection.connection.info.backend_pid == backend
    with connection.cursor() as cursor:
        cursor.execute("RESET statement_timeout")


def test_a_files_location_without_its_slashes_is_refused_at_start():
    """Named without its trailing slash, every file nginx was sent to would be a 404."""
    env = os.environ | {"PORTAL_PAGE_FILES_ACCEL_URI": "/_page-files", "DJANGO_DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "PORTAL_PAGE_FILES_ACCEL_URI must start and end with /." in result.stderr
