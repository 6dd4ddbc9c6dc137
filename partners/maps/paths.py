"""SVG path data of the maps in a View: the land (Natural Earth 1:110m,
partners/data/land-110m.json, made by scripts/make_world_map.py), the globe's outline, and
great-circle routes.

The land is kept unprojected because the map's centre comes from content; each centre's
projected land is cached in memory (`_projected_land`), so only the first page after a start,
or after the home city moves, pays for projecting its 4,000 points (scripts/bench_maps.py:
tens of milliseconds; well under 1 ms a page once warm)."""

import json
from functools import cache, lru_cache
from pathlib import Path

from .projection import Point, View, equal_earth_relative, great_circle

LAND_FILE = Path(__file__).resolve().parent.parent / "data" / "land-110m.json"


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
                projected.append(tuple(equal_earth_relative(lon, lat) for lon, lat in piece))
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
    ring = [equal_earth_relative(180.0, lat) for lat in latitudes]
    ring += [equal_earth_relative(-180.0, -lat) for lat in latitudes]
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
