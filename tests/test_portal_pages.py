"""What makes the public pages read like an official city portal: who publishes the data and
whom to ask, as of when, under which licence; both dates of an upgraded partnership; help
when a search finds nothing."""

import csv
import datetime
import io
import json
import re

import pytest
from django.utils import timezone

from partners.models import City, Kind
from tests.factories import make_city, make_home_city, make_staff

D = datetime.date
OFFICE = {
    "office_en": "International Relations Division",
    "office_ko": "국제교류과",
    "office_address_en": "100 Dunsan-ro, Seo-gu, Daejeon",
    "office_address_ko": "대전광역시 서구 둔산로 100",
    "office_phone": "042-270-0000",
    "office_email": "intl@example.go.kr",
    "office_url": "https://www.example.go.kr/intl",
}


@pytest.fixture
def hefei(db) -> City:
    """Friendly cooperation since 2001, upgraded to sister in 2024."""
    make_home_city(**OFFICE)
    city = make_city("Hefei", "CN", Kind.FRIENDLY, D(2001, 3, 1), name_ko="허페이")
    city.sign_agreement(Kind.SISTER, D(2024, 3, 1))
    City.objects.filter(pk=city.pk).update(
        updated_at=datetime.datetime(2026, 2, 3, 12, tzinfo=datetime.UTC)
    )
    return city


@pytest.mark.parametrize(
    ("language", "office", "address"),
    [
        ("en", "International Relations Division", "100 Dunsan-ro"),
        ("ko", "국제교류과", "둔산로 100"),
    ],
)
@pytest.mark.parametrize(
    "path", ["/{lang}/", "/{lang}/partners/", "/{lang}/partners/hefei/", "/{lang}/data/"]
)
def test_every_page_footer_names_the_office_with_its_contacts_and_the_last_update(
    client, hefei, language, office, address, path
):
    html = client.get(path.format(lang=language)).content.decode()
    footer = html[html.index("<footer") :]
    assert office in footer and address in footer
    assert 'href="tel:042-270-0000"' in footer
    assert 'href="mailto:intl@example.go.kr"' in footer
    assert 'href="https://www.example.go.kr/intl"' in footer
    # The latest change: the partner's updated_at set above (no admin log entry).
    assert '<time datetime="2026-02-03">' in footer


def test_a_footer_without_an_office_shows_no_empty_contact_lines(client, db):
    make_home_city()
    html = client.get("/en/").content.decode()
    assert "Published by" not in html and "tel:" not in html


@pytest.mark.parametrize(("language", "name"), [("en", "KOGL Type 1"), ("ko", "공공누리 제1유형")])
def test_the_data_pages_show_the_open_data_licence(client, hefei, language, name):
    for path in (f"/{language}/partners/", f"/{language}/data/"):
        html = client.get(path).content.decode()
        assert name in html
        assert 'href="https://www.kogl.or.kr/info/licenseType1.do" rel="license"' in html


def test_the_licence_comes_from_the_setting(client, hefei, settings):
    settings.PORTAL_DATA_LICENCE = {
        "name_en": "CC BY 4.0",
        "name_ko": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }
    assert "CC BY 4.0" in client.get("/en/data/").content.decode()
    metadata = json.loads(client.get("/data/partners.json").content)["metadata"]
    assert metadata["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"


def test_the_json_download_says_who_publishes_it_when_it_changed_and_its_licence(client, hefei):
    metadata = json.loads(client.get("/data/partners.json").content)["metadata"]
    assert (metadata["publisher_en"], metadata["publisher_ko"]) == (
        "International Relations Division",
        "국제교류과",
    )
    assert metadata["contact_email"] == "intl@example.go.kr"
    assert metadata["last_updated"] == "2026-02-03"
    assert metadata["licence_ko"] == "공공누리 제1유형(출처표시)"
    assert metadata["dictionary_url"].endswith("/data/")


def test_an_upgraded_partner_shows_its_first_agreement_and_its_sister_date_on_the_list(
    client, hefei
):
    html = client.get("/en/partners/").content.decode()
    row = html[html.index("Hefei") :]
    row = row[: row.index("</tr>")]
    assert '<time datetime="2024-03-01">' in row
    assert 'first agreement <time datetime="2001-03-01">' in row


def test_an_upgraded_partner_page_counts_the_years_from_the_first_agreement(client, hefei):
    html = client.get("/en/partners/hefei/").content.decode()
    assert '<dt>First agreement</dt><dd><time datetime="2001-03-01">' in html
    assert '<dt>Sister city since</dt><dd><time datetime="2024-03-01">' in html
    today = timezone.localdate()
    years = today.year - 2001 - ((today.month, today.day) < (3, 1))
    assert f"<dd>{years} years</dd>" in html
    assert "<dd>2 years</dd>" not in html and "<dd>1 year</dd>" not in html


def test_a_partner_never_upgraded_shows_one_date(client, db):
    make_home_city()
    make_city("Seattle", "US", Kind.SISTER, D(1989, 10, 4))
    html = client.get("/en/partners/seattle/").content.decode()
    assert "First agreement" in html and " since</dt>" not in html


def test_the_downloads_carry_both_partnership_dates(client, hefei):
    (row,) = json.loads(client.get("/data/partners.json").content)["partners"]
    assert (row["signed_on"], row["first_signed_on"], row["kind_since"]) == (
        "2024-03-01",
        "2001-03-01",
        "2024-03-01",
    )
    text = client.get("/data/partners.csv").content.decode("utf-8-sig")
    (csv_row,) = csv.DictReader(io.StringIO(text))
    assert (csv_row["first_signed_on"], csv_row["kind_since"]) == ("2001-03-01", "2024-03-01")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "No partner city matches “Atlantis”"),
        ("ko", "“Atlantis”에 맞는 자매·우호도시가 없습니다"),
    ],
)
def test_an_empty_search_shows_the_term_and_offers_to_remove_each_filter(
    client, hefei, language, message
):
    response = client.get(
        f"/{language}/partners/", {"q": "Atlantis", "continent": "asia", "kind": "sister"}
    )
    html = response.content.decode()
    assert message in html
    assert 'href="?q=Atlantis&amp;kind=sister"' in html  # continent removed
    assert 'href="?q=Atlantis&amp;continent=asia"' in html  # kind removed


def meta(html: str, key: str) -> str:
    """The content of the head's <meta property|name=key>."""
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert match, key
    return match[1]


@pytest.mark.parametrize(
    ("language", "title", "description", "locale"),
    [
        ("en", "Hefei", "Hefei (China), sister city of Daejeon since 2001.", "en_US"),
        ("ko", "허페이", "허페이(중국): 2001년부터 대전의 자매도시.", "ko_KR"),
    ],
)
def test_a_partner_page_head_describes_it_for_link_previews_in_its_language(
    client, hefei, language, title, description, locale
):
    html = client.get(f"/{language}/partners/hefei/").content.decode()
    head = html[: html.index("</head>")]
    assert meta(head, "og:title") == meta(head, "twitter:title") == title
    assert meta(head, "description").startswith(description)
    assert meta(head, "og:description") == meta(head, "description")
    assert meta(head, "og:locale") == locale
    assert meta(head, "og:type") == "article"
    url = f"http://testserver/{language}/partners/hefei/"
    assert f'<link rel="canonical" href="{url}">' in head
    assert meta(head, "og:url") == url
    for other in ("en", "ko"):
        assert (
            f'<link rel="alternate" hreflang="{other}" '
            f'href="http://testserver/{other}/partners/hefei/">' in head
        )
    assert 'hreflang="x-default" href="http://testserver/ko/partners/hefei/"' in head
    # No photo anywhere: a plain card, no image tag.
    assert meta(head, "twitter:card") == "summary" and "og:image" not in head


def test_a_filtered_list_is_canonical_to_the_list_itself(client, hefei):
    html = client.get("/en/partners/", {"kind": "sister", "page": "2"}).content.decode()
    assert '<link rel="canonical" href="http://testserver/en/partners/">' in html


def test_the_list_on_one_page_holds_every_matching_partner_without_page_links(client, db):
    make_home_city()
    for number in range(45):
        make_city(f"Town {number:02}", "JP", Kind.FRIENDLY, D(2010, 1, 1))
    paged = client.get("/en/partners/").content.decode()
    assert 'href="?page=all"' in paged and "Show all 45 on one page" in paged
    html = client.get("/en/partners/", {"page": "all"}).content.decode()
    assert html.count('<th scope="row">') == 45
    assert 'class="pagination"' not in html
    # Filters still apply to the one-page list.
    assert (
        client.get("/en/partners/", {"page": "all", "q": "Town 0"})
        .content.decode()
        .count('<th scope="row">')
        == 10
    )


def test_link_preview_urls_never_name_another_host(rf, db):
    from django.template import Context, Template

    html = Template("{% load portal %}{% absolute_url path %}").render(
        Context({"request": rf.get("/en/"), "path": "//evil.example/x"})
    )
    assert html == "http://testserver/evil.example/x"


@pytest.mark.django_db
def test_the_footers_last_updated_date_is_the_latest_change_of_a_partner_or_the_admin_log(client):
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from partners.models import DataVersion

    make_home_city()
    city = make_city("Seattle", "US", Kind.SISTER, datetime.date(1989, 10, 4))
    edited = datetime.datetime(2030, 1, 2, 3, 0, tzinfo=datetime.UTC)
    City.objects.filter(pk=city.pk).update(updated_at=edited)
    DataVersion.bump()
    assert '<time datetime="2030-01-02">' in client.get("/en/").text
    # A deletion leaves only the admin's log: the date moves forward, never back.
    LogEntry.objects.create(
        action_time=edited + datetime.timedelta(days=400),
        user=make_staff(),
        content_type=ContentType.objects.get_for_model(City),
        object_id="0",
        object_repr="Gone",
        action_flag=ADDITION,
    )
    DataVersion.bump()
    assert '<time datetime="2031-02-06">' in client.get("/en/partners/").text
