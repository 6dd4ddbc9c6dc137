import datetime
import io
import json

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from partners.models import City, Kind
from partners.resources import COLUMNS
from portal import page_cache
from tests.spreadsheets import (
    CONFIRM_URL,
    IMPORT_URL,
    csv_bytes,
    make_countries,
    make_partner,
    partner_row,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def countries():
    return make_countries()


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("staff", "staff@example.com", "pw"))
    return client


def upload(client, data: bytes, name: str = "partners.csv", fmt: str = "0"):
    return client.post(IMPORT_URL, {"format": fmt, "import_file": SimpleUploadedFile(name, data)})


def test_the_admin_preview_writes_nothing_and_confirming_writes(staff_client):
    client = staff_client
    preview = upload(
        client, csv_bytes([partner_row(name_en="Brno", name_ko="브르노", country="CZ")])
    )
    assert preview.status_code == 200
    assert City.objects.count() == 0
    confirm_form = preview.context["confirm_form"]
    assert confirm_form is not None
    response = client.post(CONFIRM_URL, confirm_form.initial)
    assert response.status_code == 302
    city = City.objects.get()
    assert (city.name_ko, city.agreements.get().kind) == ("브르노", Kind.FRIENDLY)


def test_the_admin_refuses_an_import_file_over_the_size_limit_with_both_sizes(
    staff_client, settings
):
    settings.PORTAL_MAX_IMPORT_FILE_BYTES = 100
    data = csv_bytes([partner_row(feature_en="x" * 200)])
    response = upload(staff_client, data)
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    [message] = response.context["form"].errors["import_file"]
    assert f"{len(data)}\xa0" in message and "100\xa0" in message
    assert City.objects.count() == 0


def test_the_admin_preview_of_a_bad_file_lists_line_and_column_without_raw_exceptions(
    staff_client,
):
    rows = [partner_row(), partner_row(name_en="Brno", country="CZ", area_km2="88,5")]
    response = upload(staff_client, csv_bytes(rows))
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert "area_km2" in page and "88,5" in page
    assert "Line 3" in page or "3" in page
    for raw in ("ConversionSyntax", "Traceback", "InvalidOperation", "ValueError"):
        assert raw not in page
    assert City.objects.count() == 0


def test_an_unreadable_upload_gets_a_clear_message_not_an_exception_name(staff_client):
    response = upload(staff_client, b"\xff\xfe\xfa\x00garbage", "partners.csv")
    page = response.content.decode()
    assert response.status_code == 200
    assert "CP949" in page
    assert "UnicodeDecodeError" not in page and "ImportFileError" not in page


def test_a_view_only_staff_user_cannot_import(client):
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_city"))
    client.force_login(user)
    assert client.get("/admin/partners/city/").status_code == 200
    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, csv_bytes([partner_row()])).status_code == 403
    assert client.post(CONFIRM_URL, {}).status_code == 403
    assert City.objects.count() == 0


def test_the_admin_exports_the_filtered_changelist_as_xlsx(staff_client, countries):
    make_partner(slug="kharkiv")
    make_partner(slug="seattle", name_en="Seattle", name_ko="시애틀", country=countries["US"])
    data = {"format": "1", "resource": "0"} | {f"partnerresource_{c}": "on" for c in COLUMNS}
    url = f"/admin/partners/city/export/?country__id__exact={countries['US'].pk}"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["seattle"]


@pytest.mark.parametrize(
    ("model", "resource", "expected"),
    [
        ("agreement", "agreementresource", ["kharkiv", "friendly"]),
        ("country", "countryresource", ["AU", "Australia"]),
    ],
)
def test_each_model_has_a_backup_export_with_natural_keys(staff_client, model, resource, expected):
    make_partner()
    response = staff_client.get(f"/admin/partners/{model}/export/")
    assert response.status_code == 200
    fields = response.context["form"].fields
    data = {"format": "0", "resource": "0"} | {
        name: "on" for name in fields if name.startswith(resource)
    }
    response = staff_client.post(f"/admin/partners/{model}/export/", data)
    lines = response.content.decode("utf-8-sig").splitlines()
    if expected:
        assert lines[1].split(",")[: len(expected)] == expected
    assert ",id," not in "," + lines[0] + ","


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("json", "application/json"),
    ],
)
def test_open_data_downloads_have_type_filename_and_last_modified(client, fmt, content_type):
    make_partner()
    response = client.get(f"/data/partners.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="partners.{fmt}"'
    assert "Last-Modified" in response and "ETag" in response
    # A date alone proves the file current once a write's transaction can no longer be open
    # (portal/page_cache.py DATE_ALLOWANCE_SECONDS); a second later it did not yet.
    changed = parse_http_date(response["Last-Modified"])
    for later, status in ((1, 200), (page_cache.DATE_ALLOWANCE_SECONDS, 304)):
        since = http_date(changed + later)
        again = client.get(f"/data/partners.{fmt}", headers={"if-modified-since": since})
        assert again.status_code == status


def test_open_data_is_not_reported_unchanged_after_the_latest_partner_is_unpublished(client):
    make_partner(slug="kharkiv")
    latest = make_partner(slug="brno", name_en="Brno")
    # HTTP dates count whole seconds: let the file be downloaded a minute after the edits.
    City.objects.update(updated_at=timezone.now() - datetime.timedelta(minutes=1))
    first = client.get("/data/partners.csv")
    assert b"brno" in first.content
    latest.is_published = False
    latest.save()
    again = client.get("/data/partners.csv", headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 200
    assert b"brno" not in again.content


def test_open_data_lists_published_partners_only_with_the_import_columns(client):
    make_partner(slug="kharkiv", population=1_421_125)
    make_partner(slug="hidden", name_en="Hidden", is_published=False)
    rows = json.loads(client.get("/data/partners.json").content)["partners"]
    assert [row["slug"] for row in rows] == ["kharkiv"]
    # The downloads add the partnership's two dates; the JSON the partner's photos and
    # public documents, which do not fit a cell.
    assert list(rows[0]) == [*COLUMNS, "first_signed_on", "kind_since", "photos", "documents"]
    assert rows[0]["population"] == 1_421_125
    assert "notes" not in rows[0]


def test_open_data_etag_changes_when_an_agreement_changes_on_its_own(client):
    city = make_partner()
    first = client.get("/data/partners.csv")
    agreement = city.agreements.get()
    agreement.status = "suspended"
    agreement.save()
    again = client.get("/data/partners.csv", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert b"suspended" in again.content


def test_the_data_dictionary_explains_every_column_in_both_languages(client):
    response = client.get(reverse("partners:data-dictionary"))
    page = response.content.decode()
    assert response.status_code == 200
    for column in COLUMNS:
        assert f"<code>{column}</code>" in page
    assert 'lang="en"' in page and 'lang="ko"' in page
    for fmt in ("csv", "xlsx", "json"):
        assert f'href="/data/partners.{fmt}"' in page


def test_the_partner_list_links_to_the_downloads_and_the_data_dictionary(client):
    page = client.get("/en/partners/").content.decode()
    assert 'href="/data/partners.csv"' in page
    assert 'href="/en/data/"' in page


def test_the_preview_of_the_unchanged_demo_data_shows_no_changes_and_no_none(staff_client):
    call_command("loaddata", "countries", "daejeon", verbosity=0)
    data = (settings.BASE_DIR / "fixtures" / "daejeon.csv").read_bytes()
    response = upload(staff_client, data)
    page = response.content.decode()
    result = response.context["result"]
    assert result.totals["skip"] == City.objects.count()
    # Stored 436.00 against the file's 436, blank population year against blank.
    assert "<del" not in page and "<ins" not in page
    assert ">None<" not in page and "None</" not in page
    assert ">436<" in page


def test_an_export_writes_areas_and_coordinates_without_padding_zeros(staff_client):
    make_partner(area_km2="436.00", latitude="35.192200", longitude="-122.000000")
    data = {"format": "0", "resource": "0"} | {f"partnerresource_{c}": "on" for c in COLUMNS}
    response = staff_client.post("/admin/partners/city/export/", data)
    [row] = response.content.decode("utf-8-sig").splitlines()[1:]
    cells = dict(zip(COLUMNS, row.split(","), strict=True))
    assert (cells["area_km2"], cells["latitude"], cells["longitude"]) == ("436", "35.1922", "-122")
    assert cells["population"] == ""


@pytest.mark.parametrize(
    ("model", "resource", "fmt", "filename"),
    [
        ("city", "partnerresource", "0", "partners-2026-11-29.csv"),
        ("city", "partnerresource", "1", "partners-2026-11-29.xlsx"),
        ("city", "partnerresource", "2", "partners-2026-11-29.json"),
        ("agreement", "agreementresource", "0", "agreements-backup-2026-11-29.csv"),
        ("exchange", "exchangeresource", "0", "exchanges-2026-11-29.csv"),
        ("country", "countryresource", "0", "countries-backup-2026-11-29.csv"),
    ],
)
def test_admin_export_files_are_named_after_the_data_and_the_local_date(
    staff_client, monkeypatch, settings, model, resource, fmt, filename
):
    # 20:00 UTC on the 28th is already the 29th in Seoul.
    settings.TIME_ZONE = "Asia/Seoul"
    utc_evening = datetime.datetime(2026, 11, 28, 20, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: utc_evening)
    make_partner()
    fields = staff_client.get(f"/admin/partners/{model}/export/").context["form"].fields
    data = {"format": fmt, "resource": "0"} | {n: "on" for n in fields if n.startswith(resource)}
    response = staff_client.post(f"/admin/partners/{model}/export/", data)
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
