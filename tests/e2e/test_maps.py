"""The server-drawn map and charts in a real browser: keyboard, print and forced colours."""

import pytest
from playwright.sync_api import Page, expect

from .pages import Site

pytestmark = pytest.mark.e2e

_FILL_JS = "el => getComputedStyle(el).fill"


def test_a_keyboard_user_skips_the_map_in_one_step(page: Page, site: Site):
    page.goto(site.url("/en/"))
    page.locator(".world-map__skip a").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({inMap: !!document.activeElement.closest('.world-map'),"
        " labelledBy: document.activeElement.getAttribute('aria-labelledby')})"
    )
    assert not focused["inMap"], focused
    # The next stop after the map: the scrollable box of the counts table.
    assert focused["labelledBy"] == "counts-caption"


def test_tab_reaches_the_markers_west_to_east_then_the_enlarged_region(page: Page, site: Site):
    page.goto(site.url("/en/"))
    page.locator(".world-map__skip a").focus()
    labels = []
    for _ in range(40):
        page.keyboard.press("Tab")
        label = page.evaluate("() => document.activeElement.getAttribute('aria-label')")
        if label is None:
            break
        labels.append(label)
    assert len(labels) == 34
    # World panel: Granada (3.6° W) comes before Seattle (122° W, east of Korea here).
    names = [label.split(",")[0] for label in labels]
    assert names.index("Granada") < names.index("Brisbane") < names.index("Seattle")
    # The enlarged panel's partners come after the world panel's.
    assert names.index("Qingdao") > names.index("La Serena")


def test_a_marker_opens_its_partners_page(page: Page, site: Site):
    page.goto(site.url("/ko/"))
    page.locator('.map--world a[href="/ko/partners/seattle/"]').click()
    expect(page).to_have_url(site.url("/ko/partners/seattle/"))
    expect(page.locator(".map--locator")).to_be_visible()


def test_printed_maps_and_charts_are_black_and_white(page: Page, site: Site):
    page.emulate_media(media="print")
    page.goto(site.url("/en/"))
    black, white = "rgb(0, 0, 0)", "rgb(255, 255, 255)"
    assert page.locator(".map--world .map__symbol--circle").first.evaluate(_FILL_JS) == black
    assert page.locator(".map--world .map__symbol--triangle").first.evaluate(_FILL_JS) == white
    assert page.locator(".map--world .map__sea").evaluate(_FILL_JS) == white
    land = page.locator(".map--world .map__land").evaluate(_FILL_JS)
    assert land.startswith("rgb(") and len(set(land[4:-1].split(", "))) == 1, land  # a grey
    assert page.locator(".chart__bar--sister").first.evaluate(_FILL_JS) == black
    assert page.locator(".chart__bar--friendly").first.evaluate(_FILL_JS) == white


def test_in_forced_colours_the_maps_use_the_system_colours(page: Page, site: Site):
    page.emulate_media(forced_colors="active")
    page.goto(site.url("/en/partners/seattle/"))
    system = page.evaluate(
        """() => {
            const probe = document.createElement('span');
            document.body.append(probe);
            const colour = name => {
                probe.style.color = name;
                return getComputedStyle(probe).color;
            };
            const result = {Canvas: colour('Canvas'), CanvasText: colour('CanvasText'),
                            LinkText: colour('LinkText')};
            probe.remove();
            return result;
        }"""
    )
    assert page.locator(".map--locator .map__sea").evaluate(_FILL_JS) == system["Canvas"]
    assert page.locator(".map--locator .map__symbol").evaluate(_FILL_JS) == system["LinkText"]
    assert page.locator(".map--locator .map__arrow").evaluate(_FILL_JS) == system["CanvasText"]
    page.goto(site.url("/en/"))
    triangle = page.locator(".map--world .map__symbol--triangle").first
    assert triangle.evaluate(_FILL_JS) == system["Canvas"]
    assert triangle.evaluate("el => getComputedStyle(el).stroke") == system["LinkText"]
