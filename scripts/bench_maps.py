"""Benchmark the server-drawn maps over the demo partners (fixtures/daejeon.json), no database.

    DJANGO_DEBUG=1 .venv/bin/python scripts/bench_maps.py

Prints the time to draw the world map with the land not yet projected (the first page after a
start or after the home city moves) and again from the cache, the same for the 34 locator
maps, and the world map's size in the page, raw and gzipped. It asserts nothing.
"""

import gzip
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def demo_partners() -> tuple[list, object]:
    """Unsaved City rows (with current_kind) and the HomeCity of the demo fixtures."""
    from partners.models import City, Country, HomeCity

    countries = {
        row["fields"]["iso_code"]: Country(**row["fields"])
        for row in json.loads((ROOT / "fixtures/countries.json").read_text())
    }
    rows = json.loads((ROOT / "fixtures/daejeon.json").read_text())
    kinds = {
        row["fields"]["city"][0]: row["fields"]["kind"]
        for row in rows
        if row["model"] == "partners.agreement"
    }
    cities, home = [], None
    for row in rows:
        fields = dict(row["fields"])
        if row["model"] == "partners.city":
            fields["country"] = countries[fields["country"][0]]
            city = City(**fields)
            city.current_kind = kinds.get(city.slug)
            cities.append(city)
        elif row["model"] == "partners.homecity":
            home = HomeCity(**fields)
    return cities, home


def timed(function, repeat: int = 1) -> float:
    """Milliseconds per call."""
    start = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - start) * 1000 / repeat


def clear_caches() -> None:
    from partners.maps import paths

    for cached in (paths._projected_land, paths.land_path, paths.sphere_path, paths.route_path):
        cached.cache_clear()


def main() -> None:
    import django

    django.setup()
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.utils import translation

    from partners import maps
    from partners.templatetags.maps import world_map

    cities, home = demo_partners()

    def draw_world() -> None:
        drawn = maps.world_map(cities, home)
        for panel in (drawn.world, drawn.region):
            panel.land, panel.sea  # noqa: B018  (the SVG path data the template reads)

    def draw_locators() -> None:
        for city in cities:
            locator = maps.locator_map(city, home)
            locator.panel.land  # noqa: B018

    clear_caches()
    cold = timed(draw_world)
    warm = timed(draw_world, repeat=20)
    print(f"world map, {len(cities)} partners: {cold:.1f} ms cold, {warm:.1f} ms warm")
    clear_caches()
    cold = timed(draw_locators)
    warm = timed(draw_locators, repeat=5)
    print(f"34 locator maps: {cold:.1f} ms cold, {warm:.1f} ms warm ({warm / 34:.2f} ms each)")

    request = RequestFactory().get("/ko/")
    request._home_city = home
    with translation.override("ko"):
        html = render_to_string("includes/world_map.html", world_map({"request": request}, cities))
    raw, packed = len(html.encode()), len(gzip.compress(html.encode()))
    print(f"world map in the page: {raw / 1024:.1f} KB, {packed / 1024:.1f} KB gzipped")


if __name__ == "__main__":
    main()
