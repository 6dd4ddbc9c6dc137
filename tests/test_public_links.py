"""Links the portal builds from the request stay on the site, carry only valid query values,
and public pages refuse the methods they do not serve."""

from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, translate_url
from django.views.i18n import set_language

from tests.factories import make_agreement, make_city, make_exchange
from tests.media_files import new_document, new_photo, saved

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners():
    for number in range(45):  # three pages of 20
        city = make_city(f"City {number:02}", country="JP")
        make_agreement(city)
        # One activity each, the first number 1: the exchange list has three pages too.
        make_exchange(city, pk=number + 1, title_en=f"Visit {number:02}")


def hrefs(html: str) -> list[str]:
    import re

    return re.findall(r'href="([^"]*)"', html)


@pytest.mark.parametrize("path", ["//evil.example/", "///evil.example/", "//evil.example/ko/"])
def test_a_404_at_a_double_slash_path_links_only_to_this_site(client, path):
    # PATH_INFO set directly: the test client would read "//host/" as a host, as a browser does.
    response = client.get("/", PATH_INFO=path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    for href in hrefs(response.text):
        assert urlsplit(href).netloc in ("", "testserver"), href


def test_the_404_page_at_a_double_slash_path_links_its_own_escaped_path(client):
    response = client.get("/", PATH_INFO="//evil.example/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'href="http://testserver/%2Fevil.example/"' in response.text


def test_a_404_page_keeps_its_language_switch_on_the_site(client):
    response = client.get("/", PATH_INFO="//evil.example/ko/partners/")
    assert 'hreflang="en" href="http://testserver/' in response.text
    assert "evil.example/ko" not in response.text.replace("%2Fevil.example/ko", "")


HUGE = "x" * 100_000


def test_huge_query_values_are_not_echoed_into_the_list_page(client, partners):
    normal = client.get("/en/partners/", {"kind": "sister", "page": "2"})
    junk = client.get(
        "/en/partners/",
        {"kind": "sister", "page": "2", "q": HUGE, "continent": HUGE, "sort": HUGE, "x": HUGE},
    )
    assert junk.status_code == 200
    assert HUGE[:200] not in junk.text
    # The page reports the rejected filters, so it is a little longer; never ~40 times.
    print(f"list page: {len(normal.content)} bytes normally, {len(junk.content)} with junk")
    assert len(junk.content) < 1.2 * len(normal.content)
    # The filters that were valid still apply and are kept in every link.
    assert '<a href="?kind=sister&amp;page=3" rel="next">' in junk.text
    assert 'href="/ko/partners/?kind=sister&amp;page=2"' in junk.text


def test_the_exchange_list_echoes_only_its_valid_filters_into_its_links(client, partners):
    junk = client.get(
        "/en/exchanges/",
        {"continent": "asia", "page": "2", "q": HUGE, "field": HUGE, "year": HUGE, "x": HUGE},
    )
    assert junk.status_code == 200
    assert HUGE[:200] not in junk.text
    assert '<a href="?continent=asia&amp;page=3" rel="next">' in junk.text
    assert 'href="/ko/exchanges/?continent=asia&amp;page=2"' in junk.text


def test_the_language_link_keeps_valid_filters_in_the_visitors_order_and_drops_others(
    client, partners
):
    response = client.get("/en/partners/?sort=-since&utm=x&q=city&kind=sister")
    assert 'href="/ko/partners/?sort=-since&amp;q=city&amp;kind=sister"' in response.text


@pytest.mark.parametrize("path", ["/ko/", "/en/partners/city-00/", "/en/data/", "/en/exchanges/1/"])
def test_pages_without_query_parameters_echo_none_into_their_links(client, partners, path):
    response = client.get(path, {"q": HUGE})
    assert response.status_code == 200
    assert HUGE[:200] not in response.text


def test_a_search_over_100_characters_is_reported_and_ignored(client, partners):
    response = client.get("/en/partners/", {"q": "y" * 101, "kind": "sister"})
    assert "Ensure this value has at most 100 characters" in response.text
    assert "y" * 101 not in response.text
    assert "Search: " in response.text


# One example address per public URL pattern (admin and the language-setting view aside).
PUBLIC_PATHS = [
    "/",
    "/robots.txt",
    "/favicon.ico",
    "/sitemap.xml",
    "/sitemap-partners.xml",
    "/data/partners.csv",
    "/data/exchanges.csv",
    "/ko/",
    "/ko/partners/",
    "/ko/partners/city-00/",
    "/ko/data/",
    "/ko/exchanges/",
    "/ko/exchanges/1/",
]


def public_route_names() -> set[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                namespace = f"{pattern.namespace}:" if pattern.namespace else prefix
                if pattern.namespace == "admin" or pattern.app_name == "admin":
                    continue
                yield from walk(pattern.url_patterns, namespace)
            # Not a page: the language setting (POST by design).
            elif isinstance(pattern, URLPattern) and pattern.callback is not set_language:
                yield prefix + pattern.name

    return set(walk(get_resolver().url_patterns))


# The routes whose example needs a stored file: a photo rendition and a public scan.
MEDIA_ROUTES = ["media", "document-download"]


@pytest.fixture
def media_paths(media_root) -> dict[str, str]:
    city = make_city("Photo City", country="JP")
    photo = saved(new_photo(city))
    document = saved(new_document(make_agreement(city)))
    paths = {"media": f"/media/{photo.renditions[0]['name']}"}
    paths["document-download"] = document.get_absolute_url()
    assert {name: resolve(path).view_name for name, path in paths.items()} == {
        name: name for name in MEDIA_ROUTES
    }
    return paths


def test_every_public_route_has_an_example_for_the_method_tests():
    examples = {resolve(path).view_name for path in PUBLIC_PATHS} | set(MEDIA_ROUTES)
    assert examples == public_route_names()


@pytest.mark.parametrize("path", [path for path in PUBLIC_PATHS if path.startswith("/ko/")])
def test_each_page_in_the_other_language_is_at_the_same_path_under_its_prefix(
    client, partners, path
):
    """The language switcher swaps the prefix (partners/templatetags/portal.py): right only
    while no URL pattern is translated, which translate_url() confirms here."""
    english = translate_url(path, "en")
    assert english == "/en/" + path.removeprefix("/ko/")
    html = client.get(path).text
    assert f'<link rel="alternate" hreflang="en" href="http://testserver{english}">' in html
    assert client.get(english).status_code == 200


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "POST"])
@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_pages_answer_405_to_methods_they_do_not_serve(client, partners, path, method):
    response = client.generic(method, path)
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) <= {"GET", "HEAD", "OPTIONS"}
    assert b"City 00" not in response.content


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_pages_still_answer_get_and_head(client, partners, path):
    assert client.get(path).status_code in (200, 301, 302)
    assert client.head(path).status_code in (200, 301, 302)


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "POST"])
@pytest.mark.parametrize("route", MEDIA_ROUTES)
def test_photo_and_document_files_answer_405_to_methods_they_do_not_serve(
    client, media_paths, route, method
):
    response = client.generic(method, media_paths[route])
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) <= {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize("route", MEDIA_ROUTES)
def test_photo_and_document_files_still_answer_get_and_head(client, media_paths, route):
    assert client.get(media_paths[route]).status_code == 200
    assert client.head(media_paths[route]).status_code == 200
