"""The exchange list's stored counts (ExchangeCount: listed activities by year, field and
continent) never drift from the activities, whatever path writes them, and the list shows
the same counts from them as it lists (models/derived.py, refresh_exchange_counts); nor do
the dormant report's stored start dates (ExchangeDate, refresh_exchange_dates) from the
links. A restored backup's are in tests/test_backup.py (every row of every partners model)."""

import datetime
import io
import re
import threading
import time
from collections import Counter

import pytest
import reversion
from django.core.management import call_command
from django.db import connection, transaction
from reversion.models import Version

from partners.models import City, Country, Exchange, ExchangeCount, ExchangeDate
from tests.factories import make_city, make_exchange, make_exchange_partners
from tests.spreadsheets import csv_bytes

pytestmark = pytest.mark.django_db

D = datetime.date


def counts_from_records() -> Counter:
    """(continent or "", year, field) → activities a public page lists, counted from the
    activities, their partners and the partners' countries (none of the stored values)."""
    counts = Counter()
    for exchange in Exchange.objects.prefetch_related("partners__country"):
        public = [city for city in exchange.partners.all() if city.is_published]
        if not exchange.is_published or not public:
            continue
        year, field = exchange.started_on.year, exchange.field
        counts["", year, field] += 1
        for continent in {city.country.continent for city in public}:
            counts[continent, year, field] += 1
    return counts


def stored_counts() -> Counter:
    return Counter(
        {(row.continent, row.year, row.field): row.count for row in ExchangeCount.objects.all()}
    )


def dates_from_links() -> Counter:
    """(partner, start date, activity) of every link of an activity with a partner."""
    return Counter(
        (city_id, exchange.started_on, exchange.pk)
        for exchange in Exchange.objects.all()
        for city_id in exchange.partners.values_list("pk", flat=True)
    )


def stored_dates() -> Counter:
    return Counter(ExchangeDate.objects.values_list("city_id", "started_on", "exchange_id"))


def assert_no_drift() -> None:
    assert stored_counts() == counts_from_records()
    # The dormant report's stored start dates (ExchangeDate) follow the same write paths.
    assert stored_dates() == dates_from_links()


@pytest.fixture
def partners() -> dict[str, City]:
    return make_exchange_partners()


def test_saves_of_field_date_and_publication_and_deletes_recount(partners):
    youth = make_exchange(partners["sapporo"], partners["novosibirsk"], field="youth")
    culture = make_exchange(partners["kharkiv"], started_on=D(2015, 3, 1))
    assert stored_counts()["", 2019, "youth"] == 1
    assert stored_counts()["europe", 2019, "youth"] == 1
    assert stored_counts()["asia", 2019, "youth"] == 1
    youth.field = "sports"
    youth.started_on = D(2021, 1, 1)
    youth.save()
    assert_no_drift()
    culture.is_published = False
    culture.save()
    assert_no_drift()
    Exchange.objects.filter(pk=youth.pk).update(field="economy")
    Exchange.objects.filter(pk=culture.pk).update(is_published=True, started_on=D(2016, 1, 1))
    assert_no_drift()
    youth.delete()
    assert_no_drift()
    Exchange.objects.all().delete()
    assert stored_counts() == Counter()
    assert stored_dates() == Counter()


def test_partner_links_publication_continent_and_deletion_recount(partners):
    exchange = make_exchange(partners["sapporo"], title_en="Visit")
    exchange.partners.add(partners["kharkiv"])
    assert_no_drift()
    exchange.partners.remove(partners["sapporo"])
    assert_no_drift()
    partners["novosibirsk"].exchanges.add(exchange)
    partners["kharkiv"].is_published = False
    partners["kharkiv"].save()
    assert_no_drift()
    Country.objects.filter(iso_code="RU").update(continent="asia")
    Country.objects.get(iso_code="RU").save()
    assert_no_drift()
    partners["novosibirsk"].agreements.all().delete()  # they protect the partner
    partners["novosibirsk"].delete()
    assert_no_drift()
    partners["sapporo"].exchanges.add(exchange)
    partners["sapporo"].exchanges.clear()
    assert_no_drift()
    exchange.partners.clear()
    assert_no_drift()
    assert stored_counts() == Counter()
    assert stored_dates() == Counter()


def test_import_history_restore_loaddata_and_scale_data_keep_the_counts(tmp_path, settings):
    partners = make_exchange_partners()
    settings.LANGUAGE_CODE = "en"
    from partners.resources import EXCHANGE_COLUMNS

    values = {"partners": "kharkiv", "field": "culture", "title_en": "Choir tour"}
    values |= {"started_on": "2021-04-05"}
    path = tmp_path / "exchanges.csv"
    path.write_bytes(
        csv_bytes([[values.get(c, "") for c in EXCHANGE_COLUMNS]], header=EXCHANGE_COLUMNS)
    )
    call_command("import_exchanges", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert stored_counts()["", 2021, "culture"] == 1
    assert_no_drift()

    with reversion.create_revision():
        exchange = make_exchange(partners["sapporo"], field="youth", started_on=D(2012, 1, 1))
    exchange.field, exchange.started_on = "sports", D(2013, 1, 1)
    exchange.save()
    Version.objects.get_for_object(exchange).first().revert()
    assert stored_counts()["", 2012, "youth"] == 1
    assert_no_drift()

    call_command("load_demo_data", stdout=io.StringIO())
    assert_no_drift()
    call_command("generate_scale_data", partners=30, exchanges=60, force=True, stdout=io.StringIO())
    assert_no_drift()


def counts_table(client, **params) -> dict[str, list[int]]:
    text = client.get("/en/exchanges/", params).text
    start = text.index('id="exchange-counts-caption"')
    table = text[start : text.index("</table>", start)]
    return {
        year: [int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", cells)]
        for year, cells in re.findall(r'<th scope="row">(\d{4}|Total)</th>(.*?)</tr>', table, re.S)
    }


def listed(client, **params) -> int:
    text = client.get("/en/exchanges/", params).text
    return len(re.findall(r'<h3><a href="/en/exchanges/\d+/">', text))


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"continent": "europe"},
        {"continent": "asia", "field": "youth"},
        {"year": "2019", "continent": "europe"},
        {"field": "culture"},
        # Not from the stored counts: a search and a partner are counted as they filter.
        {"q": "visit", "continent": "europe"},
        {"partner": "sapporo"},
    ],
)
def test_the_counts_table_counts_what_a_filtered_list_lists(client, partners, params):
    make_city("Nice", "FR", is_published=False)
    nice = City.objects.get(slug="nice")
    make_exchange(partners["sapporo"], partners["novosibirsk"], field="youth", title_en="Visit")
    make_exchange(partners["kharkiv"], partners["novosibirsk"], title_en="Concert")
    make_exchange(partners["kharkiv"], started_on=D(2018, 1, 1), title_en="Visit")
    make_exchange(partners["sapporo"], nice, field="youth", started_on=D(2018, 2, 1))
    make_exchange(nice, title_en="Nice festival")  # its only partner is unpublished
    make_exchange(partners["kharkiv"], title_en="Draft", is_published=False)
    table = counts_table(client, **params)
    # Every activity listed (one page here) is counted once in its row and in the total.
    assert table["Total"][-1] == listed(client, **params)
    assert sum(row[-1] for year, row in table.items() if year != "Total") == listed(
        client, **params
    )


# serialized_rollback: as the other transactional tests, so that the flush after it leaves
# the content types for the next one to restore (test_page_cache.py, test_backup.py).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's advisory lock; SQLite lets one writing transaction in at a time",
)
def test_two_staff_saves_in_one_year_at_once_both_count():
    """Two staff members save an activity of the same year at the same moment, each in its
    own transaction: the second waits for the first's commit, then counts both. Two things
    make it wait, each enough alone (tried by taking each out): the data version's row, which
    every write bumps before it recounts, and the recount's advisory lock
    (refresh_exchange_counts). Without both, the second counted only its own activity and
    failed on the first's count row (duplicate key)."""
    partners = make_exchange_partners()
    first_counted, second_started = threading.Event(), threading.Event()
    errors = []

    def first_save() -> None:
        try:
            with transaction.atomic():
                make_exchange(partners["sapporo"], title_en="First")
                first_counted.set()
                second_started.wait(timeout=10)
                time.sleep(0.5)  # the second save's recount reaches the lock meanwhile
        except Exception as error:  # noqa: BLE001 (reported by the test below)
            errors.append(error)
        finally:
            connection.close()

    def second_save() -> None:
        try:
            first_counted.wait(timeout=10)
            second_started.set()
            with transaction.atomic():
                make_exchange(partners["novosibirsk"], title_en="Second")
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first_save), threading.Thread(target=second_save)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert stored_counts()["", 2019, "culture"] == 2
    assert_no_drift()
