"""Exchange activities in spreadsheets: import (admin and command) with the partner import's
guarantees, export, the round trip, and the open data."""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from reversion.models import Version

from partners.models import Exchange, Kind
from partners.resources import EXCHANGE_COLUMNS
from tests.factories import make_city, make_exchange, make_exchange_partners
from tests.spreadsheets import csv_bytes, xlsx_bytes

D = datetime.date
IMPORT_URL = "/admin/partners/exchange/import/"
CONFIRM_URL = "/admin/partners/exchange/process_import/"


@pytest.fixture(autouse=True)
def english_commands(settings):
    """Commands report in LANGUAGE_CODE (Korean by default): these tests read English."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def partners(db) -> dict:
    return make_exchange_partners() | {
        # Two partners answer to "Victoria": the country or the slug tells them apart.
        "victoria-sc": make_city("Victoria", "SC", Kind.FRIENDLY, slug="victoria-sc"),
        "victoria-ca": make_city("Victoria", "CA", Kind.FRIENDLY, slug="victoria-ca"),
    }


def row(**values: object) -> list[object]:
    defaults = {
        "partners": "sapporo",
        "field": "culture",
        "title_en": "Snow sculpture contest",
        "started_on": "2020-02-03",
    }
    merged = defaults | values
    return [merged.get(column, "") for column in EXCHANGE_COLUMNS]


def write(tmp_path, rows: list[list[object]], name: str = "exchanges.csv", **kwargs):
    path = tmp_path / name
    data = xlsx_bytes(rows, header=EXCHANGE_COLUMNS) if name.endswith(".xlsx") else None
    path.write_bytes(data or csv_bytes(rows, header=EXCHANGE_COLUMNS, **kwargs))
    return path


def import_command(path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_exchanges", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_imports_rows_matching_partners_by_slug_name_or_old_spelling(
    tmp_path, partners
):
    path = write(
        tmp_path,
        [
            row(partners="sapporo; Novosibirsk (RU)", field="youth", title_en="Youth exchange"),
            row(partners="Kharkov", field="청소년", title_ko="청소년 캠프", title_en=""),
            row(partners="Victoria (SC)", field="경제", title_en="Trade mission"),
            row(partners="삿포로", title_en="Snow", place_ko="삿포로", is_published="비공개"),
        ],
    )
    out, _err = import_command(path)
    assert "4 new, 0 updated, 0 unchanged." in out
    youth = Exchange.objects.get(title_en="Youth exchange")
    assert {c.slug for c in youth.partners.all()} == {"sapporo", "novosibirsk"}
    assert youth.field == "youth"
    assert Exchange.objects.get(title_ko="청소년 캠프").partners.get().slug == "kharkiv"
    assert Exchange.objects.get(title_en="Trade mission").partners.get().slug == "victoria-sc"
    snow = Exchange.objects.get(title_en="Snow")
    assert (snow.place_ko, snow.is_published) == ("삿포로", False)


def test_an_import_gives_each_activity_its_own_history_revision_with_the_user(tmp_path, partners):
    User.objects.create_user("kim")
    path = write(tmp_path, [row(title_en="One"), row(title_en="Two")])
    import_command(path, "--user", "kim")
    versions = Version.objects.get_for_model(Exchange)
    assert versions.count() == 2
    assert {v.revision.user.username for v in versions} == {"kim"}
    assert len({v.revision_id for v in versions}) == 2
    assert "exchanges.csv" in versions.first().revision.comment
    # The revision keeps the partners, so restoring it brings them back.
    assert versions.first().field_dict["partners"] == [partners["sapporo"].pk]


def test_an_import_with_one_bad_row_writes_nothing_and_names_line_and_column(tmp_path, partners):
    existing = make_exchange(partners["sapporo"], title_en="Kept", started_on=D(2019, 1, 1))
    path = write(
        tmp_path,
        [
            row(id=existing.pk, title_en="Changed"),
            row(title_en="Good new row"),
            row(partners="Atlantis", title_en="Bad partner"),
            row(started_on="2020-02-30", ended_on="2020-01-01"),
            row(title_en="", title_ko=""),
            row(partners="Victoria"),
            row(id="999", title_en="Unknown id"),
            row(field="cooking"),
            row(started_on="2020-02-03", ended_on="2020-02-01"),
        ],
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_exchanges", str(path), stderr=err)
    report = err.getvalue()
    assert "Line 4, column “partners”: “Atlantis” is no partner's slug or name." in report
    assert "Line 5, column “started_on”:" in report
    assert "Line 6, column “title_en”:" in report
    assert "Line 7, column “partners”: “Victoria” fits more than one partner" in report
    assert "Line 8, column “id”: There is no activity number 999" in report
    assert "Line 9, column “field”: “cooking” is not a field" in report
    assert "Line 10, column “ended_on”: An exchange cannot end before it started." in report
    assert list(Exchange.objects.values_list("title_en", flat=True)) == ["Kept"]
    assert not Version.objects.exists()


def test_the_report_follows_the_language_of_the_staff_member(tmp_path, partners, settings):
    settings.LANGUAGE_CODE = "ko"
    path = write(tmp_path, [row(partners="Atlantis")])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_exchanges", str(path), stderr=err)
    assert "2행 “partners” 열:" in err.getvalue()
    assert not Exchange.objects.exists()


def test_the_same_activity_twice_in_a_file_is_refused(tmp_path, partners):
    existing = make_exchange(partners["sapporo"], title_en="Once")
    path = write(tmp_path, [row(id=existing.pk), row(id=existing.pk, title_en="Twice")])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_exchanges", str(path), stderr=err)
    assert "Line 3, column “id”: This activity is already on line 2 of the file." in (
        err.getvalue()
    )


def test_a_cp949_file_from_korean_excel_is_read(tmp_path, partners):
    path = write(
        tmp_path,
        [row(partners="삿포로", title_ko="눈조각 경연", place_ko="오도리 공원")],
        encoding="cp949",
    )
    import_command(path)
    assert Exchange.objects.get().place_ko == "오도리 공원"


@pytest.mark.parametrize(
    ("separator", "note"), [(";", "separated by semicolons"), ("\t", "separated by tabs")]
)
def test_a_file_with_a_title_above_the_header_and_another_separator_is_read(
    tmp_path, partners, separator, note
):
    """Offices save activity lists under a title line, and European Excel separates columns
    with semicolons: read as the partner import reads them."""
    lines = [["대전시 국제교류 실적 2020"], [], EXCHANGE_COLUMNS, row(title_en="Snow; ice")]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator).writerows(lines)
    path = tmp_path / "exchanges.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    out, _err = import_command(path)
    assert "1 new, 0 updated, 0 unchanged." in out
    assert note in out
    assert "line(s) above them were skipped as a title" in out
    snow = Exchange.objects.get()
    assert (snow.title_en, snow.partners.get().slug) == ("Snow; ice", "sapporo")


def test_a_workbook_with_a_title_above_the_header_reports_the_sheets_line_numbers(
    tmp_path, partners
):
    rows = [EXCHANGE_COLUMNS, row(), row(started_on="someday")]
    path = tmp_path / "exchanges.xlsx"
    path.write_bytes(xlsx_bytes(rows, header=["International exchanges, 2020"]))
    report = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_exchanges", str(path), stdout=report, stderr=report)
    assert not Exchange.objects.exists()
    # Line 1 is the title, line 2 the header: the bad date is on the sheet's line 4.
    assert "Line 4" in report.getvalue() + str(refused.value)


def test_the_dry_run_writes_nothing(tmp_path, partners):
    out, _err = import_command(write(tmp_path, [row()]), "--dry-run")
    assert "1 new" in out
    assert not Exchange.objects.exists()


def test_export_then_import_changes_nothing(tmp_path, partners):
    make_exchange(
        partners["sapporo"],
        partners["novosibirsk"],
        field="youth",
        title_en='=HYPERLINK("http://evil.example")',
        title_ko="청소년 교류",
        started_on=D(2015, 7, 29),
        ended_on=D(2015, 8, 4),
        place_en="Novosibirsk",
        place_ko="노보시비르스크",
        summary_en="Line one\nLine two",
        link="https://www.novo-sibirsk.ru/news/41171/",
    )
    make_exchange(partners["kharkiv"], title_ko="미공개", title_en="", is_published=False)
    before = list(Exchange.objects.order_by("pk").values())
    links_before = list(Exchange.partners.through.objects.order_by("pk").values())
    for fmt in ("csv", "xlsx"):
        target = tmp_path / f"exchanges.{fmt}"
        call_command(
            "export_exchanges", "--format", fmt, "--output", str(target), stdout=io.StringIO()
        )
        out, _err = import_command(target)
        assert "0 new, 0 updated, 2 unchanged." in out
    assert list(Exchange.objects.order_by("pk").values()) == before
    assert list(Exchange.partners.through.objects.order_by("pk").values()) == links_before
    assert not Version.objects.exists()
    # The formula is written inert, with a leading apostrophe.
    sheet = openpyxl.load_workbook(tmp_path / "exchanges.xlsx").active
    titles = [r[EXCHANGE_COLUMNS.index("title_en")] for r in sheet.iter_rows(values_only=True)]
    assert '\'=HYPERLINK("http://evil.example")' in titles


def test_changing_an_activitys_partners_in_the_file_changes_them(tmp_path, partners):
    exchange = make_exchange(partners["sapporo"], title_en="Visit")
    path = write(
        tmp_path,
        [
            row(
                id=exchange.pk,
                partners="sapporo; novosibirsk",
                title_en="Visit",
                started_on="2019-05-01",
            )
        ],
    )
    out, _err = import_command(path)
    assert "0 new, 1 updated" in out
    assert {c.slug for c in exchange.partners.all()} == {"sapporo", "novosibirsk"}


def test_the_admin_previews_then_imports_an_exchange_file(client, partners):
    client.force_login(User.objects.create_superuser("staff", "staff@example.com", "pw"))
    data = xlsx_bytes([row(partners="sapporo; novosibirsk")], header=EXCHANGE_COLUMNS)
    preview = client.post(
        IMPORT_URL, {"format": "1", "import_file": SimpleUploadedFile("e.xlsx", data)}
    )
    assert preview.status_code == 200
    assert not Exchange.objects.exists()
    assert "novosibirsk; sapporo" in preview.text
    response = client.post(CONFIRM_URL, preview.context["confirm_form"].initial)
    assert response.status_code == 302
    assert Exchange.objects.get().partners.count() == 2


def test_the_admin_preview_of_a_bad_file_reports_and_offers_no_confirm(client, partners):
    client.force_login(User.objects.create_superuser("staff", "staff@example.com", "pw"))
    data = csv_bytes([row(partners="")], header=EXCHANGE_COLUMNS)
    preview = client.post(
        IMPORT_URL,
        {"format": "0", "import_file": SimpleUploadedFile("e.csv", data)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Line 2, column “partners”: Name at least one partner." in preview.text
    assert preview.context.get("confirm_form") is None
    assert not Exchange.objects.exists()


def test_open_data_lists_published_activities_with_published_partners_only(client, partners):
    partners["novosibirsk"].is_published = False
    partners["novosibirsk"].save()
    make_exchange(
        partners["sapporo"], partners["novosibirsk"], title_en="Shared", started_on=D(2015, 7, 29)
    )
    make_exchange(partners["sapporo"], title_en="Hidden", is_published=False)
    make_exchange(partners["novosibirsk"], title_en="Only unpublished partner")
    rows = json.loads(client.get("/data/exchanges.json").content)
    assert [r["title_en"] for r in rows] == ["Shared"]
    assert rows[0]["partners"] == "sapporo"
    assert rows[0]["started_on"] == "2015-07-29"
    assert "is_published" not in rows[0]
    text = client.get("/data/exchanges.csv").content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(c for c in EXCHANGE_COLUMNS if c != "is_published")
    response = client.get("/data/exchanges.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="exchanges.xlsx"'
    again = client.get("/data/exchanges.xlsx", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_the_data_dictionary_describes_the_exchange_columns(client, db):
    text = client.get("/en/data/").text
    section = text[text.index('id="exchanges"') :]
    for column in EXCHANGE_COLUMNS:
        if column != "is_published":
            assert f"<code>{column}</code>" in section
    assert "/data/exchanges.csv" in section
