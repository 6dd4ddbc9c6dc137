"""The demo exchange activities: only those with a public source, each listed in the data
notes with its source, between Daejeon and partners of the seed page."""

import datetime
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from partners.models import Exchange

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NOTES = (FIXTURES / "DATA-NOTES.md").read_text(encoding="utf-8")


@pytest.fixture
def demo_data(db) -> None:
    call_command("load_demo_data", stdout=io.StringIO())


def notes_table() -> dict[str, dict[str, str]]:
    """The data notes' table of activities, by row number."""
    section = NOTES[NOTES.index("## Exchange activities") :]
    rows = re.findall(r"^\| (\d+) \| (.+?) \| (.+?) \| (.+?) \| (.+?) \|$", section, re.M)
    return {n: {"partners": p, "date": d, "sources": s} for n, _a, p, d, s in rows}


def test_every_demo_activity_has_its_source_and_date_in_the_data_notes(demo_data):
    table = notes_table()
    exchanges = Exchange.objects.order_by("pk")
    assert exchanges.count() == len(table) == 6
    for exchange in exchanges:
        row = table[str(exchange.pk)]
        assert exchange.link and exchange.link in row["sources"]
        assert exchange.started_on.isoformat() in row["date"]
        assert {c.slug for c in exchange.partners.all()} == {
            slug.strip() for slug in row["partners"].split(",")
        }
        assert exchange.title_en and exchange.title_ko
        assert exchange.place_en and exchange.place_ko


def test_the_demo_activities_involve_only_partners_of_the_seed_page(demo_data):
    seed = (FIXTURES / "seed").glob("*")
    seed_text = " ".join(path.read_text(encoding="utf-8", errors="ignore") for path in seed)
    for exchange in Exchange.objects.all():
        for city in exchange.partners.all():
            assert city.name_en.split()[0] in seed_text, city.slug


def test_the_youth_exchange_is_one_activity_with_both_sister_cities(demo_data):
    youth = Exchange.objects.get(started_on=datetime.date(2015, 7, 29))
    assert sorted(c.slug for c in youth.partners.all()) == ["novosibirsk", "sapporo"]
    assert youth.field == "youth"


def test_the_demo_partner_page_shows_its_last_exchange(client, demo_data):
    text = client.get("/en/partners/sapporo/").text
    last = re.search(r"<dt>Last exchange</dt><dd>(.*?)</dd>", text).group(1)
    assert "Feb. 3, 2020" in last and "Culture" in last


def test_the_fixture_names_partners_by_slug_only(db):
    records = json.loads((FIXTURES / "daejeon-exchanges.json").read_text(encoding="utf-8"))
    for record in records:
        assert all(
            len(key) == 1 and isinstance(key[0], str) for key in record["fields"]["partners"]
        )
