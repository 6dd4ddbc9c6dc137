"""Write partners/data/land-110m.json: the world's land as rings of (longitude, latitude)
that a flat map can cut at any meridian, for partners/maps/.

Source: Natural Earth 1:110m land (public domain), as the TopoJSON `land-110m.json` of the
npm package world-atlas (ISC licence). Fetch it once into the git-ignored .cache/:

    npm install --prefix .cache/world-atlas --no-audit --no-fund world-atlas@2.0.2

Run: .venv/bin/python scripts/make_world_map.py [--source PATH] [--output PATH]

What the script does to the data, and why:
- decodes the TopoJSON arcs (quantized, delta-encoded) into rings;
- world-atlas rings are spherical: one that crosses the antimeridian jumps from +180 to -180.
  Each ring is unwrapped so its longitudes run on continuously (Chukotka reaches 190), and
  the ring round the South Pole (Antarctica) is closed along the pole line. The map then
  shifts the rings to its own centre and cuts them at its own edge (partners/maps/paths.py);
- simplifies each ring (Ramer–Douglas–Peucker, tolerance TOLERANCE_DEGREES) and drops
  islands smaller than MIN_AREA_SQ_DEGREES, which a 1,000-unit-wide world map cannot show;
- rounds to two decimals (about 1 km) and writes one compact JSON file.
"""

import argparse
import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT / ".cache/world-atlas/node_modules/world-atlas/land-110m.json"
DEFAULT_OUTPUT = ROOT / "partners/data/land-110m.json"

# 0.1° is 0.28 units on a 1,000-unit-wide world map and 1.4 units on the 5x regional panel.
TOLERANCE_DEGREES = 0.1
MIN_AREA_SQ_DEGREES = 0.05

Point = tuple[float, float]


def decode_arcs(topology: dict) -> list[list[Point]]:
    """TopoJSON arcs as absolute (lon, lat) points (TopoJSON spec 2.1.3 and 2.2).

    Decoded here because it is a dozen lines; topojson-client is JavaScript only."""
    (scale_x, scale_y), (shift_x, shift_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring_points(arcs: list[list[Point]], indexes: list[int]) -> list[Point]:
    """A ring from arc indexes; a negative index ~i means arc i reversed; shared ends once."""
    ring: list[Point] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def unwrap(ring: list[Point]) -> list[Point]:
    """Longitudes made continuous across the antimeridian; a ring that goes once round the
    pole (its longitudes end 360° from where they began) is closed along that pole."""
    out = [ring[0]]
    offset = 0.0
    for (lon0, _), (lon1, lat1) in zip(ring, ring[1:], strict=False):
        if lon1 - lon0 > 180:
            offset -= 360
        elif lon1 - lon0 < -180:
            offset += 360
        out.append((lon1 + offset, lat1))
    if abs(offset) > 180:
        pole = -90.0 if sum(lat for _, lat in ring) < 0 else 90.0
        out += [(out[-1][0], pole), (out[0][0], pole)]
    return out


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Ramer–Douglas–Peucker on an open polyline (hand-written: 15 lines, for a build script)."""
    if len(points) < 3:
        return points
    (x0, y0), (x1, y1) = points[0], points[-1]
    length = math.hypot(x1 - x0, y1 - y0)
    distances = [
        abs((x1 - x0) * (y0 - y) - (x0 - x) * (y1 - y0)) / length
        if length
        else math.hypot(x - x0, y - y0)
        for x, y in points[1:-1]
    ]
    farthest = max(range(len(distances)), key=distances.__getitem__)
    if distances[farthest] <= tolerance:
        return [points[0], points[-1]]
    split = farthest + 1
    return simplify(points[: split + 1], tolerance)[:-1] + simplify(points[split:], tolerance)


def area(ring: list[Point]) -> float:
    return abs(
        sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))
        / 2
    )


def simplify_ring(ring: list[Point]) -> list[Point]:
    # Split at the point farthest from the start so that both halves are open polylines.
    far = max(range(len(ring)), key=lambda i: math.dist(ring[0], ring[i]))
    return simplify(ring[: far + 1], TOLERANCE_DEGREES)[:-1] + simplify(
        ring[far:], TOLERANCE_DEGREES
    )


def land_rings(topology: dict) -> list[list[Point]]:
    arcs = decode_arcs(topology)
    rings = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for indexes in polygon:
                ring = unwrap(ring_points(arcs, indexes))
                if area(ring) < MIN_AREA_SQ_DEGREES:
                    continue
                ring = simplify_ring(ring)
                if ring[-1] == ring[0]:
                    ring = ring[:-1]
                rounded = [(round(lon, 2), round(lat, 2)) for lon, lat in ring]
                if len(rounded) >= 3:
                    rings.append(rounded)
    return rings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    topology = json.loads(args.source.read_text())
    rings = land_rings(topology)
    document = {
        "source": "Natural Earth 1:110m land (public domain), via npm world-atlas 2.0.2 "
        "land-110m.json; made by scripts/make_world_map.py",
        "rings": [[coordinate for point in ring for coordinate in point] for ring in rings],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, separators=(",", ":")) + "\n")
    points = sum(len(ring) for ring in rings)
    print(f"{args.output}: {len(rings)} rings, {points} points")


if __name__ == "__main__":
    main()
