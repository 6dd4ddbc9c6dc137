"""Maps drawn on the server as SVG: the world map of the partners with a zoomed panel of the
home city's region, and the locator map of one partner.

Projection: Equal Earth (Šavrič, Patterson & Jenny 2018, doi:10.1080/13658816.2018.1504949),
an equal-area world projection, centred on the home city's longitude (Pacific-centred for
Daejeon), so the home city is in the middle and no partner is further than half a map away.
Land: Natural Earth 1:110m (partners/data/land-110m.json, made by scripts/make_world_map.py),
kept unprojected because the centre comes from content; each centre's projected land is
cached in memory (`_projected_land`), so only the first page after a restart, or after the
home city moves, pays for projecting its 4,000 points (scripts/bench_maps.py: 20-150 ms
depending on the machine's load; under 1 ms a page once warm).

Coordinates in the returned SVG are user units: a world map is WORLD_WIDTH units wide.
"""

import itertools
import json
import math
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Protocol

from .models import EARTH_RADIUS_KM, Kind, haversine_km

LAND_FILE = Path(__file__).resolve().parent / "data" / "land-110m.json"

# Equal Earth's polynomial coefficients (the paper's equation 2).
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
SQRT3 = math.sqrt(3)

WORLD_WIDTH = 1000.0
# The world map shows 84° N to 58° S: no partner city lies in Antarctica or the Arctic ocean,
# and cutting them gives the land a third more height. A marker outside still widens the view.
WORLD_NORTH, WORLD_SOUTH = 84.0, -58.0
# The regional panel: partners within this distance of the home city (all of East Asia, from
# Korea: China, Japan, Mongolia, Taiwan, Vietnam, Laos) are drawn there, zoomed.
REGION_RADIUS_KM = 4000.0
REGION_MIN_SPAN_KM = 1500.0
REGION_ASPECT_MIN, REGION_ASPECT_MAX = 0.7, 1.6  # width / height
# The locator map on a partner's page: about 50° of longitude at the equator.
LOCATOR_HALF_WIDTH = 0.38  # projection units
LOCATOR_ASPECT = 1.6
# Widths of the SVGs in user units, and their markers' radii: each panel is drawn about as
# wide on a desktop as its user units, so markers read alike on all three.
REGION_WIDTH = 560.0
LOCATOR_WIDTH = 640.0
WORLD_MARKER, REGION_MARKER, LOCATOR_MARKER = 6.0, 7.0, 9.0
# Close enough that a route reads as a smooth curve even on the locator map.
GREAT_CIRCLE_STEP_DEGREES = 2.0

Point = tuple[float, float]


def equal_earth(longitude: float, latitude: float, center_longitude: float = 0.0) -> Point:
    """Equal Earth (x, y) on the unit sphere, y northwards; degrees in, about ±2.707 × ±1.317 out.

    The closed form is six lines, so it is written here rather than adding PROJ (pyproj, a
    30 MB binary) to the server; tests/test_maps.py checks it against PROJ's `eqearth`."""
    return _equal_earth(wrap_longitude(longitude - center_longitude), latitude)


def _equal_earth(relative_longitude: float, latitude: float) -> Point:
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
        if _equal_earth(0.0, middle)[1] < y:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def wrap_longitude(longitude: float) -> float:
    """Longitude into [-180, 180)."""
    return (longitude + 180.0) % 360.0 - 180.0


X_MAX = _equal_earth(180.0, 0.0)[0]
WORLD_SCALE = WORLD_WIDTH / (2 * X_MAX)


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


@cache
def _land_rings() -> list[list[Point]]:
    data = json.loads(LAND_FILE.read_text())
    return [list(zip(ring[::2], ring[1::2], strict=True)) for ring in data["rings"]]


@cache
def _land_bounds() -> list[tuple[float, float, float, float]]:
    """(west, east, south, north) of each land ring, in its continuous longitudes."""
    return [
        (min(lon for lon, _ in ring), max(lon for lon, _ in ring))
        + (min(lat for _, lat in ring), max(lat for _, lat in ring))
        for ring in _land_rings()
    ]


def clip_ring(ring: list[Point], axis: int, bound: float, keep_below: bool) -> list[Point]:
    """The part of a closed ring on one side of the line `coordinate[axis] == bound`.

    Sutherland–Hodgman against one half-plane (hand-written: a dozen lines, no GEOS needed).
    A concave ring cut in two comes back as one ring joined by zero-width edges along the
    line, which is exact for filling and lies on the map's edge."""
    if not ring:
        return []

    def inside(p: Point) -> bool:
        return p[axis] <= bound if keep_below else p[axis] >= bound

    def crossing(a: Point, b: Point) -> Point:
        t = (bound - a[axis]) / (b[axis] - a[axis])
        other = 1 - axis
        point = [0.0, 0.0]
        point[axis] = bound
        point[other] = a[other] + t * (b[other] - a[other])
        return point[0], point[1]

    out: list[Point] = []
    previous = ring[-1]
    for current in ring:
        if inside(current):
            if not inside(previous):
                out.append(crossing(previous, current))
            out.append(current)
        elif inside(previous):
            out.append(crossing(previous, current))
        previous = current
    return out


def _densify_edge(ring: list[Point], longitude: float) -> list[Point]:
    """Points every degree along stretches of the ring that run on the map's edge meridian,
    which Equal Earth draws curved."""
    out: list[Point] = []
    for (lon0, lat0), (lon1, lat1) in zip(ring, ring[1:] + ring[:1], strict=True):
        out.append((lon0, lat0))
        if lon0 == lon1 == longitude and abs(lat1 - lat0) > 1:
            steps = int(abs(lat1 - lat0))
            out += [(lon0, lat0 + (lat1 - lat0) * i / steps) for i in range(1, steps)]
    return out


# A few centres: the home city's for the world maps, and each locator's while its paths are
# made (their paths are then cached by land_path).
@lru_cache(maxsize=4)
def _projected_land(
    center_longitude: float, reach: float = 180.0, south: float = -90.0, north: float = 90.0
) -> tuple[tuple[Point, ...], ...]:
    """Land rings cut at the meridian opposite `center_longitude` and projected; only rings
    that come within `reach` degrees of longitude of the centre and between the latitudes
    `south` and `north` (a locator map needs a few, and projecting all costs ~50 ms).

    The rings' longitudes are continuous (Chukotka runs to 190°, see make_world_map.py), so
    shifting a ring by -360, 0 and +360 and keeping what falls within ±180° of the centre
    cuts it exactly at the antimeridian of the map: no land is smeared across it."""
    projected = []
    for ring, (west, east, ring_south, ring_north) in zip(
        _land_rings(), _land_bounds(), strict=True
    ):
        if ring_north < south or ring_south > north:
            continue
        for turn in (-360.0, 0.0, 360.0):
            low, high = west - center_longitude + turn, east - center_longitude + turn
            if high <= -reach or low >= reach:
                continue
            shifted = [(lon - center_longitude + turn, lat) for lon, lat in ring]
            piece = clip_ring(clip_ring(shifted, 0, 180.0, True), 0, -180.0, False)
            piece = _densify_edge(_densify_edge(piece, 180.0), -180.0)
            if len(piece) >= 3:
                # Longitudes are relative to the centre already; ±180 must stay at the edge
                # it was cut on, so they are projected without wrapping.
                projected.append(tuple(_equal_earth(lon, lat) for lon, lat in piece))
    return tuple(projected)


def _clip_to_view(ring: tuple[Point, ...], view: View) -> list[Point]:
    xs = [x for x, _ in ring]
    ys = [y for _, y in ring]
    if max(xs) < view.west or min(xs) > view.east or max(ys) < view.south or min(ys) > view.north:
        return []
    if (
        min(xs) >= view.west
        and max(xs) <= view.east
        and min(ys) >= view.south
        and max(ys) <= view.north
    ):
        return list(ring)
    # A little outside the view, so that the land's clipped edge is not drawn on the frame.
    margin = 2 / view.scale
    clipped = list(ring)
    for axis, bound, keep_below in (
        (0, view.east + margin, True),
        (0, view.west - margin, False),
        (1, view.north + margin, True),
        (1, view.south - margin, False),
    ):
        clipped = clip_ring(clipped, axis, bound, keep_below)
    return clipped


@lru_cache(maxsize=128)
def land_path(view: View) -> str:
    """SVG path data of the land in `view`, one decimal, relative moves after the first."""
    return _rings_path(_projected_land(view.center_longitude, *view.land_reach), view)


@lru_cache(maxsize=128)
def sphere_path(view: View) -> str:
    """SVG path data of the whole globe's outline (the sea) in `view`."""
    latitudes = range(90, -91, -1)
    ring = [_equal_earth(180.0, lat) for lat in latitudes]
    ring += [_equal_earth(-180.0, -lat) for lat in latitudes]
    return _rings_path((tuple(ring),), view)


def _rings_path(rings: tuple[tuple[Point, ...], ...], view: View) -> str:
    parts = []
    for ring in rings:
        clipped = _clip_to_view(ring, view)
        if len(clipped) < 3:
            continue
        points = []
        for x, y in clipped:
            sx, sy = view.to_svg(x, y)
            rounded = (round(sx * 10), round(sy * 10))
            if not points or rounded != points[-1]:
                points.append(rounded)
        if len(points) < 3:
            continue
        (x0, y0), commands = points[0], []
        for (xa, ya), (xb, yb) in zip(points, points[1:], strict=False):
            commands.append(f"{_signed(xb - xa)}{_signed(yb - ya)}")
        parts.append(f"M{_tenths(x0)} {_tenths(y0)}l" + "".join(commands).lstrip() + "z")
    return "".join(parts)


def _tenths(value: int) -> str:
    """An integer count of tenths as the shortest SVG number: 15 -> 1.5, -3 -> -.3, 20 -> 2."""
    sign = "-" if value < 0 else ""
    whole, tenth = divmod(abs(value), 10)
    if tenth == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


def _signed(value: int) -> str:
    text = _tenths(value)
    return text if text.startswith("-") else f" {text}"


class Place(Protocol):
    latitude: object
    longitude: object


def has_coordinates(place: Place | None) -> bool:
    return place is not None and place.latitude is not None and place.longitude is not None


def coordinates(place: Place) -> Point:
    """(longitude, latitude) in degrees as floats."""
    return float(place.longitude), float(place.latitude)


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


@lru_cache(maxsize=1024)
def route_path(view: View, start: Point, end: Point) -> str:
    """SVG path data of the great circle from start to end ((lon, lat) degrees) in `view`."""
    return line_path(view, great_circle(start, end))


def line_path(view: View, points: list[Point]) -> str:
    """SVG path data through (lon, lat) points; a new stroke where the line would jump across
    the map (a line from the centre never crosses the map's edge, other lines may)."""
    parts = []
    previous = None
    half_width = view.width / 2
    for lon, lat in points:
        x, y = view.point(lon, lat)
        jump = previous is not None and abs(x - previous[0]) > half_width
        parts.append(f"{'M' if previous is None or jump else 'L'}{x:.1f} {y:.1f}")
        previous = (x, y)
    return "".join(parts)


def initial_bearing(start: Point, end: Point) -> float:
    """Degrees clockwise from north of the great circle leaving start towards end."""
    (lon1, lat1), (lon2, lat2) = start, end
    phi1, phi2, dlam = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    y = math.sin(dlam) * math.cos(phi2)
    x = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlam)
    return math.degrees(math.atan2(y, x)) % 360


COMPASS_POINTS = 16


def compass_point(bearing: float) -> int:
    """Index 0-15 of the nearest of the 16 compass points (0 = north, 4 = east)."""
    return round(bearing / (360 / COMPASS_POINTS)) % COMPASS_POINTS


@dataclass
class Marker:
    """A partner's symbol: centre (x, y) and `size` (radius of its circle) in user units."""

    city: object
    x: float
    y: float
    shape: str  # "circle" (sister), "triangle" (friendly), "square" (no current agreement)
    size: float
    linked: bool = True

    @property
    def points(self) -> str:
        """Corners of the triangle or square, for <polygon points>; the same area as the
        circle, so no kind looks more important."""
        r = self.size
        if self.shape == "triangle":
            side = r * math.sqrt(4 * math.pi / math.sqrt(3))
            height = side * math.sqrt(3) / 2
            corners = [
                (self.x, self.y - height * 2 / 3),
                (self.x + side / 2, self.y + height / 3),
                (self.x - side / 2, self.y + height / 3),
            ]
        else:
            half = r * math.sqrt(math.pi) / 2
            corners = [
                (self.x - half, self.y - half),
                (self.x + half, self.y - half),
                (self.x + half, self.y + half),
                (self.x - half, self.y + half),
            ]
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in corners)


def star_points(x: float, y: float, radius: float) -> str:
    """A five-pointed star centred on (x, y), for the home city."""
    corners = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.45
        angle = math.pi * i / 5
        corners.append((x + r * math.sin(angle), y - r * math.cos(angle)))
    return " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in corners)


KIND_SHAPES = {Kind.SISTER: "circle", Kind.FRIENDLY: "triangle"}


def marker_shape(kind: str | None) -> str:
    return KIND_SHAPES.get(kind, "square")


@dataclass
class Panel:
    """One SVG: its view, sea and land, the linked markers in reading order, and decoration:
    `dots` (partners drawn linked in the other panel), great-circle `lines`, the home city's
    star, the other panel's `frame` (x, y, width, height) and an `arrow` (polygon points)."""

    view: View
    marker_size: float
    markers: list[Marker] = field(default_factory=list)
    dots: list[Marker] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    home: Point | None = None
    frame: tuple[float, float, float, float] | None = None
    arrow: str = ""

    @property
    def sea(self) -> str:
        return sphere_path(self.view)

    @property
    def land(self) -> str:
        return land_path(self.view)

    @property
    def home_star(self) -> str:
        return star_points(*self.home, self.marker_size * 1.8) if self.home else ""

    def place(self, cities: list, linked: bool = True, size: float | None = None) -> list[Marker]:
        """Markers for `cities`, west to east then north to south: the reading and Tab order."""
        markers = []
        for city in cities:
            x, y = self.view.point(*coordinates(city))
            shape = marker_shape(getattr(city, "current_kind", None))
            markers.append(
                Marker(city, round(x, 1), round(y, 1), shape, size or self.marker_size, linked)
            )
        markers.sort(key=lambda marker: (round(marker.x / (4 * self.marker_size)), marker.y))
        return markers


@dataclass
class WorldMap:
    world: Panel
    region: Panel | None
    cities: list  # every partner drawn, in the order of the markers' links
    missing: list  # partners without coordinates: listed, not drawn


def world_view(center_longitude: float, extra: list[Point] = ()) -> View:
    """The whole world centred on `center_longitude`, 84° N to 58° S, widened north or south
    to take in any `extra` (lon, lat) point."""
    north = max([WORLD_NORTH, *(lat for _, lat in extra)])
    south = min([WORLD_SOUTH, *(lat for _, lat in extra)])
    return View(
        center_longitude=center_longitude,
        west=-X_MAX,
        east=X_MAX,
        south=equal_earth(0, south)[1] - 0.01,
        north=equal_earth(0, north)[1] + 0.01,
        scale=WORLD_SCALE,
    )


def region_view(center_longitude: float, home: Point, near: list[Point]) -> View:
    """A rectangle round the home city and the partners near it, between REGION_ASPECT_MIN
    and REGION_ASPECT_MAX as wide as it is tall, at least REGION_MIN_SPAN_KM across, with a
    margin for the markers; REGION_WIDTH units wide."""
    xs, ys = zip(
        *(equal_earth(lon, lat, center_longitude) for lon, lat in [home, *near]), strict=True
    )
    min_span = REGION_MIN_SPAN_KM / EARTH_RADIUS_KM
    width = max(max(xs) - min(xs), min_span) * 1.1 + 0.08
    height = max(max(ys) - min(ys), min_span) * 1.1 + 0.08
    # The shape follows the partners (portrait for Daejeon's, Vietnam to Mongolia) within
    # limits, so that the panel zooms as far as it can without growing too tall or flat.
    aspect = min(max(width / height, REGION_ASPECT_MIN), REGION_ASPECT_MAX)
    width, height = max(width, height * aspect), max(height, width / aspect)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return View(
        center_longitude=center_longitude,
        west=cx - width / 2,
        east=cx + width / 2,
        south=cy - height / 2,
        north=cy + height / 2,
        scale=REGION_WIDTH / width,
    )


def world_map(cities: list, home: Place | None) -> WorldMap:
    """The world map of `cities` (rows from with_current_agreement()), with the home city's
    region zoomed in a second panel when it has partners within REGION_RADIUS_KM.

    Without a home city the map is centred on the Greenwich meridian and has no panel.
    Partners without coordinates are returned in `missing`, to be listed beside the map."""
    placed = [city for city in cities if has_coordinates(city)]
    missing = [city for city in cities if not has_coordinates(city)]
    home_point = coordinates(home) if has_coordinates(home) else None
    center = round(home_point[0], 2) if home_point else 0.0
    world = Panel(world_view(center, [coordinates(city) for city in placed]), WORLD_MARKER)

    near = []
    if home_point:
        near = [
            city
            for city in placed
            if haversine_km(home_point[1], home_point[0], *reversed(coordinates(city)))
            <= REGION_RADIUS_KM
        ]
    world.markers = world.place([city for city in placed if city not in near])
    world.dots = world.place(near, linked=False, size=WORLD_MARKER * 0.6)
    region = None
    if home_point:
        world.home = world.view.point(*home_point)
        world.lines = [route_path(world.view, home_point, coordinates(city)) for city in placed]
    if near:
        zoom = region_view(center, home_point, [coordinates(city) for city in near])
        region = Panel(zoom, REGION_MARKER)
        region.markers = region.place(near)
        region.home = zoom.point(*home_point)
        region.lines = [route_path(zoom, home_point, coordinates(city)) for city in near]
        west, north = world.view.to_svg(zoom.west, zoom.north)
        east, south = world.view.to_svg(zoom.east, zoom.south)
        world.frame = (
            round(west, 1),
            round(north, 1),
            round(east - west, 1),
            round(south - north, 1),
        )
    ordered = [marker.city for marker in world.markers]
    if region:
        ordered += [marker.city for marker in region.markers]
    return WorldMap(world=world, region=region, cities=ordered, missing=missing)


@dataclass
class LocatorMap:
    panel: Panel
    distance_km: int | None
    compass: int | None  # index into the 16 compass points, from the partner to the home city


def locator_map(city: Place, home: Place | None) -> LocatorMap | None:
    """The partner's region, about 50° of longitude wide and centred on it, the partner
    marked, and the great circle towards the home city with an arrowhead where it leaves the
    view (or the home city's star when it is in view). None without coordinates."""
    if not has_coordinates(city):
        return None
    lon, lat = coordinates(city)
    center = round(lon, 2)
    _, y = equal_earth(lon, lat, center)
    half_height = LOCATOR_HALF_WIDTH / LOCATOR_ASPECT
    top = _equal_earth(0, 90)[1]
    # Near a pole the window stops at the map's top or bottom edge.
    y = max(-top + half_height, min(top - half_height, y))
    south, north = latitude_at(y - half_height), latitude_at(y + half_height)
    # Degrees of longitude the view spans where meridians are closest: at its poleward edge.
    widest = max(abs(south), abs(north))
    reach = min(180.0, LOCATOR_HALF_WIDTH / _equal_earth(1.0, widest)[0] + 1.0)
    view = View(
        center_longitude=center,
        west=-LOCATOR_HALF_WIDTH,
        east=LOCATOR_HALF_WIDTH,
        south=y - half_height,
        north=y + half_height,
        scale=LOCATOR_WIDTH / (2 * LOCATOR_HALF_WIDTH),
        land_reach=(reach, south - 1.0, north + 1.0),
    )
    panel = Panel(view, LOCATOR_MARKER)
    panel.markers = panel.place([city], linked=False)
    distance = compass = None
    if has_coordinates(home):
        home_point = coordinates(home)
        distance = round(haversine_km(lat, lon, home_point[1], home_point[0]))
        if distance > 0:
            compass = compass_point(initial_bearing((lon, lat), home_point))
            route = great_circle((lon, lat), home_point)
            inside = list(itertools.takewhile(lambda p: view.contains(*p), route))
            panel.lines = [line_path(view, inside)]
            if view.contains(*home_point):
                panel.home = view.point(*home_point)
            elif len(inside) >= 2:
                panel.arrow = arrow_points(view, inside[-2], inside[-1], LOCATOR_MARKER * 1.6)
    return LocatorMap(panel=panel, distance_km=distance, compass=compass)


def arrow_points(view: View, before: Point, tip: Point, length: float) -> str:
    """An arrowhead at `tip` pointing away from `before` ((lon, lat) points), for <polygon>."""
    (x0, y0), (x1, y1) = view.point(*before), view.point(*tip)
    angle = math.atan2(y1 - y0, x1 - x0)
    corners = [(x1, y1)]
    for side in (-1, 1):
        a = angle + math.pi + side * math.radians(28)
        corners.append((x1 + length * math.cos(a), y1 + length * math.sin(a)))
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in corners)
