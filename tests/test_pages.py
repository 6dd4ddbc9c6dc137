import datetime
import html
import math
import re
from pathlib import Path

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import Agreement, City, DataVersion, Exchange, Kind, Status
from partners.sitemaps import I18nSitemap
from tests.factories import make_agreement, make_city, make_country, make_exchange, make_home_city

pytestmark = pytest.mark.django_db

LANGUAGES = ["ko", "en"]


@pytest.fixture
def partners() -> dict:
    """A home city and six published partners on five continents, plus an unpublished one."""
    make_home_city()
    cities = {
        "seattle": make_city(
            "Seattle",
            "US",
            Kind.SISTER,
            datetime.date(1989, 10, 4),
            name_ko="시애틀",
            population=620_700,
            area_km2="369",
            latitude="47.606200",
            longitude="-122.332100",
            feature_en="Port town with developed trade",
            feature_ko="북서부 최대 무역항",
        ),
        "brisbane": make_city(
            "Brisbane",
            "AU",
            Kind.SISTER,
            datetime.date(2002, 6, 17),
            name_ko="브리즈번",
            population=2_074_000,
            area_km2="5904",
        ),
        "kharkiv": make_city(
            "Kharkiv",
            "UA",
            Kind.FRIENDLY,
            datetime.date(2013, 8, 23),
            name_ko="하르키우",
            aliases="Kharkov; 하리코프",
            population=1_450_000,
            area_km2="306",
        ),
        "qingdao": make_city(
            "Qingdao",
            "CN",
            Kind.FRIENDLY,
            datetime.date(2013, 6, 27),
            name_ko="칭다오",
            aliases="Tsingtao",
            population=8_715_100,
            area_km2="11026",
        ),
        "hung-yen": make_city(
            "Hung Yên Province",
            "VN",
            Kind.FRIENDLY,
            datetime.date(2018, 9, 12),
            slug="hung-yen",
            name_ko="흥옌성",
            aliases="Hưng Yên",
            population=1_120_300,
            area_km2="923.10",
        ),
        "victoria": make_city(
            "Victoria",
            "SC",
            Kind.FRIENDLY,
            datetime.date(2009, 10, 15),
            name_ko="빅토리아",
            population=60_000,
            area_km2="455",
        ),
    }
    cities["hidden"] = make_city(
        "Hiddenburg", "DE", Kind.SISTER, datetime.date(2001, 1, 1), is_published=False
    )
    return cities


def list_names(response) -> list[str]:
    """City names in the list table's row headers, in page order."""
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', response.text)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "path",
    [
        "/{lang}/",
        "/{lang}/partners/",
        "/{lang}/partners/?kind=sister&continent=americas&country=US&status=active",
        "/{lang}/partners/?q=kharkov",
        "/{lang}/partners/?sort=-population",
        "/{lang}/partners/?page=2",
        "/{lang}/partners/seattle/",
    ],
)
def test_every_public_page_answers_200_in_both_languages(client, partners, language, path):
    response = client.get(path.format(lang=language))
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text


def test_the_favicon_is_served_for_browsers_that_ask_for_favicon_ico(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.svg"
    assert "<svg" in Path(finders.find("favicon.svg")).read_text()


@pytest.mark.parametrize("path", ["/sitemap.xml", "/robots.txt", "/healthz"])
def test_site_wide_files_answer_200(client, partners, path):
    assert client.get(path).status_code == 200


def sitemap_text(client) -> str:
    """Every section that the sitemap index lists, read and joined."""
    index = client.get("/sitemap.xml").text
    assert "<sitemapindex" in index
    sections = re.findall(r"<loc>http://testserver(/sitemap-[^<]+)</loc>", index)
    return "".join(client.get(html.unescape(section)).text for section in sections)


def test_sitemap_lists_pages_and_published_partners_in_both_languages(client, partners):
    text = sitemap_text(client)
    for language in LANGUAGES:
        assert f"http://testserver/{language}/</loc>" in text
        assert f"http://testserver/{language}/partners/</loc>" in text
        assert f"http://testserver/{language}/partners/seattle/</loc>" in text
    assert 'hreflang="en" href="http://testserver/en/partners/seattle/"' in text
    assert "hiddenburg" not in text


def test_the_sitemaps_x_default_is_the_korean_page_its_head_names_not_a_redirect(client, partners):
    text = sitemap_text(client)
    x_defaults = set(re.findall(r'hreflang="x-default" href="([^"]+)"', text))
    assert "http://testserver/ko/partners/seattle/" in x_defaults
    assert "http://testserver/ko/" in x_defaults
    assert all(url.startswith("http://testserver/ko/") for url in x_defaults), x_defaults
    head = client.get("/en/partners/seattle/").text.split("</head>")[0]
    assert 'hreflang="x-default" href="http://testserver/ko/partners/seattle/"' in head
    for url in list(x_defaults)[:5]:
        assert client.get(url).status_code == 200, url


def test_the_sitemap_index_splits_a_section_into_files_of_at_most_its_size(
    client, partners, monkeypatch
):
    monkeypatch.setattr(I18nSitemap, "limit", 2)
    published = City.objects.published().count()
    index = client.get("/sitemap.xml").text
    pages = math.ceil(published * 2 / 2)  # two languages, two addresses per file
    assert f"/sitemap-partners.xml?p={pages}</loc>" in index
    assert f"/sitemap-partners.xml?p={pages + 1}</loc>" not in index
    second = client.get("/sitemap-partners.xml", {"p": 2}).text
    assert second.count("<url>") == 2
    assert 'hreflang="ko"' in second


def test_sitemap_files_of_an_odd_size_list_every_address_once_in_order(
    client, partners, monkeypatch
):
    # Three addresses per file: an item's two languages fall on both sides of a file's end.
    monkeypatch.setattr(I18nSitemap, "limit", 3)
    slugs = City.objects.published().order_by("slug").values_list("slug", flat=True)
    expected = [
        f"http://testserver/{lang}/partners/{slug}/" for slug in slugs for lang in LANGUAGES
    ]
    listed = []
    for page in range(1, math.ceil(len(expected) / 3) + 1):
        text = client.get("/sitemap-partners.xml", {"p": page}).text
        listed += re.findall(r"<loc>([^<]+)</loc>", text)
    assert listed == expected


def test_the_sitemap_index_counts_and_dates_sections_without_reading_their_rows(client, partners):
    """At 100,000 activities the index took 2.4 s loading every row to count its files."""
    latest = City.objects.published().order_by("-updated_at").first().updated_at
    with CaptureQueriesContext(connection) as queries:
        index = client.get("/sitemap.xml").text
    item_queries = [
        query["sql"]
        for query in queries
        if '"partners_city"' in query["sql"] or '"partners_exchange"' in query["sql"]
    ]
    assert item_queries
    assert all("COUNT(" in sql or "MAX(" in sql for sql in item_queries), item_queries
    # The index writes dates in the portal's time zone (Asia/Seoul): from 15:00 UTC its
    # date is already the next day's.
    assert f"<lastmod>{timezone.localtime(latest).isoformat()}</lastmod>" in index


def test_robots_txt_allows_all_but_the_admin_and_names_the_sitemap(client):
    text = client.get("/robots.txt").text
    assert "Allow: /\n" in text
    assert "Disallow: /admin/\n" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", ["no-such-city", "hiddenburg"])
def test_an_unknown_or_unpublished_partner_is_a_404_page_in_the_visitors_language(
    client, partners, language, slug
):
    response = client.get(f"/{language}/partners/{slug}/")
    assert response.status_code == 404
    assert f'<html lang="{language}">' in response.text
    assert "Hiddenburg" not in response.text
    # The 404 page keeps the site frame, so the visitor can switch language or go home.
    assert f'href="/{language}/partners/"' in response.text


@pytest.mark.django_db(databases=[])
def test_the_500_page_renders_without_a_request_or_database():
    html = render_to_string("500.html")
    assert "<h1>" in html and "</html>" in html


@pytest.mark.parametrize(
    ("accept_language", "target"),
    [("ko-KR,ko;q=0.9,en;q=0.8", "/ko/"), ("en-US,en;q=0.9", "/en/"), (None, "/ko/")],
)
def test_the_root_sends_the_browser_to_its_language(client, accept_language, target):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    response = client.get("/", **headers)
    assert response.status_code == 302
    assert response["Location"] == target


def test_the_language_switcher_on_a_partner_page_links_to_the_same_partner(client, partners):
    text = client.get("/ko/partners/seattle/").text
    assert '<a href="/en/partners/seattle/" hreflang="en" lang="en">English</a>' in text
    assert '<link rel="alternate" hreflang="en" href="http://testserver/en/partners/seattle/">' in (
        text
    )


def test_the_language_switcher_keeps_the_list_filters(client, partners):
    text = client.get("/en/partners/?kind=sister&amp;sort=-since".replace("&amp;", "&")).text
    assert 'href="/ko/partners/?kind=sister&amp;sort=-since" hreflang="ko"' in text


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Kharkov", "Kharkiv"),
        ("kharkiv", "Kharkiv"),
        ("하르키우", "Kharkiv"),
        ("Tsingtao", "Qingdao"),
        ("hung yen", "Hung Yên Province"),
        ("칭다오", "Qingdao"),
    ],
)
def test_search_on_the_list_finds_a_partner_by_name_alias_or_korean_name(
    client, partners, query, found
):
    response = client.get("/en/partners/", {"q": query})
    assert list_names(response) == [found]


def test_a_search_for_an_unpublished_partner_finds_nothing(client, partners):
    response = client.get("/en/partners/", {"q": "Hiddenburg"})
    assert list_names(response) == []
    assert "No partner city matches “Hiddenburg”" in response.text
    assert "0 partner cities" in response.text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "sister"}, ["Brisbane", "Seattle"]),
        ({"continent": "asia"}, ["Hung Yên Province", "Qingdao"]),
        ({"country": "UA"}, ["Kharkiv"]),
        ({"kind": "friendly", "continent": "asia", "q": "tsing"}, ["Qingdao"]),
    ],
)
def test_list_filters_narrow_the_table(client, partners, params, expected):
    response = client.get("/en/partners/", params | {"sort": "name"})
    assert list_names(response) == expected


def test_status_filter_separates_suspended_and_ended_partners(client, partners):
    seattle = partners["seattle"]
    seattle.agreements.update(status=Status.SUSPENDED)
    victoria = partners["victoria"]
    victoria.agreements.update(status=Status.ENDED, ended_on=datetime.date(2020, 1, 1))
    assert list_names(client.get("/en/partners/", {"status": "suspended"})) == ["Seattle"]
    assert list_names(client.get("/en/partners/", {"status": "ended"})) == ["Victoria"]


def test_the_country_filter_offers_only_countries_with_published_partners(client, partners):
    make_country("JP")
    text = client.get("/en/partners/").text
    assert '<option value="UA">Ukraine</option>' in text
    assert 'value="DE"' not in text  # only an unpublished partner
    assert 'value="JP"' not in text  # no partner at all


def test_the_filter_menus_start_each_choice_with_a_capital_letter(client, partners):
    text = client.get("/en/partners/").text
    assert '<option value="sister">Sister city</option>' in text
    assert '<option value="active">Active</option>' in text
    assert '<option value="europe">Europe</option>' in text
    assert ">sister city<" not in text
    # The model's own label stays lower case for use inside sentences.
    assert str(Kind.SISTER.label) == "sister city"


def test_an_unknown_filter_value_is_reported_and_ignored(client, partners):
    response = client.get("/en/partners/", {"kind": "enemy", "continent": "europe"})
    assert response.status_code == 200
    assert "Some filters could not be used and were ignored" in response.text
    assert list_names(response) == ["Kharkiv"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Brisbane", "Hung Yên Province", "Kharkiv", "Qingdao", "Seattle", "Victoria"]),
        ("-population", ["Qingdao", "Brisbane", "Kharkiv", "Hung Yên Province", "Seattle"]),
        ("area", ["Kharkiv", "Seattle", "Victoria", "Hung Yên Province", "Brisbane", "Qingdao"]),
        ("since", ["Seattle", "Brisbane", "Victoria", "Qingdao", "Kharkiv", "Hung Yên Province"]),
        ("-since", ["Hung Yên Province", "Kharkiv", "Qingdao", "Victoria", "Brisbane", "Seattle"]),
        ("country", ["Brisbane", "Qingdao", "Victoria", "Kharkiv", "Seattle", "Hung Yên Province"]),
        (
            "drop table",
            ["Seattle", "Brisbane", "Victoria", "Qingdao", "Kharkiv", "Hung Yên Province"],
        ),
    ],
)
def test_the_list_sorts_by_the_chosen_column(client, partners, sort, expected):
    response = client.get("/en/partners/", {"sort": sort})
    assert list_names(response)[: len(expected)] == expected


def test_a_sorted_column_header_says_so_and_links_to_the_reverse_order(client, partners):
    text = client.get("/en/partners/", {"sort": "population", "kind": "sister"}).text
    assert '<th scope="col" aria-sort="ascending" class="num">' in text
    assert 'href="?sort=-population&amp;kind=sister"' in text


def test_korean_names_sort_in_korean_on_the_korean_page(client, partners):
    names = list_names(client.get("/ko/partners/", {"sort": "name"}))
    assert names == sorted(names)
    assert names[0] == "브리즈번"


def test_the_list_pages_by_twenty_and_keeps_filters_in_page_links(client, partners):
    for number in range(40):
        make_city(f"Town {number:02}", "JP", Kind.FRIENDLY, datetime.date(2020, 1, 1))
    first = client.get("/en/partners/", {"kind": "friendly", "sort": "name"})
    assert "44 partner cities" in first.text
    assert len(list_names(first)) == 20
    assert 'href="?kind=friendly&amp;sort=name&amp;page=2" rel="next"' in first.text
    third = client.get("/en/partners/", {"kind": "friendly", "sort": "name", "page": "3"})
    assert len(list_names(third)) == 4
    assert 'rel="prev"' in third.text and 'rel="next"' not in third.text


@pytest.mark.parametrize(("page", "shown"), [("99", "Victoria"), ("junk", "Brisbane")])
def test_a_page_number_out_of_range_shows_the_last_page_and_junk_the_first(
    client, partners, page, shown
):
    for number in range(20):
        make_city(f"Town {number:02}", "JP", Kind.FRIENDLY, datetime.date(2020, 1, 1))
    response = client.get("/en/partners/", {"sort": "name", "page": page})
    assert response.status_code == 200
    assert shown in list_names(response)


def test_the_home_counts_table_is_computed_from_the_records(client, partners):
    text = client.get("/en/").text
    table = text[text.index('<table class="counts') : text.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S) for row in rows]
    strip = lambda html: re.sub(r"<[^>]+>", " ", html).split()  # noqa: E731
    header, sister, friendly, total = (list(map(strip, row)) for row in cells)
    assert header == [
        ["Relationship"],
        ["Total"],
        ["Americas"],
        ["Europe"],
        ["Oceania"],
        ["Africa"],
        ["Asia"],
    ]
    assert sister[1:] == [["2"], ["1", "Seattle"], ["0"], ["1", "Brisbane"], ["0"], ["0"]]
    assert friendly[1:] == [
        ["4"],
        ["0"],
        ["1", "Kharkiv"],
        ["0"],
        ["1", "Victoria"],
        ["2", "Qingdao", "Hung", "Yên", "Province"],
    ]
    assert total[1:] == [["6"], ["1"], ["1"], ["1"], ["1"], ["2"]]
    # Names in the table are text; the lists below it link each partner once (the map, a
    # figure a keyboard user skips in one step, is the other way to reach them).
    assert "<a " not in table
    map_end = text.index('id="after-world-map"')
    assert text[map_end:].count('href="/en/partners/seattle/"') == 1


def test_the_home_page_lists_partners_by_kind_and_continent(client, partners):
    text = client.get("/ko/").text
    sister_section = text[text.index('id="kind-sister"') : text.index('id="kind-friendly"')]
    assert "시애틀" in sister_section and "브리즈번" in sister_section
    assert "하르키우" not in sister_section
    assert "Sister and Friendly Cooperation Cities" not in text  # title has a Korean version
    assert "<h1>자매·우호도시</h1>" in text


def test_the_partner_page_shows_age_and_distance_from_the_home_city(client, partners):
    today = timezone.localdate()
    city = make_city(
        "Anniversary",
        "JP",
        latitude="47.606200",
        longitude="-122.332100",
    )
    make_agreement(city, Kind.SISTER, today.replace(year=today.year - 10))
    text = client.get("/en/partners/anniversary/").text
    assert "10 years" in text
    # Daejeon city hall (36.3504, 127.3845) to Seattle (47.6062, -122.3321), by the
    # spherical law of cosines, an independent formula from the page's haversine.
    lat1, lon1, lat2, lon2 = map(math.radians, (36.3504, 127.3845, 47.6062, -122.3321))
    expected = 6371 * math.acos(
        math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    )
    shown = re.search(r"Distance from Daejeon</dt><dd>([\d,]+) km</dd>", text)
    assert abs(int(shown.group(1).replace(",", "")) - expected) < 10
    assert 8_300 < expected < 8_500


def test_a_partnership_is_one_year_younger_the_day_before_its_anniversary(client, partners):
    today = timezone.localdate()
    city = make_city("Almost", "JP")
    make_agreement(city, Kind.SISTER, today.replace(year=today.year - 10) + datetime.timedelta(1))
    assert "9 years" in client.get("/en/partners/almost/").text


def test_the_partner_page_shows_history_oldest_first_and_published_exchanges(client, partners):
    city = partners["kharkiv"]
    make_agreement(city, Kind.SISTER, datetime.date(2020, 5, 1))
    make_exchange(
        city, title_en="Orchestra visit", started_on=datetime.date(2019, 5, 1), place_en="Kharkiv"
    )
    make_exchange(
        city,
        field="youth",
        title_en="Secret draft",
        started_on=datetime.date(2019, 6, 1),
        is_published=False,
    )
    text = client.get("/en/partners/kharkiv/").text
    history = text[text.index('id="history-caption"') : text.index("</table>")]
    assert history.index("Aug. 23, 2013") < history.index("May 1, 2020")
    assert "Ended" in history
    assert "Orchestra visit" in text
    assert "Secret draft" not in text


def test_a_partner_without_exchanges_says_so(client, partners):
    assert "No exchanges recorded yet." in client.get("/en/partners/seattle/").text


def test_numbers_and_dates_are_formatted_for_each_language(client, partners):
    korean = client.get("/ko/partners/seattle/").text
    english = client.get("/en/partners/seattle/").text
    # As Korean public offices write dates (portal/formats/ko).
    assert "1989. 10. 4." in korean
    assert "Oct. 4, 1989" in english
    for text in (korean, english):
        assert "620,700" in text
        assert "369 km²" in text
    listing = client.get("/en/partners/", {"q": "hung yen"}).text
    assert "923.1</td>" in listing


def test_a_missing_korean_text_falls_back_to_english(client, partners):
    make_city("Nowhere", "JP", Kind.FRIENDLY, feature_en="Famous for nothing")
    text = client.get("/ko/partners/nowhere/").text
    assert "<h1>Nowhere</h1>" in text
    assert "Famous for nothing" in text


def test_the_header_names_the_home_city_or_a_generic_site_name(client, partners):
    assert "Daejeon Partner Cities" in client.get("/en/").text


def test_without_a_home_city_the_pages_still_work_and_use_a_generic_name(client):
    make_city("Lonely", "JP", Kind.SISTER)
    home = client.get("/en/")
    assert home.status_code == 200
    assert "Partner Cities" in home.text
    detail = client.get("/en/partners/lonely/")
    assert detail.status_code == 200
    assert "Distance from" not in detail.text


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def bulk_partners(count: int, start: int = 0) -> None:
    """`count` published partners over the five continents, each with an ended and a current
    agreement and an exchange."""
    countries = [make_country(code) for code in ("US", "DE", "AU", "SC", "CN")]
    cities = City.objects.bulk_create(
        City(
            slug=f"partner-{number}",
            name_en=f"Partner {number}",
            name_ko=f"파트너 {number}",
            country=countries[number % 5],
            population=1000 + number,
            area_km2=10 + number,
            latitude=10,
            longitude=10,
        )
        for number in range(start, start + count)
    )
    agreements, exchanges = [], []
    for number, city in enumerate(cities):
        agreements.append(
            Agreement(
                city=city,
                kind=Kind.FRIENDLY,
                signed_on=datetime.date(2000, 1, 1),
                status=Status.ENDED,
                ended_on=datetime.date(2005, 1, 1),
            )
        )
        kind = Kind.SISTER if number % 2 else Kind.FRIENDLY
        agreements.append(Agreement(city=city, kind=kind, signed_on=datetime.date(2005, 1, 1)))
        exchanges.append(
            Exchange(field="culture", title_en="Visit", started_on=datetime.date(2010, 1, 1))
        )
    Agreement.objects.bulk_create(agreements)
    # bulk_create sends no signal: store their relationship as generate_scale_data does.
    City.objects.filter(pk__in=[city.pk for city in cities]).refresh_derived()
    Exchange.objects.bulk_create(exchanges)
    Exchange.partners.through.objects.bulk_create(
        Exchange.partners.through(exchange=exchange, city=city)
        for exchange, city in zip(exchanges, cities, strict=True)
    )
    # bulk_create sends no signals: like the partner import, say the data changed.
    DataVersion.bump()


QUERY_BUDGET_PAGES = {
    "home": "/{lang}/",
    "list": "/{lang}/partners/?sort=-population",
    "list-filtered": "/{lang}/partners/?kind=sister&continent=europe&q=partner&page=2",
    "detail": "/{lang}/partners/partner-1/",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", QUERY_BUDGET_PAGES)
def test_pages_run_the_same_number_of_queries_for_34_and_500_partners(client, language, page):
    make_home_city()
    path = QUERY_BUDGET_PAGES[page].format(lang=language)
    bulk_partners(34)
    with_34 = count_queries(client, path)
    bulk_partners(466, start=34)
    with_500 = count_queries(client, path)
    print(f"{page} /{language}/: {with_34} queries with 34 partners, {with_500} with 500")
    assert with_34 == with_500
    # The partner page's photos and documents take one query each, however many there are;
    # the footer's "last updated" date reads the latest change of four tables in one
    # statement, and the link preview the home city's photo (which the home page shows too);
    # the page cache reads the data version.
    assert with_500 <= 9


def test_a_path_outside_the_language_prefixes_is_a_404_page(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_the_server_error_view_answers_500_with_the_static_page(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/en/"))
    assert response.status_code == 500
    assert b"<h1>" in response.content


@pytest.mark.parametrize("page", [1, 2, 5, 6, 7])
def test_each_list_page_shows_its_own_twenty_partners_whether_or_not_the_map_holds_them(
    client, page
):
    # The first five pages are sliced from the map's first 100 rows, later ones read apart.
    bulk_partners(130)
    response = client.get(f"/en/partners/?sort=population&page={page}")
    rows = re.findall(r'<th scope="row"><a href="/en/partners/([^/]+)/">', response.text)
    first = (page - 1) * 20
    assert rows == [f"partner-{number}" for number in range(first, min(first + 20, 130))]
