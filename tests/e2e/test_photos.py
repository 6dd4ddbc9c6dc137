"""A partner page with photos and a public agreement scan, in a real browser: axe, the
images' reserved boxes, and screenshots at phone and desktop width for a person to look at."""

import pytest
from playwright.sync_api import Page

from partners.models import City
from tests.media_files import add_photos_and_a_document

from .a11y import axe_violations, describe_violations
from .pages import LANGUAGES, SCREENSHOTS, Site

pytestmark = pytest.mark.e2e


@pytest.fixture
def partner_with_photos(site: Site, settings, tmp_path) -> City:
    settings.MEDIA_ROOT = tmp_path / "media"
    city = City.objects.published().order_by("slug").first()
    add_photos_and_a_document(city)
    return city


def test_a_partner_page_with_photos_has_no_axe_violations_in_either_language(
    page: Page, site: Site, partner_with_photos: City
):
    reports = []
    for language in LANGUAGES:
        page.goto(site.url(f"/{language}/partners/{partner_with_photos.slug}/"))
        page.wait_for_load_state("load")
        assert page.locator("figure.photo").count() == 4
        violations = axe_violations(page)
        if violations:
            reports.append(describe_violations(f"{language} partner page", violations))
    assert not reports, "\n".join(reports)


# Each image: did it load, and is its box the image's shape before and after loading.
_IMAGES_JS = """
() => [...document.querySelectorAll('figure.photo img')].map(img => ({
  alt: img.alt, loaded: img.complete && img.naturalWidth > 0, lazy: img.loading === 'lazy',
  current: img.currentSrc.split('.').pop(),
  boxRatio: img.getBoundingClientRect().width / img.getBoundingClientRect().height,
  attrRatio: img.width / img.height,
  right: img.getBoundingClientRect().right, viewport: document.documentElement.clientWidth,
}))
"""


@pytest.mark.parametrize("width", [360, 1280])
def test_photos_keep_their_shape_and_fit_the_screen_and_screenshots_are_taken(
    page: Page, site: Site, partner_with_photos: City, width: int
):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": width, "height": 800})
    for language in LANGUAGES:
        page.goto(site.url(f"/{language}/partners/{partner_with_photos.slug}/"))
        # Before any lazy image loads, each already has its box (no layout shift later).
        images = page.evaluate(_IMAGES_JS)
        assert [image["lazy"] for image in images] == [False, True, True, True]
        for image in images:
            assert abs(image["boxRatio"] - image["attrRatio"]) < 0.02, image
            assert image["right"] <= image["viewport"] + 1, image
        page.screenshot(path=SCREENSHOTS / f"detail-photos-{language}-{width}.png", full_page=True)
        images = page.evaluate(_IMAGES_JS)
        assert all(image["loaded"] for image in images), images
        # Chromium picks the WebP source.
        assert {image["current"] for image in images} == {"webp"}
        scroll = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll <= width, f"{language} at {width} px scrolls sideways: {scroll}"
