"""Checks of population and land area."""

import math
from collections.abc import Iterator
from decimal import Decimal

from django.utils.translation import gettext as _

from ..templatetags.portal import number

DENSITY = "density"
UNIT_SLIP = "unit-slip"
SAME_FIGURE = "same-figure"

# People per km² a partner of each level can plausibly have, (lowest, highest).
# - city: highest 60,000, above the densest city proper on Earth, Manila (1,846,513 people on
#   42.88 km², 2020 census of the Philippine Statistics Authority: about 43,000); lowest 10,
#   a fifth of the "very low density rural" limit (50) of the UN Degree of Urbanisation
#   (UN Statistical Commission, 2020): a city averaging less is nearly all empty land.
# - county: lowest 0.01 (Alaska's census areas and Nunavut's regions, US Census 2020 and
#   Statistics Canada 2021: a few hundredths); highest 60,000 as for a city (New York County,
#   Manhattan: 1,694,251 people on 59.1 km², US Census 2020: about 28,700).
# - province, state: lowest 0.01 (Nunavut: 36,858 people on 1,836,994 km², Statistics Canada
#   2021: 0.02); highest 30,000, twice Seoul's (a province-level city: about 15,600).
DENSITY_BOUNDS = {
    "city": (Decimal(10), Decimal(60_000)),
    "county": (Decimal("0.01"), Decimal(60_000)),
    "province": (Decimal("0.01"), Decimal(30_000)),
    "state": (Decimal("0.01"), Decimal(30_000)),
}
# A unit slip multiplies by a power of ten: 만 (10,000), 천 (1,000), or a lost digit group.
SLIP_POWERS = (1, 2, 3, 4)
# "Near" a power of ten: within 15 % of it (a figure also grows or shrinks between years).
SLIP_TOLERANCE = math.log10(1.15)
# Round figures (500,000; 60,000) coincide by chance: only figures of three or more
# significant digits count as copied.
MIN_SIGNIFICANT_DIGITS = 3
FIGURE_FIELDS = ("population", "area_km2")


def comparable(value) -> Decimal:
    """A figure as the same number whatever its type or trailing zeros (12980 = 12980.00)."""
    return Decimal(value).normalize()


def value_text(value) -> str:
    """A figure as the text a confirmation stores: 12980, 102.41, 10020000."""
    return format(comparable(value), "f")


def density(city) -> Iterator[tuple[str, str, str, str]]:
    if not city.population or not city.area_km2:
        return
    low, high = DENSITY_BOUNDS.get(city.level, DENSITY_BOUNDS["city"])
    people_per_km2 = Decimal(city.population) / Decimal(city.area_km2)
    if low <= people_per_km2 <= high:
        return
    message = _(
        "%(population)s people on %(area)s km² is %(density)s people per km²; a %(level)s "
        "has between %(low)s and %(high)s. Is a figure in the wrong unit?"
    ) % {
        "population": number(city.population),
        "area": number(city.area_km2),
        "density": number(people_per_km2.quantize(Decimal("0.01"))),
        "level": city.get_level_display(),
        "low": number(low),
        "high": number(high),
    }
    yield DENSITY, "population", f"{city.population}/{value_text(city.area_km2)}", message


def unit_slips(city, previous: dict) -> Iterator[tuple[str, str, str, str]]:
    for field in FIGURE_FIELDS:
        old, new = previous.get(field), getattr(city, field)
        if not old or not new or comparable(old) == comparable(new):
            continue
        ratio = math.log10(float(new) / float(old))
        power = round(abs(ratio))
        if power not in SLIP_POWERS or abs(abs(ratio) - power) > SLIP_TOLERANCE:
            continue
        values = {"new": number(new), "old": number(old), "factor": number(10**power)}
        if ratio > 0:
            message = _("%(new)s is about %(factor)s times the previous value, %(old)s.")
        else:
            message = _("%(new)s is about 1/%(factor)s of the previous value, %(old)s.")
        message = (message % values) + " " + _("Was it written in another unit (만, 천)?")
        yield UNIT_SLIP, field, value_text(new), message


def significant_digits(value) -> int:
    return len(comparable(value).as_tuple().digits)


def same_figures(city, context) -> Iterator[tuple[str, str, str, str]]:
    for field in FIGURE_FIELDS:
        value = getattr(city, field)
        if value is None or significant_digits(value) < MIN_SIGNIFICANT_DIGITS:
            continue
        others = context.others_with(field, value, city)
        if not others:
            continue
        label = _("population") if field == "population" else _("land area")
        message = _("The same %(field)s as %(others)s (%(value)s): copied from another row?") % {
            "field": label,
            "others": ", ".join(sorted(others)),
            "value": number(value),
        }
        yield SAME_FIGURE, field, value_text(value), message
