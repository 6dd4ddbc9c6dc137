"""An exchange activity's stored values never drift from what they derive from, whatever
path writes them (models/derived.py): the search text (its titles and places, its partners'
names, other spellings and countries), the year, and whether public pages list it (published,
with a published partner). The list's search and counts read them."""

import datetime
import io

import pytest
import reversion
from django.core.management import call_command
from reversion.models import Version

from partners.models import City, Country, Exchange, fold
from partners.models.derived import exchange_search_text
from tests.factories import make_city, make_exchange, make_exchange_partners
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db


def exchange_drift() -> list[tuple[int, tuple, tuple]]:
    """(pk, stored, from scratch) for every activity whose stored values differ from those
    computed from its records now."""
    differences = []
    for exchange in Exchange.objects.prefetch_related("partners"):
        partners = sorted(exchange.partners.all(), key=lambda city: city.pk)
        expected = (
            exchange_search_text(
                [exchange.title_en, exchange.title_ko, exchange.place_en, exchange.place_ko],
                [city.search_text for city in partners],
            ),
            exchange.started_on.year,
            exchange.is_published and any(city.is_published for city in partners),
            "".join(
                f"|{continent}"
                for continent in sorted({city.continent for city in partners if city.is_published})
            )
            + ("|" if any(city.is_published for city in partners) else ""),
        )
        stored = (exchange.search_text, exchange.year, exchange.is_listed, exchange.continents)
        if stored != expected:
            differences.append((exchange.pk, stored, expected))
    return differences


def listed() -> list[str]:
    return sorted(Exchange.objects.published().values_list("title_en", flat=True))


def found(query: str) -> list[str]:
    return sorted(Exchange.objects.search(query).values_list("title_en", flat=True))


@pytest.fixture
def partners() -> dict[str, City]:
    return make_exchange_partners()


def test_an_activity_is_found_by_its_partners_old_spelling_and_its_place_in_korean(partners):
    make_exchange(
        partners["kharkiv"], title_en="Youth camp", place_en="Kharkiv", place_ko="하르키우"
    )
    make_exchange(partners["sapporo"], title_en="Snow festival", place_ko="삿포로")
    assert found("KHARKOV") == ["Youth camp"]
    assert found("하르키우") == ["Youth camp"]
    assert found("삿포로") == ["Snow festival"]
    assert exchange_drift() == []


def test_accents_and_case_are_ignored_in_titles():
    make_exchange(make_city("Nice", "FR"), title_en="Fête de la Musique")
    assert found("fete de la MUSIQUE") == ["Fête de la Musique"]


def test_partners_added_removed_and_cleared_from_either_side_follow(partners):
    exchange = make_exchange(partners["sapporo"], title_en="Visit")
    exchange.partners.add(partners["kharkiv"])
    assert found("kharkov") == ["Visit"]
    exchange.partners.remove(partners["kharkiv"])
    assert found("kharkov") == []
    partners["novosibirsk"].exchanges.add(exchange)
    assert found("novosibirsk") == ["Visit"]
    partners["novosibirsk"].exchanges.clear()
    assert found("novosibirsk") == []
    exchange.partners.clear()
    assert found("sapporo") == []
    assert exchange_drift() == []


def test_a_renamed_partner_is_found_by_its_new_name_only(partners):
    make_exchange(partners["kharkiv"], title_en="Visit")
    partners["kharkiv"].aliases = "Charkow"
    partners["kharkiv"].save()
    assert found("charkow") == ["Visit"]
    assert found("kharkov") == []
    City.objects.filter(pk=partners["kharkiv"].pk).update(name_en="Kharkiv City")
    assert found("kharkiv city") == ["Visit"]
    assert exchange_drift() == []


def test_a_renamed_country_and_a_deleted_partner_leave_their_activities(partners):
    make_exchange(partners["novosibirsk"], partners["sapporo"], title_en="Forum")
    Country.objects.filter(iso_code="RU").update(name_ko="러시아 연방")
    Country.objects.get(iso_code="RU").save()
    assert found("러시아 연방") == ["Forum"]
    partners["novosibirsk"].agreements.all().delete()  # they protect the partner
    partners["novosibirsk"].delete()
    assert found("novosibirsk") == []
    assert found("sapporo") == ["Forum"]
    assert exchange_drift() == []


def test_the_exchange_import_stores_the_search_text(tmp_path, partners, settings):
    from partners.resources import EXCHANGE_COLUMNS

    settings.LANGUAGE_CODE = "en"
    values = {"partners": "kharkiv", "field": "culture", "title_en": "Choir tour"}
    values |= {"started_on": "2021-04-05", "place_ko": "하르키우"}
    path = tmp_path / "exchanges.csv"
    path.write_bytes(
        csv_bytes([[values.get(c, "") for c in EXCHANGE_COLUMNS]], header=EXCHANGE_COLUMNS)
    )
    call_command("import_exchanges", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert found("kharkov") == ["Choir tour"]
    assert exchange_drift() == []


def test_a_history_restore_of_an_activity_recomputes_its_search_text(partners):
    with reversion.create_revision():
        exchange = make_exchange(partners["sapporo"], title_en="Snow festival")
    exchange.title_en = "Ice festival"
    exchange.save()
    Version.objects.get_for_object(exchange).first().revert()
    assert found("snow") == ["Snow festival"]
    assert found("ice") == []
    assert exchange_drift() == []


def test_loaddata_of_the_demo_data_stores_every_search_text():
    call_command("load_demo_data", stdout=io.StringIO())
    assert Exchange.objects.exists()
    assert exchange_drift() == []


def test_generated_scale_data_has_every_search_text_stored():
    for code in ("CN", "DE", "US"):
        Country.objects.create(iso_code=code, name_en=code, name_ko=code, continent="asia")
    call_command("generate_scale_data", partners=20, exchanges=30, stdout=io.StringIO())
    assert Exchange.objects.count() == 30
    assert Exchange.objects.filter(search_text="").count() == 0
    assert exchange_drift() == []


def test_a_search_runs_in_the_database_in_one_query(partners, django_assert_num_queries):
    make_exchange(partners["kharkiv"], started_on=datetime.date(2019, 5, 1))
    with django_assert_num_queries(1):
        assert len(list(Exchange.objects.search("kharkov"))) == 1


def test_an_unpublished_partner_hides_the_activities_it_alone_is_in(partners):
    make_exchange(partners["kharkiv"], title_en="Camp")
    make_exchange(partners["kharkiv"], partners["sapporo"], title_en="Forum")
    partners["kharkiv"].is_published = False
    partners["kharkiv"].save()
    assert listed() == ["Forum"]
    City.objects.filter(pk=partners["kharkiv"].pk).update(is_published=True)
    assert listed() == ["Camp", "Forum"]
    Exchange.objects.filter(title_en="Camp").update(is_published=False)
    assert listed() == ["Forum"]
    assert exchange_drift() == []


def test_the_continent_filter_reads_the_published_partners_continents(partners):
    make_exchange(partners["sapporo"], partners["novosibirsk"], title_en="Forum")
    make_exchange(partners["sapporo"], title_en="Snow festival")
    in_continent = Exchange.objects.published().in_continent
    assert sorted(in_continent("europe").values_list("title_en", flat=True)) == ["Forum"]
    assert sorted(in_continent("asia").values_list("title_en", flat=True)) == [
        "Forum",
        "Snow festival",
    ]
    partners["novosibirsk"].is_published = False
    partners["novosibirsk"].save()
    assert list(in_continent("europe")) == []
    assert exchange_drift() == []


def test_a_moved_start_moves_the_activity_to_its_new_year_in_the_counts(partners):
    exchange = make_exchange(partners["sapporo"], started_on=datetime.date(2019, 5, 1))
    Exchange.objects.filter(pk=exchange.pk).update(started_on=datetime.date(2021, 1, 2))
    assert list(Exchange.objects.published().values_list("year", flat=True)) == [2021]
    assert exchange_drift() == []


def test_a_search_finds_exactly_the_activities_whose_text_holds_it_after_any_write(partners):
    """On SQLite a trigram table serves needles of three characters or more (migration
    0011), kept by the database on every insert, update and delete: it finds what the
    stored texts hold, no more and no less, as the shorter needles read from the texts."""
    visit = make_exchange(partners["kharkiv"], title_en="Visit", place_ko="하르키우 시청")
    forum = make_exchange(partners["sapporo"], partners["novosibirsk"], title_en="Forum")
    make_exchange(partners["sapporo"], title_en='Snow "festival" 100%')
    visit.title_en = "Choir visit"
    visit.save()
    forum.partners.remove(partners["novosibirsk"])
    partners["sapporo"].aliases = "Satporo"
    partners["sapporo"].save()
    Exchange.objects.filter(title_en='Snow "festival" 100%').delete()
    make_exchange(partners["novosibirsk"], title_en='Ice "festival" 100%')
    needles = ["하르", "하르키우", "choir", "visit", "novo", "satporo", "sapporo", "fo", "x"]
    needles += ['"festival"', "100%", 'ice "f', "|kharkov|", "kharkov|"]
    for needle in needles:
        expected = {
            pk
            for pk, text in Exchange.objects.values_list("pk", "search_text")
            if fold(needle).replace("|", " ").strip() in text
        }
        assert set(Exchange.objects.search(needle).values_list("pk", flat=True)) == expected, needle
        in_date_order = Exchange.objects.search(needle, in_date_order=True).order_by("-started_on")
        assert set(in_date_order.values_list("pk", flat=True)) == expected, needle
    assert found("choir") == ["Choir visit"]
    assert found("novosibirsk") == ['Ice "festival" 100%']
