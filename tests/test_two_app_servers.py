"""Two app servers (gunicorn, production settings) on one PostgreSQL database and one Redis,
as the README's deploy section runs N of them behind a load balancer: an edit saved through
one is on the next anonymous request through the other, though both keep pages cached.

Skipped where PostgreSQL or Redis is not running on 127.0.0.1 (CI starts both).
"""

import os
import re
import socket
import uuid

import pytest

from tests.liveserver import (
    Browser,
    csrf_token,
    form_fields,
    free_port,
    manage,
    prepare_site,
    production_env,
    start_gunicorn,
    stop,
)

POSTGRES = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")
PARTNER = "/en/partners/seattle/"


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def ports() -> list[int]:
    # PORTAL_TEST_PORTS="8120,8121" picks them where a workplace assigns ports.
    chosen = os.environ.get("PORTAL_TEST_PORTS")
    return [int(port) for port in chosen.split(",")] if chosen else [free_port(), free_port()]


@pytest.fixture
def database():
    """A PostgreSQL database of this test's own, dropped afterwards."""
    if not listening(5432) or not listening(6379):
        pytest.skip("needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379")
    psycopg = pytest.importorskip("psycopg")
    # PORTAL_TEST_DATABASE_PREFIX="portal_x" where a workplace assigns database names.
    prefix = os.environ.get("PORTAL_TEST_DATABASE_PREFIX", "portal_two_servers")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{POSTGRES}/{name}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def two_servers(database, tmp_path):
    env = production_env(
        tmp_path,
        DATABASE_URL=database,
        REDIS_URL=REDIS_URL,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
    )
    prepare_site(env)
    servers = []
    for port in ports():
        # A temporary folder each, as on two machines.
        (tmp_path / f"tmp-{port}").mkdir()
        server_env = env | {"TMPDIR": str(tmp_path / f"tmp-{port}")}
        log = tmp_path / f"gunicorn-{port}.log"
        servers.append(start_gunicorn(server_env, port, log, "--workers", "1"))
    yield (
        env,
        [server.args[server.args.index("--bind") + 1].rsplit(":", 1)[1] for server in servers],
    )
    for server in servers:
        stop(server)


def test_an_admin_edit_through_one_server_is_on_the_next_page_from_the_other(two_servers):
    env, (first, second) = two_servers
    visitor = Browser(int(second))
    before = visitor.get(PARTNER)
    assert before.status == 200 and "Seattle" in before.text
    assert visitor.get(PARTNER).headers["ETag"] == before.headers["ETag"]  # stored

    staff = Browser(int(first))
    assert staff.login().status == 302
    pk = manage(env, "shell", "-c", PK_OF_SEATTLE).stdout.split()[-1]
    change = f"/admin/partners/city/{pk}/change/"
    fields = [
        (name, "Seattle (edited)" if name == "name_en" else value)
        for name, value in form_fields(staff.get(change).text, "city_form")
    ]
    saved = staff.post(change, fields + [("_save", "Save")])
    assert saved.status == 302, re.findall(r'class="errorlist[^>]*>(.*?)</ul>', saved.text)

    after = visitor.get(PARTNER)
    assert "Seattle (edited)" in after.text
    assert after.headers["ETag"] != before.headers["ETag"]
    revalidated = visitor.get(PARTNER, **{"If-None-Match": before.headers["ETag"]})
    assert revalidated.status == 200


def test_a_command_run_against_the_database_is_on_the_next_page_from_both(two_servers):
    env, servers = two_servers
    visitors = [Browser(int(port)) for port in servers]
    for visitor in visitors:
        assert "Seattle" in visitor.get(PARTNER).text
    manage(env, "shell", "-c", RENAME_SEATTLE)
    for visitor in visitors:
        assert "Emerald City" in visitor.get(PARTNER).text


def test_an_import_previewed_on_one_server_is_confirmed_on_the_other(two_servers, tmp_path):
    """The preview keeps the uploaded file between the two steps; with REDIS_URL it is in the
    shared cache, not in one server's temporary folder."""
    env, (first, second) = two_servers
    staff = Browser(int(first))
    assert staff.login().status == 302
    form = staff.get("/admin/partners/city/import/").text
    rows = "slug,name_en,name_ko,country,kind,signed_on\nbrno,Brno,브르노,CZ,friendly,2020-05-01\n"
    preview = staff.post_file(
        "/admin/partners/city/import/",
        {"csrfmiddlewaretoken": csrf_token(form), "format": "0"},
        "import_file",
        "partners.csv",
        rows.encode(),
    )
    assert preview.status == 200
    for leftover in (tmp_path / f"tmp-{first}").iterdir():
        leftover.unlink()  # the first server's disk is out of the second's reach
    confirm_fields = form_fields(preview.text, "/admin/partners/city/process_import/")
    on_the_other = Browser(int(second))
    on_the_other.cookies = dict(staff.cookies)
    confirm = on_the_other.post("/admin/partners/city/process_import/", confirm_fields)
    assert confirm.status == 302
    assert confirm.headers["Location"] == "/admin/partners/city/"
    page = Browser(int(first)).get("/en/partners/brno/")
    assert page.status == 200 and "브르노" in Browser(int(first)).get("/ko/partners/brno/").text


PK_OF_SEATTLE = "from partners.models import City; print(City.objects.get(slug='seattle').pk)"
RENAME_SEATTLE = (
    "from partners.models import City; c = City.objects.get(slug='seattle'); "
    "c.name_en = 'Emerald City'; c.save()"
)
