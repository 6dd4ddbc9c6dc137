"""The world map, the regional panel and the locator map (partners/maps/), checked against
PROJ (pyproj) and against the pages a visitor sees."""

import datetime
import gzip
import re

import pytest
from django.core.management import call_command
from pyproj import Geod, Transformer

from partners.models import City
from tests.factories import make_agreement, make_city, make_home_city

DAEJEON_LONGITUDE = 127.3845
# PROJ's sphere of the same radius as the portal's distances (EARTH_RADIUS_KM).
SPHERE = Geod(a=6_371_008.8, b=6_371_008.8)


def proj_equal_earth(longitude: float, latitude: float, center: float) -> tuple[float, float]:
    """PROJ's Equal Earth on the unit sphere: the reference implementation."""
    transformer = Transformer.from_crs(
        "+proj=longlat +R=1 +no_defs",
        f"+proj=eqearth +lon_0={center} +R=1 +no_defs",
        always_xy=True,
    )
    return transformer.transform(longitude, latitude)


def panel(html: str, name: str) -> str:
    """The <svg class="map map--NAME"> element of a page."""
    match = re.search(rf'<svg class="map map--{name}".*?</svg>', html, flags=re.S)
    assert match, f"no {name} map on the page"
    return match.group(0)


def view_box(svg: str) -> tuple[float, float]:
    width, height = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups()
    return float(width), float(height)


def markers(svg: str) -> dict[str, tuple[float, float, str]]:
    """Each linked marker: href -> (x, y) of its symbol's centre and its accessible name."""
    found = {}
    for href, label, symbol in re.findall(
        r'<a class="map__marker" href="([^"]+)" aria-label="([^"]+)"><title>[^<]*</title>'
        r"(<circle[^>]*>|<polygon[^>]*>)\s*</a>",
        svg,
    ):
        if symbol.startswith("<circle"):
            x, y = (float(re.search(rf'{a}="([-\d.]+)"', symbol).group(1)) for a in ("cx", "cy"))
        else:
            corners = [
                tuple(map(float, pair.split(",")))
                for pair in re.search(r'points="([^"]+)"', symbol).group(1).split()
            ]
            x = sum(c[0] for c in corners) / len(corners)
            y = sum(c[1] for c in corners) / len(corners)
        found[href] = (x, y, label)
    return found


@pytest.fixture
def across_the_pacific(db) -> None:
    """Daejeon at home, and partners on both sides of its antimeridian (127.4 - 180 = -52.6)."""
    make_home_city()
    make_city("Seattle", "US", kind="sister", latitude="47.606200", longitude="-122.332100")
    make_city("Calgary", "CA", kind="sister", latitude="51.044700", longitude="-114.071900")
    make_city("Brisbane", "AU", kind="sister", latitude="-27.469800", longitude="153.025100")
    make_city("Frankfurt", "DE", kind="friendly", latitude="50.110900", longitude="8.682100")
    make_city("Sapporo", "JP", kind="sister", latitude="43.061800", longitude="141.354500")


@pytest.mark.parametrize("center", [DAEJEON_LONGITUDE, -77.0, 0.0, 180.0])
@pytest.mark.parametrize(
    ("name", "longitude", "latitude"),
    [
        ("Seattle", -122.3321, 47.6062),
        ("Calgary", -114.0719, 51.0447),
        ("Brisbane", 153.0251, -27.4698),
        ("Ushuaia", -68.3, -54.8),
        ("North Pole", 10.0, 90.0),
    ],
)
def test_the_projection_is_proj_equal_earth(name, longitude, latitude, center):
    from partners.maps import equal_earth

    ours = equal_earth(longitude, latitude, center)
    # Points exactly on the map's edge may land on either side; none of these is.
    assert ours == pytest.approx(proj_equal_earth(longitude, latitude, center), abs=1e-9), name


def test_each_marker_is_at_its_projected_position_within_one_pixel(client, across_the_pacific):
    svg = panel(client.get("/en/").text, "world")
    width, _ = view_box(svg)
    # The world map is the whole globe across: its width is twice PROJ's x of the antimeridian.
    scale = width / (2 * proj_equal_earth(DAEJEON_LONGITUDE + 180 - 1e-9, 0, DAEJEON_LONGITUDE)[0])
    found = markers(svg)
    places = {
        "/en/partners/seattle/": (-122.3321, 47.6062),
        "/en/partners/calgary/": (-114.0719, 51.0447),
        "/en/partners/brisbane/": (153.0251, -27.4698),
        "/en/partners/frankfurt/": (8.6821, 50.1109),
    }
    assert set(found) == set(places)
    reference_x, reference_y = proj_equal_earth(*places["/en/partners/seattle/"], DAEJEON_LONGITUDE)
    for href, (lon, lat) in places.items():
        px, py = proj_equal_earth(lon, lat, DAEJEON_LONGITUDE)
        x, y, _ = found[href]
        assert x == pytest.approx(width / 2 + px * scale, abs=1), href
        # The map's top edge is the map's choice; distances between markers are not.
        assert y - found["/en/partners/seattle/"][1] == pytest.approx(
            (reference_y - py) * scale, abs=1
        ), href
    # Pacific-centred: the Americas are east of Korea, Brisbane south-east, Frankfurt west.
    assert found["/en/partners/seattle/"][0] > width / 2
    assert found["/en/partners/calgary/"][0] > width / 2
    assert width / 2 < found["/en/partners/brisbane/"][0] < found["/en/partners/seattle/"][0]
    assert found["/en/partners/frankfurt/"][0] < width / 2


def test_the_regional_panel_draws_its_partners_in_the_same_projection(client, db):
    call_command("loaddata", "countries", "daejeon", verbosity=0)
    svg = panel(client.get("/en/").text, "region")
    found = markers(svg)
    cities = {city.get_absolute_url(): city for city in City.objects.all()}
    projected = {
        href: proj_equal_earth(
            float(cities[href].longitude), float(cities[href].latitude), 127.3845
        )
        for href in found
    }
    # Scale and offset from two partners; every other partner must then fall within 1 unit.
    (a, b) = ("/en/partners/sapporo/", "/en/partners/binh-duong-province/")
    scale = (found[b][0] - found[a][0]) / (projected[b][0] - projected[a][0])
    for href, (x, y, _) in found.items():
        assert x - found[a][0] == pytest.approx(
            (projected[href][0] - projected[a][0]) * scale, abs=1
        )
        assert y - found[a][1] == pytest.approx(
            (projected[a][1] - projected[href][1]) * scale, abs=1
        )


def test_east_asia_is_enlarged_so_that_its_markers_do_not_overlap(client, db):
    call_command("loaddata", "countries", "daejeon", verbosity=0)
    html = client.get("/en/").text
    region = markers(panel(html, "region"))
    names = {label.split(",")[0] for _, _, label in region.values()}
    # The count: 6 partners in China, 3 in Japan, 2 in Vietnam.
    for country, count in [("China", 6), ("Japan", 3), ("Vietnam", 2)]:
        assert sum(f", {country}:" in label for _, _, label in region.values()) == count, country
    assert {"Qingdao", "Jinan", "Nanjing", "Hefei", "Ohda", "Tsukuba"} <= names
    # Markers are 7 units in radius: centres at least one radius apart stay told apart.
    points = [(x, y) for x, y, _ in region.values()]
    closest = min(
        ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5
        for i, (x1, y1) in enumerate(points)
        for x2, y2 in points[i + 1 :]
    )
    assert closest >= 7, closest
    # Each partner is one link on the page: in the world panel or in the enlarged one.
    world = markers(panel(html, "world"))
    assert not set(world) & set(region)
    assert len(world) + len(region) == 34


@pytest.mark.parametrize("center", [DAEJEON_LONGITUDE, -122.3, 0.0, 180.0, -180.0, 100.0])
def test_no_land_is_smeared_across_the_map(center):
    from partners.maps import land_path, world_view

    view = world_view(center)
    width, height = view.width, view.height
    long_segments = []
    for ring in land_rings(land_path(view)):
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            # Cuts along the map's frame (84° N, 58° S) may run long; nothing else may.
            on_frame = min(y0, y1) <= 0 or max(y0, y1) >= height
            if abs(x1 - x0) > width / 4 and not on_frame:
                long_segments.append((x0, y0, x1, y1))
    assert not long_segments, long_segments[:3]


def land_rings(path: str) -> list[list[tuple[float, float]]]:
    """Absolute points of each ring of SVG path data made of M and relative l commands."""
    rings = []
    for subpath in re.findall(r"M[^M]+", path):
        numbers = [float(n) for n in re.findall(r"-?\d*\.?\d+", subpath)]
        x, y = numbers[0], numbers[1]
        ring = [(x, y)]
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
            x, y = x + dx, y + dy
            ring.append((x, y))
        rings.append(ring)
    return rings


def test_a_continent_on_the_antimeridian_is_cut_at_both_edges_of_the_map():
    """Centred on 10° W the map's edge is 170° E, which runs through Chukotka: Russia's land
    must end on that meridian at the right edge and go on from it at the left edge."""
    from partners.maps import land_path, world_view

    view = world_view(-10.0)
    to_lonlat = Transformer.from_crs(
        "+proj=eqearth +lon_0=-10 +R=1 +no_defs", "+proj=longlat +R=1 +no_defs", always_xy=True
    )
    on_edge = {"left": 0, "right": 0}
    for x, y in (point for ring in land_rings(land_path(view)) for point in ring):
        lon, lat = to_lonlat.transform(x / view.scale + view.west, view.north - y / view.scale)
        if lat > 60 and abs(abs(lon) - 170) < 0.3 and lon > 0:
            on_edge["left" if x < view.width / 2 else "right"] += 1
    assert on_edge["left"] >= 2 and on_edge["right"] >= 2, on_edge


def test_filtering_the_list_filters_the_map(client, across_the_pacific):
    html = client.get("/en/partners/?continent=americas").text
    shown = set(markers(panel(html, "world")))
    assert shown == {"/en/partners/seattle/", "/en/partners/calgary/"}
    html = client.get("/en/partners/?kind=friendly").text
    assert set(markers(panel(html, "world"))) == {"/en/partners/frankfurt/"}
    assert "map--region" not in html
    html = client.get("/en/partners/?q=nowhere").text
    assert "map--world" not in html


def test_the_list_map_shows_every_filtered_partner_not_only_the_page(client, db):
    make_home_city()
    for number in range(25):
        make_city(f"Town {number}", "DE", kind="sister", latitude="50", longitude=str(number))
    html = client.get("/en/partners/?page=2").text
    table = html[html.index('<table class="partners') :]
    assert table.count('<th scope="row">') == 5
    assert len(markers(panel(html, "world"))) == 25
    assert "25 partners on the map: 25 in Europe." in html


def test_every_marker_links_to_its_partner_page_with_its_name(client, db):
    call_command("loaddata", "countries", "daejeon", verbosity=0)
    for language in ("en", "ko"):
        html = client.get(f"/{language}/").text
        found = markers(panel(html, "world")) | markers(panel(html, "region"))
        published = City.objects.filter(is_published=True)
        assert set(found) == {f"/{language}/partners/{city.slug}/" for city in published}
        for city in published:
            _, _, label = found[f"/{language}/partners/{city.slug}/"]
            name = city.name_en if language == "en" else city.name_ko
            assert label.startswith(f"{name}, ")
        for href in found:
            assert client.get(href).status_code == 200, href


def test_the_map_says_in_words_how_many_partners_it_shows_and_where(client, db):
    call_command("loaddata", "countries", "daejeon", verbosity=0)
    html = client.get("/en/").text
    # The seed's totals: Americas 5, Europe 10, Oceania 1, Africa 3, Asia 15 (34).
    assert (
        "34 partners on the map: 15 in Asia, 10 in Europe, 5 in the Americas, 3 in Africa, "
        "1 in Oceania." in html
    )
    assert "Sister city (14)" in html and "Friendly cooperation city (20)" in html
    assert 'href="#after-world-map">Skip the map</a>' in html
    assert 'id="after-world-map"' in html


def test_the_world_map_is_under_80_kb_gzipped(client, db):
    call_command("loaddata", "countries", "daejeon", verbosity=0)
    html = client.get("/ko/").text
    figure = re.search(r'<figure class="world-map".*?</figure>', html, flags=re.S).group(0)
    size = len(gzip.compress(figure.encode()))
    print(f"world map figure: {len(figure.encode())} bytes, {size} bytes gzipped")
    assert size < 80_000


def test_a_home_city_elsewhere_moves_the_centre_of_the_map(client, across_the_pacific):
    from partners.models import HomeCity

    home = HomeCity.load()
    home.latitude, home.longitude = "40.7128", "-74.0060"  # New York
    home.save()
    html = client.get("/en/").text
    width, _ = view_box(panel(html, "world"))
    # Centred on 74° W, the Americas are near the middle; Calgary and Seattle (within
    # 4,000 km) move into the enlarged panel and Brisbane to the far west edge.
    region = markers(panel(html, "region"))
    assert set(region) == {"/en/partners/seattle/", "/en/partners/calgary/"}
    world = markers(panel(html, "world"))
    assert world["/en/partners/brisbane/"][0] < width / 4


def test_the_map_works_without_a_home_city_or_coordinates(client, db):
    make_city("Seattle", "US", kind="sister", latitude="47.6062", longitude="-122.3321")
    make_city("Nowhere", "DE", kind="friendly")
    html = client.get("/en/").text
    assert "/en/partners/seattle/" in markers(panel(html, "world"))
    assert "map--region" not in html and "map__route" not in html
    assert "Not on the map (no coordinates recorded):" in html
    assert '<a href="/en/partners/nowhere/">Nowhere</a>' in html


def test_filtered_partners_without_coordinates_get_a_sentence_not_an_empty_map(
    client, across_the_pacific
):
    make_city("Nice", "FR", kind="sister", name_ko="니스")
    html = client.get("/en/partners/?country=FR").text
    assert "map--world" not in html and "map-legend" not in html
    assert "Skip the map" not in html and "0 partners on the map" not in html
    assert "This partner has no coordinates recorded, so there is no map." in html
    assert 'Not on the map (no coordinates recorded): <a href="/en/partners/nice/">Nice</a>' in html
    html = client.get("/ko/partners/?country=FR").text
    assert "map--world" not in html and "0곳" not in html
    assert "좌표가 없어 지도에 표시하지 못한 도시: " in html
    assert "이 자매·우호도시 1곳은 좌표가 기록되지 않아 지도를 그리지 않았습니다." in html


def test_the_legend_lists_only_the_kinds_on_the_map(client, across_the_pacific):
    html = client.get("/en/partners/?kind=friendly").text
    assert "Friendly cooperation city (1)" in html
    assert "Sister city (" not in html


def test_the_americas_take_the_article_in_the_caption(client, across_the_pacific):
    html = client.get("/en/partners/?continent=americas").text
    assert "2 partners on the map: 2 in the Americas." in html
    html = client.get("/ko/partners/?continent=americas").text
    assert "지도에 표시된 자매·우호도시 2곳: 미주 2곳." in html


def test_korean_captions_need_no_particle_after_a_name(client, across_the_pacific):
    City.objects.filter(slug="seattle").update(name_ko="시애틀")
    html = client.get("/ko/partners/seattle/").text
    assert "지도 가운데 표시한 곳은 시애틀(미국)입니다." in html
    assert "(를)" not in html and "(가)" not in html and "(는)" not in html


def test_the_partner_page_shows_where_it_is_and_the_way_to_the_home_city(
    client, across_the_pacific
):
    html = client.get("/en/partners/seattle/").text
    svg = panel(html, "locator")
    assert 'role="img"' in svg and "Map of the region around Seattle" in svg
    # PROJ's geodesic on the same sphere: distance and the bearing from Seattle to Daejeon.
    bearing, _, metres = SPHERE.inv(-122.3321, 47.6062, DAEJEON_LONGITUDE, 36.3504)
    assert f"Daejeon is {round(metres / 1000):,} km away" in html
    directions = ["north", "north-northeast", "northeast", "east-northeast", "east",
                  "east-southeast", "southeast", "south-southeast", "south", "south-southwest",
                  "southwest", "west-southwest", "west", "west-northwest", "northwest",
                  "north-northwest"]  # fmt: skip
    assert f"to the {directions[round((bearing % 360) / 22.5) % 16]} (" in html
    # Daejeon is far outside the view: an arrowhead shows the way instead of its star.
    assert "map__arrow" in svg and "map__home" not in svg
    # The coordinates are still there for those who want them.
    assert "<summary>Coordinates</summary>" in html
    assert "Latitude 47.6062, longitude -122.3321" in html


def test_a_partner_near_the_home_city_shows_the_home_city_on_its_map(client, across_the_pacific):
    svg = panel(client.get("/en/partners/sapporo/").text, "locator")
    assert "map__home" in svg and "map__arrow" not in svg


def test_a_partner_without_coordinates_has_no_locator_map(client, db):
    make_home_city()
    city = make_city("Nowhere", "DE")
    make_agreement(city, kind="friendly", signed_on=datetime.date(2001, 1, 1))
    html = client.get("/en/partners/nowhere/").text
    assert "map--locator" not in html and "Coordinates" not in html


def test_the_maps_are_translated(client, across_the_pacific):
    html = client.get("/ko/partners/seattle/").text
    assert "대전까지" in html
    home = client.get("/ko/").text
    assert "지도에 표시된 자매·우호도시" in home


@pytest.mark.parametrize(
    ("longitude", "latitude"),
    [(-122.3321, 47.6062), (179.5, -17.0), (-179.5, 65.0), (30.0, 85.0), (106.7, -6.3)],
)
def test_a_locator_map_draws_the_same_land_as_the_whole_globe_would(longitude, latitude):
    """The locator projects only land near it; nothing in its view may go missing."""
    from dataclasses import replace
    from types import SimpleNamespace

    from partners.maps import land_path, locator_map

    place = SimpleNamespace(longitude=longitude, latitude=latitude, current_kind="sister")
    view = locator_map(place, None).panel.view
    assert land_path(view) == land_path(replace(view, land_reach=(180.0, -90.0, 90.0)))
