"""Faults of the page cache found by trying it as an attacker and across a deploy
(portal/page_cache.py): a flood of query strings stays bounded and leaves the import previews
alone, and pages rendered by the previous release are never served or confirmed by the next."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from partners.models import DataVersion
from portal import page_cache

pytestmark = pytest.mark.django_db

FLOOD = 301  # one more than the local-memory cache's default MAX_ENTRIES (300)


def flood_keys(count: int) -> list[str]:
    token = page_cache.page_token(DataVersion.current())
    return [
        page_cache.page_key(token, "en", f"http://testserver/robots.txt?junk={number}")
        for number in range(count)
    ]


def flood(client: Client, count: int) -> None:
    for number in range(count):
        response = client.get(f"/robots.txt?junk={number}", headers={"accept-language": "en"})
        assert response.status_code == 200


@pytest.mark.parametrize("shared", [False, True])
def test_a_flood_of_junk_query_strings_keeps_the_import_preview_and_a_bounded_store(
    settings, shared
):
    settings.PORTAL_SHARED_CACHE = shared  # True: as with REDIS_URL ("pages" is Redis then)
    caches["default"].set("import-preview-test", b"rows", 3600)
    flood(Client(), FLOOD)
    assert caches["default"].get("import-preview-test") == b"rows"
    keys = flood_keys(FLOOD)
    assert caches["pages"].get_many(keys) == {}  # nothing in Redis, whose size has no bound
    assert 0 < len(caches["local-pages"].get_many(keys)) <= 100
    assert 0 < len(page_cache.decoded) <= page_cache.DECODED_MAX  # this process's objects


def test_a_page_without_a_query_string_is_still_kept_in_the_shared_store(settings):
    settings.PORTAL_SHARED_CACHE = True
    client = Client()
    client.get("/robots.txt")
    caches["local-pages"].clear()  # another app server
    token = page_cache.page_token(DataVersion.current())
    key = page_cache.page_key(token, "ko", "http://testserver/robots.txt")
    assert caches["pages"].get(key) is not None


def test_a_new_release_neither_serves_nor_confirms_the_old_releases_pages(monkeypatch):
    client = Client()
    old = client.get("/robots.txt")
    monkeypatch.setattr(page_cache, "RELEASE", "0new0rel")  # a deploy; the data unchanged
    revalidated = client.get("/robots.txt", headers={"if-none-match": old["ETag"]})
    assert revalidated.status_code == 200
    assert revalidated["ETag"] != old["ETag"]
    token = page_cache.page_token(DataVersion.current())
    assert "-0new0rel-" in token
    assert caches["pages"].get(page_cache.page_key(token, "ko", "http://testserver/robots.txt"))


def test_the_release_digest_follows_portal_release_and_is_stable_without_it(settings):
    settings.PORTAL_RELEASE = ""
    assert page_cache.release_digest() == page_cache.release_digest()
    code = page_cache.release_digest()
    settings.PORTAL_RELEASE = "2026-11-30.1"
    first = page_cache.release_digest()
    settings.PORTAL_RELEASE = "2026-11-30.2"
    assert len({code, first, page_cache.release_digest()}) == 3


def test_the_release_digest_follows_the_stylesheet_and_the_settings_pages_show(settings, tmp_path):
    """A stylesheet-only deploy kept serving pages linking the old, removed, hashed
    stylesheet; a restart with a new licence or Content-Security-Policy kept serving what the
    old settings had rendered."""
    settings.PORTAL_RELEASE = ""
    (tmp_path / "static" / "css").mkdir(parents=True)
    stylesheet = tmp_path / "static" / "css" / "site.css"
    stylesheet.write_text("body { color: black; }")
    settings.BASE_DIR = tmp_path
    before = page_cache.release_digest()
    stylesheet.write_text("body { color: navy; }")
    restyled = page_cache.release_digest()
    settings.PORTAL_DATA_LICENCE = settings.PORTAL_DATA_LICENCE | {"name_en": "CC BY 4.0"}
    relicensed = page_cache.release_digest()
    policy = settings.CONTENT_SECURITY_POLICY
    directives = policy["DIRECTIVES"] | {"img-src": ["'self'", "https://tiles.example"]}
    settings.CONTENT_SECURITY_POLICY = policy | {"DIRECTIVES": directives}
    new_policy = page_cache.release_digest()
    assert len({before, restyled, relicensed, new_policy}) == 4
    # The same in any active language (LANGUAGES holds lazy, translated names).
    with translation.override("en"):
        in_english = page_cache.release_digest()
    with translation.override("ko"):
        assert page_cache.release_digest() == in_english == new_policy
    # A folder of one server is not part of it: servers sharing a cache agree on the release.
    settings.PORTAL_PAGE_FILES_DIR = tmp_path / "elsewhere"
    settings.PORTAL_RELEASE = "2026-12-01.1"
    deployed = page_cache.release_digest()
    settings.PORTAL_PAGE_FILES_DIR = tmp_path / "other"
    assert page_cache.release_digest() == deployed


def test_a_download_with_a_junk_query_string_is_the_stored_download(settings):
    """The downloads read no query string, yet ?x=N built a 10,000-partner XLSX again on
    every request (seconds each): an easy way to keep the workers busy."""
    settings.PORTAL_SHARED_CACHE = True
    client = Client()
    first = client.get("/data/partners.csv")
    for number in range(3):
        with CaptureQueriesContext(connection) as queries:
            again = client.get(f"/data/partners.csv?x={number}")
        assert again.status_code == 200 and again.content == first.content
        assert len(queries) == 1  # the data version: nothing built
    assert again["ETag"] == first["ETag"]


def test_a_sitemap_files_number_is_kept_in_the_shared_store(settings, monkeypatch):
    """A large section's later files (?p=2) were built on every request: a query string kept
    them out of the shared store and the files, their size out of this process's copies."""
    from partners.sitemaps import I18nSitemap

    monkeypatch.setattr(I18nSitemap, "limit", 1)  # one address per file: p=2 exists
    settings.PORTAL_SHARED_CACHE = True
    client = Client()
    assert client.get("/sitemap-pages.xml?p=2").status_code == 200
    token = page_cache.page_token(DataVersion.current())
    key = page_cache.page_key(token, "ko", "http://testserver/sitemap-pages.xml?p=2")
    assert caches["pages"].get(key) is not None
    # Anything else after a sitemap file's address is junk, kept in this process only.
    assert client.get("/sitemap-pages.xml?p=02").status_code == 200
    junk = page_cache.page_key(token, "ko", "http://testserver/sitemap-pages.xml?p=02")
    assert caches["pages"].get(junk) is None


def test_other_spellings_of_an_allowed_host_are_not_kept_beyond_this_process(settings):
    """Django accepts LOCALHOST, localhost. and localhost:<any port> for "localhost"; each
    added its own copy of every page to Redis and of every download to the page files (300
    spellings of one list page took Redis from 27 to 60 MB)."""
    settings.ALLOWED_HOSTS = ["localhost", ".example.org"]
    settings.PORTAL_SHARED_CACHE = True
    client = Client()
    token = page_cache.page_token(DataVersion.current())

    def kept(host: str) -> bool:
        caches["local-pages"].clear()
        response = client.get("/robots.txt", headers={"host": host})
        assert response.status_code in (200, 301)  # 301: to the spelling pages are kept for
        key = page_cache.page_key(token, "ko", f"http://{host}/robots.txt")
        return caches["pages"].get(key) is not None

    assert kept("localhost")
    assert kept("localhost:80")  # the port the test client's request came to (SERVER_PORT)
    for spelling in ("LOCALHOST", "LocalHost:80", "localhost.", "localhost:1", "localhost:65535"):
        assert not kept(spelling), spelling
    assert not kept("www.example.org")  # allowed by a wildcard only: any name would do
    # Behind nginx, the port the browser came to is in X-Forwarded-Port: taken from the proxy
    # only, not from anyone reaching the server directly.
    assert not kept_with_forwarded_port(client, token, 8443)
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    assert kept_with_forwarded_port(client, token, 8444)


def kept_with_forwarded_port(client: Client, token: str, port: int) -> bool:
    caches["local-pages"].clear()
    client.get("/robots.txt", headers={"host": f"localhost:{port}", "x-forwarded-port": str(port)})
    key = page_cache.page_key(token, "ko", f"http://localhost:{port}/robots.txt")
    return caches["pages"].get(key) is not None


def test_a_visitor_at_another_spelling_of_the_host_is_sent_to_the_one_pages_are_kept_for(
    settings,
):
    """Served as they were, such spellings kept nothing beyond the worker, and a large download
    (over the worker's 256 KB copies) was built again for every request."""
    settings.ALLOWED_HOSTS = ["localhost"]
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1  # behind nginx
    client = Client()
    for spelling, expected in (
        ("LOCALHOST", "http://localhost/robots.txt?a=1"),
        ("localhost.", "http://localhost/robots.txt?a=1"),
        ("LocalHost.:80", "http://localhost:80/robots.txt?a=1"),
    ):
        response = client.get("/robots.txt?a=1", headers={"host": spelling})
        assert response.status_code == 301, spelling
        assert response["Location"] == expected
    # Behind nginx: the port the browser came to, or none for the scheme's own.
    forwarded = client.get(
        "/robots.txt", headers={"host": "localhost:1", "x-forwarded-port": "8443"}
    )
    assert forwarded["Location"] == "http://localhost:8443/robots.txt"
    default = client.get("/robots.txt", headers={"host": "localhost:1", "x-forwarded-port": "80"})
    assert default["Location"] == "http://localhost/robots.txt"
    # Without nginx another port may be a port mapping: served, kept in the worker only.
    assert client.get("/robots.txt", headers={"host": "localhost:8080"}).status_code == 200
