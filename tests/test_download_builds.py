"""The downloads' rows read with values() and the XLSX written by XlsxWriter are the files the
resources and openpyxl made before (issue 13: a first build at 10,000 partners within 3 s)."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import City
from partners.resources import FORMATS_BY_NAME, ExchangeResource, PartnerResource
from partners.resources.values_export import export_values
from tests.factories import make_exchange, make_exchange_partners


@pytest.fixture
def partners(db) -> dict[str, City]:
    cities = make_exchange_partners()
    City.objects.filter(pk=cities["kharkiv"].pk).update(is_published=False)
    make_exchange(
        cities["sapporo"], cities["novosibirsk"], cities["kharkiv"], summary_en="Day 1\nDay 2"
    )
    make_exchange(
        cities["novosibirsk"], title_en="=HYPERLINK(1)", started_on=datetime.date(2020, 1, 2)
    )
    return cities


def test_partner_rows_from_values_are_the_resources_rows(partners):
    published = City.objects.published()
    expected = PartnerResource().export(published)
    rows = export_values(PartnerResource(), published)
    assert rows.headers == expected.headers
    assert rows.dict == expected.dict
    # Kharkiv is unpublished; the others' countries are codes, read through the foreign key.
    assert sorted((row["slug"], row["country"]) for row in rows.dict) == [
        ("novosibirsk", "RU"),
        ("sapporo", "JP"),
    ]


def test_exchange_rows_name_published_partners_only_in_slug_order(partners):
    resource = ExchangeResource(published_partners_only=True)
    columns = ["id", "partners", "title_en", "started_on", "summary_en"]
    rows = export_values(resource, partners["sapporo"].exchanges.all(), columns)
    # Kharkiv is unpublished: the open data does not name it.
    assert rows.dict[0]["partners"] == "novosibirsk; sapporo"
    everything = ExchangeResource(published_partners_only=True).export(
        partners["sapporo"].exchanges.all(), export_fields=columns
    )
    assert rows.dict == everything.dict


def test_rows_from_values_take_a_fixed_number_of_queries(partners):
    exchanges = partners["novosibirsk"].exchanges.order_by("-started_on")
    with CaptureQueriesContext(connection) as few:
        export_values(ExchangeResource(), exchanges)
    for number in range(20):
        make_exchange(partners["novosibirsk"], partners["sapporo"], title_en=f"Visit {number}")
    with CaptureQueriesContext(connection) as many:
        rows = export_values(ExchangeResource(), exchanges)
    assert len(rows) == 22
    assert len(many) == len(few)


def test_a_computed_column_is_refused_rather_than_exported_blank(partners):
    class Computed(PartnerResource):
        def dehydrate_slug(self, city: City) -> str:
            return city.slug.upper()

    with pytest.raises(ValueError, match="slug"):
        export_values(Computed(), City.objects.all())


def test_the_xlsx_download_has_a_bold_frozen_header_dates_numbers_and_wrapped_text(
    client, partners
):
    book = openpyxl.load_workbook(io.BytesIO(client.get("/data/exchanges.xlsx").content))
    sheet = book.active
    # Named as the file, not by tablib's default "Tablib Dataset".
    assert book.sheetnames == ["exchanges"]
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert all(cell.font.b for cell in sheet[1])
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    newest, oldest = rows
    assert newest["title_en"].value == "'=HYPERLINK(1)"
    assert newest["title_en"].data_type == "s"
    assert newest["id"].data_type == "n"
    assert newest["started_on"].value == datetime.datetime(2020, 1, 2)
    assert newest["started_on"].number_format == "yyyy-mm-dd"
    # Blank text stays an empty cell, as openpyxl wrote it.
    assert newest["summary_en"].value is None
    assert oldest["summary_en"].value == "Day 1\nDay 2"
    assert oldest["summary_en"].alignment.wrap_text
    assert not oldest["title_en"].alignment.wrap_text


def test_a_carriage_return_reads_back_as_a_line_break_not_an_escape():
    import tablib

    dataset = tablib.Dataset(["a\r\nb", "c\rd"], headers=["one", "two"])
    sheet = openpyxl.load_workbook(
        io.BytesIO(FORMATS_BY_NAME["xlsx"]().export_data(dataset))
    ).active
    assert [cell.value for cell in sheet[2]] == ["a\nb", "c\nd"]


def test_the_partners_workbook_names_its_sheet_as_the_file_and_an_untitled_one_sheet1(
    client, partners
):
    import tablib

    book = openpyxl.load_workbook(io.BytesIO(client.get("/data/partners.xlsx").content))
    assert book.sheetnames == ["partners"]
    untitled = FORMATS_BY_NAME["xlsx"]().export_data(tablib.Dataset(["a"], headers=["one"]))
    assert openpyxl.load_workbook(io.BytesIO(untitled)).sheetnames == ["Sheet1"]
