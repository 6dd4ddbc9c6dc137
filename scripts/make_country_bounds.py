"""Write partners/data/country-bounds.json: for each country (ISO 3166-1 alpha-2), the
bounding boxes of its land parts, for the data check "coordinates outside the partner's
country" (partners/checks/places.py).

Source: Natural Earth 1:50m admin-0 countries (public domain), as the TopoJSON
`countries-50m.json` of the npm package world-atlas (ISC licence), whose ids are ISO 3166-1
numeric codes, turned into alpha-2 codes with pycountry. Fetch it once into the git-ignored
.cache/:

    npm install --prefix .cache/world-atlas --no-audit --no-fund world-atlas@2.0.2

Run: .venv/bin/python scripts/make_country_bounds.py [--source PATH] [--output PATH]

One box per part (polygon), not one per country: France's box would otherwise stretch from
French Guiana to Réunion and hold most of the Atlantic. Each box is widened by
MARGIN_DEGREES, because the 1:50m coast is simplified and a harbour city's centre can fall
just off it. Boxes of parts that cross the antimeridian keep continuous longitudes (east may
exceed 180), as scripts/make_world_map.py unwraps them. 1:50m rather than 1:110m because
1:110m leaves out small countries such as Seychelles.
"""

import argparse
import json
import sys
from pathlib import Path

import pycountry

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_world_map import ROOT, decode_arcs, ring_points, unwrap  # noqa: E402

DEFAULT_SOURCE = ROOT / ".cache/world-atlas/node_modules/world-atlas/countries-50m.json"
DEFAULT_OUTPUT = ROOT / "partners/data/country-bounds.json"
# About 25 km: more than the 1:50m coast's simplification, less than most borders' wiggle.
MARGIN_DEGREES = 0.25


def part_boxes(geometry: dict, arcs: list) -> list[list[float]]:
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    boxes = []
    for polygon in polygons:
        ring = unwrap(ring_points(arcs, polygon[0]))
        lons, lats = [lon for lon, _ in ring], [lat for _, lat in ring]
        boxes.append(
            [
                round(min(lons) - MARGIN_DEGREES, 2),
                round(max(-90.0, min(lats) - MARGIN_DEGREES), 2),
                round(max(lons) + MARGIN_DEGREES, 2),
                round(min(90.0, max(lats) + MARGIN_DEGREES), 2),
            ]
        )
    return boxes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    topology = json.loads(args.source.read_text())
    arcs = decode_arcs(topology)
    bounds: dict[str, list] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        country = pycountry.countries.get(numeric=str(geometry.get("id", "")))
        if country is None or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue  # Kosovo, Northern Cyprus and other shapes without an ISO number
        bounds.setdefault(country.alpha_2, []).extend(part_boxes(geometry, arcs))
    document = {
        "source": "Natural Earth 1:50m admin-0 countries (public domain), via npm world-atlas "
        "2.0.2 countries-50m.json; one box [west, south, east, north] per land part, widened "
        f"by {MARGIN_DEGREES} degrees; made by scripts/make_country_bounds.py",
        "countries": dict(sorted(bounds.items())),
    }
    args.output.write_text(json.dumps(document, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
