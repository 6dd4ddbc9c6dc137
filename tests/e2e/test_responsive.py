"""Phone, tablet and desktop widths: screenshots for a person to look at, and no sideways
scrolling of the page itself on a 360 px phone."""

import pytest
from playwright.sync_api import Page

from .pages import LANGUAGES, SCREENSHOTS, WIDTHS, Site

pytestmark = pytest.mark.e2e

# What overflows at 360 px: the page, and each table that is wider than its own box
# without sitting in a container that scrolls it.
_OVERFLOW_JS = """
() => {
  const root = document.documentElement;
  const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const loose = [...document.querySelectorAll('table')].filter(table => {
    if (table.getBoundingClientRect().right <= root.clientWidth + 1) return false;
    for (let el = table.parentElement; el && el !== document.body; el = el.parentElement) {
      if (scrolls(el) && el.getBoundingClientRect().right <= root.clientWidth + 1) return false;
    }
    return true;
  });
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1
                  && ![...document.querySelectorAll('table')].some(t => t.contains(el)))
    .slice(0, 5).map(el => el.outerHTML.slice(0, 100));
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
          looseTables: loose.length, wide};
}
"""


def test_pages_fit_a_360_px_phone_and_screenshots_are_taken_at_three_widths(page: Page, site: Site):
    SCREENSHOTS.mkdir(exist_ok=True)
    problems = []
    for language in LANGUAGES:
        for public_page in site.public_pages(language):
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                page.goto(site.url(public_page.path))
                page.screenshot(
                    path=SCREENSHOTS / f"{public_page.name}-{language}-{width}.png",
                    full_page=True,
                )
                if width != 360:
                    continue
                overflow = page.evaluate(_OVERFLOW_JS)
                where = f"{public_page.path} at 360 px"
                if overflow["scrollWidth"] > overflow["clientWidth"]:
                    problems.append(
                        f"{where}: the page scrolls sideways ({overflow['scrollWidth']} px "
                        f"> {overflow['clientWidth']} px), too wide: {overflow['wide']}"
                    )
                if overflow["looseTables"]:
                    problems.append(
                        f"{where}: {overflow['looseTables']} wide table(s) not in a scroll box"
                    )
    assert not problems, "\n".join(problems)
