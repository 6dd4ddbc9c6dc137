"""Checks of a partner's coordinates against its country's land (bounding boxes of each land
part, partners/data/country-bounds.json, made by scripts/make_country_bounds.py from Natural
Earth's public-domain country shapes). Boxes, not shapes: the check asks "is this point
anywhere near the country?", which a box per island or mainland answers in microseconds;
a point in a box may still be in a neighbour's corner, so the check misses some slips but
never warns about a right value inside its country's parts."""

import functools
import json
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from .figures import value_text

OUTSIDE_COUNTRY = "outside-country"
SWAPPED = "swapped-coordinates"
BOUNDS_FILE = Path(__file__).resolve().parent.parent / "data" / "country-bounds.json"


@functools.cache
def country_boxes() -> dict[str, list[list[float]]]:
    """ISO alpha-2 code -> boxes [west, south, east, north] in degrees; east may pass 180
    for a part crossing the antimeridian (Chukotka)."""
    return json.loads(BOUNDS_FILE.read_text())["countries"]


def in_country(iso_code: str, latitude: float, longitude: float) -> bool | None:
    """Whether the point is in one of the country's boxes; None for a country the table has
    no shape for (a few small territories), which the check then skips."""
    boxes = country_boxes().get(iso_code)
    if boxes is None:
        return None
    return any(
        south <= latitude <= north
        and any(west <= lon <= east for lon in (longitude, longitude + 360, longitude - 360))
        for west, south, east, north in boxes
    )


def coordinates(city) -> Iterator[tuple[str, str, str, str]]:
    if city.latitude is None or city.longitude is None or city.country_id is None:
        return
    latitude, longitude = float(city.latitude), float(city.longitude)
    iso_code = city.country.iso_code
    if in_country(iso_code, latitude, longitude) is not False:
        return
    # Normalised, as a confirmation stores it: 41.8057 typed in the form and 41.805700 read
    # back from the database are the same point, and confirming one confirms the other.
    value = f"{value_text(city.latitude)},{value_text(city.longitude)}"
    if abs(longitude) <= 90 and in_country(iso_code, longitude, latitude):
        yield SWAPPED, "latitude", value, swapped_message(city)
        return
    message = _("The coordinates (%(latitude)s, %(longitude)s) are outside %(country)s.")
    yield OUTSIDE_COUNTRY, "latitude", value, message % point(city)


def point(city) -> dict[str, str]:
    return {
        "latitude": value_text(city.latitude),
        "longitude": value_text(city.longitude),
        "country": city.country.name,
    }


def swapped_message(city) -> str:
    message = _(
        "The latitude and longitude look swapped: (%(longitude)s, %(latitude)s) is in "
        "%(country)s, (%(latitude)s, %(longitude)s) is not."
    )
    return message % point(city)


def swapped_beyond_range(city) -> str | None:
    """Why a latitude beyond ±90° was typed, when swapping it with the longitude puts the
    point in the partner's country (Shenyang as 123.43, 41.81): the swapped-coordinates
    message, or None. Any partner east of 90°E or west of 90°W swaps into such a latitude,
    which the range rule refuses before the check above can run; this names the cause."""
    if city.latitude is None or city.longitude is None or city.country_id is None:
        return None
    latitude, longitude = float(city.latitude), float(city.longitude)
    if abs(latitude) <= 90 or abs(longitude) > 90:
        return None
    return swapped_message(city) if in_country(city.country.iso_code, longitude, latitude) else None
