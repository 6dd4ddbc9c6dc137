"""One vocabulary (locale/GLOSSARY.md): the pages, public and admin, in both languages use the
glossary's term for each concept, and the terms it replaced never come back."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from partners.models import City, Kind

# The glossary's "Replaced terms" table, as patterns over a page's HTML (attributes such as
# data-label are shown on phones, so they count).
REPLACED = {
    "ko": [
        r"아메리카",
        r"자매도시 및 우호협력도시",
        r"자매·우호협력도시",
        r"결연일(?!자)",
        r"결연 관계",
        r"히스토리",
        r"(?<![가-힣 ])유지(?![가-힣])",
    ],
    "en": [r"\bNation\b", r"\bKind\b", r"Partners since", r"Sister-Friendly"],
}

PUBLIC_PAGES = ["/{lang}/", "/{lang}/partners/", "/{lang}/data/", "/{lang}/partners/?q=zzz"]
ADMIN_PAGES = [
    "/admin/",
    "/admin/partners/city/",
    "/admin/partners/city/{pk}/change/",
    "/admin/partners/city/{pk}/history/",
    "/admin/partners/city/import/",
    "/admin/partners/city/export/",
    "/admin/partners/agreement/",
    "/admin/partners/homecity/1/change/",
]


@pytest.fixture
def demo_data(db) -> None:
    call_command("loaddata", "countries", "daejeon", verbosity=0)
    # An upgraded partner, so the pages show both partnership dates and their labels.
    City.objects.get(slug="hefei").sign_agreement(Kind.SISTER, datetime.date(2024, 5, 1))


def replaced_terms(html: str, language: str) -> list[str]:
    return [pattern for pattern in REPLACED[language] if re.search(pattern, html)]


@pytest.mark.parametrize("language", ["ko", "en"])
def test_no_public_page_uses_a_replaced_term(client, demo_data, language):
    paths = [path.format(lang=language) for path in PUBLIC_PAGES]
    paths += [
        f"/{language}/partners/{slug}/" for slug in City.objects.values_list("slug", flat=True)
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert replaced_terms(response.content.decode(), language) == [], path


@pytest.mark.parametrize("language", ["ko", "en"])
def test_no_admin_page_uses_a_replaced_term(client, demo_data, language):
    client.force_login(User.objects.create_superuser("staff", "staff@example.com", "pw"))
    pk = City.objects.get(slug="hefei").pk
    for path in ADMIN_PAGES:
        response = client.get(path.format(pk=pk), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, path
        assert replaced_terms(response.content.decode(), language) == [], path


@pytest.mark.parametrize(
    ("path", "terms"),
    [
        (
            "/ko/",
            ["대전 자매·우호도시", "대륙별 자매·우호도시 현황", "구분", "미주", "자료 최종 수정일"],
        ),
        ("/ko/partners/", ["구분", "결연일자", "국가", "자매·우호도시 34곳"]),
        ("/ko/partners/?q=허페이", ["최초 결연"]),
        ("/ko/partners/hefei/", ["최초 결연일자", "자매도시 결연일자", "결연 현황", "교류 중"]),
        ("/en/", ["Daejeon Partner Cities", "Relationship", "Americas", "Data last updated"]),
        ("/en/partners/", ["Country", "Relationship", "Agreement date", "34 partner cities"]),
        ("/en/partners/?q=hefei", ["first agreement"]),
        ("/en/partners/hefei/", ["First agreement", "Sister city since", "Partnership"]),
    ],
)
def test_the_pages_use_the_glossarys_terms(client, demo_data, path, terms):
    html = client.get(path).content.decode()
    assert [term for term in terms if term not in html] == []


def test_the_admin_history_button_reads_변경_이력_in_korean(client, demo_data):
    client.force_login(User.objects.create_superuser("staff", "staff@example.com", "pw"))
    pk = City.objects.get(slug="hefei").pk
    html = client.get(f"/admin/partners/city/{pk}/change/", HTTP_ACCEPT_LANGUAGE="ko").content
    assert "변경 이력" in html.decode()


def test_the_korean_admin_writes_dates_and_times_as_korean_offices_do(client, demo_data):
    client.force_login(User.objects.create_superuser("staff", "staff@example.com", "pw"))
    changelist = client.get("/admin/partners/city/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    # Hefei's sister agreement of 1 May 2024 (the fixture above), as 2024. 5. 1.
    assert "2024. 5. 1." in changelist
    seattle = City.objects.get(slug="seattle")
    form = client.get(
        f"/admin/partners/city/{seattle.pk}/change/", HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    # The demo data's timestamps, 2026-01-01 00:00 in Korea, 24-hour clock.
    assert "2026. 1. 1. 00:00" in form
    assert "오전" not in changelist + form and "오후" not in changelist + form
