"""WCAG 2.2 AA / KWCAG 2.2 checks in a real browser, on every public page in both languages."""

import pytest
from playwright.sync_api import Page

from .a11y import axe_colour_contrast, axe_violations, describe_violations, tab_through
from .pages import LANGUAGES, Site

pytestmark = pytest.mark.e2e


def visit_each_public_page(page: Page, site: Site):
    for language in LANGUAGES:
        for public_page in site.public_pages(language):
            response = page.goto(site.url(public_page.path))
            assert response.status == public_page.status, f"{public_page.path}: {response.status}"
            yield language, public_page


def test_every_public_page_has_no_axe_violations_in_korean_and_english(page: Page, site: Site):
    reports = []
    for _language, public_page in visit_each_public_page(page, site):
        violations = axe_violations(page)
        if violations:
            reports.append(describe_violations(public_page.path, violations))
    assert not reports, "axe found WCAG A/AA violations:\n" + "\n".join(reports)


def test_the_admin_login_page_has_no_axe_violations(browser, live_server, transactional_db):
    for language in LANGUAGES:
        # The admin follows the browser's language, as a civil servant's browser sends it.
        context = browser.new_context(locale={"ko": "ko-KR", "en": "en-US"}[language])
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/login/")
        assert page.locator("html").get_attribute("lang") == language
        violations = axe_violations(page)
        context.close()
        assert not violations, describe_violations(f"admin login ({language})", violations)


def test_text_has_sufficient_colour_contrast_on_every_public_page(page: Page, site: Site):
    reports = []
    for _language, public_page in visit_each_public_page(page, site):
        measured, violations = axe_colour_contrast(page)
        # A page where axe measured nothing would pass without proving anything.
        assert measured, f"{public_page.path}: axe found no text to measure"
        if violations:
            reports.append(describe_violations(public_page.path, violations))
    assert not reports, "text below WCAG AA contrast (4.5:1, large text 3:1):\n" + "\n".join(
        reports
    )


def test_every_control_is_reachable_by_tab_and_shows_where_the_focus_is(page: Page, site: Site):
    problems = []
    for _language, public_page in visit_each_public_page(page, site):
        count, stops = tab_through(page)
        if len(stops) != count:
            problems.append(f"{public_page.path}: Tab reached {len(stops)} of {count} controls")
        for stop in stops:
            if not stop["inView"]:
                problems.append(f"{public_page.path}: focused but not on screen: {stop['label']}")
            if not stop["styleChanges"]:
                problems.append(f"{public_page.path}: no visible focus style: {stop['label']}")
    assert not problems, "\n".join(problems)


def test_the_first_tab_stop_is_a_skip_link_that_moves_focus_to_the_main_content(
    page: Page, site: Site
):
    for _language, public_page in visit_each_public_page(page, site):
        page.keyboard.press("Tab")
        skip = page.evaluate(
            """() => {
                const a = document.activeElement;
                const r = a.getBoundingClientRect();
                return {tag: a.tagName, href: a.getAttribute('href') || '',
                        visible: r.width > 1 && r.height > 1 && r.top >= 0 && r.left >= 0};
            }"""
        )
        where = public_page.path
        assert skip["tag"] == "A" and skip["href"].startswith("#"), f"{where}: {skip}"
        assert skip["visible"], f"{where}: the skip link is not visible when focused"
        target_id = skip["href"][1:]
        assert page.locator(f"main#{target_id}, #{target_id} main, main #{target_id}").count()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        inside_main = page.evaluate(
            "id => document.getElementById(id).contains(document.activeElement)", target_id
        )
        assert inside_main, f"{where}: after the skip link, Tab does not continue in <main>"


def test_every_data_table_has_a_caption_and_scoped_header_cells(page: Page, site: Site):
    problems = []
    tables_seen = 0
    for _language, public_page in visit_each_public_page(page, site):
        tables = page.evaluate(
            """() => [...document.querySelectorAll('table')].map(t => ({
                caption: t.caption ? t.caption.textContent.trim() : '',
                headers: t.querySelectorAll('th').length,
                unscoped: [...t.querySelectorAll('th')].filter(
                    th => !['col', 'row', 'colgroup', 'rowgroup'].includes(th.getAttribute('scope'))
                ).length,
            }))"""
        )
        tables_seen += len(tables)
        for number, table in enumerate(tables, start=1):
            where = f"{public_page.path} table {number}"
            if not table["caption"]:
                problems.append(f"{where}: no caption")
            if not table["headers"]:
                problems.append(f"{where}: no header cells")
            if table["unscoped"]:
                problems.append(f"{where}: {table['unscoped']} <th> without scope")
    assert tables_seen, "expected the home and list pages to show tables"
    assert not problems, "\n".join(problems)


def test_html_lang_names_the_language_of_each_page(page: Page, site: Site):
    for language, public_page in visit_each_public_page(page, site):
        assert page.locator("html").get_attribute("lang") == language, public_page.path


def test_every_form_field_has_a_label(page: Page, site: Site):
    unlabelled = []
    for _language, public_page in visit_each_public_page(page, site):
        missing = page.evaluate(
            """() => [...document.querySelectorAll(
                    'input:not([type=hidden]):not([type=submit]):not([type=button]),'
                    + 'select, textarea'
                )].filter(el => el.labels.length === 0 && !el.getAttribute('aria-labelledby'))
                  .map(el => el.outerHTML.slice(0, 120))"""
        )
        unlabelled += [f"{public_page.path}: {html}" for html in missing]
    assert not unlabelled, "form fields without a <label>:\n" + "\n".join(unlabelled)


def test_public_pages_run_without_content_security_policy_refusals(page: Page, site: Site):
    # No inline <script>, <style> or style= anywhere: a strict CSP would refuse them, and
    # the page would then look or work differently than in development.
    refusals = []
    page.on(
        "console",
        lambda message: (
            refusals.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: refusals.append(f"{page.url}: {error}"))
    for _language, _public_page in visit_each_public_page(page, site):
        page.wait_for_load_state("load")
    assert not refusals, "\n".join(refusals)
