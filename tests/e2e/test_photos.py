"""A partner page with photos and a public agreement scan, in a real browser: axe, the
images' reserved boxes, and screenshots at phone and desktop width for a person to look at."""

import datetime
import io

import pytest
from playwright.sync_api import Page

from partners.models import AgreementDocument, City, Photo
from tests.media_files import pdf, upload

from .a11y import axe_violations, describe_violations
from .pages import LANGUAGES, SCREENSHOTS, Site

pytestmark = pytest.mark.e2e


def scene(size: tuple[int, int], hue: int) -> bytes:
    """A photo-like JPEG: a sky gradient over a row of blocks, so a screenshot shows crops."""
    from PIL import Image, ImageDraw

    width, height = size
    sky = Image.linear_gradient("L").resize(size).point(lambda v: 120 + v // 2)
    image = Image.merge("RGB", (sky.point(lambda v: v // 2), sky.point(lambda v: v - hue), sky))
    draw = ImageDraw.Draw(image)
    for n in range(8):
        left = n * width // 8
        top = height // 2 + (n * 37 % 5) * height // 20
        draw.rectangle([left, top, left + width // 9, height], fill=(60 + hue, 70, 90 - n * 5))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


@pytest.fixture
def partner_with_photos(site: Site, settings, tmp_path) -> City:
    settings.MEDIA_ROOT = tmp_path / "media"
    city = City.objects.published().order_by("slug").first()
    shapes = [(2400, 1600), (1200, 1600), (1600, 900), (1000, 1000)]
    for number, size in enumerate(shapes):
        photo = Photo(
            city=city,
            image=upload(scene(size, 20 * number), f"photo{number}.jpg"),
            alt_ko=f"{city.name_ko or city.name_en} 시가지 풍경 {number + 1}",
            alt_en=f"A street view of {city.name_en}, picture {number + 1}",
            caption_ko="시청 앞 광장과 주변 건물" if number == 0 else "",
            caption_en="The square in front of city hall" if number == 0 else "",
            credit="International Affairs Division",
            licence=["kogl-1", "cc-by-4.0", "permission", "cc0-1.0"][number],
            taken_on=datetime.date(2024, 5, 1) if number == 0 else None,
            position=number,
        )
        photo.full_clean()
        photo.save()
    agreement = city.agreements.order_by("signed_on").first()
    document = AgreementDocument(
        agreement=agreement,
        file=upload(pdf(), "scan.pdf", "application/pdf"),
        title_ko="결연 협정서",
        title_en="Signed agreement",
        language="mul",
        is_public=True,
    )
    document.full_clean()
    document.save()
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
