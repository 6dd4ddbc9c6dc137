"""The Korean catalogue is complete, compiled, and what Korean visitors and staff actually see."""

import datetime
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from partners.models import Kind
from tests.factories import make_city, make_home_city

PO_FILE = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")


@dataclass
class Entry:
    context: str | None
    msgid: str
    plural: str | None
    msgstr: str
    fuzzy: bool


def unquote(line: str) -> str:
    return line[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def read_po(path: Path) -> list[Entry]:
    """The .po's entries, header and obsolete (#~) ones left out; enough of the format for us."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            if line.startswith('"') and key:
                fields[key] += unquote(line)
            else:
                key, _, value = line.partition(" ")
                fields[key] = unquote(value)
        if fields.get("msgid"):
            entries.append(
                Entry(
                    context=fields.get("msgctxt"),
                    msgid=fields["msgid"],
                    plural=fields.get("msgid_plural"),
                    msgstr=fields.get("msgstr[0]", fields.get("msgstr", "")),
                    fuzzy=any(
                        line.startswith("#,") and "fuzzy" in line for line in block.splitlines()
                    ),
                )
            )
    return entries


ENTRIES = read_po(PO_FILE)


def test_the_korean_catalogue_has_a_translation_for_every_message():
    assert len(ENTRIES) > 100
    untranslated = [entry.msgid for entry in ENTRIES if not entry.msgstr.strip()]
    fuzzy = [entry.msgid for entry in ENTRIES if entry.fuzzy]
    assert untranslated == []
    assert fuzzy == []


# A translation call inside an f-string's braces: Python runs it, but xgettext (makemessages)
# reads the f-string as one string and never extracts the message, so `make messages` made
# the Korean "first agreement" obsolete and the list showed it in English (which
# tests/test_vocabulary.py caught on the Korean list).
TRANSLATION_CALL = re.compile(r"\{[^{}]*\b(?:n|p|np)?gettext(?:_lazy)?\(|\{\s*_\(")


def test_no_message_is_translated_inside_an_f_string():
    import tokenize

    found = []
    for path in sorted(Path(settings.BASE_DIR).glob("[!.]*/**/*.py")):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        with path.open("rb") as source:
            for token in tokenize.tokenize(source.readline):
                text = token.string
                is_f_string = token.type == tokenize.STRING and re.match(r"(?i)[rb]*f", text)
                if is_f_string and TRANSLATION_CALL.search(text):
                    found.append(f"{path.relative_to(settings.BASE_DIR)}:{token.start[0]}")
    assert found == []


def test_the_korean_catalogue_uses_korean_plural_rules():
    header = PO_FILE.read_text(encoding="utf-8")
    assert '"Language: ko\\n"' in header
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in header


def test_korean_translations_keep_every_placeholder():
    changed = [
        entry.msgid
        for entry in ENTRIES
        if sorted(PLACEHOLDER.findall(entry.msgstr))
        != sorted(set(PLACEHOLDER.findall(entry.msgid + (entry.plural or ""))))
    ]
    assert changed == []


def test_the_compiled_catalogue_gives_every_korean_translation_in_the_po():
    # A .po edited without compilemessages leaves the committed .mo behind; this catches it.
    stale = []
    with translation.override("ko"):
        for entry in ENTRIES:
            if entry.plural and entry.context:
                shown = translation.npgettext(entry.context, entry.msgid, entry.plural, 1)
            elif entry.plural:
                shown = translation.ngettext(entry.msgid, entry.plural, 1)
            elif entry.context:
                shown = translation.pgettext(entry.context, entry.msgid)
            else:
                shown = translation.gettext(entry.msgid)
            if shown != entry.msgstr:
                stale.append(entry.msgid)
    assert stale == []


def test_model_names_and_choices_read_in_korean():
    from partners.models import Agreement, City, Exchange

    with translation.override("ko"):
        assert str(City._meta.verbose_name) == "자매·우호도시"
        assert str(Agreement._meta.verbose_name) == "협약"
        assert str(Exchange._meta.verbose_name) == "교류 활동"
        assert str(Kind.SISTER.label) == "자매도시"
        assert str(Kind.FRIENDLY.label) == "우호협력도시"


@pytest.fixture
def kharkiv(db):
    make_home_city()
    return make_city(
        "Kharkiv",
        "UA",
        Kind.FRIENDLY,
        datetime.date(2013, 8, 23),
        name_ko="하르키우",
        population=1_450_000,
        population_year=2021,
        area_km2="306",
        latitude="49.993500",
        longitude="36.230400",
    )


def test_the_korean_home_page_is_in_korean(client, kharkiv):
    html = client.get("/ko/").content.decode()
    assert "대전 자매·우호도시" in html
    assert "대륙별 자매·우호도시 현황" in html
    assert "우호협력도시" in html
    assert "Sister cities" not in html
    assert "Friendly cooperation cities" not in html
    assert "Skip to main content" not in html


def test_the_korean_partner_list_is_in_korean(client, kharkiv):
    html = client.get("/ko/partners/").content.decode()
    for korean in ["구분", "결연일자", "인구", "면적(km²)", "특징", "자매·우호도시 1곳", "조회"]:
        assert korean in html
    for english in ["Relationship", "Agreement date", "Population", "Feature", "Show partners"]:
        assert english not in html


def test_the_korean_partner_page_is_in_korean(client, kharkiv):
    html = client.get("/ko/partners/kharkiv/").content.decode()
    for korean in [
        "최초 결연일자",
        "결연 기간",
        "1,450,000명(2021년 기준)",
        "대전에서의 거리",
        "유럽",
    ]:
        assert korean in html
    for english in ["First agreement", "Partnership age", "Population", "as of", "Distance from"]:
        assert english not in html


def test_the_admin_shows_korean_model_names_to_a_korean_browser(admin_client):
    html = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    for korean in ["자매·우호도시 관리", "협약", "교류 활동", "우리 시 정보 및 소개글"]:
        assert korean in html
    for english in ["Partner cities administration", "Agreements", "Exchanges"]:
        assert english not in html


def test_the_korean_data_dictionary_explains_each_column_in_korean(client, db):
    html = client.get("/ko/data/").content.decode()
    for korean in [
        "공공데이터: 자매·우호도시",
        "현재 구분: sister(자매도시) 또는 friendly(우호협력도시)",
        "면적(km²), 소수",
        "도시 중심의 위도, 십진 도 단위(남위는 음수)",
    ]:
        assert korean in html
    # The English column stays English beside it; only the page around it is Korean.
    assert "Land area in square kilometres, a decimal number." in html
    # Korean readers see their column first (on a phone, without scrolling the table).
    assert html.index('<th scope="col" lang="ko">') < html.index('<th scope="col" lang="en">')
    assert "Downloads" not in html
    assert "Each column, explained in English and Korean" not in html


def test_an_import_error_report_reads_in_korean(tmp_path, settings, db):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from tests.spreadsheets import csv_bytes, make_countries, partner_row

    make_countries()
    settings.LANGUAGE_CODE = "ko"
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes([partner_row(area_km2="88,5")]))
    out, err = io.StringIO(), io.StringIO()
    with translation.override("ko"), pytest.raises(CommandError) as failure:
        call_command("import_partners", str(path), stdout=out, stderr=err)
    report = err.getvalue()
    assert "partners.csv: 2행 “area_km2” 열: “88,5”은(는) 숫자가 아닙니다." in report
    assert "소수점은 마침표(.)로 입력하세요." in report
    for english in ["Line", "column", "is not a number", "write decimals"]:
        assert english not in report
    assert (
        str(failure.value)
        == "아무것도 가져오지 않았습니다. 위에 표시된 행을 고친 다음 다시 시도하세요."
    )


def test_the_login_lockout_page_reads_in_korean(client, db, settings):
    from django.contrib.auth.models import User

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    User.objects.create_user("kim", password="right-password", is_staff=True)
    for _ in range(5):
        response = client.post(
            "/admin/login/?next=/admin/",
            {"username": "kim", "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_ACCEPT_LANGUAGE="ko",
        )
    assert response.status_code == 429
    html = response.content.decode()
    assert "계정 잠김" in html
    assert "15분 동안 로그인할 수 없으며, 올바른 비밀번호를 입력해도 마찬가지입니다." in html
    assert "관리자에게 계정 잠금 해제를 요청하세요." in html
    assert "Too many failed login attempts" not in html
    # The page carries the portal's admin branding, not Django's default.
    assert "Django" not in html.split("<body")[1]


def test_the_history_recovery_screens_read_in_korean(admin_client):
    response = admin_client.get("/admin/partners/city/recover/", HTTP_ACCEPT_LANGUAGE="ko")
    html = response.content.decode()
    assert "삭제된 자매·우호도시 복구" in html
    assert "복구할 삭제된 자료가 없습니다." in html
    assert "Recover deleted" not in html
