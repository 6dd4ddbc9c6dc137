"""Faults of the page cache found by trying it as an attacker and across a deploy
(portal/page_cache.py): a flood of query strings stays bounded and leaves the import previews
alone, and pages rendered by the previous release are never served or confirmed by the next."""

import pytest
from django.core.cache import caches
from django.test import Client

from partners.models import DataVersion
from portal import page_cache

pytestmark = pytest.mark.django_db

FLOOD = 301  # one more than the local-memory cache's default MAX_ENTRIES (300)


def flood_keys(count: int) -> list[str]:
    token = f"{DataVersion.current().token}-{page_cache.RELEASE}"
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
    token = f"{DataVersion.current().token}-{page_cache.RELEASE}"
    key = page_cache.page_key(token, "ko", "http://testserver/robots.txt")
    assert caches["pages"].get(key) is not None


def test_a_new_release_neither_serves_nor_confirms_the_old_releases_pages(monkeypatch):
    client = Client()
    old = client.get("/robots.txt")
    monkeypatch.setattr(page_cache, "RELEASE", "0new0rel")  # a deploy; the data unchanged
    revalidated = client.get("/robots.txt", headers={"if-none-match": old["ETag"]})
    assert revalidated.status_code == 200
    assert revalidated["ETag"] != old["ETag"]
    assert caches["pages"].get(
        page_cache.page_key(
            f"{DataVersion.current().token}-0new0rel", "ko", "http://testserver/robots.txt"
        )
    )


def test_the_release_digest_follows_portal_release_and_is_stable_without_it(settings):
    settings.PORTAL_RELEASE = ""
    assert page_cache.release_digest() == page_cache.release_digest()
    code = page_cache.release_digest()
    settings.PORTAL_RELEASE = "2026-11-30.1"
    first = page_cache.release_digest()
    settings.PORTAL_RELEASE = "2026-11-30.2"
    assert len({code, first, page_cache.release_digest()}) == 3
