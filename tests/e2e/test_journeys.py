"""What a visitor and a staff member do, end to end in a real browser."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from partners.models import City

from .pages import Site

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
    european_sisters = (
        City.objects.published()
        .with_current_agreement()
        .filter(current_kind="sister", country__continent="europe")
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
