"""manage.py generate_scale_data: generated partners for measuring speed, never the demo."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from partners.models import Agreement, City, Exchange, Status
from tests.factories import make_city, make_country


def generate(partners: int = 40, exchanges: int = 60, **options) -> None:
    call_command("generate_scale_data", partners=partners, exchanges=exchanges, **options)


@pytest.fixture
def countries(db):
    return [make_country(code) for code in ("CN", "DE", "US", "SC", "AU")]


def test_generates_published_partners_with_names_in_both_languages(countries):
    generate(partners=200, exchanges=0)
    cities = City.objects.all()
    assert cities.count() == 200
    assert all(city.name_en and city.name_ko for city in cities)
    assert cities.exclude(aliases="").exists()
    assert {city.country.iso_code for city in cities} == {"CN", "DE", "US", "SC", "AU"}
    # Mostly published, some not (the portal must hide those at scale too).
    assert 150 < cities.filter(is_published=True).count() < 200


def test_every_agreement_history_follows_the_agreement_rule(countries):
    generate(partners=200, exchanges=0)
    for city in City.objects.prefetch_related("agreements"):
        history = sorted(city.agreements.all(), key=lambda agreement: agreement.signed_on)
        assert 1 <= len(history) <= 3
        for agreement, later in zip(history, history[1:], strict=False):
            # Only the last can be current, and each earlier one ended by the next signing.
            assert agreement.status == Status.ENDED
            assert agreement.signed_on <= agreement.ended_on <= later.signed_on
        for agreement in history:
            agreement.validate_dates()
    assert Agreement.objects.exclude(status=Status.ENDED).count() > 150


def test_every_activity_involves_one_to_three_partners(countries):
    generate(partners=30, exchanges=100)
    counts = Exchange.objects.annotate(n=Count("partners")).values_list("n", flat=True)
    assert len(counts) == 100
    assert set(counts) <= {1, 2, 3}
    assert 1 in counts


def test_the_same_seed_generates_the_same_partners(countries):
    generate(partners=25, exchanges=0)
    generate(partners=25, exchanges=0)
    names = list(City.objects.order_by("pk").values_list("name_en", "name_ko", "population"))
    assert names[:25] == names[25:]


def test_refuses_a_database_with_the_demo_partners_and_writes_nothing(countries):
    make_city("Seattle", country="US")  # a demo partner's slug
    with pytest.raises(CommandError, match="--force"):
        generate()
    assert City.objects.count() == 1
    assert not Exchange.objects.exists()


def test_adds_beside_the_demo_partners_when_forced(countries):
    make_city("Seattle", country="US")
    generate(partners=10, exchanges=5, force=True)
    assert City.objects.count() == 11


def test_an_empty_country_list_is_a_clear_error(db):
    with pytest.raises(CommandError, match="loaddata countries"):
        generate()
