"""The maps as the templates draw them: the world map of the partners with a zoomed panel of
the home city's region, and the locator map of one partner. SVG user units throughout: a
world map is WORLD_WIDTH units wide."""

import itertools
import math
from dataclasses import dataclass, field
from typing import Protocol

from django.utils.safestring import SafeString

from partners.models import Kind
from partners.models.partners import EARTH_RADIUS_KM, haversine_km

from .paths import land_path, line_path, route_path, sphere_path
from .projection import (
    X_MAX,
    Point,
    View,
    compass_point,
    equal_earth,
    equal_earth_relative,
    great_circle,
    initial_bearing,
    latitude_at,
)

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


WORLD_SCALE = WORLD_WIDTH / (2 * X_MAX)


class Place(Protocol):
    latitude: object
    longitude: object


def has_coordinates(place: Place | None) -> bool:
    return place is not None and place.latitude is not None and place.longitude is not None


def coordinates(place: Place) -> Point:
    """(longitude, latitude) in degrees as floats."""
    return float(place.longitude), float(place.latitude)


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

    # Path data (numbers, letters, spaces) has nothing to escape: marked safe, the templates
    # no longer escape the world's 26 KB of land on every page (40 µs).
    @property
    def sea(self) -> SafeString:
        return SafeString(sphere_path(self.view))

    @property
    def land(self) -> SafeString:
        return SafeString(land_path(self.view))

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
    """The world map of `cities` (partners with their stored current_kind), with the home city's
    region zoomed in a second panel when it has partners within REGION_RADIUS_KM.

    Without a home city the map is centred on the Greenwich meridian and has no panel.
    Partners without coordinates are returned in `missing`, to be listed beside the map."""
    placed = [city for city in cities if has_coordinates(city)]
    missing = [city for city in cities if not has_coordinates(city)]
    # Each partner's (lon, lat) converted once (from Decimal), not for each use below.
    points = {id(city): coordinates(city) for city in placed}
    home_point = coordinates(home) if has_coordinates(home) else None
    center = round(home_point[0], 2) if home_point else 0.0
    world = Panel(world_view(center, list(points.values())), WORLD_MARKER)

    near = []
    if home_point:
        near = [
            city
            for city in placed
            if haversine_km(home_point[1], home_point[0], *reversed(points[id(city)]))
            <= REGION_RADIUS_KM
        ]
    # By identity: `city not in near` compared model instances, pk by pk, some 400 times.
    near_ids = {id(city) for city in near}
    world.markers = world.place([city for city in placed if id(city) not in near_ids])
    world.dots = world.place(near, linked=False, size=WORLD_MARKER * 0.6)
    region = None
    if home_point:
        world.home = world.view.point(*home_point)
        world.lines = [route_path(world.view, home_point, points[id(city)]) for city in placed]
    if near:
        zoom = region_view(center, home_point, [points[id(city)] for city in near])
        region = Panel(zoom, REGION_MARKER)
        region.markers = region.place(near)
        region.home = zoom.point(*home_point)
        region.lines = [route_path(zoom, home_point, points[id(city)]) for city in near]
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
    top = equal_earth_relative(0, 90)[1]
    # Near a pole the window stops at the map's top or bottom edge.
    y = max(-top + half_height, min(top - half_height, y))
    south, north = latitude_at(y - half_height), latitude_at(y + half_height)
    # Degrees of longitude the view spans where meridians are closest: at its poleward edge.
    widest = max(abs(south), abs(north))
    reach = min(180.0, LOCATOR_HALF_WIDTH / equal_earth_relative(1.0, widest)[0] + 1.0)
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
