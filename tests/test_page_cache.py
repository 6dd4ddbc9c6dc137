"""The anonymous visitors' page cache (portal/page_cache.py): served and revalidated without
rendering, never for staff, and retired by every write path, so the next visitor sees an edit."""

import datetime

import pytest
import reversion
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date
from reversion.models import Version

from partners.models import Agreement, City, DataVersion, Exchange, HomeCity
from partners.resources import EXCHANGE_COLUMNS
from portal import page_cache
from tests.factories import change_url, make_exchange, make_home_city
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

PAGE = "/en/partners/kharkiv/"


@pytest.fixture
def kharkiv() -> City:
    make_countries()
    make_home_city()
    with reversion.create_revision():
        city = make_partner(population=1_421_125)
    return city


@pytest.fixture
def visitor() -> Client:
    return Client()


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
    return client


def queries_for(client: Client, path: str, method: str = "get", **headers):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, headers=headers)
    return response, len(queries)


def test_a_second_visit_is_served_from_the_cache_without_rendering(visitor, kharkiv):
    first, rendered = queries_for(visitor, PAGE)
    again, cached = queries_for(visitor, PAGE)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert rendered > 3
    assert cached == 1  # the data version
    assert again["ETag"] == first["ETag"]
    assert "public" in again["Cache-Control"] and "must-revalidate" in again["Cache-Control"]


def test_with_a_shared_cache_each_process_keeps_a_copy_that_an_edit_still_retires(
    visitor, kharkiv, settings
):
    settings.PORTAL_SHARED_CACHE = True  # as with REDIS_URL
    visitor.get(PAGE)
    caches["pages"].clear()  # the shared cache emptied: the copy in this process is still valid
    again, queries = queries_for(visitor, PAGE)
    assert queries == 1 and "1,421,125" in again.text
    kharkiv.population = 1_500_000
    kharkiv.save()
    assert "1,500,000" in visitor.get(PAGE).text


def test_with_the_shared_cache_down_pages_are_rendered_not_an_error(
    visitor, kharkiv, settings, caplog
):
    """A Redis that does not answer made every anonymous page without a query string a 500
    (the cache's ConnectionError); the version mirror already fell back to the database."""
    down = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
    }
    settings.CACHES = settings.CACHES | {"default": down, "pages": down}
    settings.PORTAL_SHARED_CACHE = True
    for path in (PAGE, "/ko/", "/en/partners/", "/data/partners.csv", "/sitemap.xml"):
        for _ in range(2):
            response = visitor.get(path)
            assert response.status_code == 200, (path, response.status_code)
    assert "1,421,125" in visitor.get(PAGE).text
    assert "page cache unreadable" in caplog.text


def test_a_revalidation_is_answered_304_before_the_view_runs(visitor, kharkiv):
    etag = visitor.get(PAGE)["ETag"]
    response, queries = queries_for(visitor, PAGE, **{"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert queries == 1


def test_a_revalidation_after_a_restart_is_answered_304_without_a_stored_page(visitor, kharkiv):
    etag = visitor.get(PAGE)["ETag"]
    caches["pages"].clear()  # another app server, or this one restarted
    response, queries = queries_for(visitor, PAGE, **{"if-none-match": etag})
    assert response.status_code == 304
    assert queries == 1


def test_a_head_request_is_served_and_revalidated_from_the_cache(visitor, kharkiv):
    etag = visitor.get(PAGE)["ETag"]
    head, queries = queries_for(visitor, PAGE, method="head")
    assert head.status_code == 200 and head["ETag"] == etag and queries == 1
    head, _ = queries_for(visitor, PAGE, method="head", **{"if-none-match": etag})
    assert head.status_code == 304


def test_pages_are_kept_per_language_and_per_query(visitor, kharkiv):
    english = visitor.get("/en/partners/?q=kharkiv")
    korean = visitor.get("/ko/partners/?q=kharkiv")
    other = visitor.get("/en/partners/?q=brno")
    assert "Kharkiv" in english.text and "하르키우" in korean.text
    assert "Kharkiv" not in other.text.split("<main", 1)[1].split("</main>")[0]
    assert visitor.get("/en/partners/?q=kharkiv").text == english.text
    assert english["ETag"] != korean["ETag"]
    # The downloads' address has no language: the visitor's Accept-Language picks it.
    in_korean = visitor.get("/data/partners.json", headers={"accept-language": "ko"})
    in_english = visitor.get("/data/partners.json", headers={"accept-language": "en"})
    assert in_korean.json()["metadata"]["dictionary_url"].endswith("/ko/data/")
    assert in_english.json()["metadata"]["dictionary_url"].endswith("/en/data/")


def test_pages_are_kept_per_host_and_scheme_and_an_unknown_host_is_refused(
    visitor, kharkiv, settings
):
    """Pages carry absolute links (canonical, alternate languages), built from the address
    the visitor used: a page stored for one host or scheme is never sent for another."""
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    local = visitor.get(PAGE, headers={"host": "localhost"})
    loopback = visitor.get(PAGE, headers={"host": "127.0.0.1"})
    secure = visitor.get(PAGE, headers={"host": "localhost"}, secure=True)
    assert 'href="http://localhost/en/partners/kharkiv/"' in local.text
    assert 'href="http://127.0.0.1/en/partners/kharkiv/"' in loopback.text
    assert 'href="https://localhost/en/partners/kharkiv/"' in secure.text
    assert visitor.get(PAGE, headers={"host": "127.0.0.1"}).text == loopback.text
    assert visitor.get(PAGE, headers={"host": "evil.example"}).status_code == 400


def test_staff_are_never_served_a_stored_page(visitor, staff_client, kharkiv):
    visitor.get(PAGE)
    response, queries = queries_for(staff_client, PAGE)
    assert response.status_code == 200
    assert queries > 3
    assert "ETag" not in response
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]


def test_staff_pages_are_never_stored(visitor, staff_client, kharkiv):
    staff_client.get(PAGE)
    _, queries = queries_for(visitor, PAGE)
    assert queries > 3


def test_a_cached_page_sets_no_cookie_and_carries_no_csrf_token(visitor, kharkiv):
    for path in (PAGE, "/en/", "/en/partners/?q=kharkiv", "/data/partners.csv"):
        visitor.get(path)
        again = visitor.get(path)
        assert not again.cookies
        assert "Set-Cookie" not in again.headers
        assert b"csrfmiddlewaretoken" not in again.content
        assert "Cookie" in again["Vary"]


def test_a_visitor_with_a_csrf_cookie_gets_pages_rendered_for_them_only(visitor, kharkiv):
    visitor.get("/admin/login/")  # sets the CSRF cookie
    assert "csrftoken" in visitor.cookies
    visitor.get(PAGE)
    _, queries = queries_for(Client(), PAGE)
    assert queries > 3


def test_a_page_counting_from_today_is_rendered_again_after_midnight(visitor, kharkiv, monkeypatch):
    """The key held no date: after midnight (Asia/Seoul) the home page still listed as
    upcoming an activity that had started, and answered its old ETag with 304, until the
    next edit."""
    seoul = datetime.timezone(datetime.timedelta(hours=9))
    # Years ahead, so that the data's own last change (now) is earlier than that midnight.
    before_midnight = datetime.datetime(2030, 6, 1, 23, 59, 30, tzinfo=seoul)
    make_exchange(kharkiv, started_on=datetime.date(2030, 6, 2), title_en="Snow festival")
    monkeypatch.setattr(timezone, "now", lambda: before_midnight)
    evening = visitor.get("/en/")
    assert "Snow festival" in evening.text.split('id="upcoming-heading"', 1)[1]
    monkeypatch.setattr(timezone, "now", lambda: before_midnight + datetime.timedelta(minutes=1))
    revalidated = visitor.get("/en/", headers={"if-none-match": evening["ETag"]})
    assert revalidated.status_code == 200
    assert "Snow festival" not in revalidated.text.split('id="upcoming-heading"', 1)[1]
    # Last-Modified is no earlier than midnight, so a date-only revalidation renders it too.
    assert revalidated["Last-Modified"] == "Sat, 01 Jun 2030 15:00:00 GMT"  # 00:00 in Seoul
    since = visitor.get("/en/", headers={"if-modified-since": evening["Last-Modified"]})
    assert since.status_code == 200


def test_a_date_alone_proves_a_page_current_only_once_no_write_can_still_commit(
    visitor, kharkiv, monkeypatch
):
    """Last-Modified comes from the bump, inside its transaction: a 2,000-row import committed
    2-3 s after its last bump, so a client that read the old page in between and revalidated
    by that date (If-Modified-Since, no ETag) was answered 304 on changed data. A deploy or new
    settings (a new release in the ETag) left the date as it was, and its 304 too."""
    kharkiv.population = 1_500_000
    kharkiv.save()
    first = visitor.get(PAGE)
    changed = parse_http_date(first["Last-Modified"])
    while_importing = http_date(changed + 2)
    response = visitor.get(PAGE, headers={"if-modified-since": while_importing})
    assert response.status_code == 200 and "1,500,000" in response.text
    long_after = http_date(changed + page_cache.DATE_ALLOWANCE_SECONDS)
    assert visitor.get(PAGE, headers={"if-modified-since": long_after}).status_code == 304
    # A process started after the change (a deploy) does not take that date as proof either.
    monkeypatch.setattr(page_cache, "STARTED", changed + 60)
    assert visitor.get(PAGE, headers={"if-modified-since": long_after}).status_code == 200


def test_the_footer_date_follows_an_edit_through_the_cache(visitor, kharkiv):
    City.objects.update(updated_at=datetime.datetime(2020, 5, 1, tzinfo=datetime.UTC))
    DataVersion.bump()
    assert "2020" in visitor.get("/en/").text.split("<footer", 1)[1]
    kharkiv.refresh_from_db()
    kharkiv.population = 1_500_000
    kharkiv.save()
    footer = visitor.get("/en/").text.split("<footer", 1)[1]
    assert str(timezone.localdate().year) in footer


# Each write path: what staff or the operator do, given the staff client and the partner.


def admin_edit(client: Client, city: City) -> None:
    data = form_data(client.get(change_url(city)))
    data["population"] = "1500000"
    assert client.post(change_url(city), data).status_code == 302


def admin_inline_agreement(client: Client, city: City) -> None:
    data = form_data(client.get(change_url(city)))
    data["agreements-0-status"] = "suspended"
    assert client.post(change_url(city), data).status_code == 302


def admin_delete_agreement(client: Client, city: City) -> None:
    url = reverse("admin:partners_agreement_delete", args=[city.agreements.get().pk])
    assert client.post(url, {"post": "yes"}).status_code == 302


def admin_action_unpublish(client: Client, city: City) -> None:
    client.post(
        reverse("admin:partners_city_changelist"),
        {"action": "unpublish", "_selected_action": [city.pk]},
    )


def admin_home_city(client: Client, city: City) -> None:
    url = reverse("admin:partners_homecity_change", args=[HomeCity.SINGLETON_ID])
    data = form_data(client.get(url)) | {"intro_en": "A new introduction."}
    assert client.post(url, data).status_code == 302


def admin_country(client: Client, city: City) -> None:
    url = reverse("admin:partners_country_change", args=[city.country_id])
    data = form_data(client.get(url)) | {"name_en": "Ukraine (renamed)"}
    assert client.post(url, data).status_code == 302


def admin_import_partners(client: Client, city: City) -> None:
    upload = SimpleUploadedFile("p.csv", csv_bytes([partner_row(slug="kharkiv", population=9)]))
    preview = client.post(IMPORT_URL, {"format": "0", "import_file": upload})
    confirm = dict(preview.context["confirm_form"].initial)
    assert client.post(CONFIRM_URL, confirm).status_code == 302


def exchange_csv(tmp_path, **values) -> str:
    row = {"partners": "kharkiv", "field": "culture", "title_en": "Art week"} | values
    row.setdefault("started_on", "2020-02-03")
    path = tmp_path / "exchanges.csv"
    path.write_bytes(
        csv_bytes([[row.get(c, "") for c in EXCHANGE_COLUMNS]], header=EXCHANGE_COLUMNS)
    )
    return str(path)


def admin_import_exchanges(client: Client, city: City, tmp_path) -> None:
    with open(exchange_csv(tmp_path), "rb") as upload:
        preview = client.post(
            "/admin/partners/exchange/import/", {"format": "0", "import_file": upload}
        )
    confirm = dict(preview.context["confirm_form"].initial)
    response = client.post("/admin/partners/exchange/process_import/", confirm)
    assert response.status_code == 302


def command_import_partners(client: Client, city: City, tmp_path) -> None:
    # A new partner only: created in bulk, without signals.
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes([partner_row(slug="brno", name_en="Brno", country="CZ")]))
    call_command("import_partners", str(path), stdout=None)


def command_import_exchanges(client: Client, city: City, tmp_path) -> None:
    call_command("import_exchanges", exchange_csv(tmp_path), stdout=None)


def history_restore(client: Client, city: City) -> None:
    admin_edit(client, city)
    DataVersion.bump()  # the page is stored again below, after this edit
    earlier = Version.objects.get_for_object(city).last()
    url = reverse("admin:partners_city_revision", args=[city.pk, earlier.pk])
    assert client.post(url, form_data(client.get(url))).status_code == 302


def history_recover(client: Client, city: City) -> None:
    with reversion.create_revision():
        exchange = make_exchange(city, title_en="Art week")
    client.post(reverse("admin:partners_exchange_delete", args=[exchange.pk]), {"post": "yes"})
    DataVersion.bump()
    deleted = Version.objects.get_deleted(Exchange).get()
    url = reverse("admin:partners_exchange_recover", args=[deleted.pk])
    assert client.post(url, form_data(client.get(url))).status_code == 302


def exchange_partners_m2m(client: Client, city: City) -> None:
    exchange = Exchange.objects.create(
        field="culture", title_en="Art week", started_on=datetime.date(2020, 1, 1)
    )
    DataVersion.bump()
    exchange.partners.add(city)


def loaddata(client: Client, city: City) -> None:
    call_command("loaddata", "countries", verbosity=0)


def load_demo_data(client: Client, city: City) -> None:
    Agreement.objects.all().delete()
    City.objects.all().delete()
    DataVersion.bump()
    call_command("load_demo_data", stdout=None)


WRITE_PATHS = [
    admin_edit,
    admin_inline_agreement,
    admin_delete_agreement,
    admin_action_unpublish,
    admin_home_city,
    admin_country,
    admin_import_partners,
    admin_import_exchanges,
    command_import_partners,
    command_import_exchanges,
    history_restore,
    history_recover,
    exchange_partners_m2m,
    loaddata,
    load_demo_data,
]


@pytest.mark.parametrize("write", WRITE_PATHS, ids=lambda write: write.__name__)
def test_every_write_path_retires_the_cached_pages(
    write, visitor, staff_client, kharkiv, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    pages = [PAGE, "/en/", "/data/partners.csv", "/data/exchanges.json", "/sitemap.xml"]
    before = {path: visitor.get(path) for path in pages}
    args = (staff_client, kharkiv, tmp_path) if "tmp_path" in write.__code__.co_varnames else ()
    write(*(args or (staff_client, kharkiv)))
    for path, response in before.items():
        again = visitor.get(path, headers={"if-none-match": response["ETag"]})
        assert again.status_code != 304, path  # the page as it is now (a 404 if unpublished)


# flush cannot run inside a test's transaction on PostgreSQL (TRUNCATE), as in test_backup.py.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_restored_backup_retires_the_cached_pages(visitor, kharkiv, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    etag = visitor.get(PAGE)["ETag"]
    call_command("backup_data", output=str(tmp_path / "backup"), stdout=None)
    call_command("flush", interactive=False, verbosity=0)
    call_command("restore_data", str(tmp_path / "backup"), stdout=None)
    ContentType.objects.clear_cache()  # flush and restore renumber them
    again = visitor.get(PAGE, headers={"if-none-match": etag})
    assert again.status_code == 200
    assert "Kharkiv" in again.text


def test_the_next_visit_after_an_admin_edit_shows_it(visitor, staff_client, kharkiv):
    assert "1,421,125" in visitor.get(PAGE).text
    admin_edit(staff_client, kharkiv)
    assert "1,500,000" in visitor.get(PAGE).text


def test_a_previewed_or_failed_import_keeps_the_cached_pages(
    visitor, staff_client, kharkiv, tmp_path
):
    etag = visitor.get(PAGE)["ETag"]
    upload = SimpleUploadedFile("p.csv", csv_bytes([partner_row(slug="kharkiv", population=9)]))
    staff_client.post(IMPORT_URL, {"format": "0", "import_file": upload})  # preview only
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes([partner_row(slug="kharkiv", population=9)]))
    call_command("import_partners", str(path), "--dry-run", stdout=None)
    bad = [partner_row(slug="brno", name_en="Brno", country="CZ"), partner_row(country="XX")]
    path.write_bytes(csv_bytes(bad))
    with pytest.raises(Exception):  # noqa: B017  (the command's error is not the point)
        call_command("import_partners", str(path), stdout=None, stderr=None)
    assert not City.objects.filter(slug="brno").exists()
    assert visitor.get(PAGE, headers={"if-none-match": etag}).status_code == 304
