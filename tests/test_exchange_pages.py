"""The public exchange pages: the list by year with filters, search, counts and pages; one
activity's page; the partner page's activities and last exchange; upcoming ones on home."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import City, DataVersion, Exchange, Kind
from tests.factories import make_city, make_country, make_exchange, make_home_city

D = datetime.date


@pytest.fixture
def partners(db) -> dict[str, City]:
    """Sapporo (Asia), Novosibirsk and Kharkiv ("Kharkov", Europe), and unpublished Nice."""
    make_country("RU", name_en="Russia", name_ko="러시아", continent="europe")
    make_country("FR", name_en="France", name_ko="프랑스", continent="europe")
    return {
        "sapporo": make_city("Sapporo", "JP", Kind.SISTER, name_ko="삿포로"),
        "novosibirsk": make_city("Novosibirsk", "RU", Kind.SISTER, name_ko="노보시비르스크"),
        "kharkiv": make_city(
            "Kharkiv", "UA", Kind.FRIENDLY, name_ko="하르키우", aliases="Kharkov; 하리코프"
        ),
        "nice": make_city("Nice", "FR", Kind.FRIENDLY, name_ko="니스", is_published=False),
    }


@pytest.fixture
def activities(partners) -> dict[str, Exchange]:
    return {
        "youth": make_exchange(
            partners["sapporo"],
            partners["novosibirsk"],
            field="youth",
            title_en="Youth exchange",
            title_ko="청소년 교류",
            started_on=D(2015, 7, 29),
            place_en="Novosibirsk",
            place_ko="노보시비르스크",
        ),
        "snow": make_exchange(
            partners["sapporo"],
            field="culture",
            title_en="Snow sculpture contest",
            title_ko="국제 눈조각 경연",
            started_on=D(2020, 2, 3),
            ended_on=D(2020, 2, 7),
            place_en="Odori Park, Sapporo",
            place_ko="삿포로 오도리 공원",
            summary_en="A team of three sculptors.",
            link="https://www.snowfes.com/t/about/contest/",
        ),
        "orchestra": make_exchange(
            partners["kharkiv"],
            field="culture",
            title_en="Orchestra visit",
            started_on=D(2015, 5, 1),
            place_en="Kharkiv",
        ),
        "draft": make_exchange(
            partners["kharkiv"],
            title_en="Secret draft",
            started_on=D(2016, 1, 1),
            is_published=False,
        ),
        "nice-only": make_exchange(
            partners["nice"], title_en="Nice festival", started_on=D(2017, 1, 1)
        ),
    }


def listed_titles(client, **params) -> list[str]:
    text = client.get("/en/exchanges/", params).text
    return re.findall(r'<h3><a href="/en/exchanges/\d+/">([^<]+)</a></h3>', text)


def test_the_list_shows_published_activities_newest_first_under_year_headings(client, activities):
    text = client.get("/en/exchanges/").text
    assert listed_titles(client) == ["Snow sculpture contest", "Youth exchange", "Orchestra visit"]
    years = re.findall(r'<h2 id="year-(\d+)">', text)
    assert years == ["2020", "2015"]
    # Orchestra (May 2015) is under the 2015 heading, after the youth exchange (July 2015).
    assert text.index('id="year-2015"') < text.index("Youth exchange") < text.index("Orchestra")
    assert "Secret draft" not in text
    # An activity whose only partner is unpublished would link to a missing page.
    assert "Nice festival" not in text


def listed_partners(client, **params) -> list[list[str]]:
    """Each listed activity's partner links, in the list's order."""
    text = client.get("/en/exchanges/", params).text
    items = re.findall(r'<li class="exchange">(.*?)</li>', text, flags=re.DOTALL)
    return [re.findall(r'<a href="/en/partners/[^/]+/">([^<]+)</a>', item) for item in items]


def test_each_activity_names_its_published_partners_by_name(client, partners, activities):
    # Nice is unpublished: its link would be a 404. The pages differ in size, so the
    # partners' query is run for three and for one activity.
    make_exchange(
        partners["nice"], partners["kharkiv"], title_en="Twin fair", started_on=D(2019, 1, 1)
    )
    assert listed_partners(client) == [
        ["Sapporo"],
        ["Kharkiv"],
        ["Novosibirsk", "Sapporo"],
        ["Kharkiv"],
    ]
    assert listed_partners(client, year="2019") == [["Kharkiv"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"year": "2015"}, ["Youth exchange", "Orchestra visit"]),
        ({"field": "culture"}, ["Snow sculpture contest", "Orchestra visit"]),
        ({"partner": "novosibirsk"}, ["Youth exchange"]),
        ({"partner": "sapporo"}, ["Snow sculpture contest", "Youth exchange"]),
        ({"continent": "europe"}, ["Youth exchange", "Orchestra visit"]),
        ({"continent": "asia", "field": "youth"}, ["Youth exchange"]),
        ({"year": "2020", "continent": "europe"}, []),
    ],
)
def test_the_list_filters_by_year_field_partner_and_continent(client, activities, params, expected):
    assert listed_titles(client, **params) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kharkov", ["Orchestra visit"]),  # the partner's old spelling
        ("하리코프", ["Orchestra visit"]),  # an old Korean spelling
        ("눈조각", ["Snow sculpture contest"]),  # the Korean title
        ("ODORI", ["Snow sculpture contest"]),  # the place, any case
        ("노보시비르스크", ["Youth exchange"]),  # the Korean place and partner name
        ("Nice", []),  # an unpublished partner's activity stays hidden
    ],
)
def test_search_finds_titles_places_and_partner_names_with_old_spellings(
    client, activities, query, expected
):
    assert listed_titles(client, q=query) == expected


def test_an_invalid_filter_is_reported_and_the_others_still_apply(client, activities):
    text = client.get("/en/exchanges/", {"year": "1850", "field": "youth"}).text
    assert 'role="alert"' in text
    assert listed_titles(client, year="1850", field="youth") == ["Youth exchange"]


def test_the_list_is_paginated_twenty_to_a_page(client, partners):
    for day in range(1, 26):
        make_exchange(partners["sapporo"], title_en=f"Visit {day:02}", started_on=D(2019, 1, day))
    first = listed_titles(client)
    second = listed_titles(client, page=2)
    assert len(first) == 20
    assert first[0] == "Visit 25"
    assert second == ["Visit 05", "Visit 04", "Visit 03", "Visit 02", "Visit 01"]
    assert "25 activities" in client.get("/en/exchanges/").text


def test_the_counts_table_gives_activities_by_year_and_field(client, activities):
    make_exchange(activities["youth"].partners.first(), field="youth", started_on=D(2015, 8, 1))
    text = client.get("/en/exchanges/").text
    table = text[
        text.index('id="exchange-counts-caption"') : text.index(
            "</table>", text.index('id="exchange-counts-caption"')
        )
    ]
    header = re.findall(r'<th scope="col">([^<]+)</th>', table)
    assert header == [
        "Year",
        "Administration",
        "Economy",
        "Education",
        "Culture",
        "Sports",
        "Tourism",
        "Youth",
        "Other",
        "Total",
    ]
    rows = {
        year: [int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", cells)]
        for year, cells in re.findall(r'<th scope="row">(\d{4})</th>(.*?)</tr>', table, re.S)
    }
    # 2020: the snow contest (culture). 2015: the orchestra (culture), two youth exchanges.
    assert rows == {"2020": [0, 0, 0, 1, 0, 0, 0, 0, 1], "2015": [0, 0, 0, 1, 0, 0, 2, 0, 3]}
    assert re.search(r'<th scope="row">Total</th>(\s*<td[^>]*>\d+</td>)+', table)
    assert '<td data-label="Total">4</td>\n        </tr>\n      </tfoot>' in table
    # Each count names its field (or the total), which a phone shows beside it on a card.
    assert '<td data-label="Youth">2</td>' in table
    assert '<td data-label="Culture">1</td>' in table


def test_the_activity_page_shows_partners_dates_place_summary_and_link(client, activities):
    snow = activities["snow"]
    text = client.get(f"/en/exchanges/{snow.pk}/").text
    assert "<h1>Snow sculpture contest</h1>" in text
    assert '<a href="/en/partners/sapporo/">Sapporo</a>' in text
    assert "Feb. 3, 2020" in text and "Feb. 7, 2020" in text
    assert "Odori Park, Sapporo" in text
    assert "A team of three sculptors." in text
    assert 'href="https://www.snowfes.com/t/about/contest/"' in text
    korean = client.get(f"/ko/exchanges/{snow.pk}/").text
    assert "<h1>국제 눈조각 경연</h1>" in korean
    assert "삿포로 오도리 공원" in korean


def test_the_place_follows_the_page_language_with_the_other_as_fallback(client, activities):
    youth = activities["youth"]
    assert "노보시비르스크" not in client.get(f"/en/exchanges/{youth.pk}/").text.split("<h1>")[1]
    orchestra = activities["orchestra"]  # English place only
    assert "Kharkiv" in client.get(f"/ko/exchanges/{orchestra.pk}/").text


def test_unpublished_activities_and_those_of_unpublished_partners_are_404(client, activities):
    for key in ("draft", "nice-only"):
        assert client.get(f"/en/exchanges/{activities[key].pk}/").status_code == 404


def test_an_activity_page_names_only_published_partners(client, partners):
    shared = make_exchange(partners["sapporo"], partners["nice"], title_en="Shared")
    text = client.get(f"/en/exchanges/{shared.pk}/").text
    assert "Sapporo" in text
    assert "Nice" not in text


def test_the_partner_page_lists_its_activities_and_its_last_exchange(client, activities):
    text = client.get("/en/partners/sapporo/").text
    assert text.index("Snow sculpture contest") < text.index("Youth exchange")
    assert f'href="/en/exchanges/{activities["snow"].pk}/"' in text
    last = re.search(r"<dt>Last exchange</dt><dd>(.*?)</dd>", text).group(1)
    assert "Feb. 3, 2020" in last and "Culture" in last
    korean = client.get("/ko/partners/sapporo/").text
    assert re.search(r"<dt>최근 교류</dt><dd>.*2020\. 2\. 3\..*문화", korean)


def test_an_upcoming_activity_is_not_the_last_exchange_but_is_listed(client, partners):
    today = timezone.localdate()
    make_exchange(partners["kharkiv"], title_en="Done", started_on=today - datetime.timedelta(400))
    make_exchange(
        partners["kharkiv"], title_en="Planned", started_on=today + datetime.timedelta(30)
    )
    text = client.get("/en/partners/kharkiv/").text
    assert "Planned" in text
    last = re.search(r"<dt>Last exchange</dt><dd>(.*?)</dd>", text).group(1)
    assert str((today - datetime.timedelta(400)).year) in last


def test_a_partner_without_activities_has_no_last_exchange(client, partners):
    text = client.get("/en/partners/novosibirsk/").text
    assert re.search(r"<dt>Last exchange</dt><dd>none recorded</dd>", text)


def test_the_home_page_shows_upcoming_activities_soonest_first(client, partners):
    today = timezone.localdate()
    make_exchange(
        partners["sapporo"], title_en="Past visit", started_on=today - datetime.timedelta(1)
    )
    make_exchange(partners["sapporo"], title_en="Today's visit", started_on=today)
    make_exchange(
        partners["sapporo"], title_en="Later visit", started_on=today + datetime.timedelta(60)
    )
    make_exchange(
        partners["sapporo"], title_en="Next visit", started_on=today + datetime.timedelta(7)
    )
    make_exchange(
        partners["sapporo"],
        title_en="Hidden",
        started_on=today + datetime.timedelta(5),
        is_published=False,
    )
    text = client.get("/en/").text
    upcoming = text[text.index('id="upcoming-heading"') :]
    titles = re.findall(r'<h3><a href="/en/exchanges/\d+/">([^<]+)</a></h3>', upcoming)
    assert titles == ["Next visit", "Later visit"]


def test_the_home_page_says_when_nothing_is_upcoming(client, partners):
    assert "No upcoming activity is announced." in client.get("/en/").text


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def bulk_activities(partners: list[City], count: int, start: int = 0) -> None:
    exchanges = Exchange.objects.bulk_create(
        Exchange(
            field=["culture", "youth", "economy"][n % 3],
            title_en=f"Activity {n}",
            started_on=D(2000 + n % 25, 1 + n % 12, 1),
        )
        for n in range(start, start + count)
    )
    Exchange.partners.through.objects.bulk_create(
        Exchange.partners.through(exchange=exchange, city=partners[n % len(partners)])
        for n, exchange in enumerate(exchanges)
    )
    DataVersion.bump()  # bulk_create sends no signals


@pytest.mark.parametrize(
    "path",
    [
        "/{lang}/exchanges/",
        "/{lang}/exchanges/?field=culture&continent=europe&page=2",
        "/{lang}/exchanges/?q=activity&year=2010",
        "/{lang}/partners/sapporo/",
        "/{lang}/",
    ],
)
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_exchange_pages_run_the_same_number_of_queries_for_30_and_300_activities(
    client, partners, path, lang
):
    make_home_city()
    path = path.format(lang=lang)
    cities = [partners["sapporo"], partners["novosibirsk"], partners["kharkiv"]]
    bulk_activities(cities, 30)
    few = count_queries(client, path)
    bulk_activities(cities, 270, start=30)
    many = count_queries(client, path)
    assert few == many
    # The footer's "last updated" reads four tables (in one statement) and the head the home
    # city's photo; the page cache reads the data version.
    assert many <= 13


def test_with_many_partners_the_partner_filter_takes_a_typed_name_or_old_spelling(
    client, activities, monkeypatch
):
    from partners.forms import ExchangeFilterForm

    monkeypatch.setattr(ExchangeFilterForm, "PARTNER_MENU_LIMIT", 1)
    text = client.get("/en/exchanges/").text
    assert '<input type="text" name="partner"' in text
    assert listed_titles(client, partner="kharkov") == ["Orchestra visit"]
    assert listed_titles(client, partner="novosibirsk") == ["Youth exchange"]
    refused = client.get("/en/exchanges/", {"partner": "Atlantis"}).text
    assert "No one partner is called “Atlantis”" in refused
    assert listed_titles(client, partner="Atlantis") == [
        "Snow sculpture contest",
        "Youth exchange",
        "Orchestra visit",
    ]
