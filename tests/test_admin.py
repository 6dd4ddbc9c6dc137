import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Agreement, City, HomeCity, Kind, Status
from tests.factories import change_url, make_agreement, make_city, make_country, make_exchange

pytestmark = pytest.mark.django_db

CITY_LIST = reverse("admin:partners_city_changelist")


def listed_slugs(client, **params) -> set[str]:
    response = client.get(CITY_LIST, params)
    assert response.status_code == 200
    return {city.slug for city in response.context["cl"].result_list}


def form_data(response) -> dict:
    """The POST a browser would send for an admin change form left as it was shown."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {"_save": "Save"}
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):  # a many-to-many: one value per choice
                data[field.html_name] = [str(item) for item in value]
            else:
                data[field.html_name] = "on" if value is True else str(value)
    return data


@pytest.fixture
def partners():
    """Kharkiv (friendly, current), Qingdao (sister), Nice (no current agreement, unpublished)."""
    ukraine = make_country(
        iso_code="UA", name_en="Ukraine", name_ko="우크라이나", continent="europe"
    )
    china = make_country(iso_code="CN", name_en="China", name_ko="중국", continent="asia")
    france = make_country(iso_code="FR", name_en="France", name_ko="프랑스", continent="europe")
    make_country(iso_code="JP", name_en="Japan", name_ko="일본", continent="asia")
    kharkiv = make_city(
        slug="kharkiv", name_en="Kharkiv", name_ko="하르키우", country=ukraine, aliases="Kharkov"
    )
    make_agreement(kharkiv, kind=Kind.FRIENDLY, signed_on=datetime.date(2013, 8, 23))
    qingdao = make_city(
        slug="qingdao", name_en="Qingdao", name_ko="칭다오", country=china, aliases="Tsingtao"
    )
    make_agreement(qingdao, kind=Kind.SISTER, signed_on=datetime.date(1994, 6, 1))
    nice = make_city(
        slug="nice", name_en="Nice", name_ko="니스", country=france, is_published=False
    )
    make_agreement(
        nice,
        kind=Kind.FRIENDLY,
        signed_on=datetime.date(2001, 1, 1),
        status=Status.ENDED,
        ended_on=datetime.date(2010, 1, 1),
    )
    return {"kharkiv": kharkiv, "qingdao": qingdao, "nice": nice}


def test_partner_list_runs_the_same_number_of_queries_for_3_and_30_partners(admin_client):
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as context:
            response = admin_client.get(CITY_LIST)
        assert response.status_code == 200
        return len(context.captured_queries)

    countries = [
        make_country(iso_code=code, name_en=code, name_ko=code, continent=continent)
        for code, continent in [("UA", "europe"), ("CN", "asia"), ("US", "americas")]
    ]
    for number in range(30):
        city = make_city(slug=f"city-{number}", country=countries[number % 3])
        make_agreement(city, kind=Kind.SISTER if number % 2 else Kind.FRIENDLY)
        if number == 2:
            with_three = queries_for_list()
    assert queries_for_list() == with_three


def test_partner_list_shows_kind_since_and_status_of_the_current_agreement(admin_client, partners):
    response = admin_client.get(CITY_LIST, HTTP_ACCEPT_LANGUAGE="en")
    rows = {row.slug: row for row in response.context["cl"].result_list}
    assert rows["kharkiv"].since == datetime.date(2013, 8, 23)
    html = response.content.decode()
    assert "friendly cooperation city" in html
    assert "하르키우" in html and "Kharkiv" in html


def test_partner_list_sorts_by_partnership_date(admin_client, partners):
    # Columns: 1 name_ko, 2 name_en, 3 country, 4 kind, 5 since, ...
    response = admin_client.get(CITY_LIST, {"o": "5"})
    slugs = [city.slug for city in response.context["cl"].result_list]
    assert slugs.index("qingdao") < slugs.index("kharkiv")


def test_kind_filter_keeps_partners_whose_current_agreement_is_of_that_kind(admin_client, partners):
    assert listed_slugs(admin_client, kind="sister") == {"qingdao"}
    assert listed_slugs(admin_client, kind="friendly") == {"kharkiv"}


def test_continent_filter_keeps_partners_in_that_continent(admin_client, partners):
    assert listed_slugs(admin_client, country__continent__exact="asia") == {"qingdao"}


def test_country_filter_offers_only_countries_with_partners(admin_client, partners):
    response = admin_client.get(CITY_LIST, HTTP_ACCEPT_LANGUAGE="en")
    country_filter = next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "field_path", None) == "country"
    )
    assert {label for _, label in country_filter.lookup_choices} == {"China", "France", "Ukraine"}
    china = partners["qingdao"].country
    assert listed_slugs(admin_client, country__id__exact=china.pk) == {"qingdao"}


def test_status_filter_finds_active_and_partners_without_a_current_agreement(
    admin_client, partners
):
    Agreement.objects.filter(city=partners["qingdao"]).update(status=Status.SUSPENDED)
    assert listed_slugs(admin_client, status="active") == {"kharkiv"}
    assert listed_slugs(admin_client, status="suspended") == {"qingdao"}
    assert listed_slugs(admin_client, status="none") == {"nice"}


def test_published_filter_separates_hidden_partners(admin_client, partners):
    assert listed_slugs(admin_client, is_published__exact="0") == {"nice"}
    assert listed_slugs(admin_client, is_published__exact="1") == {"kharkiv", "qingdao"}


@pytest.mark.parametrize(
    ("term", "slug"),
    [
        ("하르키우", "kharkiv"),
        ("kharkiv", "kharkiv"),
        ("Kharkov", "kharkiv"),
        ("Tsingtao", "qingdao"),
    ],
)
def test_search_finds_partners_by_korean_name_english_name_and_alias(
    admin_client, partners, term, slug
):
    assert listed_slugs(admin_client, q=term) == {slug}


def test_search_ignores_accents_and_finds_by_country_name(admin_client):
    vietnam = make_country(iso_code="VN", name_en="Vietnam", name_ko="베트남", continent="asia")
    make_city(slug="hung-yen", name_en="Hưng Yên", name_ko="흥옌", country=vietnam)
    make_city(slug="kharkiv", name_en="Kharkiv", name_ko="하르키우")
    assert listed_slugs(admin_client, q="hung yen") == {"hung-yen"}
    assert listed_slugs(admin_client, q="베트남") == {"hung-yen"}


def test_search_keeps_the_active_filters(admin_client, partners):
    assert listed_slugs(admin_client, q="Kharkov", kind="sister") == set()


def test_partner_change_form_shows_agreements_and_links_its_exchange_activities(
    admin_client, partners
):
    exchange = make_exchange(
        partners["kharkiv"], title_en="Youth orchestra visit", started_on=datetime.date(2015, 5, 1)
    )
    response = admin_client.get(change_url(partners["kharkiv"]))
    assert response.status_code == 200
    inlines = {inline.formset.prefix for inline in response.context["inline_admin_formsets"]}
    # An activity may involve several partners: it is edited on its own page.
    assert inlines == {"agreements", "photos", "documents"}
    html = response.content.decode()
    assert "2013-08-23" in html
    assert "Youth orchestra visit" in html
    assert reverse("admin:partners_exchange_change", args=[exchange.pk]) in html
    add = reverse("admin:partners_exchange_add") + f"?partners={partners['kharkiv'].pk}"
    assert add in html


def test_a_new_agreement_added_in_the_inline_ends_the_current_one(admin_client, partners):
    kharkiv = partners["kharkiv"]
    data = form_data(admin_client.get(change_url(kharkiv)))
    # The first form is the stored agreement, the second the blank extra row.
    data |= {"agreements-1-kind": "sister", "agreements-1-signed_on": "2020-05-01"}
    response = admin_client.post(change_url(kharkiv), data)
    assert response.status_code == 302
    history = list(
        kharkiv.agreements.order_by("signed_on").values_list("kind", "status", "ended_on")
    )
    assert history == [
        ("friendly", "ended", datetime.date(2020, 5, 1)),
        ("sister", "active", None),
    ]


def test_a_website_typed_without_a_scheme_is_saved_as_https(admin_client, partners):
    kharkiv = partners["kharkiv"]
    data = form_data(admin_client.get(change_url(kharkiv))) | {"website": "www.city.kharkiv.ua"}
    assert admin_client.post(change_url(kharkiv), data).status_code == 302
    kharkiv.refresh_from_db()
    assert kharkiv.website == "https://www.city.kharkiv.ua"


def test_a_backdated_current_agreement_shows_the_error_and_writes_nothing(admin_client, partners):
    kharkiv = partners["kharkiv"]
    data = form_data(admin_client.get(change_url(kharkiv), HTTP_ACCEPT_LANGUAGE="en"))
    data |= {
        "agreements-1-kind": "sister",
        "agreements-1-signed_on": "2010-01-01",
        "name_en": "Kharkiv renamed",
    }
    response = admin_client.post(change_url(kharkiv), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "must be signed on or after the current one (2013-08-23)" in response.content.decode()
    assert kharkiv.agreements.count() == 1
    assert kharkiv.agreements.get().status == Status.ACTIVE
    assert City.objects.get(pk=kharkiv.pk).name_en == "Kharkiv"


def test_two_new_current_agreements_in_one_save_are_refused(admin_client, partners):
    nice = partners["nice"]
    data = form_data(admin_client.get(change_url(nice)))
    data |= {
        "agreements-TOTAL_FORMS": "3",
        "agreements-1-kind": "friendly",
        "agreements-1-signed_on": "2015-01-01",
        "agreements-1-status": "active",
        "agreements-2-kind": "sister",
        "agreements-2-signed_on": "2020-01-01",
        "agreements-2-status": "active",
        "agreements-2-city": str(nice.pk),
    }
    response = admin_client.post(change_url(nice), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Add one current agreement at a time" in response.content.decode()
    assert nice.agreements.count() == 1


def test_a_duplicate_agreement_in_the_inline_is_a_form_error(admin_client, partners):
    kharkiv = partners["kharkiv"]
    data = form_data(admin_client.get(change_url(kharkiv)))
    data |= {
        "agreements-1-kind": "friendly",
        "agreements-1-signed_on": "2013-08-23",
        "agreements-1-status": "ended",
    }
    response = admin_client.post(change_url(kharkiv), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Please correct the duplicate data for kind and signed_on" in response.content.decode()
    assert kharkiv.agreements.count() == 1


def test_country_autocomplete_finds_ukraine(admin_client, partners):
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "partners", "model_name": "city", "field_name": "country", "term": "uk"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == ["Ukraine"]


def test_city_autocomplete_for_agreements_finds_a_partner_by_its_alias(admin_client, partners):
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "partners", "model_name": "agreement", "field_name": "city", "term": "tsing"},
    )
    assert [result["id"] for result in response.json()["results"]] == [str(partners["qingdao"].pk)]


@pytest.mark.parametrize("language", ["ko", "en"])
def test_view_on_site_links_to_the_public_page_in_the_admin_language(
    admin_client, partners, language
):
    response = admin_client.get(change_url(partners["kharkiv"]), HTTP_ACCEPT_LANGUAGE=language)
    assert f'href="/{language}/partners/kharkiv/"' in response.content.decode()


def test_an_unpublished_partner_offers_no_view_on_site_link(admin_client, partners):
    response = admin_client.get(change_url(partners["nice"]), HTTP_ACCEPT_LANGUAGE="en")
    assert "/partners/nice/" not in response.content.decode()


def test_publish_and_unpublish_actions_change_the_selected_partners(admin_client, partners):
    selected = [partners["nice"].pk, partners["kharkiv"].pk]
    response = admin_client.post(
        CITY_LIST,
        {"action": "publish", "_selected_action": selected},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "2 partners are now published." in response.content.decode()
    assert set(City.objects.published().values_list("slug", flat=True)) == {
        "nice",
        "kharkiv",
        "qingdao",
    }
    admin_client.post(CITY_LIST, {"action": "unpublish", "_selected_action": selected})
    assert list(City.objects.published().values_list("slug", flat=True)) == ["qingdao"]


def make_home() -> HomeCity:
    home = HomeCity(
        name_en="Daejeon",
        name_ko="대전",
        latitude="36.350400",
        longitude="127.384500",
        title_en="Sister and Friendly Cooperation Cities",
        title_ko="자매·우호협력도시",
    )
    home.save()
    return home


def test_home_city_list_opens_the_one_record(admin_client):
    home = make_home()
    response = admin_client.get(reverse("admin:partners_homecity_changelist"))
    assert response.url == reverse("admin:partners_homecity_change", args=[home.pk])


def test_home_city_list_opens_the_add_form_when_there_is_none(admin_client):
    response = admin_client.get(reverse("admin:partners_homecity_changelist"))
    assert response.url == reverse("admin:partners_homecity_add")
    assert admin_client.get(response.url).status_code == 200


def test_a_second_home_city_and_deleting_the_first_are_refused(admin_client):
    home = make_home()
    assert admin_client.get(reverse("admin:partners_homecity_add")).status_code == 403
    change = admin_client.get(reverse("admin:partners_homecity_change", args=[home.pk]))
    assert "deletelink" not in change.content.decode()
    delete_url = reverse("admin:partners_homecity_delete", args=[home.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert HomeCity.objects.count() == 1


def test_home_city_can_be_edited(admin_client):
    home = make_home()
    url = reverse("admin:partners_homecity_change", args=[home.pk])
    data = form_data(admin_client.get(url)) | {"intro_en": "Welcome."}
    assert admin_client.post(url, data).status_code == 302
    assert HomeCity.load().intro_en == "Welcome."


def test_every_admin_page_of_the_app_answers(admin_client, partners):
    agreement = Agreement.objects.first()
    exchange = make_exchange(
        partners["qingdao"],
        field="economy",
        title_ko="경제 사절단",
        started_on=datetime.date(2019, 3, 1),
    )
    urls = [reverse("admin:index"), reverse("admin:partners_city_add")]
    for model, obj in [
        ("country", partners["kharkiv"].country),
        ("city", partners["kharkiv"]),
        ("agreement", agreement),
        ("exchange", exchange),
    ]:
        urls += [
            reverse(f"admin:partners_{model}_changelist"),
            reverse(f"admin:partners_{model}_add"),
            reverse(f"admin:partners_{model}_change", args=[obj.pk]),
        ]
    for language in ["ko", "en"]:
        for url in urls:
            response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert (url, response.status_code) == (url, 200)


def test_agreement_list_searches_by_partner_name(admin_client, partners):
    response = admin_client.get(reverse("admin:partners_agreement_changelist"), {"q": "칭다오"})
    assert [a.city.slug for a in response.context["cl"].result_list] == ["qingdao"]


@pytest.mark.parametrize(("language", "word"), [("ko", "로그인"), ("en", "Log in")])
def test_admin_login_follows_the_browser_language(client, language, word):
    response = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.headers["Content-Language"] == language
    assert word in response.content.decode()


def test_a_new_partner_can_be_added_with_its_agreement_history_in_one_save(admin_client):
    ukraine = make_country(
        iso_code="UA", name_en="Ukraine", name_ko="우크라이나", continent="europe"
    )
    add_url = reverse("admin:partners_city_add")
    data = form_data(admin_client.get(add_url)) | {
        "name_en": "Odesa",
        "name_ko": "오데사",
        "slug": "odesa",
        "country": str(ukraine.pk),
        "agreements-TOTAL_FORMS": "2",
        "agreements-0-kind": "friendly",
        "agreements-0-signed_on": "2010-01-01",
        "agreements-0-status": "ended",
        "agreements-0-ended_on": "2015-01-01",
        "agreements-1-kind": "sister",
        "agreements-1-signed_on": "2015-01-01",
        "agreements-1-status": "active",
    }
    response = admin_client.post(add_url, data)
    assert response.status_code == 302
    odesa = City.objects.get(slug="odesa")
    assert (odesa.current_kind, odesa.since) == ("sister", datetime.date(2015, 1, 1))


def test_deleting_a_partner_with_agreements_is_refused_with_an_explanation(admin_client, partners):
    response = admin_client.post(
        CITY_LIST,
        {"action": "delete_selected", "_selected_action": [partners["kharkiv"].pk], "post": "yes"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in (
        response.content.decode()
    )
    assert City.objects.filter(slug="kharkiv").exists()


def test_the_agreement_page_refuses_a_backdated_current_agreement_with_a_message(
    admin_client, partners
):
    add_url = reverse("admin:partners_agreement_add")
    data = {
        "city": str(partners["kharkiv"].pk),
        "kind": "sister",
        "signed_on": "2001-01-01",
        "status": "active",
    }
    response = admin_client.post(add_url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "must be signed on or after the current one" in response.content.decode()
    response = admin_client.post(add_url, data | {"signed_on": "2021-01-01"})
    assert response.status_code == 302
    assert partners["kharkiv"].agreements.filter(status="active").get().kind == "sister"
