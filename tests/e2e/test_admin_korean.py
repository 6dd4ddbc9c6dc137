"""The staff admin in Korean at 1280 px: the partner's change form, the import preview and
the history pass axe, and the preview of the whole demo file needs no sideways scrolling."""

import csv
import io

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from partners.models import City

from .a11y import axe_violations, describe_violations
from .pages import SCREENSHOTS, Site
from .test_journeys import log_in_to_the_admin

pytestmark = pytest.mark.e2e


def page_fits(page: Page) -> dict:
    return page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})"
    )


def test_the_korean_admin_change_form_import_preview_and_history_pass_axe_at_1280_px(
    page: Page, site: Site, staff_user, staff_password: str, tmp_path
):
    from django.conf import settings

    SCREENSHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in_to_the_admin(page, site, staff_user.username, staff_password)
    kharkiv = City.objects.get(slug="kharkiv")
    problems = []

    page.goto(site.url(reverse("admin:partners_city_change", args=[kharkiv.pk])))
    page.fill("#id_population", "1421125")
    page.locator('input[name="_continue"]').click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "admin-change-ko-1280.png", full_page=True)
    problems += [describe_violations("change form", axe_violations(page))]

    page.goto(site.url(reverse("admin:partners_city_history", args=[kharkiv.pk])))
    page.screenshot(path=SCREENSHOTS / "admin-history-ko-1280.png", full_page=True)
    problems += [describe_violations("history", axe_violations(page))]

    # The whole demo file with every population changed: 34 rows of 16 columns.
    source = (settings.BASE_DIR / "fixtures" / "daejeon.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(source)))
    for row in rows:
        row["population"] = str(int(row["population"]) + 1)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    spreadsheet = tmp_path / "partners.csv"
    spreadsheet.write_text(out.getvalue(), encoding="utf-8-sig")
    page.goto(site.url(reverse("admin:partners_city_import")))
    page.set_input_files("#id_import_file", spreadsheet)
    page.locator("#id_format").select_option(label="csv")
    page.locator("#content form [type=submit]").first.click()
    expect(page.locator("table.import-preview")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "admin-import-preview-ko-1280.png", full_page=True)
    problems += [describe_violations("import preview", axe_violations(page))]
    size = page_fits(page)
    if size["scroll"] > size["client"]:
        problems.append(f"the import preview scrolls sideways: {size}")
    assert not any(problems), "\n".join(filter(None, problems))


def test_the_korean_data_check_report_reads_on_a_phone(
    page: Page, site: Site, staff_user, staff_password: str
):
    # The demo data's two warnings (Durban's and Shenyang's area). At 390 px the message
    # took the width and the partner's name was cut into single syllables (더/반).
    page.set_viewport_size({"width": 390, "height": 844})
    log_in_to_the_admin(page, site, staff_user.username, staff_password)
    page.goto(site.url(reverse("admin:partners_datawarningreport_changelist")))
    names = page.locator("#result_list tbody th a")
    expect(names).to_have_text(["더반", "선양"])
    page.screenshot(path=SCREENSHOTS / "admin-data-warnings-ko-390.png", full_page=True)
    lines = names.evaluate_all("links => links.map(link => link.getClientRects().length)")
    assert lines == [1, 1]
    size = page_fits(page)
    assert size["scroll"] <= size["client"], size
