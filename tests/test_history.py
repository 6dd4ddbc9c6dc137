import io

import pytest
import reversion
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from partners.models import Agreement, City, Exchange
from partners.resources.import_history import record_import_history
from tests.factories import change_url, make_exchange, make_staff
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client) -> User:
    user = make_staff("choi")
    client.force_login(user)
    return user


def edit_population(client, city: City, population: int) -> None:
    data = form_data(client.get(change_url(city)))
    data["population"] = str(population)
    response = client.post(change_url(city), data)
    assert response.status_code == 302, response.context["errors"]


def test_an_admin_edit_records_who_when_and_the_values_before_and_after(client, staff, kharkiv):
    edit_population(client, kharkiv, 1_100_000)
    edit_population(client, kharkiv, 1_400_000)
    versions = Version.objects.get_for_object(kharkiv)
    assert versions.count() == 2
    assert versions.first().revision.user == staff
    assert versions.first().field_dict["population"] == 1_400_000

    page = client.get(reverse("admin:partners_city_history", args=[kharkiv.pk]))
    text = page.content.decode()
    assert "choi" in text
    assert "<del>1,100,000</del> → <ins>1,400,000</ins>" in text


def test_the_first_edit_of_a_demo_partner_can_be_undone_from_its_history(client, staff):
    from django.core.management import call_command

    call_command("load_demo_data", stdout=io.StringIO())
    seattle = City.objects.get(slug="seattle")
    # loaddata keeps no history; load_demo_data records what it loaded as the first version.
    assert Version.objects.get_for_object(seattle).count() == 1
    assert Version.objects.get_for_object(seattle.agreements.get()).count() == 1

    edit_population(client, seattle, 750_000)
    page = client.get(reverse("admin:partners_city_history", args=[seattle.pk])).content.decode()
    assert "<del>620,700</del> → <ins>750,000</ins>" in page  # the seed's figure

    original = Version.objects.get_for_object(seattle).last()
    url = reverse("admin:partners_city_revision", args=[seattle.pk, original.pk])
    assert client.post(url, form_data(client.get(url))).status_code == 302
    seattle.refresh_from_db()
    assert seattle.population == 620_700


def test_the_admin_edit_also_records_the_partners_agreements(client, staff, kharkiv):
    edit_population(client, kharkiv, 1_100_000)
    revision = Version.objects.get_for_object(kharkiv).first().revision
    models = {version.content_type.model for version in revision.version_set.all()}
    assert models == {"city", "agreement"}


def test_staff_can_restore_an_earlier_version_of_a_partner(client, staff, kharkiv):
    edit_population(client, kharkiv, 1_100_000)
    edit_population(client, kharkiv, 9)
    earlier = Version.objects.get_for_object(kharkiv).last()
    url = reverse("admin:partners_city_revision", args=[kharkiv.pk, earlier.pk])
    response = client.post(url, form_data(client.get(url)))
    assert response.status_code == 302
    kharkiv.refresh_from_db()
    assert kharkiv.population == 1_100_000
    latest = Version.objects.get_for_object(kharkiv).first()
    assert latest.revision.user == staff
    # Stored as data, worded in the language of whoever reads the history.
    history = reverse("admin:partners_city_history", args=[kharkiv.pk])
    assert "이전 버전으로 되돌렸습니다" in client.get(history, HTTP_ACCEPT_LANGUAGE="ko").text
    assert "Reverted to previous version" in client.get(history, HTTP_ACCEPT_LANGUAGE="en").text


def test_a_partner_deleted_by_an_administrator_can_be_recovered_with_its_agreements(
    client, admin_client, staff, kharkiv
):
    edit_population(client, kharkiv, 1_100_000)
    agreement = kharkiv.agreements.get()
    admin_client.post(
        reverse("admin:partners_agreement_delete", args=[agreement.pk]), {"post": "yes"}
    )
    response = admin_client.post(
        reverse("admin:partners_city_delete", args=[kharkiv.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not City.objects.exists()

    deleted = Version.objects.get_deleted(City).get()
    url = reverse("admin:partners_city_recover", args=[deleted.pk])
    recover_list = client.get(reverse("admin:partners_city_recoverlist"))
    assert url in recover_list.content.decode()
    response = client.post(url, form_data(client.get(url)))
    assert response.status_code == 302
    restored = City.objects.get(slug="kharkiv")
    assert restored.population == 1_100_000
    assert restored.agreements.get().signed_on == agreement.signed_on


def test_a_deleted_exchange_can_be_recovered(client, admin_client, staff, kharkiv):
    # An activity has its own history (it can involve several partners): saved as the
    # admin saves it, in a revision.
    with reversion.create_revision():
        exchange = make_exchange(kharkiv, title_en="Art week")
    admin_client.post(
        reverse("admin:partners_exchange_delete", args=[exchange.pk]), {"post": "yes"}
    )
    assert not Exchange.objects.exists()
    deleted = Version.objects.get_deleted(Exchange).get()
    url = reverse("admin:partners_exchange_recover", args=[deleted.pk])
    assert client.post(url, form_data(client.get(url))).status_code == 302
    recovered = Exchange.objects.get()
    assert recovered.title_en == "Art week"
    assert list(recovered.partners.all()) == [kharkiv]
    assert Agreement.objects.count() == 1


def test_publishing_from_the_partner_list_is_recorded_in_the_history(client, staff, kharkiv):
    client.post(
        reverse("admin:partners_city_changelist"),
        {"action": "unpublish", "_selected_action": [kharkiv.pk]},
    )
    version = Version.objects.get_for_object(kharkiv).first()
    assert version.field_dict["is_published"] is False
    assert version.revision.user == staff


def upgrade_to_sister(client, city: City) -> None:
    data = form_data(client.get(change_url(city)))
    data |= {"agreements-1-kind": "sister", "agreements-1-signed_on": "2024-05-01"}
    assert client.post(change_url(city), data).status_code == 302


def test_staff_cannot_restore_a_version_that_would_delete_a_newer_agreement(client, staff, kharkiv):
    edit_population(client, kharkiv, 1_100_000)
    upgrade_to_sister(client, kharkiv)
    before_upgrade = Version.objects.get_for_object(kharkiv)[1]
    url = reverse("admin:partners_city_revision", args=[kharkiv.pk, before_upgrade.pk])
    response = client.get(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Restoring this version would delete what was added since" in response.content.decode()
    response = client.post(url, form_data(client.get(change_url(kharkiv))), follow=True)
    assert kharkiv.agreements.count() == 2
    assert kharkiv.agreements.get(status="active").kind == "sister"


def test_an_administrator_may_restore_a_version_from_before_an_upgrade(
    client, admin_client, staff, kharkiv
):
    edit_population(client, kharkiv, 1_100_000)
    upgrade_to_sister(client, kharkiv)
    before_upgrade = Version.objects.get_for_object(kharkiv)[1]
    url = reverse("admin:partners_city_revision", args=[kharkiv.pk, before_upgrade.pk])
    assert admin_client.post(url, form_data(admin_client.get(url))).status_code == 302
    assert list(kharkiv.agreements.values_list("kind", "status")) == [("friendly", "active")]


def test_a_replaced_agreement_cannot_be_restored_alone_and_staff_are_told_why(
    client, staff, kharkiv
):
    agreement = kharkiv.agreements.get()
    agreement_url = reverse("admin:partners_agreement_change", args=[agreement.pk])
    data = form_data(client.get(agreement_url)) | {"notes": "Signed at city hall"}
    assert client.post(agreement_url, data).status_code == 302
    upgrade_to_sister(client, kharkiv)
    old = Version.objects.get_for_object(agreement).last()
    url = reverse("admin:partners_agreement_revision", args=[agreement.pk, old.pk])
    page = client.get(url, follow=True).content.decode()
    assert "더 최근의 현재 협약으로 대체되었" in page  # Korean, the staff member's language
    assert "missing dependency" not in page
    assert kharkiv.agreements.get(status="active").kind == "sister"


def test_the_history_names_changed_fields_in_korean_for_korean_staff(client, staff, kharkiv):
    data = form_data(client.get(change_url(kharkiv))) | {
        "name_ko": "하리코프",
        "agreements-0-notes": "Signed at city hall",
    }
    assert client.post(change_url(kharkiv), data).status_code == 302
    url = reverse("admin:partners_city_history", args=[kharkiv.pk])
    # The edit was made in Korean (the default), so its summary is stored in Korean.
    korean = client.get(url, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "이름(국문)" in korean
    assert "내부 메모" in korean
    assert "Name (Korean)" not in korean and "Internal notes" not in korean


def test_a_partners_history_shows_what_an_upgrade_did_to_its_agreements(client, staff, kharkiv):
    edit_population(client, kharkiv, 1_100_000)
    upgrade_to_sister(client, kharkiv)
    page = client.get(
        reverse("admin:partners_city_history", args=[kharkiv.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "status: <del>active</del> → <ins>ended</ins>" in page
    assert "ended on: <del>—</del> → <ins>2024-05-01</ins>" in page
    assert "<ins>added</ins>" in page


def test_a_history_written_in_korean_reads_in_english_for_english_staff(client, staff, kharkiv):
    # Written by a Korean browser: an upgrade (agreements, kinds), an import, a restore.
    upgrade_to_sister(client, kharkiv)
    record_import_history([kharkiv.pk], staff, "자매도시.xlsx")
    first = Version.objects.get_for_object(kharkiv).last()
    url = reverse("admin:partners_city_revision", args=[kharkiv.pk, first.pk])
    admin_client = Client()
    admin_client.force_login(User.objects.create_superuser("admin", "a@example.com", "pw"))
    assert admin_client.post(url, form_data(admin_client.get(url))).status_code == 302
    history = reverse("admin:partners_city_history", args=[kharkiv.pk])
    english = client.get(history, HTTP_ACCEPT_LANGUAGE="en").text
    assert "Imported from 자매도시.xlsx." in english
    assert "Reverted to previous version, saved on" in english
    assert "sister city (2024-05-01)" in english
    assert "<ins>added</ins>" in english
    for korean in ("가져왔습니다", "되돌렸습니다", "자매도시 (2024", "우호협력도시 (", "추가"):
        assert korean not in english, korean
    # And the same history reads in Korean for Korean staff.
    korean_page = client.get(history, HTTP_ACCEPT_LANGUAGE="ko").text
    assert "자매도시.xlsx에서 가져왔습니다." in korean_page
    assert "자매도시 (2024-05-01)" in korean_page
