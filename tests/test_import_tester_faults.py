"""Faults a tester found in the import after issue #9: each input a test, each kind fixed.

Messages are checked in English (the Korean catalogue is checked by the translations test).
"""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from partners.models import Agreement, City
from partners.resources import import_partners, read_dataset
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
