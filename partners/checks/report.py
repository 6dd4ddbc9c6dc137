"""Warnings across partners, in bulk, and staff confirmations of them."""

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser

from ..models import Agreement, CheckConfirmation, City, localized_name
from .base import CheckContext, DataWarning, check_partner


def confirmed_keys(city_pks: Iterable[int] | None = None) -> set[tuple[int, str, str, str]]:
    """(city pk, check, field, value) of every confirmation, or of the given partners'."""
    confirmations = CheckConfirmation.objects.all()
    if city_pks is not None:
        confirmations = confirmations.filter(city__in=list(city_pks))
    return set(confirmations.values_list("city_id", "check_code", "field", "value"))


def unconfirmed(city_pk: int | None, warnings: list[DataWarning]) -> list[DataWarning]:
    """The warnings no staff member confirmed for this partner and value."""
    if city_pk is None or not warnings:
        return warnings
    confirmed = confirmed_keys([city_pk])
    return [warning for warning in warnings if (city_pk, *warning.key) not in confirmed]


def confirm_warnings(
    city: City, warnings: Iterable[DataWarning], user: AbstractBaseUser | None
) -> list[CheckConfirmation]:
    """Record that user checked these values of city (a saved partner); a value confirmed
    before is left as it was."""
    user = user if user is not None and user.is_authenticated else None
    confirmations = [
        CheckConfirmation(
            city=city, check_code=warning.check, field=warning.field, value=warning.value[:300],
            confirmed_by=user,
        )
        for warning in warnings
    ]  # fmt: skip
    return CheckConfirmation.objects.bulk_create(confirmations, ignore_conflicts=True)


def open_warnings(check: str | None = None) -> list[tuple[City, DataWarning]]:
    """Every partner's unconfirmed warnings, (partner, warning), by partner name; only one
    check's when given. In a fixed number of queries whatever the number of partners: the
    partners, their countries, their agreements' dates, and the confirmations.

    The unit-slip check compares a value with the one it replaces, so only an edit or an
    import raises it (and must have it confirmed); it never appears here."""
    # prefetch, not select_related: some 250 countries are built once, not once per partner.
    cities = list(
        City.objects.only(
            "slug", "name_en", "name_ko", "level", "population", "area_km2", "latitude",
            "longitude", "country",
        ).prefetch_related("country")
    )  # fmt: skip
    dates = defaultdict(list)
    for city_pk, signed_on, ended_on in Agreement.objects.values_list(
        "city_id", "signed_on", "ended_on"
    ):
        dates[city_pk].append((signed_on, ended_on))
    name = localized_name("name")
    context = CheckContext((c.pk, getattr(c, name), c.population, c.area_km2) for c in cities)
    confirmed = confirmed_keys()
    found = []
    for city in cities:
        for warning in check_partner(city, context, dates[city.pk]):
            if (check is None or warning.check == check) and (
                (city.pk, *warning.key) not in confirmed
            ):
                found.append((city, warning))
    return found
