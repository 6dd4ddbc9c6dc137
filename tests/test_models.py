import datetime

import pytest
from django.db import IntegrityError, transaction

from partners.models import Agreement, City, Country, Kind, Status

pytestmark = pytest.mark.django_db


def make_city(slug: str = "kharkiv", **fields) -> City:
    country, _ = Country.objects.get_or_create(
        iso_code="UA",
        defaults={"name_en": "Ukraine", "name_ko": "우크라이나", "continent": "europe"},
    )
    values = {"name_en": "Kharkiv", "name_ko": "하르키우", "country": country} | fields
    return City.objects.create(slug=slug, **values)


def test_a_new_agreement_ends_the_one_it_supersedes():
    city = make_city()
    first = Agreement.objects.create(
        city=city, kind=Kind.FRIENDLY, signed_on=datetime.date(2013, 8, 23)
    )
    Agreement.objects.create(city=city, kind=Kind.SISTER, signed_on=datetime.date(2020, 5, 1))
    first.refresh_from_db()
    assert first.status == Status.ENDED
    assert first.ended_on == datetime.date(2020, 5, 1)


def test_a_renewal_keeps_the_since_date_and_an_upgrade_resets_it():
    city = make_city()
    for kind, year in [(Kind.FRIENDLY, 2010), (Kind.FRIENDLY, 2013), (Kind.SISTER, 2015)]:
        Agreement.objects.create(city=city, kind=kind, signed_on=datetime.date(year, 1, 1))
    annotated = City.objects.with_current_agreement().get()
    assert annotated.since == datetime.date(2015, 1, 1)
    Agreement.objects.create(city=city, kind=Kind.SISTER, signed_on=datetime.date(2020, 1, 1))
    annotated = City.objects.with_current_agreement().get()
    assert (annotated.current_kind, annotated.since) == (Kind.SISTER, datetime.date(2015, 1, 1))


def test_the_database_refuses_two_current_agreements_for_one_city():
    city = make_city()
    Agreement.objects.create(city=city, kind=Kind.FRIENDLY, signed_on=datetime.date(2013, 8, 23))
    with pytest.raises(IntegrityError), transaction.atomic():
        Agreement.objects.bulk_create(
            [Agreement(city=city, kind=Kind.SISTER, signed_on=datetime.date(2020, 1, 1))]
        )
