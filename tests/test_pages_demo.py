"""The public pages over the Daejeon demo data (fixtures countries and daejeon)."""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.test_demo_data import seed_rows
from tests.test_pages import bulk_partners, list_names


@pytest.fixture
def demo_data(db) -> None:
    call_command("loaddata", "countries", "daejeon", verbosity=0)


def test_the_home_counts_table_reads_like_the_corrected_seed(client, demo_data):
    text = client.get("/en/").text
    footer = text[text.index("<tfoot>") : text.index("</tfoot>")]
    assert re.findall(r"<td[^>]*>(\d+)</td>", footer) == ["34", "5", "10", "1", "3", "15"]
    body = text[text.index('<table class="counts') : text.index("<tfoot>")]
    row_totals = re.findall(r'<th scope="row">([^<]+)</th>\s*<td[^>]*>(\d+)</td>', body)
    assert row_totals == [("Sister cities", "14"), ("Friendly cooperation cities", "20")]
    # The seed puts Kharkiv in the friendly row under Asia; the policy moves it to Europe.
    friendly = body[body.index("Friendly cooperation cities") :]
    europe_cell = re.findall(r'<td data-label="([^"]+)">(.*?)</td>', friendly, flags=re.S)[2]
    assert europe_cell[0] == "Europe"
    assert "<li>Kharkiv</li>" in europe_cell[1]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Kharkov", "Kharkiv"),
        ("kharkiv", "Kharkiv"),
        ("하르키우", "Kharkiv"),
        ("Tsingtao", "Qingdao"),
        ("Hưng Yên", "Hung Yen Province"),
        ("firenze", "Florence"),
        ("Ulan Bator", "Ulaanbaatar"),
    ],
)
def test_the_list_finds_demo_partners_by_seed_spelling_and_korean_name(
    client, demo_data, query, found
):
    assert list_names(client.get("/en/partners/", {"q": query})) == [found]


def test_the_list_counts_34_partners_on_two_pages(client, demo_data):
    first = client.get("/en/partners/")
    assert "34 partner cities" in first.text
    assert len(list_names(first)) == 20
    assert len(list_names(client.get("/en/partners/", {"page": 2}))) == 14


def test_seattle_is_about_8400_km_from_daejeon(client, demo_data):
    text = client.get("/en/partners/seattle/").text
    shown = re.search(r"Distance from Daejeon</dt><dd>([\d,]+) km</dd>", text)
    # Great-circle distance between the two city halls is 8,401 km (spherical Earth).
    assert abs(int(shown.group(1).replace(",", "")) - 8_401) <= 10


@pytest.mark.parametrize(
    "path",
    [
        "/ko/",
        "/en/partners/",
        "/ko/partners/?q=kharkov&kind=friendly&sort=-area",
        "/en/partners/seattle/",
    ],
)
def test_queries_stay_the_same_with_34_demo_partners_and_500_partners(client, demo_data, path):
    with CaptureQueriesContext(connection) as with_34:
        assert client.get(path).status_code == 200
    bulk_partners(466)
    with CaptureQueriesContext(connection) as with_500:
        assert client.get(path).status_code == 200
    assert len(with_34) == len(with_500)


@pytest.mark.parametrize("query", ["중국", "China", "china", "CHINA"])
def test_a_search_by_country_finds_the_six_partners_in_china_and_not_kaohsiung_in_taiwan(
    client, demo_data, query
):
    china = sorted(row.name for row in seed_rows() if row.country == "CN")
    assert len(china) == 6
    found = sorted(list_names(client.get("/en/partners/", {"q": query})))
    assert found == china
    assert "Kaohsiung" not in found


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("일본", ["Ohda", "Sapporo", "Tsukuba"]),
        ("Japan", ["Ohda", "Sapporo", "Tsukuba"]),
        ("미국", ["Montgomery County", "Seattle"]),
        ("USA", ["Montgomery County", "Seattle"]),
        ("대만", ["Kaohsiung"]),
    ],
)
def test_a_search_by_a_countrys_common_name_finds_its_partners(client, demo_data, query, found):
    assert sorted(list_names(client.get("/en/partners/", {"q": query}))) == found
