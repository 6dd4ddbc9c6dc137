import pytest
from django.test import Client

from tests.factories import change_url, make_staff
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db


def staff_client(username: str) -> Client:
    user = make_staff(username)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_a_fresh_form_saves(kharkiv):
    client = staff_client("first")
    data = form_data(client.get(change_url(kharkiv)))
    data["population"] = "1100000"
    assert client.post(change_url(kharkiv), data).status_code == 302


def test_the_second_of_two_editors_is_refused_and_the_first_editors_value_kept(kharkiv):
    first, second = staff_client("first"), staff_client("second")
    first_form = form_data(first.get(change_url(kharkiv)))
    second_form = form_data(second.get(change_url(kharkiv)))

    first_form["population"] = "1100000"
    assert first.post(change_url(kharkiv), first_form).status_code == 302

    second_form["population"] = "2200000"
    second_form["name_en"] = "Kharkov"
    response = second.post(change_url(kharkiv), second_form)
    assert response.status_code == 200
    assert "Someone else changed this record while you were editing it" in (
        response.content.decode()
    )
    kharkiv.refresh_from_db()
    assert (kharkiv.population, kharkiv.name_en) == (1_100_000, "Kharkiv")


def test_a_stale_form_is_refused_after_an_agreement_changed_elsewhere(kharkiv):
    client = staff_client("first")
    stale = form_data(client.get(change_url(kharkiv)))
    agreement = kharkiv.agreements.get()
    agreement.notes = "Renewal under discussion"
    agreement.save()

    stale["agreements-0-notes"] = "Overwritten"
    assert client.post(change_url(kharkiv), stale).status_code == 200
    agreement.refresh_from_db()
    assert agreement.notes == "Renewal under discussion"


def test_reloading_after_a_refusal_lets_the_editor_save(kharkiv):
    first, second = staff_client("first"), staff_client("second")
    stale = form_data(second.get(change_url(kharkiv)))
    fresh = form_data(first.get(change_url(kharkiv)))
    fresh["population"] = "1100000"
    first.post(change_url(kharkiv), fresh)
    assert second.post(change_url(kharkiv), stale).status_code == 200
    reloaded = form_data(second.get(change_url(kharkiv)))
    reloaded["name_en"] = "Kharkiv City"
    assert second.post(change_url(kharkiv), reloaded).status_code == 302
    kharkiv.refresh_from_db()
    assert (kharkiv.population, kharkiv.name_en) == (1_100_000, "Kharkiv City")
