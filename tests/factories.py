"""Small helpers that create partner data for tests; add yours, keep others' as they are."""

import datetime

from partners.models import Agreement, City, Country


def make_country(
    iso_code: str = "UA", name_en: str = "Ukraine", name_ko: str = "우크라이나", continent="europe"
) -> Country:
    country, _ = Country.objects.get_or_create(
        iso_code=iso_code,
        defaults={"name_en": name_en, "name_ko": name_ko, "continent": continent},
    )
    return country


def make_city(
    slug: str,
    name_en: str | None = None,
    name_ko: str | None = None,
    country: Country | None = None,
    **fields,
) -> City:
    """A published partner named after its slug unless told otherwise."""
    name_en = name_en or slug.replace("-", " ").title()
    return City.objects.create(
        slug=slug,
        name_en=name_en,
        name_ko=name_ko if name_ko is not None else name_en,
        country=country or make_country(),
        **fields,
    )


def make_agreement(
    city: City,
    kind: str = "friendly",
    signed_on: datetime.date = datetime.date(2013, 8, 23),
    **fields,
) -> Agreement:
    return Agreement.objects.create(city=city, kind=kind, signed_on=signed_on, **fields)
