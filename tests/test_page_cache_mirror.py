"""The data version mirrored in Redis (partners/version_mirror.py), as with REDIS_URL: a cached
page costs no database query, and the mirror never falls behind a committed edit, whatever
order writers, readers and rolled-back savepoints come in.

Outside a test transaction, since the mirror is written on commit; skipped without Redis on
127.0.0.1:6379 (PORTAL_TEST_REDIS_URL picks the database)."""

import os
import socket

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partners import version_mirror
from partners.models import City, DataVersion
from tests.factories import make_home_city
from tests.spreadsheets import make_countries, make_partner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAGE = "/en/partners/kharkiv/"
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


@pytest.fixture
def visitor() -> Client:
    return Client()


def queries_for(client: Client, path: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, len(queries)


def redis_listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def mirror(settings):
    """The mirror on a test Redis database, as with REDIS_URL."""
    if not redis_listening():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    settings.PORTAL_VERSION_MIRROR_URL = REDIS_URL
    version_mirror._client = None
    version_mirror.forget()
    yield
    version_mirror.forget()
    version_mirror._client = None


@pytest.fixture
def committed_kharkiv() -> City:
    make_countries()
    make_home_city()
    return make_partner(population=1_421_125)


def test_with_the_mirror_a_cached_page_costs_no_database_query(mirror, committed_kharkiv, visitor):
    visitor.get(PAGE)
    again, queries = queries_for(visitor, PAGE)
    assert again.status_code == 200 and "1,421,125" in again.text
    assert queries == 0
    assert version_mirror.read().token == DataVersion.read().token


def test_with_the_mirror_a_committed_edit_is_on_the_next_page(mirror, committed_kharkiv, visitor):
    visitor.get(PAGE)
    committed_kharkiv.population = 1_500_000
    committed_kharkiv.save()  # commits, then publishes
    assert version_mirror.read().token == DataVersion.read().token
    assert "1,500,000" in visitor.get(PAGE).text


def test_a_version_read_from_the_database_never_replaces_a_newer_mirrored_one(
    mirror, committed_kharkiv
):
    old = DataVersion.read()  # a page reads the database, then stalls
    City.objects.filter(pk=committed_kharkiv.pk).update(population=1)  # another commit
    newer = DataVersion.read()
    version_mirror.offer(old)  # the stalled page offers what it read
    assert version_mirror.read().token == newer.token != old.token
    assert DataVersion.current().token == newer.token


def test_a_late_publication_of_an_older_commit_is_refused(mirror, committed_kharkiv):
    DataVersion.bump()
    first = DataVersion.read()  # what the first writer's commit callback read, then stalled
    DataVersion.bump()  # a second writer commits and publishes
    version_mirror.offer(first)  # the first writer's callback resumes
    assert version_mirror.read().token == DataVersion.read().token != first.token


def test_without_the_mirrored_key_pages_read_the_database_and_restore_it(
    mirror, committed_kharkiv, visitor
):
    version_mirror.forget()  # evicted, or Redis restarted
    _, queries = queries_for(visitor, PAGE)
    assert queries > 0
    assert version_mirror.read().token == DataVersion.read().token


def update_in_a_rolled_back_savepoint(city: City) -> None:
    """An update (which bumps the data version) inside a savepoint that is rolled back."""
    try:
        with transaction.atomic():
            City.objects.filter(pk=city.pk).update(population=2)
            raise RuntimeError
    except RuntimeError:
        pass


def test_a_rolled_back_savepoint_neither_publishes_nor_loses_a_later_bump(
    mirror, committed_kharkiv
):
    before = DataVersion.current().token
    with transaction.atomic():
        update_in_a_rolled_back_savepoint(committed_kharkiv)
    assert version_mirror.read().token == DataVersion.read().token == before
    with transaction.atomic():
        update_in_a_rolled_back_savepoint(committed_kharkiv)
        City.objects.filter(pk=committed_kharkiv.pk).update(population=3)
    assert version_mirror.read().token == DataVersion.read().token != before


def test_a_rolled_back_transaction_keeps_the_mirrored_version(mirror, committed_kharkiv):
    before = DataVersion.current().token
    with pytest.raises(RuntimeError), transaction.atomic():
        City.objects.filter(pk=committed_kharkiv.pk).update(population=2)
        raise RuntimeError
    assert version_mirror.read().token == before == DataVersion.read().token


def test_a_page_inside_a_transaction_reads_the_database_not_the_mirror(mirror, committed_kharkiv):
    DataVersion.current()
    with transaction.atomic():
        bumped = DataVersion.bump()
        assert DataVersion.current().token == bumped.token
    assert version_mirror.read().token == bumped.token
