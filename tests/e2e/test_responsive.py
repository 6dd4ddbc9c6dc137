"""Phone, tablet and desktop widths: screenshots for a person to look at, and no sideways
scrolling of the page itself on a 360 px phone."""

import pytest
from playwright.sync_api import Page

from .a11y import axe_violations, describe_violations
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


# Per reflowing table: does it fit its box without scrolling, and does each data cell show
# the name of its column (the header text, ▲/▼ aside) in front of its value.
_REFLOW_JS = """
() => [...document.querySelectorAll('table.reflow')].map(table => {
  const box = table.parentElement;
  const heads = [...table.tHead.rows[0].cells]
    .map(th => th.textContent.replace(/[▲▼]/g, '').trim());
  const unlabelled = [...table.tBodies[0].rows].flatMap(row => [...row.cells].filter(cell => {
    if (cell.tagName !== 'TD') return false;
    const shown = getComputedStyle(cell, '::before').content.replace(/^"|"$/g, '');
    return !shown || shown !== heads[cell.cellIndex];
  }).map(cell => `${row.cells[1].textContent.trim()}: ${cell.outerHTML.slice(0, 80)}`));
  return {fits: table.scrollWidth <= box.clientWidth && box.scrollWidth <= box.clientWidth,
          scrollWidth: Math.max(table.scrollWidth, box.scrollWidth), clientWidth: box.clientWidth,
          cells: table.querySelectorAll('tbody td').length, unlabelled};
})
"""


def table_roles(page: Page) -> dict[str, int]:
    """How many nodes of each table role Chromium's accessibility tree holds."""
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    session.detach()
    roles: dict[str, int] = {}
    for node in nodes:
        role = node.get("role", {}).get("value")
        if role in {"table", "row", "cell", "columnheader", "rowheader"}:
            roles[role] = roles.get(role, 0) + 1
    return roles


def test_on_a_phone_the_list_becomes_cards_that_name_each_value_and_stay_a_table(
    page: Page, site: Site
):
    page.set_viewport_size({"width": 360, "height": 800})
    for language in LANGUAGES:
        pages = {p.name: p.path for p in site.public_pages(language)}
        for name in ("list", "detail"):
            page.goto(site.url(pages[name]))
            tables = page.evaluate(_REFLOW_JS)
            where = f"{pages[name]} at 360 px"
            assert len(tables) == 1, f"{where}: expected one reflowing table"
            table = tables[0]
            assert table["cells"], f"{where}: the table has no data cells"
            assert table["fits"], (
                f"{where}: the table still scrolls ({table['scrollWidth']} px "
                f"in a {table['clientWidth']} px box)"
            )
            assert not table["unlabelled"], f"{where}: cells without their column's name: " + (
                "; ".join(table["unlabelled"][:5])
            )
            rows = page.locator("table.reflow tbody tr").count()
            roles = table_roles(page)
            # Screen readers still get a table: a header row plus one row per card,
            # every cell and header in place.
            assert roles.get("table") == 1, f"{where}: {roles}"
            assert roles.get("row") == rows + 1, f"{where}: {roles}"
            assert roles.get("rowheader") == rows, f"{where}: {roles}"
            assert roles.get("cell") == table["cells"], f"{where}: {roles}"
            assert roles.get("columnheader") == page.locator("table.reflow thead th").count()
            violations = axe_violations(page)
            assert not violations, describe_violations(where, violations)


def test_at_tablet_width_the_list_is_still_a_table_of_columns(page: Page, site: Site):
    page.set_viewport_size({"width": 768, "height": 800})
    page.goto(site.url(site.public_pages("en")[1].path))
    display = page.evaluate(
        """() => {
            const t = document.querySelector('table.reflow');
            return [t, t.tHead, t.tBodies[0].rows[0], t.tBodies[0].rows[0].cells[0]]
              .map(el => getComputedStyle(el).display);
        }"""
    )
    assert display == ["table", "table-header-group", "table-row", "table-cell"]
