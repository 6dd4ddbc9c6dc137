"""Maps drawn on the server as SVG (no script, no tiles, no network): the world map of the
partners centred on the home city's longitude, with the home city's region enlarged, and each
partner's locator map.

- projection: Equal Earth, the views and great circles;
- paths: SVG path data of the land, the globe and the routes in a view;
- panels: markers, panels and the two kinds of map the templates draw.
"""

from .panels import REGION_RADIUS_KM, LocatorMap, WorldMap, locator_map, world_map, world_view
from .paths import land_path, route_path, sphere_path
from .projection import View, equal_earth

__all__ = [
    "REGION_RADIUS_KM",
    "LocatorMap",
    "View",
    "WorldMap",
    "equal_earth",
    "land_path",
    "locator_map",
    "route_path",
    "sphere_path",
    "world_map",
    "world_view",
]
