"""Issue #9: the spreadsheets staff really have, careless and hostile, each fault a test.

Messages are checked in English (the Korean catalogue is checked by the translations test).
"""

import datetime
import decimal
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from partners.models import Agreement, City, Kind
from partners.resources import (
    COLUMNS,
    ImportFileError,
    PartnerResource,
    import_partners,
    read_dataset,
)
from partners.resources.headers import HEADER_ALIASES, UNITS
from partners.resources.reading import decode_text
from tests import hostile_files
from tests.factories import make_country, make_staff
from tests.spreadsheets import IMPORT_URL, csv_bytes, make_countries, make_partner, partner_row

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


# 1. A 5 KB XLSX whose only styled cell is on row 1,048,576 ties up a worker.


def test_an_xlsx_with_a_styled_cell_on_the_last_row_imports_its_one_row():
    make_partner(population=1_000_000)
    dataset = read_dataset(hostile_files.far_styled_cell(), "partners.xlsx")
    assert len(dataset) == 1
    result = import_partners(dataset)
    assert result.report == []
    assert City.objects.get().population == 1_450_000


def test_the_admin_preview_of_that_xlsx_shows_one_row_not_a_million(client):
    make_partner(population=1_000_000)
    client.force_login(make_staff())
    upload = SimpleUploadedFile("partners.xlsx", hostile_files.far_styled_cell())
    response = client.post(IMPORT_URL, {"format": "1", "import_file": upload})
    assert response.status_code == 200
    assert len(response.context["result"].rows) == 1
    assert len(response.content) < 200_000
    assert City.objects.get().population == 1_000_000


# 2. A formula cell with no saved value erased data.


def test_a_formula_without_a_saved_value_is_refused_naming_line_and_column():
    make_partner(population=1_000_000)
    before = snapshot()
    result = run_import(hostile_files.formula_cell("=1450000+1", None), "partners.xlsx")
    assert len(result.report) == 1
    assert result.report[0].startswith("Line 2, column “population”")
    assert "=1450000+1" in result.report[0] and "without a saved value" in result.report[0]
    assert snapshot() == before


def test_a_formula_with_a_saved_value_gives_that_value():
    make_partner(population=1_000_000)
    result = run_import(hostile_files.formula_cell("=1450000+1", "1450001"), "partners.xlsx")
    assert result.report == []
    assert City.objects.get().population == 1_450_001


# 3. Korean Excel's "CSV" (CP949) turns letters it cannot hold into `?`.


def test_letters_lost_as_question_marks_are_refused_with_the_original_text():
    make_partner(slug="hung-yen", name_en="Hưng Yên", name_ko="흥옌", country=make_country("VN"))
    before = snapshot()
    # What Korean Excel writes: CP949 has no ư or ê.
    data = "slug,name_en,name_ko,country\nhung-yen,Hưng Yên,흥옌,VN\n".encode("cp949", "replace")
    assert b"H?ng Y?n" in data
    result = run_import(data)
    assert len(result.report) == 1
    line = result.report[0]
    assert line.startswith("Line 2, column “name_en”")
    assert "“H?ng Y?n”" in line and "“Hưng Yên”" in line and "CSV UTF-8" in line
    assert snapshot() == before


def test_a_new_name_with_a_question_mark_inside_a_word_is_warned_about_in_the_preview():
    data = text_csv("name_en,name_ko,country,kind,signed_on\nZ?rich,취리히,CH,sister,2000-01-01\n")
    make_country("CH")
    result = run_import(data, dry_run=True)
    assert result.report == []
    assert any("Line 2" in note and "“Z?rich”" in note for note in result.notes)


def test_a_question_mark_at_the_end_of_a_sentence_is_not_warned_about():
    data = text_csv("slug,feature_en\nkharkiv,Why visit? Its parks.\n")
    make_partner()
    result = run_import(data)
    assert result.report == [] and result.notes == []


# 4. A Western (cp1252) file became Hangul garbage.


def test_a_western_file_is_read_as_windows_1252_not_as_hangul():
    make_country("NO")
    data = b"name_en,name_ko,country\r\n\xc5lesund,x,NO\r\n"
    assert decode_text(data) == ("name_en,name_ko,country\r\nÅlesund,x,NO\r\n", "Windows-1252")
    data = b"name_en,name_ko,country,kind,signed_on\r\n\xc5lesund,x,NO,sister,2000-01-01\r\n"
    result = run_import(data)
    assert result.report == []
    city = City.objects.get()
    assert (city.name_en, city.slug) == ("Ålesund", "alesund")
    assert any("Windows-1252" in note for note in result.notes)


def test_korean_excel_csv_is_still_read_as_cp949():
    data = "국가,도시명\n일본,오다\n".encode("cp949")
    assert decode_text(data) == ("국가,도시명\n일본,오다\n", "CP949")


def test_cp949_with_a_rare_syllable_and_western_marks_is_refused_as_unclear():
    # 똠 is outside KS X 1001; read as Windows-1252 the Hangul bytes give ´ and ¶, no letters.
    data = "name_ko\n똠양꿍\n".encode("cp949")
    with pytest.raises(ImportFileError, match="encoding cannot be told"):
        read_dataset(data, "partners.csv")


# 5. Spaces inside numbers were guessed.


@pytest.mark.parametrize("value", ["1 2 3", "88 5", "1\xa0733\xa0000"])
def test_spaces_inside_a_number_are_refused(value):
    make_partner(population=1_000_000)
    before = snapshot()
    result = run_import(csv_bytes([partner_row(slug="kharkiv", population=value)]))
    assert len(result.report) == 1
    assert result.report[0].startswith("Line 2, column “population”")
    assert "may not be separated by spaces" in result.report[0]
    assert snapshot() == before


# 6. Excel's floating-point noise was refused with a misleading message.


def test_an_area_computed_in_excel_is_stored_as_excel_shows_it():
    make_partner()
    book = openpyxl.Workbook()
    book.active.append(["slug", "area_km2"])
    book.active.append(["kharkiv", 605.2 * 1.1])
    assert 605.2 * 1.1 == 665.7200000000001
    buffer = io.BytesIO()
    book.save(buffer)
    result = run_import(buffer.getvalue(), "partners.xlsx")
    assert result.report == []
    assert City.objects.get().area_km2 == decimal.Decimal("665.72")


def test_real_excess_precision_is_refused_saying_so():
    make_partner()
    before = snapshot()
    result = run_import(csv_bytes([partner_row(slug="kharkiv", area_km2="665.7234")]))
    assert len(result.report) == 1
    assert "more decimal places than the 2 this column keeps" in result.report[0]
    assert snapshot() == before


# 7. A new slug made a second Kharkiv.


def test_a_new_slug_for_an_existing_partner_is_refused_naming_its_slug():
    make_partner()
    before = snapshot()
    data = text_csv(
        "slug,name_en,name_ko,country,kind,signed_on\n"
        "kharkiv-2,Kharkiv,하르키우,UA,friendly,2013-08-23\n"
    )
    result = run_import(data)
    assert len(result.report) == 1
    assert result.report[0].startswith("Line 2, column “slug”")
    assert "“kharkiv”" in result.report[0]
    assert snapshot() == before


# 8. A title row above the header, and semicolon- or tab-separated files.


def test_a_title_above_the_header_is_skipped_and_lines_keep_the_files_numbers():
    data = text_csv(
        "대전시 자매도시 현황,,,\n"
        ",,,\n"
        "slug,name_en,country,population\n"
        "kharkiv,Kharkiv,UA,1 450 000\n"
    )
    make_partner()
    result = run_import(data)
    assert result.report[0].startswith("Line 4, column “population”")
    assert any("on line 3" in note for note in result.notes)


@pytest.mark.parametrize("separator", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_read(separator):
    make_partner(population=1_000_000)
    data = text_csv(separator.join(["slug", "population"]) + "\nkharkiv" + separator + "1450000\n")
    result = run_import(data)
    assert result.report == []
    assert City.objects.get().population == 1_450_000


def test_a_file_whose_header_names_no_known_column_is_refused_saying_what_is_missing():
    data = text_csv("도시 이름|나라\n하르키우|우크라이나\n")
    result = run_import(data)
    assert result.report == ["The file has no “name_en” column."]


# 9 and 12. Dates as Korean offices and published lists write them.


@pytest.mark.parametrize(
    ("written", "iso_date"),
    [
        ("2025. 3. 1.", "2025-03-01"),
        ("2025.3.1.", "2025-03-01"),
        ("2025.3.1", "2025-03-01"),
        ("1987. 11. 14", "1987-11-14"),
        ("2025년 3월 1일", "2025-03-01"),
        ("May.17.2007", "2007-05-17"),
        ("February 29, 1960", "1960-02-29"),
        ("Sept. 3, 2001", "2001-09-03"),
        ("2007.5.17", "2007-05-17"),
        ("‘94.10.18", "1994-10-18"),
        ("'07.5.17", "2007-05-17"),
        ("94.10.18", "1994-10-18"),
        ("20071017", "2007-10-17"),
    ],
)
def test_korean_and_published_date_forms_are_read(written, iso_date):
    result = run_import(csv_bytes([partner_row(kind="sister", signed_on=written)]))
    assert result.report == []
    signed_on = City.objects.get().current_signed_on
    assert signed_on == datetime.date.fromisoformat(iso_date)


@pytest.mark.parametrize(
    "written",
    ["05.10.18", "'40.1.1", "2007517", "2025. 2. 30.", "17.05.2007", "February 30, 1960"],
)
def test_ambiguous_or_impossible_dates_are_refused(written):
    result = run_import(csv_bytes([partner_row(signed_on=written)]))
    assert len(result.report) == 1
    assert result.report[0].startswith("Line 2, column “signed_on”")
    assert City.objects.count() == 0


# 10 and 11. Header names in Korean and English, and units in headers.

BRNO = {
    "slug": "brno",
    "name_en": "Brno",
    "name_ko": "브르노",
    "aliases": "Brünn",
    "country": "CZ",
    "kind": "sister",
    "status": "active",
    "signed_on": "2001-05-30",
    "population": "380,000",
    "population_year": "2020",
    "area_km2": "230.22",
    "latitude": "49.195",
    "longitude": "16.608",
    "feature_en": "Moravian capital",
    "feature_ko": "모라비아의 중심",
    "website": "https://brno.cz/",
}
GENERIC = {"city": "name_ko", "feature": "feature_ko"}


def assert_brno_imported() -> None:
    city = City.objects.get()
    assert (city.slug, city.name_en, city.name_ko, city.aliases) == (
        "brno",
        "Brno",
        "브르노",
        "Brünn",
    )
    assert (city.country.iso_code, city.current_kind, city.current_status) == (
        "CZ",
        "sister",
        "active",
    )
    assert city.current_signed_on == datetime.date(2001, 5, 30)
    assert (city.population, city.population_year) == (380_000, 2020)
    assert city.area_km2 == decimal.Decimal("230.22")
    assert (city.latitude, city.longitude) == (decimal.Decimal("49.195"), decimal.Decimal("16.608"))
    assert (city.feature_en, city.feature_ko) == ("Moravian capital", "모라비아의 중심")
    assert city.website == "https://brno.cz/"


@pytest.mark.parametrize(
    ("column", "alias"),
    [(column, alias) for column, aliases in HEADER_ALIASES.items() for alias in aliases],
)
def test_every_header_alias_is_read_as_its_column(column, alias):
    replaced = GENERIC.get(column, column)
    header = [alias if c == replaced else c for c in BRNO]
    result = run_import(csv_bytes([list(BRNO.values())], header=header))
    assert result.report == []
    assert_brno_imported()


def test_headers_match_ignoring_case_spaces_and_underscores():
    header = [f" {column.upper().replace('_', ' ')} " for column in BRNO]
    result = run_import(csv_bytes([list(BRNO.values())], header=header))
    assert result.report == []
    assert_brno_imported()


@pytest.mark.parametrize(
    ("header", "written", "column", "scaled"),
    [
        ("인구(천명)", "380", "population", True),
        ("Population(1,000)", "380", "population", True),
        ("Population(thousand)", "380", "population", True),
        ("인구(만명)", "38", "population", True),
        ("인구 (명)", "380,000", "population", False),
        ("면적(㎢)", "230.22", "area_km2", False),
        ("Size(km²)", "230.22", "area_km2", False),
        ("면적(㎡)", "230,220,000", "area_km2", True),
        ("면적(ha)", "23022", "area_km2", True),
    ],
)
def test_units_in_headers_are_scaled_to_people_and_square_kilometres(
    header, written, column, scaled
):
    headers = [header if c == column else c for c in BRNO]
    row = [written if c == column else value for c, value in BRNO.items()]
    result = run_import(csv_bytes([row], header=headers))
    assert result.report == []
    assert_brno_imported()
    assert any(f"“{header}”" in note for note in result.notes) == scaled


@pytest.mark.parametrize(
    ("column", "unit"), [(column, unit) for column, units in UNITS.items() for unit in units]
)
def test_every_unit_in_the_table_is_read(column, unit):
    expected = {"population": decimal.Decimal(380_000), "area_km2": decimal.Decimal("230.22")}
    written = expected[column] / UNITS[column][unit]
    headers = [f"{column}({unit})" if c == column else c for c in BRNO]
    row = [f"{written.normalize():f}" if c == column else v for c, v in BRNO.items()]
    result = run_import(csv_bytes([row], header=headers))
    assert result.report == []
    assert_brno_imported()


def test_the_preview_shows_the_scaled_figure():
    make_partner(slug="kharkiv", population=1_000_000)
    resource = PartnerResource()
    data = csv_bytes([["kharkiv", "1,450"]], header=["slug", "인구(천명)"])
    result = resource.import_data(read_dataset(data, "p.csv"), dry_run=True)
    population = result.rows[0].diff[COLUMNS.index("population")]
    assert re.sub(r"<del.*?</del> → |<[^>]+>", "", population) == "1,450,000"


def test_a_unit_the_import_does_not_know_is_refused():
    data = csv_bytes([["kharkiv", "1.45"]], header=["slug", "인구(백명)"])
    result = run_import(data)
    assert len(result.report) == 1 and "“인구(백명)”" in result.report[0]


def test_a_latin_city_name_column_fills_the_english_name():
    header = ["국가", "City", "한글명", "구분", "결연일자"]
    result = run_import(
        csv_bytes([["CZ", "Brno", "브르노", "자매", "2001. 5. 30."]], header=header)
    )
    assert result.report == []
    assert (City.objects.get().name_en, City.objects.get().name_ko) == ("Brno", "브르노")


# 13. A file without a kind column.

SISTERS = "국가,도시명,영문명,결연일자\n체코,브르노,Brno,2001.5.30\n"


def test_without_a_kind_column_a_new_partner_is_refused_with_advice():
    result = run_import(text_csv(SISTERS))
    assert len(result.report) == 1
    assert "column “kind”" in result.report[0] and "choose the kind" in result.report[0]
    assert City.objects.count() == 0


def test_without_a_kind_column_existing_partners_keep_their_agreements():
    make_partner(population=1)
    result = run_import(text_csv("slug,인구\nkharkiv,1450000\n"))
    assert result.report == []
    city = City.objects.get()
    assert (city.population, city.current_kind) == (1_450_000, Kind.FRIENDLY)


def test_the_command_fills_the_kind_of_every_row(tmp_path, capsys):
    path = tmp_path / "sisters.csv"
    path.write_bytes(text_csv(SISTERS))
    call_command("import_partners", str(path), "--kind", "sister")
    city = City.objects.get()
    assert (city.name_en, city.current_kind) == ("Brno", Kind.SISTER)


def test_the_admin_form_fills_the_kind_through_preview_and_confirm(client):
    client.force_login(make_staff())
    upload = SimpleUploadedFile("sisters.csv", text_csv(SISTERS))
    preview = client.post(IMPORT_URL, {"format": "0", "import_file": upload, "kind": "sister"})
    assert City.objects.count() == 0
    confirm = preview.context["confirm_form"]
    assert confirm.initial["kind"] == "sister"
    response = client.post("/admin/partners/city/process_import/", confirm.initial)
    assert response.status_code == 302
    assert City.objects.get().current_kind == Kind.SISTER


# 14. The example a Korean office could keep.

EXAMPLE = (
    "국가,도시명,결연일자,인구(천명),면적(㎢),특징\n"
    '일본,오다,1987. 11. 14.,"38.5",436,온천과 은광으로 유명하다.\n'
)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp949"])
def test_the_korean_office_example_updates_ohda_population_and_nothing_else(encoding):
    call_command("loaddata", "countries", "daejeon", verbosity=0)
    ohda = City.objects.get(slug="ohda")
    # The seed page: Ohda, 38,544 people, 436 km², sister city since 1987-11-14.
    assert ohda.population == 38_544
    before = snapshot()
    result = run_import(text_csv(EXAMPLE, encoding), default_kind="sister")
    assert result.report == []
    assert result.totals["update"] == 1
    after = snapshot()
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert len(changed) == 1
    assert City.objects.get(slug="ohda").population == 38_500
    assert ohda.agreements.count() == 1


def test_names_fitting_several_partners_are_an_error_naming_them():
    make_partner(slug="kharkiv")
    make_partner(slug="kharkiv-oblast", name_en="Kharkiv Oblast", aliases="Kharkiv")
    result = run_import(text_csv("country,name_en,population\nUA,Kharkiv,5\n"))
    assert len(result.report) == 1
    assert "kharkiv, kharkiv-oblast" in result.report[0]


def test_a_row_without_a_slug_matches_by_another_spelling():
    make_partner(aliases="Kharkov; Charkiw")
    result = run_import(text_csv("country,name_en,population\nUkraine,kharkov,5\n"))
    assert result.report == []
    assert City.objects.get().population == 5


# Hostile files within the size limit: bounded, refused cleanly, no traceback.


@pytest.mark.parametrize(
    ("make", "message"),
    [
        # Blank rows are no rows: the one far cell is refused for its column, at once.
        (hostile_files.lying_dimension, "column 16,384"),
        (lambda: hostile_files.many_rows(1_100), "more than 1,000 rows"),
        (hostile_files.many_columns, "column 16,384"),
        (hostile_files.external_entity, "not a readable .xlsx"),
        (hostile_files.billion_laughs, "not a readable .xlsx"),
    ],
)
def test_a_hostile_xlsx_is_refused_cleanly(make, message, settings):
    settings.PORTAL_IMPORT_MAX_ROWS = 1_000
    with pytest.raises(ImportFileError, match=message):
        read_dataset(make(), "partners.xlsx")


def test_a_huge_shared_string_is_refused_before_it_is_unpacked(settings):
    settings.PORTAL_IMPORT_MAX_UNPACKED_BYTES = 1_000_000
    with pytest.raises(ImportFileError, match="unpacks to 2 MB"):
        read_dataset(hostile_files.huge_shared_string(2_000_000), "partners.xlsx")


def test_the_command_refuses_a_hostile_xlsx_without_a_traceback(tmp_path, capsys):
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(hostile_files.billion_laughs())
    with pytest.raises(CommandError, match="not a readable .xlsx") as error:
        call_command("import_partners", str(path))
    assert "Traceback" not in str(error.value) + capsys.readouterr().err


def test_a_csv_with_too_many_rows_is_refused(settings):
    settings.PORTAL_IMPORT_MAX_ROWS = 100
    with pytest.raises(ImportFileError, match="more than 100 rows"):
        read_dataset(hostile_files.tiny_valid_rows_csv(101), "partners.csv")
    assert len(read_dataset(hostile_files.tiny_valid_rows_csv(100), "partners.csv")) == 100


def test_blank_lines_after_the_table_do_not_count_as_rows(settings):
    settings.PORTAL_IMPORT_MAX_ROWS = 100
    data = hostile_files.tiny_valid_rows_csv(10) + b"\n" * 10_000
    assert len(read_dataset(data, "partners.csv")) == 10


def test_a_report_stops_after_the_set_number_of_problems(settings):
    per_row = len(run_import(hostile_files.invalid_rows_csv(1)).report)
    assert per_row > 1
    settings.PORTAL_IMPORT_MAX_REPORTED_PROBLEMS = 5
    result = run_import(hostile_files.invalid_rows_csv(300))
    assert len(result.report) == 7
    assert result.report[-2] == f"… and {5 * per_row - 5} more problems."
    assert result.report[-1] == "The import stopped there: 295 more rows were not checked."
    assert City.objects.count() == 0


def test_the_admin_preview_shows_the_first_rows_and_checks_every_row(client):
    from partners.resources.partners import PREVIEW_ROWS

    client.force_login(make_staff())
    rows = [partner_row(name_en=f"Town {n}", name_ko=f"마을 {n}") for n in range(PREVIEW_ROWS + 20)]
    rows.append(partner_row(name_en="Last", population="1 2"))
    upload = SimpleUploadedFile("many.csv", csv_bytes(rows))
    response = client.post(IMPORT_URL, {"format": "0", "import_file": upload})
    # The bad last row is found although it is past the previewed rows.
    assert response.context["result"].report[0].startswith(f"Line {PREVIEW_ROWS + 22}, column")
    rows.pop()
    upload = SimpleUploadedFile("many.csv", csv_bytes(rows))
    response = client.post(IMPORT_URL, {"format": "0", "import_file": upload})
    page = response.content.decode()
    assert page.count('<tr class="new">') == PREVIEW_ROWS
    assert f"{PREVIEW_ROWS + 20} new, 0 updated, 0 unchanged." in page
    assert City.objects.count() == 0


def test_the_readme_lists_every_header_alias_and_unit():
    from django.conf import settings

    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    table = readme[
        readme.index("**Header names.**") : readme.index("**Separators and encodings.**")
    ]
    rows = {
        cells[1].strip(): cells[2]
        for cells in (line.split("|") for line in table.splitlines() if line.startswith("| "))
    }
    labels = {"city": "city name → `name_ko` (Hangul) or `name_en`"}
    labels["feature"] = "feature → `feature_ko` (Hangul) or `feature_en`"
    for column, aliases in HEADER_ALIASES.items():
        names = rows[labels.get(column, f"`{column}`")].split(", ")
        assert {name.strip() for name in names} == set(aliases) - {column}, column
    for units in UNITS.values():
        assert all(unit in table for unit in units)
