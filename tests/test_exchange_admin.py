"""Exchange activities in the admin: filters, the partner link, and the dormant report."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from partners.admin.exchanges import dormant_cutoff
from partners.models import Exchange, Kind
from tests.factories import make_city, make_exchange, make_exchange_partners, make_staff

D = datetime.date
EXCHANGES = reverse("admin:partners_exchange_changelist")
DORMANT = reverse("admin:partners_dormantpartner_changelist")


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return dormant_cutoff(today, years) + datetime.timedelta(days=days)


@pytest.fixture
def partners(db) -> dict:
    return make_exchange_partners() | {
        "calgary": make_city("Calgary", "CA", Kind.FRIENDLY, name_ko="캘거리"),
        # No current agreement: an ended partnership is not reviewed for activity.
        "ended": make_city("Gone", "DE"),
    }


def listed(admin_client, url: str, **params) -> list[str]:
    response = admin_client.get(url, params)
    assert response.status_code == 200
    return [str(obj) for obj in response.context["cl"].result_list]


def test_the_exchange_list_filters_by_field_year_partner_continent_and_published(
    admin_client, partners
):
    make_exchange(
        partners["sapporo"],
        partners["novosibirsk"],
        title_en="Youth",
        field="youth",
        started_on=D(2015, 7, 29),
    )
    make_exchange(partners["kharkiv"], title_en="Orchestra", started_on=D(2016, 5, 1))
    make_exchange(
        partners["sapporo"], title_en="Draft", started_on=D(2016, 6, 1), is_published=False
    )
    assert listed(admin_client, EXCHANGES, field="youth") == ["Youth"]
    assert listed(admin_client, EXCHANGES, year="2016") == ["Draft", "Orchestra"]
    assert listed(admin_client, EXCHANGES, partners__id__exact=partners["sapporo"].pk) == [
        "Draft",
        "Youth",
    ]
    assert listed(admin_client, EXCHANGES, continent="europe") == ["Orchestra", "Youth"]
    assert listed(admin_client, EXCHANGES, is_published__exact="0") == ["Draft"]
    assert listed(admin_client, EXCHANGES, q="Kharkov") == ["Orchestra"]


def test_an_activity_added_in_the_admin_gets_several_partners_and_a_history(admin_client, partners):
    add = reverse("admin:partners_exchange_add")
    form = admin_client.get(add, {"partners": partners["sapporo"].pk})
    assert form.context["adminform"].form.initial["partners"] == [str(partners["sapporo"].pk)]
    response = admin_client.post(
        add,
        {
            "partners": [partners["sapporo"].pk, partners["novosibirsk"].pk],
            "field": "youth",
            "is_published": "on",
            "title_ko": "청소년 교류",
            "title_en": "Youth exchange",
            "started_on": "2015-07-29",
            "place_ko": "노보시비르스크",
            "place_en": "Novosibirsk",
            "link": "www.novo-sibirsk.ru/news/41171/",
        },
    )
    assert response.status_code == 302
    exchange = Exchange.objects.get()
    assert {c.slug for c in exchange.partners.all()} == {"sapporo", "novosibirsk"}
    assert exchange.link == "https://www.novo-sibirsk.ru/news/41171/"
    history = admin_client.get(reverse("admin:partners_exchange_history", args=[exchange.pk]))
    assert history.status_code == 200
    assert len(history.context["action_list"]) == 1


def test_the_dormant_report_lists_partners_without_a_recent_exchange(
    admin_client, partners, settings
):
    settings.PORTAL_DORMANT_YEARS = 3
    make_exchange(partners["sapporo"], title_en="Recent", started_on=years_ago(1))
    make_exchange(partners["novosibirsk"], title_en="Old", started_on=years_ago(3, days=-1))
    make_exchange(partners["kharkiv"], title_en="Exactly three years", started_on=years_ago(3))
    # An announced activity is not activity yet.
    make_exchange(partners["calgary"], title_en="Planned", started_on=years_ago(-1))
    make_exchange(partners["ended"], title_en="Long ago", started_on=D(2001, 1, 1))
    response = admin_client.get(DORMANT, HTTP_ACCEPT_LANGUAGE="en")
    rows = [(c.slug, c.last_exchange_on) for c in response.context["cl"].result_list]
    # Never first, then the oldest last exchange; Kharkiv's is not older than three years.
    assert rows == [("calgary", None), ("novosibirsk", years_ago(3, days=-1))]
    text = response.content.decode()
    assert "never" in text
    assert "more than 3 years ago" in admin_client.get(DORMANT, HTTP_ACCEPT_LANGUAGE="en").text


def test_an_announced_activity_counts_for_the_dormant_report_from_its_start_without_a_save(
    admin_client, partners, monkeypatch
):
    today = timezone.localdate()
    make_exchange(partners["calgary"], title_en="Old", started_on=years_ago(5))
    make_exchange(partners["calgary"], title_en="Planned", started_on=today + D.resolution)

    def dormant() -> dict:
        response = admin_client.get(DORMANT)
        return {c.slug: c.last_exchange_on for c in response.context["cl"].result_list}

    assert dormant()["calgary"] == years_ago(5)
    # The day after its start, with nothing written since, it is Calgary's last exchange.
    monkeypatch.setattr(timezone, "localdate", lambda *args: today + 2 * D.resolution)
    assert "calgary" not in dormant()


def test_the_dormant_threshold_comes_from_the_setting(admin_client, partners, settings):
    make_exchange(partners["sapporo"], title_en="Two years ago", started_on=years_ago(2, days=-1))
    settings.PORTAL_DORMANT_YEARS = 3
    assert "sapporo" not in {c.slug for c in admin_client.get(DORMANT).context["cl"].result_list}
    settings.PORTAL_DORMANT_YEARS = 2
    assert "sapporo" in {c.slug for c in admin_client.get(DORMANT).context["cl"].result_list}


def test_the_dormant_report_counts_unpublished_activities_too(admin_client, partners):
    make_exchange(
        partners["sapporo"], title_en="Internal visit", started_on=years_ago(1), is_published=False
    )
    assert "sapporo" not in {c.slug for c in admin_client.get(DORMANT).context["cl"].result_list}


def test_the_dormant_report_sorts_by_years_since_the_last_exchange(admin_client, partners):
    make_exchange(partners["sapporo"], title_en="A", started_on=D(2010, 1, 1))
    make_exchange(partners["novosibirsk"], title_en="B", started_on=D(2005, 1, 1))
    make_exchange(partners["kharkiv"], title_en="C", started_on=D(2015, 1, 1))
    response = admin_client.get(DORMANT)
    columns = response.context["cl"].list_display
    years_column = columns.index("years_since_last_exchange")
    most_first = [
        c.slug
        for c in admin_client.get(DORMANT, {"o": str(years_column)}).context["cl"].result_list
    ]
    fewest_first = [
        c.slug
        for c in admin_client.get(DORMANT, {"o": f"-{years_column}"}).context["cl"].result_list
    ]
    assert most_first == ["calgary", "novosibirsk", "sapporo", "kharkiv"]
    assert fewest_first == ["kharkiv", "sapporo", "novosibirsk", "calgary"]
    text = response.content.decode()
    today = timezone.localdate()
    years = today.year - 2005 - ((today.month, today.day) < (1, 1))
    assert re.search(rf'<td class="field-years_since_last_exchange">{years}</td>', text)


def test_the_dormant_report_exports_to_a_spreadsheet(admin_client, partners):
    make_exchange(partners["novosibirsk"], field="youth", title_en="B", started_on=D(2005, 1, 1))
    url = reverse("admin:partners_dormantpartner_export")
    form = admin_client.get(url)
    assert form.status_code == 200
    data = {"format": "1", "resource": "0"}
    for name in form.context["form"].fields:
        if name.startswith("dormantpartnerresource_"):
            data[name] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "dormant-partners-" in response["Content-Disposition"]
    sheet = load_workbook(__import__("io").BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["slug", "name_en", "name_ko"]
    by_slug = {row[0]: row for row in rows[1:]}
    assert set(by_slug) == {"sapporo", "novosibirsk", "kharkiv", "calgary"}
    novosibirsk = dict(zip(rows[0], by_slug["novosibirsk"], strict=True))
    assert novosibirsk["last_exchange_field"] == "youth"
    assert novosibirsk["last_exchange_on"].date() == D(2005, 1, 1)
    assert novosibirsk["years_since_last_exchange"] >= 20


def test_staff_may_read_the_dormant_report_but_not_change_anything_in_it(client, partners):
    client.force_login(make_staff())
    assert client.get(DORMANT).status_code == 200
    assert DORMANT in client.get(reverse("admin:index")).content.decode()
    assert client.get(reverse("admin:partners_dormantpartner_add")).status_code == 403
    city = partners["calgary"]
    change = reverse("admin:partners_dormantpartner_change", args=[city.pk])
    assert client.post(change, {"name_en": "Renamed"}).status_code == 403


def test_the_dormant_report_runs_the_same_number_of_queries_for_few_and_many_partners(
    admin_client, partners
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(DORMANT, params).status_code == 200
        return len(captured)

    make_exchange(partners["sapporo"], title_en="Old", started_on=D(2005, 1, 1))
    few = [queries(), queries(o="6"), queries(q="sap")]
    # More than a page (100) of dormant partners, each with an old activity or none.
    for n in range(110):
        city = make_city(f"Town {n}", "CA", Kind.SISTER)
        if n % 2:
            make_exchange(city, title_en=f"Visit {n}", started_on=D(2000 + n % 15, 1, 1))
    many = [queries(), queries(o="6"), queries(q="sap")]
    assert len(admin_client.get(DORMANT).context["cl"].result_list) == 100
    assert few == many
