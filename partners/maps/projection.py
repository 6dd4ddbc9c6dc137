"""Equal Earth (Šavrič, Patterson & Jenny 2018, doi:10.1080/13658816.2018.1504949), the
portal's map projection: equal-area, centred on any longitude; its views; and great circles
on the sphere. Degrees in; projection units (the unit sphere) out."""

import math
from dataclasses import dataclass

# Equal Earth's polynomial coefficients (the paper's equation 2).
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
SQRT3 = math.sqrt(3)
# Close enough that a route reads as a smooth curve even on the locator map.
GREAT_CIRCLE_STEP_DEGREES = 2.0
COMPASS_POINTS = 16

Point = tuple[float, float]


def equal_earth(longitude: float, latitude: float, center_longitude: float = 0.0) -> Point:
    """Equal Earth (x, y) on the unit sphere, y northwards; degrees in, about ±2.707 × ±1.317 out.

    The closed form is six lines, so it is written here rather than adding PROJ (pyproj, a
    30 MB binary) to the server; tests/test_maps.py checks it against PROJ's `eqearth`."""
    return equal_earth_relative(wrap_longitude(longitude - center_longitude), latitude)


def equal_earth_relative(relative_longitude: float, latitude: float) -> Point:
    """Equal Earth of a longitude already relative to the centre, not wrapped: ±180 stays on
    the edge it was cut on."""
    lam = math.radians(relative_longitude)
    theta = math.asin(SQRT3 / 2 * math.sin(math.radians(latitude)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = (
        2
        * SQRT3
        * lam
        * math.cos(theta)
        / (3 * (9 * A4 * t6 * t2 + 7 * A3 * t6 + 3 * A2 * t2 + A1))
    )
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def latitude_at(y: float) -> float:
    """The latitude (degrees) that Equal Earth draws at height `y` (bisection: y grows
    with latitude); beyond the poles, ±90."""
    low, high = -90.0, 90.0
    for _ in range(50):
        middle = (low + high) / 2
        if equal_earth_relative(0.0, middle)[1] < y:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def wrap_longitude(longitude: float) -> float:
    """Longitude into [-180, 180)."""
    return (longitude + 180.0) % 360.0 - 180.0


# x of the map's edge (±180° from the centre) at the equator.
X_MAX = equal_earth_relative(180.0, 0.0)[0]


@dataclass(frozen=True)
class View:
    """A rectangle of the projected plane (projection units, y northwards) drawn as an SVG
    viewBox of `width` user units."""

    center_longitude: float
    west: float
    east: float
    south: float
    north: float
    scale: float  # user units per projection unit
    # (degrees of longitude either side of the centre, south, north) that can reach the view:
    # lets a small view project only the land near it. The default is the whole globe.
    land_reach: tuple[float, float, float] = (180.0, -90.0, 90.0)

    @property
    def width(self) -> float:
        return round((self.east - self.west) * self.scale, 1)

    @property
    def height(self) -> float:
        return round((self.north - self.south) * self.scale, 1)

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"

    def to_svg(self, x: float, y: float) -> Point:
        return (x - self.west) * self.scale, (self.north - y) * self.scale

    def point(self, longitude: float, latitude: float) -> Point:
        """SVG user-unit position of a place; degrees in."""
        return self.to_svg(*equal_earth(longitude, latitude, self.center_longitude))

    def contains(self, longitude: float, latitude: float) -> bool:
        x, y = equal_earth(longitude, latitude, self.center_longitude)
        return self.west <= x <= self.east and self.south <= y <= self.north


def great_circle(start: Point, end: Point) -> list[Point]:
    """(lon, lat) points along the shorter great-circle arc from start to end (degrees), one
    every GREAT_CIRCLE_STEP_DEGREES of arc or closer."""

    def vector(lon: float, lat: float) -> tuple[float, float, float]:
        lam, phi = math.radians(lon), math.radians(lat)
        return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))

    a, b = vector(*start), vector(*end)
    omega = math.acos(max(-1.0, min(1.0, sum(p * q for p, q in zip(a, b, strict=True)))))
    if omega < 1e-9:
        return [start, end]
    steps = max(2, math.ceil(math.degrees(omega) / GREAT_CIRCLE_STEP_DEGREES))
    points = []
    for i in range(steps + 1):
        t = i / steps
        wa, wb = math.sin((1 - t) * omega) / math.sin(omega), math.sin(t * omega) / math.sin(omega)
        x, y, z = (wa * p + wb * q for p, q in zip(a, b, strict=True))
        points.append((math.degrees(math.atan2(y, x)), math.degrees(math.asin(max(-1, min(1, z))))))
    return points


def initial_bearing(start: Point, end: Point) -> float:
    """Degrees clockwise from north of the great circle leaving start towards end."""
    (lon1, lat1), (lon2, lat2) = start, end
    phi1, phi2, dlam = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.sin(dlam) * math.cos(phi2)
    x = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlam)
    return math.degrees(math.atan2(y, x)) % 360


def compass_point(bearing: float) -> int:
    """Index 0-15 of the nearest of the 16 compass points (0 = north, 4 = east)."""
    return round(bearing / (360 / COMPASS_POINTS)) % COMPASS_POINTS
