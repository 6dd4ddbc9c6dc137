import datetime

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import translation

from partners.models import City
from tests.factories import make_agreement, make_city

pytestmark = pytest.mark.django_db


def test_deleting_a_partner_with_agreements_is_refused_by_the_database():
    city = make_city("Kharkiv", country="UA", name_ko="하르키우")
    make_agreement(city, kind="friendly", signed_on=datetime.date(2013, 8, 23))
    with pytest.raises(ProtectedError):
        city.delete()
    assert city.agreements.count() == 1


def test_deleting_a_country_with_partners_is_refused():
    city = make_city("Kharkiv", country="UA", name_ko="하르키우")
    with pytest.raises(ProtectedError):
        city.country.delete()
    assert City.objects.count() == 1


def test_the_admin_delete_page_says_a_partner_with_agreements_cannot_be_deleted(admin_client):
    city = make_city("Kharkiv", country="UA", name_ko="하르키우")
    make_agreement(city, kind="friendly", signed_on=datetime.date(2013, 8, 23))
    url = reverse("admin:partners_city_delete", args=[city.pk])
    with translation.override("en"):
        response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert "would require deleting the following protected related objects" in text
    assert response.context["protected"]
    admin_client.post(url, {"post": "yes"})
    assert City.objects.filter(pk=city.pk).exists()


def test_the_admin_delete_page_for_a_country_lists_its_partners_as_protected(admin_client):
    city = make_city("Kharkiv", country="UA", name_ko="하르키우")
    response = admin_client.get(reverse("admin:partners_country_delete", args=[city.country.pk]))
    assert response.context["protected"]
