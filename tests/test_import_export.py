import datetime
import decimal
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from partners.models import Agreement, City, Country, Kind, Status
from partners.resources import (
    FORMATS_BY_NAME,
    ImportFileError,
    PartnerResource,
    import_partners,
    read_dataset,
)
from tests.spreadsheets import csv_bytes, make_countries, make_partner, partner_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def run_import(data: bytes, name: str = "partners.csv", dry_run: bool = False):
    return import_partners(read_dataset(data, name), dry_run=dry_run)


def export_bytes(name: str) -> bytes:
    return FORMATS_BY_NAME[name]().export_data(PartnerResource().export())


@pytest.fixture(autouse=True)
def countries():
    return make_countries()


def test_a_cp949_file_with_hangul_names_is_imported():
    data = csv_bytes([partner_row(name_en="Qingdao", name_ko="칭다오", country="중국")], "cp949")
    result = run_import(data)
    assert result.report == []
    city = City.objects.get()
    assert (city.name_ko, city.country.iso_code, city.slug) == ("칭다오", "CN", "qingdao")


def test_a_utf8_file_with_a_byte_order_mark_is_imported():
    data = b"\xef\xbb\xbf" + csv_bytes([partner_row(name_ko="하르키우")])
    assert run_import(data).report == []
    assert City.objects.get().name_ko == "하르키우"


def test_a_file_in_no_encoding_we_can_tell_is_refused_with_a_clear_message():
    # 0x81 is no character in Windows-1252, and 0x81 0x20 none in CP949.
    with pytest.raises(ImportFileError, match="CP949"):
        read_dataset(b"slug,name_en\n\x81 ,x\n", "partners.csv")


def test_import_with_one_bad_row_writes_nothing_and_names_the_line_and_column():
    rows = [
        partner_row(name_en="Kharkiv"),
        partner_row(name_en="Seattle", country="US", population="88,5"),
        partner_row(name_en="Brno", country="CZ"),
    ]
    result = run_import(csv_bytes(rows))
    assert City.objects.count() == 0
    assert Agreement.objects.count() == 0
    assert len(result.report) == 1
    assert "3" in result.report[0]
    assert "population" in result.report[0]
    assert "88,5" in result.report[0]


@pytest.mark.parametrize("value", ["88,5", "1,73,000", "4,70.4", "12,3456"])
def test_a_decimal_comma_or_misplaced_separator_is_an_error(value):
    result = run_import(csv_bytes([partner_row(area_km2=value)]))
    assert "area_km2" in result.report[0]
    assert City.objects.count() == 0


def test_thousands_separators_are_accepted():
    run_import(csv_bytes([partner_row(population="1,733,000", area_km2="4,704.4")]))
    city = City.objects.get()
    assert (city.population, city.area_km2) == (1_733_000, decimal.Decimal("4704.4"))


@pytest.mark.parametrize("text", ["2013-08-23", "2013.08.23", "2013/08/23", "2013.8.23."])
def test_signing_dates_are_read_in_the_accepted_forms(text):
    run_import(csv_bytes([partner_row(signed_on=text)]))
    assert Agreement.objects.get().signed_on == datetime.date(2013, 8, 23)


@pytest.mark.parametrize("text", ["23/08/2013", "2013-13-01", "yesterday", "2013-08"])
def test_other_date_forms_are_errors(text):
    result = run_import(csv_bytes([partner_row(signed_on=text)]))
    assert "signed_on" in result.report[0]
    assert City.objects.count() == 0


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("sister", Kind.SISTER),
        ("자매", Kind.SISTER),
        ("Sister cities", Kind.SISTER),
        ("자매도시", Kind.SISTER),
        ("FRIENDLY", Kind.FRIENDLY),
        ("우호", Kind.FRIENDLY),
        ("Friendly cooperation cities", Kind.FRIENDLY),
        ("우호협력도시", Kind.FRIENDLY),
    ],
)
def test_the_kind_is_read_in_english_korean_and_the_seeds_wording(word, kind):
    run_import(csv_bytes([partner_row(kind=word)]))
    assert Agreement.objects.get().kind == kind


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("RU", "RU"),
        ("ru", "RU"),
        ("Russia", "RU"),
        ("russian federation", "RU"),
        ("러시아", "RU"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("체코", "CZ"),
        ("United States of America", "US"),
    ],
)
def test_the_country_is_found_by_code_or_english_korean_official_or_common_name(text, iso):
    run_import(csv_bytes([partner_row(country=text)]))
    assert City.objects.get().country.iso_code == iso


@pytest.fixture
def all_countries(countries):
    """Every country of the real fixture, so that an alias must not clash with any name."""
    path = Path(__file__).resolve().parent.parent / "fixtures" / "countries.json"
    records = json.loads(path.read_text(encoding="utf-8"))
    Country.objects.bulk_create(
        [
            Country(**record["fields"])
            for record in records
            if record["fields"]["iso_code"] not in countries
        ]
    )


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("호주", "AU"),
        ("오스트레일리아", "AU"),
        ("남아프리카공화국", "ZA"),
        ("남아공", "ZA"),
        ("Republic of South Africa", "ZA"),
        ("체코공화국", "CZ"),
        ("Czech Republic", "CZ"),
        ("터키", "TR"),
        ("Turkey", "TR"),
        ("튀르키예", "TR"),
        ("타이완", "TW"),
        ("대만", "TW"),
        ("Korea", "KR"),
        ("한국", "KR"),
        ("South Korea", "KR"),
        ("republic of korea", "KR"),
        ("USA", "US"),
        ("미국", "US"),
        ("UK", "GB"),
        ("영국", "GB"),
    ],
)
def test_everyday_country_names_are_accepted(all_countries, text, iso):
    result = run_import(csv_bytes([partner_row(country=text)]))
    assert result.report == []
    assert City.objects.get().country.iso_code == iso


def test_a_misspelt_country_name_stays_an_error(all_countries):
    result = run_import(csv_bytes([partner_row(country="Austrailia")]))
    assert "country" in result.report[0] and "Austrailia" in result.report[0]
    assert City.objects.count() == 0


def test_an_unknown_country_is_an_error_on_the_country_column():
    result = run_import(csv_bytes([partner_row(country="Atlantis")]))
    assert "country" in result.report[0] and "Atlantis" in result.report[0]


def test_the_country_table_is_read_once_per_import_not_once_per_row():
    rows = [partner_row(name_en=f"City {n}", country="Russia") for n in range(30)]
    dataset = read_dataset(csv_bytes(rows), "partners.csv")
    with CaptureQueriesContext(connection) as queries:
        import_partners(dataset)
    country_queries = [q for q in queries if 'FROM "partners_country"' in q["sql"]]
    assert len(country_queries) == 1


def test_surrounding_spaces_in_text_cells_are_dropped():
    row = partner_row(
        slug=" seattle ",
        name_en="Seattle ",
        name_ko=" 시애틀",
        country="United States ",
        aliases=" Emerald City ",
        feature_en="  Port city\n",
        website=" https://seattle.gov ",
    )
    assert run_import(csv_bytes([row])).report == []
    city = City.objects.get()
    assert (city.slug, city.name_en, city.name_ko, city.aliases) == (
        "seattle",
        "Seattle",
        "시애틀",
        "Emerald City",
    )
    assert (city.feature_en, city.website) == ("Port city", "https://seattle.gov")


def test_a_blank_slug_matches_the_partner_by_english_name_and_country():
    city = make_partner(slug="kharkiv-ua", population=1_400_000)
    run_import(csv_bytes([partner_row(slug="", name_en="kharkiv", population="1,421,125")]))
    city.refresh_from_db()
    assert City.objects.count() == 1
    assert city.population == 1_421_125


def test_an_unknown_partner_is_created_published_with_a_generated_unique_slug():
    make_partner(slug="kharkiv")
    run_import(csv_bytes([partner_row(name_en="Kharkiv", country="RU")]))
    created = City.objects.get(country__iso_code="RU")
    assert created.is_published
    assert created.slug == "kharkiv-ru"


def test_a_friendly_city_upgraded_to_sister_keeps_its_history():
    city = make_partner(kind=Kind.FRIENDLY)
    result = run_import(
        csv_bytes([partner_row(slug="kharkiv", kind="sister", signed_on="2020-05-01")])
    )
    assert result.report == []
    friendly, sister = city.agreements.order_by("signed_on")
    assert (friendly.kind, friendly.status, friendly.ended_on) == (
        Kind.FRIENDLY,
        Status.ENDED,
        datetime.date(2020, 5, 1),
    )
    assert (sister.kind, sister.status) == (Kind.SISTER, Status.ACTIVE)


def test_a_change_of_kind_without_a_signing_date_is_an_error_and_keeps_the_agreement():
    city = make_partner(kind=Kind.FRIENDLY)
    result = run_import(csv_bytes([partner_row(slug="kharkiv", kind="sister", signed_on="")]))
    assert len(result.report) == 1
    assert "signed_on" in result.report[0] and "2013-08-23" in result.report[0]
    agreement = city.agreements.get()
    assert (agreement.kind, agreement.status) == (Kind.FRIENDLY, Status.ACTIVE)


def test_a_change_of_kind_signed_the_same_day_as_the_current_agreement_is_accepted():
    city = make_partner(kind=Kind.FRIENDLY)
    result = run_import(csv_bytes([partner_row(slug="kharkiv", kind="sister")]))
    assert result.report == []
    assert city.agreements.get(status=Status.ACTIVE).kind == Kind.SISTER


def test_same_kind_and_date_updates_the_current_agreement_in_place():
    city = make_partner()
    run_import(csv_bytes([partner_row(slug="kharkiv", status="suspended")]))
    agreement = city.agreements.get()
    assert agreement.status == Status.SUSPENDED


def test_ended_with_the_current_kind_and_date_ends_the_current_agreement_in_place():
    city = make_partner()
    result = run_import(csv_bytes([partner_row(slug="kharkiv", status="ended")]))
    assert result.report == []
    agreement = city.agreements.get()
    assert (agreement.kind, agreement.status) == (Kind.FRIENDLY, Status.ENDED)


@pytest.mark.parametrize(
    ("kind", "signed_on"), [("friendly", "2025-01-01"), ("sister", "2025-01-01")]
)
def test_ended_with_a_new_date_is_an_error_saying_how_to_end_and_keeps_the_agreement(
    kind, signed_on
):
    city = make_partner()
    result = run_import(
        csv_bytes([partner_row(slug="kharkiv", kind=kind, status="ended", signed_on=signed_on)])
    )
    assert len(result.report) == 1
    assert "status" in result.report[0]
    assert "friendly" in result.report[0] and "2013-08-23" in result.report[0]
    agreement = city.agreements.get()
    assert (agreement.signed_on, agreement.status) == (datetime.date(2013, 8, 23), Status.ACTIVE)


def test_a_new_agreement_older_than_the_current_one_is_an_error():
    make_partner()
    result = run_import(csv_bytes([partner_row(slug="kharkiv", signed_on="2001-01-01")]))
    assert "signed_on" in result.report[0]
    assert Agreement.objects.count() == 1


def test_the_same_partner_twice_in_one_file_is_an_error_naming_the_first_line():
    rows = [partner_row(slug="kharkiv"), partner_row(slug="kharkiv")]
    result = run_import(csv_bytes(rows))
    assert City.objects.count() == 0
    assert "3" in result.report[0] and "2" in result.report[0]


@pytest.mark.parametrize("column", ["name_en", "name_ko", "feature_en"])
def test_a_nul_byte_in_a_cell_is_an_error_naming_the_line_and_column(column):
    result = run_import(csv_bytes([partner_row(**{column: "X\x0012"})]))
    assert len(result.report) == 1
    assert "2" in result.report[0] and column in result.report[0]
    assert "U+0000" in result.report[0]
    assert City.objects.count() == 0


def test_a_line_break_or_tab_is_kept_in_a_feature_but_refused_in_a_name():
    result = run_import(csv_bytes([partner_row(feature_en="Port city\n\tand rail hub")]))
    assert result.report == []
    assert City.objects.get().feature_en == "Port city\n\tand rail hub"
    result = run_import(csv_bytes([partner_row(name_en="Odesa\nCity", country="RU")]))
    assert "name_en" in result.report[0] and "U+000A" in result.report[0]


def test_an_unexpected_database_error_saving_new_partners_is_reported_and_writes_nothing(
    monkeypatch,
):
    def fail(resource):
        City.objects.create(slug="half-written", name_en="Half", name_ko="반", country_id=None)

    monkeypatch.setattr(PartnerResource, "create_new_cities", fail)
    result = run_import(csv_bytes([partner_row()]))
    assert result.report == [
        gettext("An unexpected error stopped the import; nothing was written.")
    ]
    assert City.objects.count() == 0


def test_a_cell_over_128_kb_is_reported_as_too_long_for_its_column():
    result = run_import(csv_bytes([partner_row(feature_en="x" * 200_000)]))
    assert len(result.report) == 1
    assert "2" in result.report[0] and "feature_en" in result.report[0]
    assert "300" in result.report[0]
    assert City.objects.count() == 0


def test_a_new_partner_written_twice_with_different_spellings_is_an_error_naming_the_first_line():
    rows = [
        partner_row(name_en="Newtown", name_ko="뉴타운", country="US"),
        partner_row(name_en="Newtown", name_ko="뉴타운", country="United States"),
        partner_row(name_en="newtown", name_ko="뉴타운", country="미국"),
    ]
    result = run_import(csv_bytes(rows))
    assert len(result.report) == 2
    assert all("2" in line and "slug" in line for line in result.report)
    assert City.objects.count() == 0


def test_a_new_partner_with_a_slug_then_without_one_is_an_error_naming_the_first_line():
    rows = [
        partner_row(slug="newtown", name_en="Newtown", country="US"),
        partner_row(name_en="Newtown", country="US"),
    ]
    result = run_import(csv_bytes(rows))
    assert len(result.report) == 1
    assert "3" in result.report[0] and "2" in result.report[0]
    assert City.objects.count() == 0


def test_two_new_partners_of_the_same_name_in_different_countries_are_both_created():
    rows = [
        partner_row(name_en="Newtown", country="US"),
        partner_row(name_en="Newtown", country="AU"),
    ]
    assert run_import(csv_bytes(rows)).report == []
    assert sorted(City.objects.values_list("slug", flat=True)) == ["newtown", "newtown-au"]


def test_a_dry_run_writes_nothing_but_reports_what_it_would_do():
    result = run_import(csv_bytes([partner_row()]), dry_run=True)
    assert result.totals["new"] == 1
    assert City.objects.count() == 0


def test_an_unknown_column_is_listed_as_ignored_and_the_rest_is_imported():
    header = ["slug", "name_en", "name_ko", "country", "kind", "signed_on", "populaton"]
    row = ["kharkiv", "Kharkiv", "하르키우", "UA", "friendly", "2013-08-23", "1"]
    data = csv_bytes([row], header=header)
    result = run_import(data)
    assert result.report == []
    assert any("“populaton”" in note for note in result.notes)
    assert City.objects.get().population is None


def test_blank_lines_are_ignored_and_line_numbers_still_match_the_file():
    blank = [""] * 16
    rows = [partner_row(), blank, partner_row(name_en="Brno", country="CZ", population="x")]
    result = run_import(csv_bytes(rows))
    assert result.report[0].startswith("Line 4") or "4" in result.report[0]


def test_export_then_reimport_changes_nothing_and_reports_every_row_skipped(countries):
    make_partner(population=1_421_125, latitude=decimal.Decimal("49.993500"))
    make_partner(
        slug="seattle",
        name_en="Seattle",
        name_ko="시애틀",
        longitude=decimal.Decimal("-122.332100"),
        feature_en='=HYPERLINK("http://x")',
        kind=Kind.SISTER,
    )
    City.objects.create(
        slug="no-agreement", name_en="Nowhere", name_ko="무", country=countries["KR"]
    )
    before = list(City.objects.values_list("updated_at", flat=True).order_by("pk"))
    for name in ("csv", "xlsx"):
        result = run_import(export_bytes(name), f"partners.{name}")
        assert result.report == []
        assert result.totals["skip"] == 3
        assert result.totals["update"] == result.totals["new"] == 0
    assert Agreement.objects.count() == 2
    assert list(City.objects.values_list("updated_at", flat=True).order_by("pk")) == before


FORMULA_PAYLOADS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


def formula_partner(payload: str) -> City:
    return make_partner(
        feature_en=payload,
        # A name holds no tab or line break (import refuses them): only the formula part.
        aliases=payload.lstrip("\t\r"),
        latitude=decimal.Decimal("-33.868800"),
        longitude=decimal.Decimal("-70.123400"),
        population=1_000_000,
    )


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_formula_payloads_are_neutralised_in_csv_while_numbers_stay_numbers(payload):
    formula_partner(payload)
    dataset = read_dataset(export_bytes("csv"), "export.csv")
    row = dataset.dict[0]
    assert row["feature_en"] == "'" + payload
    assert row["aliases"] == "'" + payload.lstrip("\t\r")
    assert (row["latitude"], row["longitude"], row["population"]) == (
        "-33.8688",
        "-70.1234",
        "1000000",
    )


@pytest.mark.parametrize("payload", FORMULA_PAYLOADS)
def test_formula_payloads_are_neutralised_in_xlsx_while_numbers_stay_numbers(payload):
    import io

    import openpyxl

    formula_partner(payload)
    sheet = openpyxl.load_workbook(io.BytesIO(export_bytes("xlsx"))).active
    header = [cell.value for cell in sheet[1]]
    cells = dict(zip(header, sheet[2], strict=True))
    assert cells["feature_en"].data_type == "s"
    # XML reads a carriage return back as a line feed; the quote is what matters.
    assert cells["feature_en"].value == "'" + payload.replace("\r", "\n")
    for column in ("latitude", "longitude", "population", "area_km2"):
        assert cells[column].data_type == "n"
    assert cells["longitude"].value == -70.1234
    assert cells["signed_on"].is_date


# XML reads a carriage return back as a line feed, so that payload round-trips in CSV only.
ROUND_TRIPS = [(p, "csv") for p in FORMULA_PAYLOADS] + [
    (p, "xlsx") for p in FORMULA_PAYLOADS if "\r" not in p
]


@pytest.mark.parametrize(("payload", "name"), ROUND_TRIPS)
def test_an_escaped_formula_comes_back_unchanged_on_import(payload, name):
    city = formula_partner(payload)
    result = run_import(export_bytes(name), f"partners.{name}")
    city.refresh_from_db()
    assert city.feature_en == payload
    assert result.totals["skip"] == 1


@pytest.mark.parametrize("name", ["csv", "xlsx"])
@pytest.mark.parametrize("text", ["'=already quoted", "'+82 42 270 0114", "''=twice"])
def test_text_starting_with_a_quote_comes_back_unchanged_on_import(name, text):
    city = make_partner(feature_en=text)
    result = run_import(export_bytes(name), f"partners.{name}")
    city.refresh_from_db()
    assert city.feature_en == text
    assert result.totals["skip"] == 1


def test_an_xlsx_file_with_real_numbers_and_dates_is_imported():
    row = partner_row(population=1_733_000, signed_on=datetime.date(2013, 8, 23), latitude=49.99)
    result = run_import(xlsx_bytes([row]), "partners.xlsx")
    assert result.report == []
    city = City.objects.get()
    assert (city.population, city.latitude) == (1_733_000, decimal.Decimal("49.99"))


def test_a_file_that_is_not_a_workbook_is_refused_with_a_clear_message():
    with pytest.raises(ImportFileError):
        read_dataset(b"PK\x03\x04 not really a zip", "partners.xlsx")


def test_csv_export_starts_with_a_byte_order_mark_for_excel():
    make_partner()
    data = export_bytes("csv")
    assert data.startswith(b"\xef\xbb\xbf")
    assert "하르키우".encode() in data


def test_a_partner_without_a_current_agreement_exports_blank_agreement_columns():
    city = make_partner()
    city.agreements.update(status=Status.ENDED)
    row = read_dataset(export_bytes("csv"), "x.csv").dict[0]
    assert (row["kind"], row["status"], row["signed_on"]) == ("", "", "")


def test_the_demo_data_csv_imports_cleanly_and_matches_the_demo_fixture():
    from django.conf import settings
    from django.core.management import call_command

    call_command("loaddata", "countries", verbosity=0)
    data = (settings.BASE_DIR / "fixtures" / "daejeon.csv").read_bytes()
    result = run_import(data)
    assert result.report == []
    assert result.totals["new"] == 34
    # The fixture is built from the same CSV: importing it over the fixture changes nothing.
    Agreement.objects.all().delete()
    City.objects.all().delete()
    call_command("loaddata", "daejeon", verbosity=0)
    result = run_import(data)
    assert (result.totals["skip"], result.totals["update"], result.totals["new"]) == (34, 0, 0)


def test_a_number_is_read_at_the_stored_precision_unless_that_would_round_it():
    from partners.resources.widgets import NumberWidget

    area = NumberWidget(decimal_places=2)
    assert str(area.clean("436")) == "436.00"
    assert str(area.clean(4704.4)) == "4704.40"
    # More places than the field keeps: refused, saying so, never rounded.
    with translation.override("en"), pytest.raises(ValueError, match="decimal places than the 2"):
        area.clean("436.125")
    assert str(area.render(decimal.Decimal("4400.00"))) == "4400"
    assert area.render(None) is None


def test_an_area_with_too_many_decimals_is_refused_and_nothing_is_written():
    make_countries()
    result = import_partners(read_dataset(csv_bytes([partner_row(area_km2="436.125")]), "p.csv"))
    assert result.has_validation_errors() or result.has_errors()
    assert City.objects.count() == 0


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("latitude", "90.5", "Latitude must be between -90 and 90."),
        ("latitude", "-91", "Latitude must be between -90 and 90."),
        ("longitude", "180.000001", "Longitude must be between -180 and 180."),
        ("population", "0", "Population must be greater than zero."),
        ("area_km2", "-3.5", "Land area must be greater than zero."),
        ("population_year", "99", "The population year must be a four-digit year."),
    ],
)
def test_an_impossible_figure_is_reported_with_the_databases_own_rule(column, value, message):
    with translation.override("en"):
        result = run_import(csv_bytes([partner_row(**{column: value})]))
    assert result.report == [f"Line 2, column “{column}”: {message}"]
    assert City.objects.count() == 0


def test_figures_on_the_edge_of_the_allowed_range_are_imported():
    row = partner_row(latitude="-90", longitude="180", population="1", population_year="1800")
    assert run_import(csv_bytes([row])).report == []
    city = City.objects.get()
    assert (city.latitude, city.longitude, city.population_year) == (-90, 180, 1800)


def test_the_country_cell_is_read_once_per_row():
    from unittest import mock

    from partners.resources.widgets import CountryWidget

    make_partner(slug="kharkiv")
    rows = [
        partner_row(slug="", name_en="Kharkiv", population="1,421,125"),
        partner_row(slug="", name_en="Odesa", name_ko="오데사"),
        partner_row(slug="lviv", name_en="Lviv", name_ko="리비우"),
    ]
    cells = []
    read = CountryWidget.clean

    def counted(widget, value, *args, **kwargs):
        cells.append(value)
        return read(widget, value, *args, **kwargs)

    with mock.patch.object(CountryWidget, "clean", counted):
        assert run_import(csv_bytes(rows)).report == []
    assert cells == ["UA", "UA", "UA"]
    assert City.objects.count() == 3
