"""What a warning is, the list of checks, and running them over one partner."""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import dates, figures, names, places

# code -> what the check looks for (the report's filter and the warning's heading).
CHECKS = {
    figures.DENSITY: _("population density"),
    figures.UNIT_SLIP: _("change by a factor of 10, 100, 1,000 or 10,000"),
    figures.SAME_FIGURE: _("same figure as another partner"),
    places.OUTSIDE_COUNTRY: _("coordinates outside the country"),
    places.SWAPPED: _("latitude and longitude swapped"),
    dates.SIGNED_BEFORE_1950: _("signed before 1950"),
    dates.SIGNED_IN_FUTURE: _("signed in the future"),
    dates.SIGNED_AFTER_END: _("signed after its end"),
    names.LATIN_IN_KOREAN: _("Latin letters in the Korean name"),
    names.HANGUL_IN_ENGLISH: _("Hangul in the English name"),
    names.PUNCTUATION: _("punctuation at either end of a name"),
    names.COUNTRY_GLUED: _("country name glued to the name"),
}


@dataclasses.dataclass(frozen=True)
class DataWarning:
    """check: a CHECKS code; field: the partner's attribute holding the value (population,
    area_km2, latitude, name_en, signed_on …); value: the checked value as text, which a
    confirmation matches; message: why it looks wrong, in the active language."""

    check: str
    field: str
    value: str
    message: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.check, self.field, self.value)

    @property
    def label(self) -> str:
        return str(CHECKS[self.check])


class CheckContext:
    """What a check needs beyond the partner itself, built once for any number of partners:
    every partner's population and area (for the same-figure check) and today's date.

    figures: (pk, name, population, area_km2) of the partners to compare with."""

    def __init__(
        self,
        figures_rows: Iterable[tuple[int | None, str, int | None, Decimal | None]],
        today: datetime.date | None = None,
    ) -> None:
        self.today = today or timezone.localdate()
        self.holders: dict[tuple[str, object], list[tuple[int | None, str]]] = defaultdict(list)
        for pk, name, population, area in figures_rows:
            self.add(pk, name, population, area)

    def add(self, pk: int | None, name: str, population, area) -> None:
        for field, value in (("population", population), ("area_km2", area)):
            if value is not None:
                self.holders[(field, figures.comparable(value))].append((pk, name))

    def others_with(self, field: str, value, city) -> list[str]:
        """Names of the other partners with the same value of field (another pk; for an
        unsaved partner, another name)."""
        holders = self.holders.get((field, figures.comparable(value)), [])
        pk = city.pk
        if not holders or (len(holders) == 1 and pk and holders[0][0] == pk):
            return []
        name = city.name
        same = (
            (lambda other_pk, other: other_pk == pk) if pk else (lambda _pk, other: other == name)
        )
        return sorted({other for other_pk, other in holders if not same(other_pk, other)})


def check_partner(
    city,
    context: CheckContext,
    agreements: Iterable[tuple[datetime.date | None, datetime.date | None]] = (),
    previous: dict[str, object] | None = None,
) -> list[DataWarning]:
    """Every warning for city (a City, saved or not, with its country).

    agreements: (signed_on, ended_on) of its agreements; previous: the values stored before
    this change ({"population": 10020000}), for the unit-slip check, which only an edit or an
    import can trip. Returns the warnings in the order of CHECKS; confirmed ones included
    (see report.unconfirmed)."""
    found = [
        *figures.density(city),
        *figures.unit_slips(city, previous or {}),
        *figures.same_figures(city, context),
        *places.coordinates(city),
        *dates.signing_dates(agreements, context.today),
        *names.names(city),
    ]
    return [DataWarning(*warning) for warning in found]
