"""Data-check warnings where staff meet them: the partner form, the import preview and
confirm, the import command, check_data and the admin's report."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from reversion.models import Version

from partners.models import CheckConfirmation, City
from partners.resources import COLUMNS
from partners.revision_comments import describe
from tests.factories import change_url, make_city
from tests.spreadsheets import CONFIRM_URL, IMPORT_URL, csv_bytes, make_countries, partner_row
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db
REPORT_URL = reverse("admin:partners_datawarningreport_changelist")


@pytest.fixture
def staff(admin_client):
    return admin_client


def latest_comment(city: City) -> str:
    """The partner's latest history comment, in English."""
    with translation.override("en"):
        return describe(Version.objects.get_for_object(city).first().revision)


@pytest.fixture
def shenyang():
    make_countries()
    return make_city("Shenyang", "CN", name_ko="선양", population=7_200_000, area_km2=12980)


def test_admin_save_is_blocked_until_the_warning_is_confirmed(staff, shenyang):
    durban = make_city("Durban", "ZA", name_ko="더반", population=3_340_000, area_km2=2556)
    data = form_data(staff.get(change_url(durban), HTTP_ACCEPT_LANGUAGE="en"))
    data["area_km2"] = "12980"
    response = staff.post(change_url(durban), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "The same land area as Shenyang (12,980)" in response.content.decode()
    durban.refresh_from_db()
    assert durban.area_km2 == 2556
    data["confirm_warnings"] = "on"
    response = staff.post(change_url(durban), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    durban.refresh_from_db()
    assert durban.area_km2 == 12980
    confirmation = CheckConfirmation.objects.get(city=durban)
    assert (confirmation.check_code, confirmation.value) == ("same-figure", "12980")
    assert confirmation.confirmed_by.username == "admin"
    comment = describe(Version.objects.get_for_object(durban).first().revision)
    assert "same figure as another partner (area_km2 = 12980)" in comment


def test_a_confirmed_value_saves_again_without_asking(staff, shenyang):
    durban = make_city("Durban", "ZA", name_ko="더반", population=3_340_000, area_km2=12980)
    data = form_data(staff.get(change_url(durban)))
    assert staff.post(change_url(durban), data).status_code == 200  # not confirmed yet
    data["confirm_warnings"] = "on"
    assert staff.post(change_url(durban), data).status_code == 302
    data = form_data(staff.get(change_url(durban)))
    data["feature_en"] = "Port city"
    assert staff.post(change_url(durban), data).status_code == 302


def test_a_ten_thousand_fold_change_warns_in_the_form(staff):
    make_countries()
    wuhan = make_city("Wuhan", "CN", name_ko="우한", population=10_020_000, area_km2=8494)
    data = form_data(staff.get(change_url(wuhan), HTTP_ACCEPT_LANGUAGE="en"))
    data["population"] = "1002"  # 1,002만 typed as people
    response = staff.post(change_url(wuhan), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "about 1/10,000 of the previous value" in response.content.decode()


def test_a_signing_date_before_1950_needs_confirming_in_the_agreements(staff):
    make_countries()
    city = make_city("Seattle", "US", name_ko="시애틀")
    data = form_data(staff.get(change_url(city), HTTP_ACCEPT_LANGUAGE="en"))
    data |= {"agreements-0-kind": "sister", "agreements-0-signed_on": "1898-10-04"}
    data["agreements-0-status"] = "active"
    response = staff.post(change_url(city), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "before 1950" in response.content.decode()
    data["confirm_warnings"] = "on"
    assert staff.post(change_url(city), data).status_code == 302
    assert city.agreements.get().signed_on == datetime.date(1898, 10, 4)


def upload(client, rows, **extra):
    file = SimpleUploadedFile("partners.csv", csv_bytes(rows))
    return client.post(IMPORT_URL, {"format": "0", "import_file": file, **extra})


def test_the_import_preview_shows_warnings_by_line_and_column(staff, shenyang):
    rows = [
        partner_row(name_en="Seattle", name_ko="시애틀", country="US", population=620700),
        partner_row(name_en="Durban", name_ko="더반", country="KR", area_km2="12980"),
    ]
    response = upload(staff, rows, HTTP_ACCEPT_LANGUAGE="en")
    warnings = response.context["result"].data_warnings
    assert [(w["line"], w["column"]) for w in warnings] == [(3, "area_km2")]
    assert warnings[0]["partner"] in ("Durban", "더반")
    page = response.content.decode()
    assert "행과 열별 데이터 점검 경고" in page  # the admin speaks Korean by default
    assert "데이터 점검에서 경고한 값(아래 목록)을 확인했습니다" in page


def test_confirming_an_import_with_warnings_needs_the_box(staff, shenyang):
    rows = [partner_row(name_en="Durban", name_ko="더반", country="KR", area_km2="12980")]
    preview = upload(staff, rows)
    response = staff.post(CONFIRM_URL, preview.context["confirm_form"].initial)
    assert not City.objects.filter(name_en="Durban").exists()
    assert response.status_code == 302
    preview = upload(staff, rows)
    staff.post(CONFIRM_URL, preview.context["confirm_form"].initial | {"confirm_warnings": "on"})
    durban = City.objects.get(name_en="Durban")
    assert CheckConfirmation.objects.get(city=durban).field == "area_km2"


def test_a_preview_without_warnings_shows_no_confirm_box(staff, shenyang):
    response = upload(staff, [partner_row(name_en="Seattle", name_ko="시애틀", country="US")])
    assert "confirm_warnings" not in response.context["confirm_form"].fields


def write_csv(tmp_path, rows, header=COLUMNS):
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes(rows, header=header))
    return str(path)


def test_the_import_command_refuses_warnings_without_the_flag(tmp_path, shenyang):
    path = write_csv(tmp_path, [partner_row(name_en="Durban", country="KR", area_km2="12980")])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_partners", path, stderr=err)
    assert "area_km2" in err.getvalue() and "--confirm-warnings" in err.getvalue()
    assert not City.objects.filter(name_en="Durban").exists()
    with pytest.raises(CommandError, match="--user"):  # a confirmation by no one
        call_command("import_partners", path, "--confirm-warnings", stdout=io.StringIO())
    assert not City.objects.filter(name_en="Durban").exists()
    User.objects.create_user("jiwoo")
    call_command(
        "import_partners", path, "--confirm-warnings", "--user", "jiwoo", stdout=io.StringIO()
    )
    durban = City.objects.get(name_en="Durban")
    assert CheckConfirmation.objects.get(city=durban).confirmed_by.username == "jiwoo"
    assert latest_comment(durban) == (
        "Imported from partners.csv. Checked and confirmed: same figure as another partner "
        "(area_km2 = 12980)."
    )


def test_a_file_without_the_source_columns_still_imports_and_keeps_them(tmp_path, shenyang):
    shenyang.population_source = "Liaoning statistical yearbook"
    shenyang.area_year = 2020
    shenyang.save()
    old_columns = COLUMNS[: COLUMNS.index("website") + 1]
    row = partner_row(slug="shenyang", name_en="Shenyang", name_ko="선양", country="CN")
    row[COLUMNS.index("population")] = 7_300_000
    path = write_csv(tmp_path, [row[: len(old_columns)]], header=old_columns)
    call_command("import_partners", path, stdout=io.StringIO())
    shenyang.refresh_from_db()
    assert shenyang.population == 7_300_000
    assert (shenyang.population_source, shenyang.area_year) == (
        "Liaoning statistical yearbook",
        2020,
    )


def test_check_data_lists_open_warnings_and_fails(shenyang):
    make_city("Durban", "KR", name_ko="더반", area_km2=Decimal("12980.00"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="2"):
        call_command("check_data", stdout=out)
    assert "durban\tsame-figure\tarea_km2" in out.getvalue()
    call_command("check_data", "--no-fail", "--check", "density", stdout=out)


def test_the_report_lists_filters_links_and_exports_open_warnings(staff, shenyang):
    durban = make_city("Durban", "KR", name_ko="더반", area_km2=12980)
    make_city("Nicefrance", "KR", name_ko="니스", latitude=Decimal("43.70"), longitude=7)
    response = staff.get(REPORT_URL, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert change_url(durban) in page and "Shenyang" in page and "Nicefrance" in page
    response = staff.get(REPORT_URL, {"check": "outside-country"}, HTTP_ACCEPT_LANGUAGE="en")
    assert [city.slug for city, *_rest in response.context["rows"]] == ["nicefrance"]
    response = staff.get(REPORT_URL, {"check": "same-figure", "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["data-warnings"]
    sheet = book.active
    slugs = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert slugs == ["durban", "shenyang"]


def test_the_public_page_shows_the_figures_year_and_source(client):
    make_countries()
    city = make_city("Seattle", "US", name_ko="시애틀", population=620_700, area_km2=369)
    city.population_year, city.population_source = 2010, "city statistics"
    city.area_source = "https://www.seattle.gov/"
    city.save()
    page = client.get(f"/en/partners/{city.slug}/").content.decode()
    assert "620,700 (2010, city statistics)" in page
    assert '369 km² (<a href="https://www.seattle.gov/" rel="external">' in page
    page = client.get(f"/ko/partners/{city.slug}/").content.decode()
    assert "620,700명 (2010년, city statistics)" in page


def test_the_open_data_has_the_source_columns(client):
    make_countries()
    city = make_city("Seattle", "US", name_ko="시애틀", population=620_700, kind="sister")
    city.population_source, city.area_year = "city statistics", 2010
    city.save()
    rows = client.get("/data/partners.json").json()["partners"]
    assert (rows[0]["population_source"], rows[0]["area_year"]) == ("city statistics", 2010)
    page = client.get("/en/data/").content.decode()
    assert "population_source" in page and "area_source" in page


def test_coordinates_confirmed_as_typed_are_not_questioned_again(staff, shenyang):
    # Typed with four decimals, stored with six: the confirmation must match both.
    data = form_data(staff.get(change_url(shenyang)))
    data |= {"latitude": "41.8057", "longitude": "13.4315", "confirm_warnings": "on"}  # Italy
    assert staff.post(change_url(shenyang), data).status_code == 302
    assert CheckConfirmation.objects.get(city=shenyang).value == "41.8057,13.4315"
    response = staff.get(REPORT_URL, {"check": "outside-country"})
    assert response.context["rows"] == []
    data = form_data(staff.get(change_url(shenyang)))  # the form shows 41.805700
    assert data["latitude"] == "41.805700"
    assert staff.post(change_url(shenyang), data).status_code == 302


def test_an_old_signing_date_the_report_lists_is_confirmed_in_the_form(staff):
    # Saved without the checks (a revert, a script): the report lists it, and saving the
    # partner asks for it like any other value, then the report no longer does.
    make_countries()
    city = make_city("Seattle", "US", name_ko="시애틀", kind="sister")
    city.agreements.update(signed_on=datetime.date(1949, 6, 1))
    assert [w.check for _c, w, *_r in staff.get(REPORT_URL).context["rows"]] == [
        "signed-before-1950"
    ]
    data = form_data(staff.get(change_url(city)))
    response = staff.post(change_url(city), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Signed on June 1, 1949, before 1950" in response.content.decode()
    data["confirm_warnings"] = "on"
    assert staff.post(change_url(city), data).status_code == 302
    assert staff.get(REPORT_URL).context["rows"] == []


def test_an_end_before_the_signing_is_refused_without_asking_to_confirm_it(staff):
    make_countries()
    city = make_city("Seattle", "US", name_ko="시애틀")
    data = form_data(staff.get(change_url(city), HTTP_ACCEPT_LANGUAGE="en"))
    data |= {"agreements-0-kind": "sister", "agreements-0-status": "ended"}
    data |= {"agreements-0-signed_on": "2010-05-01", "agreements-0-ended_on": "2009-01-01"}
    response = staff.post(change_url(city), data, HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert "An agreement cannot end before it was signed." in page
    assert "after the agreement ended" not in page and "Check these dates" not in page
    assert not city.agreements.exists()


def test_a_save_that_only_confirms_says_so_without_a_changed_box(staff, shenyang):
    durban = make_city("Durban", "ZA", name_ko="더반", population=3_340_000, area_km2=12980)
    data = form_data(staff.get(change_url(durban))) | {"confirm_warnings": "on"}
    assert staff.post(change_url(durban), data).status_code == 302
    assert latest_comment(durban) == (
        "No fields changed. Checked and confirmed: same figure as another partner "
        "(area_km2 = 12980)."
    )


def test_as_of_years_read_as_years_in_the_preview_and_the_history(staff, shenyang):
    row = partner_row(slug="shenyang", name_en="Shenyang", name_ko="선양", country="CN")
    row[COLUMNS.index("population")] = 7_200_000
    row[COLUMNS.index("population_year")], row[COLUMNS.index("area_year")] = 2010, 2020
    page = upload(staff, [row]).content.decode()
    assert "<ins>2010</ins>" in page and "<ins>2020</ins>" in page
    assert "7,200,000" in page  # a count is still grouped
    for year in ("2019", "2020"):  # the first admin save is the version the second diffs
        data = form_data(staff.get(change_url(shenyang))) | {"area_year": year}
        assert staff.post(change_url(shenyang), data).status_code == 302
    page = staff.get(reverse("admin:partners_city_history", args=[shenyang.pk]))
    assert "<del>2019</del> → <ins>2020</ins>" in page.content.decode()


def test_an_asian_partners_swapped_coordinates_are_named_beside_the_range_error(
    staff, shenyang, tmp_path
):
    # Shenyang at 41.8057 N, 123.4315 E typed the other way round: the latitude is out of
    # range, so the swapped-coordinates check alone never saw it.
    swapped = "The latitude and longitude look swapped: (41.8057, 123.4315) is in China"
    data = form_data(staff.get(change_url(shenyang), HTTP_ACCEPT_LANGUAGE="en"))
    data |= {"latitude": "123.4315", "longitude": "41.8057", "confirm_warnings": "on"}
    page = staff.post(change_url(shenyang), data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Latitude must be between -90 and 90." in page and swapped in page
    shenyang.refresh_from_db()
    assert shenyang.latitude is None
    row = partner_row(slug="shenyang", name_en="Shenyang", name_ko="선양", country="CN")
    row[COLUMNS.index("latitude")], row[COLUMNS.index("longitude")] = "123.4315", "41.8057"
    err = io.StringIO()
    with pytest.raises(CommandError):  # the command speaks Korean
        call_command("import_partners", write_csv(tmp_path, [row]), stderr=err)
    assert (
        "위도와 경도가 뒤바뀐 것 같습니다. 두 값을 바꾼 (41.8057, 123.4315) 지점은 중국"
        in err.getvalue()
    )
