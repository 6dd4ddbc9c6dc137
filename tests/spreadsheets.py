"""Helpers for import/export tests: countries, rows in the interchange format, files."""

import csv
import datetime
import io

import openpyxl

from partners.models import Agreement, City, Country, Kind
from partners.resources import COLUMNS

IMPORT_URL = "/admin/partners/city/import/"
CONFIRM_URL = "/admin/partners/city/process_import/"

COUNTRIES = [
    ("KR", "South Korea", "대한민국", "asia"),
    ("RU", "Russia", "러시아", "europe"),
    ("CZ", "Czechia", "체코", "europe"),
    ("US", "United States", "미국", "americas"),
    ("UA", "Ukraine", "우크라이나", "europe"),
    ("CN", "China", "중국", "asia"),
    ("AU", "Australia", "호주", "oceania"),
]


def make_countries() -> dict[str, Country]:
    return {
        iso: Country.objects.get_or_create(
            iso_code=iso, defaults={"name_en": en, "name_ko": ko, "continent": continent}
        )[0]
        for iso, en, ko, continent in COUNTRIES
    }


def partner_row(**values: object) -> list[object]:
    defaults = {
        "name_en": "Kharkiv",
        "name_ko": "하르키우",
        "country": "UA",
        "kind": "friendly",
        "signed_on": "2013-08-23",
    }
    merged = defaults | values
    return [merged.get(column, "") for column in COLUMNS]


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8", header=COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]], header=COLUMNS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def make_partner(slug: str = "kharkiv", kind: str = Kind.FRIENDLY, **fields: object) -> City:
    countries = make_countries()
    values = {"name_en": "Kharkiv", "name_ko": "하르키우", "country": countries["UA"]} | fields
    city = City.objects.create(slug=slug, **values)
    Agreement.objects.create(city=city, kind=kind, signed_on=datetime.date(2013, 8, 23))
    return city
