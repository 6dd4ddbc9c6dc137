"""Pages stay small and fast however many partners there are (issue 13): the home page names
the partners of a cell only while it holds few, the map draws a bounded number of markers,
and a search lists the best matches first."""

import datetime

import pytest

from partners.models import City, Kind
from partners.views import MAP_MARKERS
from tests.factories import make_city, make_country, make_home_city
from tests.test_pages import bulk_partners, list_names

pytestmark = pytest.mark.django_db


def sister_cities_in_germany(count: int) -> None:
    germany = make_country("DE")
    for number in range(count):
        make_city(
            f"Stadt {number:02d}",
            germany,
            kind=Kind.SISTER,
            signed_on=datetime.date(1990 + number, 1, 1),
        )


def counts_table(text: str) -> str:
    return text[text.index('<table class="counts') : text.index("</table>")]


def test_a_cell_of_twelve_partners_still_names_them_in_the_counts_table(client):
    sister_cities_in_germany(12)
    table = counts_table(client.get("/en/").text)
    assert "Stadt 11" in table
    assert "<a " not in table


def test_a_cell_of_thirteen_links_its_count_to_the_filtered_list_instead_of_naming_them(client):
    sister_cities_in_germany(13)
    text = client.get("/en/").text
    table = counts_table(text)
    assert "Stadt" not in table
    assert (
        '<a class="counts__number" href="/en/partners/?kind=sister&amp;continent=europe">13</a>'
        in table
    )
    # The continent list names the first twelve by agreement date and links to all thirteen.
    section = text[text.index('id="kind-sister"') : text.index('id="kind-friendly"')]
    assert "Stadt 11" in section and "Stadt 12" not in section
    assert (
        '<a href="/en/partners/?kind=sister&amp;continent=europe">All 13 in Europe</a>' in section
    )
    linked = client.get("/en/partners/", {"kind": "sister", "continent": "europe", "page": "all"})
    assert len(list_names(linked)) == 13


def test_the_map_draws_at_most_its_bound_and_the_caption_says_how_many_of_all(client):
    make_home_city()
    bulk_partners(MAP_MARKERS + 5)
    for path in ("/en/", "/en/partners/"):
        text = client.get(path).text
        assert text.count('class="map__marker"') == MAP_MARKERS
        assert f"The map shows {MAP_MARKERS} of the {MAP_MARKERS + 5} partners" in text


def test_the_map_of_a_few_partners_draws_them_all_without_that_note(client):
    make_home_city()
    bulk_partners(20)
    text = client.get("/en/").text
    assert text.count('class="map__marker"') == 20
    assert "The map shows" not in text


@pytest.fixture
def san_partners() -> None:
    for name, aliases in [
        ("Busan", ""),
        ("Santa Fe", ""),
        ("Bay City", "San"),
        ("Arsan", ""),
        ("Sandnes", ""),
    ]:
        make_city(name, "US", kind=Kind.SISTER, aliases=aliases)


def test_a_search_lists_an_exact_name_first_then_names_starting_with_it(client, san_partners):
    names = list_names(client.get("/en/partners/", {"q": "san"}))
    assert names == ["Bay City", "Sandnes", "Santa Fe", "Arsan", "Busan"]


def test_a_sorted_search_keeps_the_chosen_order(client, san_partners):
    names = list_names(client.get("/en/partners/", {"q": "san", "sort": "name"}))
    assert names == ["Arsan", "Bay City", "Busan", "Sandnes", "Santa Fe"]


def test_search_is_matched_in_the_database_not_over_every_partner_in_python(client, san_partners):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/en/partners/", {"q": "hưng"}).status_code == 200
    assert any("search_text" in query["sql"] for query in queries.captured_queries)
    assert City.objects.search("Busán").get().name_en == "Busan"
