"""The admin import's confirm step, posted twice or with a tampered form: a clear message,
nothing more written, never a server error."""

import tempfile
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from partners.models import City
from tests.spreadsheets import (
    CONFIRM_URL,
    IMPORT_URL,
    csv_bytes,
    make_countries,
    make_partner,
    partner_row,
)

pytestmark = pytest.mark.django_db

GONE = "This import was already confirmed, or its form was changed"


@pytest.fixture
def staff_client(client):
    make_countries()
    client.force_login(User.objects.create_superuser("staff", "staff@example.com", "pw"))
    return client


def preview(client) -> dict:
    """Upload two new partners and return the confirm form's fields."""
    rows = [partner_row(name_en="Brno", name_ko="브르노", country="CZ"), partner_row()]
    upload = SimpleUploadedFile("partners.csv", csv_bytes(rows))
    response = client.post(IMPORT_URL, {"format": "0", "import_file": upload})
    assert response.status_code == 200
    return dict(response.context["confirm_form"].initial)


def messages_after(client, response) -> str:
    assert response.status_code == 302
    assert response["Location"] == IMPORT_URL
    return client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").text


@pytest.mark.parametrize("shared_cache", [False, True])
def test_an_import_confirmed_twice_imports_once_and_then_says_so(
    staff_client, settings, shared_cache
):
    settings.PORTAL_SHARED_CACHE = shared_cache  # the preview's file in the cache (REDIS_URL)
    confirm = preview(staff_client)
    assert staff_client.post(CONFIRM_URL, confirm).status_code == 302
    assert City.objects.count() == 2

    again = staff_client.post(CONFIRM_URL, confirm, HTTP_ACCEPT_LANGUAGE="en")
    assert GONE in messages_after(staff_client, again)
    assert City.objects.count() == 2


def test_an_update_confirmed_twice_is_written_once_and_the_second_confirm_writes_nothing(
    staff_client,
):
    make_partner(population=1_000)
    rows = [partner_row(slug="kharkiv", population="1,430,885")]
    upload = SimpleUploadedFile("partners.csv", csv_bytes(rows))
    confirm = dict(
        staff_client.post(IMPORT_URL, {"format": "0", "import_file": upload})
        .context["confirm_form"]
        .initial
    )
    assert staff_client.post(CONFIRM_URL, confirm).status_code == 302
    saved = City.objects.get(slug="kharkiv")
    assert saved.population == 1_430_885

    again = staff_client.post(CONFIRM_URL, confirm, HTTP_ACCEPT_LANGUAGE="en")
    # The preview's partner changed since, by this very import: the gone preview file is
    # checked first, so staff are told it was confirmed, not that someone changed it.
    page = messages_after(staff_client, again)
    assert GONE in page
    assert "someone changed" not in page
    assert City.objects.get(slug="kharkiv").updated_at == saved.updated_at


def test_a_confirm_carries_the_kind_for_every_row_and_a_second_one_writes_nothing(
    staff_client,
):
    header = ["name_en", "name_ko", "country", "signed_on"]
    rows = [["Brno", "브르노", "CZ", "1999-05-01"]]
    upload = SimpleUploadedFile("sisters.csv", csv_bytes(rows, header=header))
    preview = staff_client.post(
        IMPORT_URL, {"format": "0", "import_file": upload, "kind": "sister"}
    )
    confirm = dict(preview.context["confirm_form"].initial)
    assert confirm["kind"] == "sister"
    assert staff_client.post(CONFIRM_URL, confirm).status_code == 302
    assert City.objects.get().current_kind == "sister"

    again = staff_client.post(CONFIRM_URL, confirm, HTTP_ACCEPT_LANGUAGE="en")
    assert GONE in messages_after(staff_client, again)
    assert City.objects.count() == 1


@pytest.mark.parametrize(
    "tampered",
    [
        {"import_file_name": "../../etc/passwd"},
        {"import_file_name": "."},
        {"import_file_name": "no-such-preview"},
        {"format": "99"},
        {"format": "csv"},
    ],
)
def test_a_tampered_confirm_form_gets_a_message_and_writes_nothing(staff_client, tampered):
    confirm = preview(staff_client) | tampered
    response = staff_client.post(CONFIRM_URL, confirm, HTTP_ACCEPT_LANGUAGE="en")
    assert GONE in messages_after(staff_client, response)
    assert City.objects.count() == 0


def test_the_message_is_in_korean_for_korean_staff(staff_client):
    confirm = preview(staff_client) | {"import_file_name": "no-such-preview"}
    response = staff_client.post(CONFIRM_URL, confirm, HTTP_ACCEPT_LANGUAGE="ko")
    page = staff_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ko").text
    assert "이미 확정" in page


def test_a_confirm_cannot_import_a_file_this_session_did_not_preview(staff_client):
    # Another file in the server's temporary folder, never previewed nor size-checked: the
    # library would open any name there and delete it after the import.
    make_partner(population=1_000)
    planted = Path(tempfile.gettempdir()) / f"planted-{uuid.uuid4().hex}.csv"
    planted.write_text("slug,population\nkharkiv,1450777\n", encoding="utf-8")
    try:
        confirm = preview(staff_client) | {"import_file_name": planted.name}
        response = staff_client.post(CONFIRM_URL, confirm, HTTP_ACCEPT_LANGUAGE="en")
        assert GONE in messages_after(staff_client, response)
        assert City.objects.get(slug="kharkiv").population == 1_000
        assert planted.exists()
    finally:
        planted.unlink(missing_ok=True)


@pytest.mark.parametrize(
    "tampered",
    [{"original_file_name": "other.csv"}, {"kind": "sister"}],
)
def test_a_confirm_with_fields_other_than_the_preview_showed_writes_nothing(staff_client, tampered):
    confirm = preview(staff_client) | tampered
    response = staff_client.post(CONFIRM_URL, confirm, HTTP_ACCEPT_LANGUAGE="en")
    assert GONE in messages_after(staff_client, response)
    assert City.objects.count() == 0


def test_another_staff_member_cannot_confirm_my_preview(staff_client):
    confirm = preview(staff_client)
    other = Client()
    other.force_login(User.objects.create_superuser("other", "other@example.com", "pw"))
    response = other.post(CONFIRM_URL, confirm, HTTP_ACCEPT_LANGUAGE="en")
    assert GONE in messages_after(other, response)
    assert City.objects.count() == 0
    # The staff member who previewed it can still confirm it.
    assert staff_client.post(CONFIRM_URL, confirm).status_code == 302
    assert City.objects.count() == 2


def test_a_confirm_that_drops_the_previewed_row_versions_writes_nothing(staff_client):
    # Emptied row versions would skip the check that nobody changed the partners since.
    make_partner(population=1_000)
    upload = SimpleUploadedFile("p.csv", csv_bytes([partner_row(slug="kharkiv", population="5")]))
    preview = staff_client.post(IMPORT_URL, {"format": "0", "import_file": upload})
    confirm = dict(preview.context["confirm_form"].initial)
    assert confirm["row_versions"] != "{}"
    response = staff_client.post(CONFIRM_URL, confirm | {"row_versions": "{}"})
    assert response.status_code == 302
    assert City.objects.get(slug="kharkiv").population == 1_000
