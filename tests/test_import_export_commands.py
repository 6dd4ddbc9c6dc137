import csv
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partners.models import Agreement, City
from partners.resources import COLUMNS
from tests.spreadsheets import csv_bytes, make_countries, make_partner, partner_row

pytestmark = pytest.mark.django_db

# An exception class name such as ConversionSyntax, ValueError or IntegrityError.
EXCEPTION_NAME = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)*(?:Error|Exception|Syntax)\b")


@pytest.fixture(autouse=True)
def countries():
    return make_countries()


def import_command(path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_partners", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_import_command_imports_a_cp949_file(tmp_path):
    path = tmp_path / "partners.csv"
    path.write_bytes(
        csv_bytes([partner_row(name_en="Qingdao", name_ko="칭다오", country="CN")], "cp949")
    )
    out, _ = import_command(path)
    assert City.objects.get().name_ko == "칭다오"
    assert "1" in out


def test_the_import_command_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes([partner_row()]))
    import_command(path, "--dry-run")
    assert City.objects.count() == 0


def test_the_import_command_reports_a_nul_byte_by_line_and_column(tmp_path):
    path = tmp_path / "partners.csv"
    path.write_bytes("slug,name_en,name_ko,country\nx12,X\x0012,엑스,CN\n".encode())
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_partners", str(path), stderr=err)
    assert City.objects.count() == 0
    assert "2" in err.getvalue() and "name_en" in err.getvalue()
    assert "U+0000" in err.getvalue()


def test_the_import_command_refuses_a_file_over_the_size_limit(tmp_path, settings):
    settings.PORTAL_MAX_IMPORT_FILE_BYTES = 100
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes([partner_row(feature_en="x" * 200)]))
    with pytest.raises(CommandError) as error:
        import_command(path)
    message = str(error.value)
    assert message.startswith("partners.csv: ")
    assert f"{path.stat().st_size}\xa0" in message and "100\xa0" in message
    assert City.objects.count() == 0


def test_the_import_command_fails_on_a_bad_row_and_writes_nothing(tmp_path):
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes([partner_row(), partner_row(name_en="Brno", latitude="91")]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_partners", str(path), stderr=err)
    assert City.objects.count() == 0
    assert "3" in err.getvalue() and "latitude" in err.getvalue()


def test_the_import_command_exits_non_zero_from_the_shell(tmp_path):
    import os
    import subprocess
    import sys

    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes([partner_row(population="88,5")]))
    env = os.environ | {"DJANGO_DEBUG": "1", "DATABASE_URL": "sqlite:///" + str(tmp_path / "x.db")}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, check=True)
    done = subprocess.run(
        [sys.executable, "manage.py", "import_partners", str(path)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "population" in done.stderr
    assert "Traceback" not in done.stderr


@override_settings(LANGUAGE_CODE="ko")
def test_the_import_report_follows_language_code_and_shows_no_exception_names(tmp_path):
    path = tmp_path / "partners.csv"
    rows = [partner_row(), partner_row(name_en="Brno", area_km2="88,5", website="not a url")]
    path.write_bytes(csv_bytes(rows))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_partners", str(path), stderr=err)
    report = err.getvalue()
    assert "3" in report and "area_km2" in report and "website" in report
    # Django's own Korean catalogue already translates the URL message.
    assert "URL을" in report
    assert not EXCEPTION_NAME.search(report)


def test_the_import_command_refuses_an_unknown_extension(tmp_path):
    path = tmp_path / "partners.txt"
    path.write_bytes(b"x")
    with pytest.raises(CommandError):
        import_command(path)


def test_export_command_writes_csv_to_stdout_and_xlsx_to_a_file(tmp_path):
    make_partner()
    out = io.StringIO()
    call_command("export_partners", stdout=out)
    assert out.getvalue().startswith("\ufeff" + ",".join(COLUMNS))
    target = tmp_path / "partners.xlsx"
    call_command(
        "export_partners", "--format", "xlsx", "--output", str(target), stderr=io.StringIO()
    )
    sheet = openpyxl.load_workbook(target).active
    assert sheet["A2"].value == "kharkiv"


def test_exporting_then_importing_with_the_commands_changes_nothing(tmp_path):
    make_partner()
    target = tmp_path / "partners.csv"
    call_command("export_partners", "--output", str(target), stdout=io.StringIO())
    out, _ = import_command(target)
    assert City.objects.count() == 1 and Agreement.objects.count() == 1
    assert "0" in out


cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "88,5", "1,733,000", "-", "=1+1", "'", "2013.08.23", "자매", "RU"]),
)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.lists(st.sampled_from([*COLUMNS, "junk", ""]), min_size=1, max_size=8),
    rows=st.lists(st.lists(cells, max_size=10), max_size=5),
)
def test_generated_malformed_csv_never_writes_partially_nor_crashes(header, rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    _check_all_or_nothing(buffer.getvalue().encode("utf-8"), "partners.csv")


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=200))
def test_generated_garbage_bytes_never_write_nor_crash(data):
    _check_all_or_nothing(data, "partners.csv")
    _check_all_or_nothing(data, "partners.xlsx")


def _check_all_or_nothing(data: bytes, name: str) -> None:
    from django.contrib.auth.models import User
    from django.test import Client

    before = (City.objects.count(), Agreement.objects.count())
    user = User.objects.filter(username="staff").first() or User.objects.create_superuser(
        "staff", "s@example.com", "pw"
    )
    client = Client(raise_request_exception=False)
    client.force_login(user)
    fmt = "0" if name.endswith(".csv") else "1"
    response = client.post(
        "/admin/partners/city/import/",
        {"format": fmt, "import_file": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Traceback" not in page
    assert (City.objects.count(), Agreement.objects.count()) == before
    if response.context.get("confirm_form") is not None:
        confirmed = client.post(
            "/admin/partners/city/process_import/", response.context["confirm_form"].initial
        )
        assert confirmed.status_code == 302
        return
    messages = " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S))
    assert messages, "a file that cannot be imported must say why"
    assert not EXCEPTION_NAME.search(messages)
