"""The staff admin in natural Korean (and English): partner list order, labelled inline rows,
readable feature fields, exchanges shown when there are some."""

import json
import re

import pytest
from django.contrib.auth.models import User

from partners.models import Kind
from tests.factories import change_url, make_city, make_exchange

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(User.objects.create_superuser("staff", "staff@example.com", "pw"))
    return client


@pytest.fixture
def partners():
    # English order: Brisbane, Kharkiv, Seattle; Korean 가나다 order: 브리즈번, 시애틀, 하르키우.
    return [
        make_city("Seattle", "US", Kind.SISTER, name_ko="시애틀"),
        make_city("Kharkiv", "UA", Kind.FRIENDLY, name_ko="하르키우"),
        make_city("Brisbane", "AU", Kind.SISTER, name_ko="브리즈번"),
    ]


def first_column(html: str) -> list[str]:
    return re.findall(r'<th class="field-name_\w\w"><a href="[^"]+">([^<]+)</a></th>', html)


def test_the_partner_list_is_sorted_by_the_name_in_the_admins_language(staff_client, partners):
    korean = staff_client.get("/admin/partners/city/", HTTP_ACCEPT_LANGUAGE="ko").text
    english = staff_client.get("/admin/partners/city/", HTTP_ACCEPT_LANGUAGE="en").text
    assert first_column(korean) == ["브리즈번", "시애틀", "하르키우"]
    assert first_column(english) == ["Brisbane", "Kharkiv", "Seattle"]


def test_each_agreement_input_is_named_for_screen_readers(staff_client, partners):
    html = staff_client.get(change_url(partners[0]), HTTP_ACCEPT_LANGUAGE="ko").text
    inline = html[html.index('id="agreements-group"') :]
    inline = inline[: inline.index("</fieldset>")]
    for name in ("kind", "signed_on", "status", "ended_on", "notes"):
        field = re.search(
            rf'<(?:input|select|textarea)[^>]*name="agreements-0-{name}"[^>]*>', inline
        )
        assert field and 'aria-label="' in field[0], name
    assert 'aria-label="구분"' in inline and 'aria-label="체결일"' in inline


def test_the_feature_fields_are_wide(staff_client, partners):
    html = staff_client.get(change_url(partners[0])).text
    for name in ("feature_ko", "feature_en"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)[0]
        assert 'class="vLargeTextField"' in field


def test_a_partners_exchange_activities_are_listed_open_on_its_page(staff_client, partners):
    # Since activities have their own records (one may involve several partners), the
    # partner's page lists them with links in a section that is never folded away.
    seattle, kharkiv = partners[0], partners[1]
    festival = make_exchange(seattle, title_en="Festival")

    def exchanges_section(city) -> str:
        html = staff_client.get(change_url(city)).text
        start = html.index("field-activities")
        return html[html.rindex("<fieldset", 0, start) : html.index("</fieldset>", start)]

    seattles = exchanges_section(seattle)
    assert "collapse" not in seattles
    assert f"/admin/partners/exchange/{festival.pk}/change/" in seattles
    assert "/admin/partners/exchange/add/" in exchanges_section(kharkiv)


def test_the_time_zone_note_under_date_fields_reads_in_korean(staff_client):
    script = staff_client.get("/admin/jsi18n/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    # The catalogue is JSON with \u escapes.
    assert json.dumps("참고: 이 컴퓨터의 시각이 서버 시각보다 %s시간 빠릅니다.") in script
    assert json.dumps("Note: 서버 시간보다 %s 시간 빠릅니다.") not in script
