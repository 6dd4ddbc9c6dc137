import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from partners.models import HomeCity
from tests.factories import STAFF_GROUP, make_agreement, make_city, make_country, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = make_staff("park")
    client.force_login(user)
    return client


@pytest.fixture
def kharkiv():
    city = make_city("Kharkiv", country="UA", name_ko="하르키우")
    make_agreement(city, kind="friendly", signed_on=datetime.date(2013, 8, 23))
    return city


def test_the_staff_group_has_exactly_the_permissions_of_the_role():
    codenames = set(
        Group.objects.get(name=STAFF_GROUP).permissions.values_list("codename", flat=True)
    )
    assert codenames == {
        *(
            f"{action}_{model}"
            for model in ("city", "agreement", "exchange", "homecity")
            for action in ("add", "change", "view")
        ),
        "view_country",
        # Photos and scans may be removed: a removed one comes back from the history.
        *(
            f"{action}_{model}"
            for model in ("photo", "agreementdocument")
            for action in ("add", "change", "delete", "view")
        ),
    }


@pytest.mark.parametrize(
    "name, args",
    [
        ("admin:index", []),
        ("admin:partners_city_changelist", []),
        ("admin:partners_city_add", []),
        ("admin:partners_city_change", ["city"]),
        ("admin:partners_city_history", ["city"]),
        ("admin:partners_city_recoverlist", []),
        ("admin:partners_agreement_changelist", []),
        ("admin:partners_agreement_change", ["agreement"]),
        ("admin:partners_exchange_add", []),
        ("admin:partners_country_changelist", []),
        ("admin:partners_country_change", ["country"]),
        ("admin:partners_homecity_changelist", []),
    ],
)
def test_staff_can_open_the_pages_of_their_work(staff_client, kharkiv, name, args):
    objects = {"city": kharkiv, "agreement": kharkiv.agreements.get(), "country": kharkiv.country}
    url = reverse(name, args=[objects[arg].pk for arg in args])
    response = staff_client.get(url, follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "name, args",
    [
        ("admin:partners_city_delete", ["city"]),
        ("admin:partners_agreement_delete", ["agreement"]),
        ("admin:partners_country_add", []),
        ("admin:partners_country_delete", ["country"]),
        ("admin:auth_user_changelist", []),
        ("admin:auth_user_add", []),
        ("admin:auth_group_changelist", []),
        ("admin:axes_accessattempt_changelist", []),
    ],
)
def test_staff_are_refused_deleting_partners_and_managing_users(staff_client, kharkiv, name, args):
    objects = {"city": kharkiv, "agreement": kharkiv.agreements.get(), "country": kharkiv.country}
    url = reverse(name, args=[objects[arg].pk for arg in args])
    assert staff_client.get(url).status_code == 403


def test_staff_cannot_delete_a_partner_by_posting_the_delete_form(staff_client, kharkiv):
    url = reverse("admin:partners_city_delete", args=[kharkiv.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert kharkiv.agreements.exists()


def test_staff_can_edit_the_home_city_record(staff_client):
    HomeCity.objects.create(
        name_en="Daejeon",
        name_ko="대전",
        latitude=36.35,
        longitude=127.38,
        title_en="Partner cities",
        title_ko="자매도시",
    )
    response = staff_client.get(reverse("admin:partners_homecity_change", args=[1]))
    assert response.status_code == 200
    assert response.context["has_change_permission"]


def test_staff_see_no_delete_action_in_the_partner_list(staff_client, kharkiv):
    response = staff_client.get(reverse("admin:partners_city_changelist"))
    actions = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions


def test_a_country_can_be_viewed_but_not_changed_by_staff(staff_client):
    country = make_country()
    response = staff_client.get(reverse("admin:partners_country_change", args=[country.pk]))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
