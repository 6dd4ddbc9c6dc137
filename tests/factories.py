"""Small helpers that create partner data for tests; add yours, keep others' as they are."""

import datetime

from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils.text import slugify

from partners.models import Agreement, City, Country, Exchange, HomeCity, Kind, Status

COUNTRIES = {
    "CA": ("Canada", "캐나다", "americas"),
    "CN": ("China", "중국", "asia"),
    "DE": ("Germany", "독일", "europe"),
    "JP": ("Japan", "일본", "asia"),
    "SC": ("Seychelles", "세이셸", "africa"),
    "AU": ("Australia", "호주", "oceania"),
    "UA": ("Ukraine", "우크라이나", "europe"),
    "US": ("United States", "미국", "americas"),
    "VN": ("Vietnam", "베트남", "asia"),
}


def make_country(iso_code: str = "US", **fields) -> Country:
    """The country with this code, created on first use (known codes get real names)."""
    name_en, name_ko, continent = COUNTRIES.get(iso_code, (iso_code, iso_code, "asia"))
    defaults = {"name_en": name_en, "name_ko": name_ko, "continent": continent} | fields
    country, _ = Country.objects.get_or_create(iso_code=iso_code, defaults=defaults)
    return country


def make_city(
    name_en: str = "Seattle",
    country: Country | str = "US",
    kind: str | None = None,
    signed_on: datetime.date | None = None,
    **fields,
) -> City:
    """A published partner; with `kind` it also gets a current agreement of that kind."""
    if isinstance(country, str):
        country = make_country(country)
    values = {
        "slug": slugify(name_en),
        "name_en": name_en,
        "name_ko": "",
        "country": country,
    } | fields
    city = City.objects.create(**values)
    if kind:
        make_agreement(city, kind=kind, signed_on=signed_on or datetime.date(2000, 1, 1))
    return city


def make_agreement(
    city: City,
    kind: str = Kind.SISTER,
    signed_on: datetime.date = datetime.date(2000, 1, 1),
    status: str = Status.ACTIVE,
    **fields,
) -> Agreement:
    return Agreement.objects.create(
        city=city, kind=kind, signed_on=signed_on, status=status, **fields
    )


def make_exchange(
    *partners: City,
    started_on: datetime.date = datetime.date(2019, 5, 1),
    field: str = "culture",
    **fields,
) -> Exchange:
    """A published exchange activity with these partners (an English title unless given)."""
    values = {"title_en": "Exchange visit"} if not {"title_en", "title_ko"} & set(fields) else {}
    exchange = Exchange.objects.create(field=field, started_on=started_on, **values | fields)
    exchange.partners.set(partners)
    return exchange


def make_exchange_partners() -> dict[str, City]:
    """Sapporo and Novosibirsk (sister cities, Asia and Europe) and Kharkiv (friendly, other
    spelling "Kharkov"), by slug: the partners of the exchange tests."""
    make_country("RU", name_en="Russia", name_ko="러시아", continent="europe")
    return {
        "sapporo": make_city("Sapporo", "JP", Kind.SISTER, name_ko="삿포로"),
        "novosibirsk": make_city("Novosibirsk", "RU", Kind.SISTER, name_ko="노보시비르스크"),
        "kharkiv": make_city("Kharkiv", "UA", Kind.FRIENDLY, name_ko="하르키우", aliases="Kharkov"),
    }


def make_home_city(**fields) -> HomeCity:
    """Daejeon as the home city, with its city-hall coordinates."""
    values = {
        "name_en": "Daejeon",
        "name_ko": "대전",
        "latitude": "36.350400",
        "longitude": "127.384500",
        "slogan_en": "Change and Innovation, Understanding and Cooperation",
        "headline_en": "A city of international exchange",
        "title_en": "Sister and Friendly Cooperation Cities",
        "title_ko": "자매·우호도시",
        "intro_en": "Daejeon promotes international exchange.",
    } | fields
    home = HomeCity(**values)
    home.save()
    return home


STAFF_GROUP = "International Affairs / 국제협력"


def make_staff(username: str = "choi") -> User:
    """A staff member in the international-affairs group (made by migration 0002)."""
    user = User.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=STAFF_GROUP))
    return user


def change_url(city: City) -> str:
    """The partner's page in the admin."""
    return reverse("admin:partners_city_change", args=[city.pk])
