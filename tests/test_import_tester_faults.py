"""Faults a tester found in the import after issue #9: each input a test, each kind fixed.

Messages are checked in English (the Korean catalogue is checked by the translations test).
"""

import codecs
import datetime
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from partners.models import Agreement, City
from partners.resources import ImportFileError, import_partners, read_dataset
from tests.factories import make_country
from tests.spreadsheets import make_countries, make_partner

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    make_countries()
    with translation.override("en"):
        yield


def run_import(data: bytes, name: str = "partners.csv", **kwargs):
    return import_partners(read_dataset(data, name), **kwargs)


def snapshot() -> list[tuple]:
    """Every partner and agreement as stored, to prove an import wrote nothing."""
    cities = list(City.objects.order_by("pk").values_list())
    agreements = list(Agreement.objects.order_by("pk").values_list())
    return cities + agreements


def text_csv(text: str, encoding: str = "utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


def workbook(*sheets: tuple[str, list[tuple[int, list[object]]]]) -> bytes:
    """An .xlsx with the named sheets, each given as (row number, values) pairs."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for number, values in rows:
            for column, value in enumerate(values, start=1):
                sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# 1. A `?` from a CP949 save at the end of a word was not flagged.


def test_a_new_name_with_a_question_mark_after_a_letter_is_warned_about(tmp_path):
    make_country("VN")
    data = text_csv("name_en,name_ko,country,kind,signed_on\nPh? Th?,푸토,VN,friendly,2020-01-01\n")
    result = run_import(data, dry_run=True)
    assert result.report == []
    assert any("Line 2" in note and "“Ph? Th?”" in note for note in result.notes)
    assert not City.objects.filter(name_en="Ph? Th?").exists()
    path = tmp_path / "partners.csv"
    path.write_bytes(data)
    out = io.StringIO()
    call_command("import_partners", str(path), "--dry-run", stdout=out)
    assert "Line 2, column “name_en”: “Ph? Th?” has a ?" in out.getvalue()


@pytest.mark.parametrize(
    ("text", "warned"),
    [
        ("Ph? Th? is a province in the north.", True),
        ("The old town of H?i An.", True),
        ("What is it? A river port.", False),
        ("Why visit? Its parks.", False),
        ("A river port. What is it?", False),
        ("무엇이 유명한가? 온천이다.", False),
    ],
)
def test_a_question_mark_in_a_feature_is_warned_about_only_where_a_letter_was_lost(text, warned):
    make_partner()
    data = text_csv(f"slug,feature_en\nkharkiv,{text}\n")
    result = run_import(data, dry_run=True)
    assert result.report == []
    assert bool(result.notes) is warned


def test_a_question_mark_in_a_website_address_is_not_warned_about():
    make_partner()
    result = run_import(text_csv("slug,website\nkharkiv,https://city.kharkov.ua/?lang=en\n"))
    assert result.report == [] and result.notes == []


# 2. Blank rows were counted as unchanged partners.


def two_partners() -> None:
    make_partner()
    make_partner(slug="praha", name_en="Prague", name_ko="프라하", country=make_country("CZ"))


def test_blank_csv_lines_are_no_rows_and_keep_the_line_numbers():
    two_partners()
    data = text_csv("slug,name_en\n\nkharkiv,Kharkiv\n,\n , \n\npraha,Prague\n \n")
    result = run_import(data)
    assert result.report == []
    assert result.totals["skip"] == 2 and result.totals["new"] == result.totals["update"] == 0
    result = run_import(text_csv("slug,population\n\n,\nkharkiv,x\n"))
    assert result.report[0].startswith("Line 4, column “population”")


def test_blank_xlsx_rows_are_no_rows_and_keep_the_row_numbers():
    two_partners()
    rows = [(1, ["slug", "name_en"]), (2, ["kharkiv", "Kharkiv"]), (3, ["praha", "Prague"])]
    data = workbook(("Partners", [*rows, (20, ["", " "]), (3000, [" "])]))
    result = run_import(data, "partners.xlsx")
    assert result.report == [] and result.totals["skip"] == 2
    header = (1, ["slug", "population"])
    data = workbook(("Partners", [header, (7, ["kharkiv", 5]), (9, ["praha", "x"])]))
    result = run_import(data, "partners.xlsx")
    assert len(result.report) == 1 and result.report[0].startswith("Line 9")


def test_blank_rows_do_not_count_toward_the_row_limit(settings):
    settings.PORTAL_IMPORT_MAX_ROWS = 2
    two_partners()
    data = text_csv("slug,name_en\nkharkiv,Kharkiv\n" + "\n" * 50 + "praha,Prague\n")
    assert run_import(data).totals["skip"] == 2


# 5. UTF-16 with a byte-order mark (Excel's "Unicode text") was refused as unclear.


def excel_unicode_text(text: str) -> bytes:
    """What Excel's "Unicode text" writes: UTF-16 LE with its BOM, tabs, CRLF."""
    return codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le")


@pytest.mark.parametrize("name", ["partners.txt", "partners.csv"])
def test_excel_unicode_text_is_read_as_utf_16(name):
    make_country("VN")
    data = excel_unicode_text(
        "name_en\tname_ko\tcountry\tkind\tsigned_on\nHưng Yên\t흥옌\tVN\tsister\t2020-01-01\n"
    )
    assert data.startswith(b"\xff\xfen\x00a\x00")
    result = run_import(data, name)
    assert result.report == [] and result.totals["new"] == 1
    assert City.objects.get(slug="hung-yen").name_ko == "흥옌"
    assert "The file was read as UTF-16 text." in result.notes


def test_the_command_imports_excel_unicode_text(tmp_path):
    make_partner()
    path = tmp_path / "partners.txt"
    path.write_bytes(excel_unicode_text("slug\tpopulation\nkharkiv\t1421125\n"))
    call_command("import_partners", str(path), stdout=io.StringIO())
    assert City.objects.get(slug="kharkiv").population == 1421125


def test_the_admin_offers_txt_files(admin_client):
    from tests.spreadsheets import IMPORT_URL

    response = admin_client.get(IMPORT_URL)
    assert b">txt<" in response.content


# 6a. A workbook whose first sheet is a cover page.


def test_the_table_is_read_from_the_first_sheet_with_a_header_we_know():
    make_partner()
    cover = ("Cover", [(1, ["대전시 자매도시 현황"]), (3, ["2025년 12월 기준"])])
    table = ("Partners", [(1, ["slug", "population"]), (2, ["kharkiv", 1421125])])
    result = run_import(workbook(cover, table), "partners.xlsx")
    assert result.report == []
    assert City.objects.get(slug="kharkiv").population == 1421125
    assert any("the sheet “Partners”" in note for note in result.notes)


def test_a_workbook_without_a_header_we_know_says_where_to_put_the_table():
    cover = ("Cover", [(1, ["대전시 자매도시 현황"])])
    other = ("Sheet2", [(1, ["이름", "나라"]), (2, ["하르키우", "우크라이나"])])
    with pytest.raises(ImportFileError) as error:
        read_dataset(workbook(cover, other), "partners.xlsx")
    assert "The first sheet (“Cover”) has no header row we know" in str(error.value)
    assert "Put the table on the first sheet" in str(error.value)


# 6b. Too many rows: say where the rows beyond the limit start.


def test_too_many_rows_names_the_line_where_the_extra_rows_start(settings):
    settings.PORTAL_IMPORT_MAX_ROWS = 2
    before = snapshot()
    rows = [(1, ["slug", "name_en"]), (2, ["a", "A"]), (3, ["b", "B"]), (4000, ["c", "C"])]
    for data, name in (
        (workbook(("Partners", rows)), "partners.xlsx"),
        (text_csv("slug,name_en\na,A\nb,B\n" + "\n" * 3996 + "c,C\n"), "partners.csv"),
    ):
        with pytest.raises(ImportFileError) as error:
            read_dataset(data, name)
        assert "more than 2 rows after the header: the rows from line 4,000 on" in str(error.value)
    assert snapshot() == before


# 6e. A workbook given as CSV, and CSV given as a workbook.


def test_a_workbook_given_as_csv_is_named_a_workbook():
    data = workbook(("Partners", [(1, ["slug", "population"]), (2, ["kharkiv", 1])]))
    with pytest.raises(ImportFileError, match=r"This file is an Excel workbook \(.xlsx\)"):
        read_dataset(data, "partners.csv")


def test_csv_given_as_a_workbook_is_named_text():
    with pytest.raises(ImportFileError, match=r"This file is text \(CSV\), not an Excel workbook"):
        read_dataset(text_csv("slug,population\nkharkiv,1\n"), "partners.xlsx")


def test_a_workbook_given_as_csv_in_the_admin_says_choose_xlsx(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.spreadsheets import IMPORT_URL

    make_partner()
    before = snapshot()
    data = workbook(("Partners", [(1, ["slug", "population"]), (2, ["kharkiv", 1])]))
    upload = SimpleUploadedFile("partners.csv", data)
    response = admin_client.post(
        IMPORT_URL, {"import_file": upload, "format": "0", "resource": "0"}
    )
    assert "choose the xlsx format" in response.content.decode()
    assert snapshot() == before


# 3. Unit scaling rounded silently.


@pytest.mark.parametrize(
    ("header", "cell", "message"),
    [
        (
            "면적(㎡)",
            "1234567",
            "Line 2, column “area_km2”: 1,234,567 ㎡ is 1.234567 km², more decimal places than "
            "the 2 this column keeps",
        ),
        (
            "인구(천명)",
            "1450.0005",
            "Line 2, column “population”: 1,450.0005 천명 is 1,450,000.5 people, not a whole "
            "number",
        ),
    ],
)
def test_a_scaled_figure_the_field_cannot_keep_exactly_is_refused(header, cell, message):
    make_partner()
    before = snapshot()
    result = run_import(text_csv(f"slug,{header}\nkharkiv,{cell}\n"))
    assert len(result.report) == 1 and result.report[0].startswith(message)
    assert snapshot() == before


def test_a_scaled_figure_that_fits_is_stored_and_excel_noise_is_still_rounded_first():
    make_partner()
    data = workbook(
        (
            "Partners",
            [(1, ["slug", "면적(㎡)", "인구(천명)"]), (2, ["kharkiv", 350_000_000, 0.1 * 3])],
        )
    )
    assert 0.1 * 3 == 0.30000000000000004
    result = run_import(data, "partners.xlsx")
    assert result.report == []
    city = City.objects.get(slug="kharkiv")
    assert (city.area_km2, city.population) == (350, 300)


# 4. A signing date after today was accepted and ended the current agreement today.


def test_a_signing_date_after_today_is_refused_on_import(tmp_path):
    make_partner()
    before = snapshot()
    data = text_csv("slug,kind,signed_on\nkharkiv,friendly,2099-01-01\n")
    result = run_import(data)
    assert len(result.report) == 1
    assert result.report[0].startswith(
        "Line 2, column “signed_on”: An agreement cannot be signed after today"
    )
    assert snapshot() == before
    path = tmp_path / "partners.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError):
        call_command("import_partners", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert snapshot() == before


def test_a_new_partner_signed_after_today_is_refused_on_import():
    before = snapshot()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = text_csv(f"name_en,name_ko,country,kind,signed_on\nLviv,르비우,UA,sister,{tomorrow}\n")
    result = run_import(data)
    assert len(result.report) == 1 and "cannot be signed after today" in result.report[0]
    assert snapshot() == before


def test_an_agreement_signed_or_ended_after_today_is_refused_by_the_model():
    from django.core.exceptions import ValidationError

    city = make_partner()
    future = datetime.date(2099, 1, 1)
    with pytest.raises(ValidationError) as error:
        Agreement(city=city, kind="sister", signed_on=future).full_clean()
    assert "cannot be signed after today" in str(error.value.message_dict["signed_on"])
    ended = Agreement(city=city, kind="sister", signed_on=datetime.date(2000, 1, 1), status="ended")
    ended.ended_on = future
    with pytest.raises(ValidationError) as error:
        ended.full_clean()
    assert "cannot end after today" in str(error.value.message_dict["ended_on"])


def test_the_admin_refuses_an_agreement_signed_after_today(admin_client):
    from tests.factories import change_url

    city = make_partner()
    before = snapshot()
    response = admin_client.get(change_url(city), HTTP_ACCEPT_LANGUAGE="en")
    data = {"_save": "Save"}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for field in form:
            value = field.value()
            if value not in (None, False):
                data[field.html_name] = "on" if value is True else str(value)
    data |= {"agreements-1-kind": "sister", "agreements-1-signed_on": "2099-01-01"}
    response = admin_client.post(change_url(city), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "An agreement cannot be signed after today" in response.content.decode()
    assert snapshot() == before


# 6c. A date typed in a number column; 6d. a two-digit year that cannot be read.


def test_a_date_in_the_population_column_is_named_a_date():
    make_partner()
    before = snapshot()
    data = workbook(
        ("Partners", [(1, ["slug", "population"]), (2, ["kharkiv", datetime.date(2020, 1, 1)])])
    )
    result = run_import(data, "partners.xlsx")
    assert len(result.report) == 1
    assert "is a date, not a number" in result.report[0]
    assert "spaces" not in result.report[0]
    result = run_import(text_csv("slug,population\nkharkiv,2020. 1. 1.\n"))
    assert "“2020. 1. 1.” is a date, not a number" in result.report[0]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "05.10.18",
            "“05.10.18” has a two-digit year, and its first number may be the year (YY.MM.DD, "
            "as Korean offices write) or the day (DD.MM.YY), so it may be 2005-10-18 / "
            "2018-10-05.",
        ),
        ("'40.10.18", "“'40.10.18” has a two-digit year that may be 1940 or 2040"),
    ],
)
def test_a_two_digit_year_that_cannot_be_read_says_why(cell, message):
    make_partner()
    before = snapshot()
    result = run_import(text_csv(f"slug,kind,signed_on\nkharkiv,sister,{cell}\n"))
    assert len(result.report) == 1 and message in result.report[0]
    assert snapshot() == before
