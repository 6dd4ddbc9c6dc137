import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from reversion.models import Version

from partners.models import City
from tests.factories import make_staff
from tests.spreadsheets import (
    CONFIRM_URL,
    IMPORT_URL,
    csv_bytes,
    make_countries,
    make_partner,
    partner_row,
)
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def countries():
    return make_countries()


@pytest.fixture
def staff(client) -> User:
    user = make_staff("jung")
    client.force_login(user)
    return user


def preview(client, rows: list) -> dict:
    data = csv_bytes(rows)
    response = client.post(
        IMPORT_URL,
        {"format": "0", "import_file": SimpleUploadedFile("partners.csv", data)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.context["confirm_form"] is not None, response.content.decode()
    return response.context["confirm_form"].initial


def test_an_admin_import_records_history_with_the_importing_user(client, staff):
    kharkiv = make_partner(population=1_000_000)
    confirm = preview(
        client,
        [
            partner_row(slug="kharkiv", population="1,421,125"),
            partner_row(slug="brno", name_en="Brno", name_ko="브르노", country="CZ"),
        ],
    )
    assert client.post(CONFIRM_URL, confirm).status_code == 302

    version = Version.objects.get_for_object(kharkiv).get()
    assert version.revision.user == staff
    assert version.field_dict["population"] == 1_421_125
    assert "partners.csv" in version.revision.comment
    brno = City.objects.get(slug="brno")
    brno_revision = Version.objects.get_for_object(brno).get().revision
    # Each partner has its own revision, from the same user and file.
    assert brno_revision != version.revision
    assert (brno_revision.user, brno_revision.comment) == (staff, version.revision.comment)


def test_restoring_one_partner_from_an_import_leaves_the_other_imported_partners_alone(
    client, staff, countries
):
    kharkiv = make_partner(population=1_000_000)
    brno = make_partner(slug="brno", name_en="Brno", name_ko="브르노", country=countries["CZ"])
    confirm = preview(
        client,
        [
            partner_row(slug="kharkiv", population="1100000"),
            partner_row(
                slug="brno", name_en="Brno", name_ko="브르노", country="CZ", population="380000"
            ),
        ],
    )
    client.post(CONFIRM_URL, confirm)
    client.post(
        CONFIRM_URL,
        preview(
            client,
            [
                partner_row(
                    slug="brno", name_en="Brno", name_ko="브르노", country="CZ", population="390000"
                )
            ],
        ),
    )

    imported = Version.objects.get_for_object(kharkiv).get()
    url = f"/admin/partners/city/{kharkiv.pk}/history/{imported.pk}/"
    assert client.post(url, form_data(client.get(url))).status_code == 302
    brno.refresh_from_db()
    assert brno.population == 390_000


def test_an_admin_import_appears_in_the_partner_history_page_with_before_and_after(client, staff):
    kharkiv = make_partner(population=1_000_000)
    with_history = preview(client, [partner_row(slug="kharkiv", population="1100000")])
    client.post(CONFIRM_URL, with_history)
    client.post(CONFIRM_URL, preview(client, [partner_row(slug="kharkiv", population="1200000")]))
    page = client.get(f"/admin/partners/city/{kharkiv.pk}/history/")
    assert "<del>1,100,000</del> → <ins>1,200,000</ins>" in page.content.decode()


def test_a_command_line_import_records_history_with_no_user(tmp_path):
    kharkiv = make_partner(population=1_000_000)
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes([partner_row(slug="kharkiv", population="1100000")]))
    call_command("import_partners", str(path), stdout=None)
    version = Version.objects.get_for_object(kharkiv).first()
    assert version.revision.user is None
    assert version.field_dict["population"] == 1_100_000


def test_a_command_line_import_can_name_the_user(tmp_path):
    operator = User.objects.create_user("operator")
    kharkiv = make_partner()
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes([partner_row(slug="kharkiv", population="1100000")]))
    call_command("import_partners", str(path), user="operator")
    assert Version.objects.get_for_object(kharkiv).first().revision.user == operator


def test_a_dry_run_or_a_refused_import_records_no_history(tmp_path):
    make_partner()
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes([partner_row(slug="kharkiv", population="1100000")]))
    call_command("import_partners", str(path), dry_run=True)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_bytes([partner_row(slug="kharkiv", population="5"), partner_row(population="88,5")])
    )
    with pytest.raises(CommandError):
        call_command("import_partners", str(bad))
    assert not Version.objects.exists()


def test_a_confirm_is_refused_when_a_previewed_partner_changed_since(client, staff):
    kharkiv = make_partner(population=1_000_000)
    confirm = preview(client, [partner_row(slug="kharkiv", population="2000000")])

    kharkiv.population = 1_100_000
    kharkiv.save()  # another staff member's edit after the preview

    response = client.post(CONFIRM_URL, confirm, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Nothing was imported: someone changed Kharkiv after your preview" in (
        response.content.decode()
    )
    kharkiv.refresh_from_db()
    assert kharkiv.population == 1_100_000


def test_a_confirm_is_refused_when_a_previewed_partners_agreement_changed_since(client, staff):
    kharkiv = make_partner()
    confirm = preview(client, [partner_row(slug="kharkiv", status="suspended")])
    agreement = kharkiv.agreements.get()
    agreement.notes = "Talks resumed"
    agreement.save()
    client.post(CONFIRM_URL, confirm)
    agreement.refresh_from_db()
    assert agreement.status == "active"


def test_a_confirm_without_changes_since_the_preview_imports(client, staff):
    kharkiv = make_partner(population=1_000_000)
    confirm = preview(client, [partner_row(slug="kharkiv", population="2000000")])
    assert client.post(CONFIRM_URL, confirm).status_code == 302
    kharkiv.refresh_from_db()
    assert kharkiv.population == 2_000_000
