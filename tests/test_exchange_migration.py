"""Migration 0005 keeps each activity's partner and place: the former `city` key becomes its
one partner, a place in Hangul goes to place_ko and any other to place_en; going back
restores both."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("partners", "0004_photo_image_index")]
AFTER = [("partners", "0005_exchange_partners_places_link")]


def migrate(targets) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def back_to_the_latest_migrations():
    # The tests after this one need every migration applied, not only up to 0005.
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_moves_the_city_into_partners_and_the_place_by_its_script():
    old = migrate(BEFORE)
    country = old.get_model("partners", "Country").objects.create(
        iso_code="JP", name_en="Japan", name_ko="일본", continent="asia"
    )
    city = old.get_model("partners", "City").objects.create(
        slug="sapporo", name_en="Sapporo", name_ko="삿포로", country=country
    )
    Exchange = old.get_model("partners", "Exchange")
    day = datetime.date(2020, 2, 3)
    korean = Exchange.objects.create(
        city=city, field="culture", title_en="A", started_on=day, place="삿포로 오도리 공원"
    )
    latin = Exchange.objects.create(
        city=city, field="culture", title_en="B", started_on=day, place="Odori Park"
    )
    new = migrate(AFTER)
    Exchange = new.get_model("partners", "Exchange")
    moved = Exchange.objects.get(pk=korean.pk)
    assert (moved.place_ko, moved.place_en) == ("삿포로 오도리 공원", "")
    assert list(moved.partners.values_list("slug", flat=True)) == ["sapporo"]
    moved = Exchange.objects.get(pk=latin.pk)
    assert (moved.place_ko, moved.place_en) == ("", "Odori Park")
    back = migrate(BEFORE)
    restored = back.get_model("partners", "Exchange").objects.get(pk=korean.pk)
    assert (restored.city_id, restored.place) == (city.pk, "삿포로 오도리 공원")
    migrate(AFTER)
