"""What a visitor and a staff member do, end to end in a real browser."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from partners.models import City

from .pages import Site

pytestmark = pytest.mark.e2e

OTHER = {"ko": "en", "en": "ko"}


@pytest.mark.parametrize(
    ("language", "search", "found"),
    [("ko", "하리코프", "하르키우"), ("en", "Kharkov", "Kharkiv")],
)
def test_a_visitor_goes_home_then_lists_filters_searches_and_opens_a_partner(
    page: Page, site: Site, language: str, search: str, found: str
):
    page.goto(site.url(f"/{language}/"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator(f'.site-nav a[href="/{language}/partners/"]').click()
    expect(page).to_have_url(site.url(f"/{language}/partners/"))

    page.select_option("#id_kind", "sister")
    page.select_option("#id_continent", "europe")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"[?&]kind=sister&continent=europe(&|$)"))
    european_sisters = City.objects.published().filter(
        current_kind="sister", country__continent="europe"
    )
    names = [city.name_ko if language == "ko" else city.name_en for city in european_sisters]
    shown = page.locator("table.partners tbody th a").all_inner_texts()
    assert sorted(shown) == sorted(names) and shown

    page.select_option("#id_kind", "")
    page.select_option("#id_continent", "")
    page.fill("#id_q", search)
    page.locator("form.filters button[type=submit]").click()
    results = page.locator("table.partners tbody th a")
    expect(results).to_have_text([found])

    results.click()
    expect(page).to_have_url(site.url(f"/{language}/partners/kharkiv/"))
    expect(page.locator("h1")).to_have_text(found)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_switching_language_on_a_partner_page_stays_on_that_partner(
    page: Page, site: Site, language: str
):
    page.goto(site.url(f"/{language}/partners/qingdao/"))
    expect(page.locator("h1")).to_have_text({"ko": "칭다오", "en": "Qingdao"}[language])

    other = OTHER[language]
    page.locator(f'.language-switcher a[hreflang="{other}"]').click()
    expect(page).to_have_url(site.url(f"/{other}/partners/qingdao/"))
    expect(page.locator("html")).to_have_attribute("lang", other)
    expect(page.locator("h1")).to_have_text({"ko": "칭다오", "en": "Qingdao"}[other])


def log_in_to_the_admin(page: Page, site: Site, username: str, password: str) -> None:
    page.goto(site.url("/admin/"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("#login-form [type=submit]").click()
    expect(page).to_have_url(site.url("/admin/"))


def test_a_staff_member_edits_a_partner_in_the_admin_and_the_public_page_shows_it(
    page: Page, site: Site, staff_user, staff_password: str
):
    log_in_to_the_admin(page, site, staff_user.username, staff_password)
    kharkiv = City.objects.get(slug="kharkiv")
    page.goto(site.url(reverse("admin:partners_city_changelist")))
    page.fill("#searchbar", "Kharkov")
    page.keyboard.press("Enter")
    page.locator(f'#result_list a[href*="/{kharkiv.pk}/change/"]').first.click()

    page.fill("#id_feature_en", "Host of the spring book fair")
    page.fill("#id_feature_ko", "봄 도서전이 열리는 도시")
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    page.goto(site.url("/en/partners/kharkiv/"))
    expect(page.locator(".partner__feature")).to_have_text("Host of the spring book fair")
    page.goto(site.url("/ko/partners/kharkiv/"))
    expect(page.locator(".partner__feature")).to_have_text("봄 도서전이 열리는 도시")


IMPORT_CSV = (
    "slug,name_en,name_ko,aliases,country,kind,status,signed_on,population,population_year,"
    "area_km2,latitude,longitude,feature_en,feature_ko,website\n"
    "kharkiv,Kharkiv,하르키우,Kharkov,UA,friendly,active,2013-08-23,1421125,2022,350,"
    "49.9935,36.2304,Second city of Ukraine,우크라이나 제2의 도시,\n"
    "tampere,Tampere,탐페레,,FI,friendly,active,2026-03-02,255050,2024,525.03,"
    "61.4978,23.7610,Nordic industrial and tech city,북유럽의 산업·기술 도시,\n"
)


def test_a_staff_member_imports_a_spreadsheet_with_a_preview_and_downloads_an_export(
    page: Page, site: Site, staff_user, staff_password: str, tmp_path
):
    log_in_to_the_admin(page, site, staff_user.username, staff_password)
    page.goto(site.url(reverse("admin:partners_city_changelist")))
    page.locator("a.import_link").click()

    spreadsheet = tmp_path / "partners.csv"
    spreadsheet.write_text(IMPORT_CSV, encoding="utf-8-sig")
    page.set_input_files("#id_import_file", spreadsheet)
    page.locator("#id_format").select_option(label="csv")
    page.locator("#content form [type=submit]").first.click()

    preview = page.locator("table.import-preview")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("Tampere")
    assert not City.objects.filter(slug="tampere").exists(), "the preview wrote to the database"

    page.locator('input[name="confirm"]').click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert City.objects.get(slug="kharkiv").population == 1421125
    page.goto(site.url("/en/partners/tampere/"))
    expect(page.locator("h1")).to_have_text("Tampere")

    page.goto(site.url(reverse("admin:partners_city_changelist")))
    page.locator("a.export_link").click()
    page.locator("#id_format").select_option(label="csv")
    with page.expect_download() as download_info:
        page.locator("#content form [type=submit]").first.click()
    exported = download_info.value.path().read_bytes()
    assert exported.startswith(b"\xef\xbb\xbf"), "CSV export should carry a UTF-8 BOM for Excel"
    text = exported.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("slug,name_en,name_ko")
    assert "tampere,Tampere,탐페레" in text
