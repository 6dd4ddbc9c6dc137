"""The screens of django-import-export and django-axes read in Korean for Korean staff."""

import re

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from partners.resources import COLUMNS
from tests.spreadsheets import csv_bytes, make_countries, make_partner, partner_row

pytestmark = pytest.mark.django_db

KO = {"HTTP_ACCEPT_LANGUAGE": "ko"}


@pytest.fixture
def staff_client(client):
    make_countries()
    client.force_login(User.objects.create_superuser("staff", "staff@example.com", "pw"))
    return client


def test_the_export_page_reads_in_korean(staff_client):
    html = staff_client.get("/admin/partners/city/export/", **KO).content.decode()
    assert "다음 항목을 내보냅니다" in html
    assert "모두 선택" in html
    for english in ("This exporter will export the following fields", "Select all"):
        assert english not in html


def test_the_export_checkboxes_carry_the_field_names_in_korean_with_the_column(staff_client):
    response = staff_client.get("/admin/partners/city/export/", **KO)
    fields = response.context["form"].fields
    assert fields["partnerresource_name_en"].label == "이름(영문) (name_en)"
    assert fields["partnerresource_area_km2"].label == "면적(km²) (area_km2)"
    assert fields["partnerresource_signed_on"].label == "체결일 (signed_on)"
    html = response.content.decode()
    for english in ("Name En", "Area Km2", "Signed On"):
        assert english not in html


def test_the_export_checkboxes_read_in_english_for_english_staff(staff_client):
    response = staff_client.get("/admin/partners/city/export/", HTTP_ACCEPT_LANGUAGE="en")
    fields = response.context["form"].fields
    assert fields["partnerresource_area_km2"].label == "Land area (km²) (area_km2)"
    assert fields["partnerresource_kind"].label == "Relationship (kind)"


def test_an_export_by_korean_staff_keeps_the_column_names_as_headers(staff_client):
    make_partner()
    data = {"format": "0", "resource": "0"} | {f"partnerresource_{c}": "on" for c in COLUMNS}
    response = staff_client.post("/admin/partners/city/export/", data, **KO)
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == COLUMNS


def test_the_import_confirmation_message_reads_in_korean(staff_client):
    make_partner()
    rows = [partner_row(name_en="Brno", name_ko="브르노", country="CZ")]
    preview = staff_client.post(
        "/admin/partners/city/import/",
        {"format": "0", "import_file": SimpleUploadedFile("p.csv", csv_bytes(rows))},
        **KO,
    )
    confirm = staff_client.post(
        "/admin/partners/city/process_import/", preview.context["confirm_form"].initial, **KO
    )
    [message] = [str(m) for m in get_messages(confirm.wsgi_request)]
    assert message == (
        "자매·우호도시 가져오기를 마쳤습니다: 추가 1건, 수정 0건, 삭제 0건, 변경 없음 0건."
    )


def test_the_login_attempts_admin_reads_in_korean(staff_client):
    html = staff_client.get("/admin/axes/accessattempt/", **KO).content.decode()
    assert "접속 시도" in html
    assert "access attempt" not in html.lower()
    assert "Attempt Time" not in html and "시도 일시" in html


def test_the_import_preview_reads_in_korean_with_whole_readable_numbers(staff_client):
    make_partner(population=1_450_000)
    rows = [partner_row(slug="kharkiv", population="1,421,125")]
    preview = staff_client.post(
        "/admin/partners/city/import/",
        {"format": "0", "import_file": SimpleUploadedFile("p.csv", csv_bytes(rows))},
        **KO,
    )
    html = preview.content.decode()
    table = html[html.index("<table") : html.index("</table>")]
    for head in (
        "이름(영문) (name_en)",
        "인구 (population)",
        "면적(km²) (area_km2)",
        "체결일 (signed_on)",
    ):
        assert head in table, head
    # The changed figure struck through whole, not digit by digit.
    assert "<del>1,450,000</del> → <ins>1,421,125</ins>" in table
    assert not re.search(r"<del>\d{1,2}</del>", table)
