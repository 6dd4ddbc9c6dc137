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
    lat_text, lon_text = value_text(city.latitude), value_text(city.longitude)
    value = f"{lat_text},{lon_text}"
    values = {"latitude": lat_text, "longitude": lon_text, "country": city.country.name}
    if abs(longitude) <= 90 and in_country(iso_code, longitude, latitude):
        message = _(
            "The latitude and longitude look swapped: (%(longitude)s, %(latitude)s) is in "
            "%(country)s, (%(latitude)s, %(longitude)s) is not."
        )
        yield SWAPPED, "latitude", value, message % values
        return
    message = _("The coordinates (%(latitude)s, %(longitude)s) are outside %(country)s.")
    yield OUTSIDE_COUNTRY, "latitude", value, message % values
