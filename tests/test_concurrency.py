"""Staff working at the same moment on SQLite, the embedded default: real gunicorn workers
and command-line imports on one database file."""

import re
import sqlite3
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from functools import partial

import pytest

from tests.liveserver import (
    PROJECT,
    Browser,
    at_the_same_moment,
    form_fields,
    free_port,
    prepare_site,
    production_env,
    start_gunicorn,
    stop,
)

# Short, so the "busy" probes below wait 2 s, not the default 20 s, for a lock.
BUSY_TIMEOUT = "2"
BUSY_EN = "The database is busy with another change"
BUSY_KO = "데이터베이스가 다른 변경을 처리하는 중입니다"
OTHER_EDIT_KO = "다른 사용자가"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sqlite-site")
    env = production_env(
        folder,
        DJANGO_SQLITE_TIMEOUT=BUSY_TIMEOUT,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
    )
    prepare_site(env)
    port = free_port()
    server = start_gunicorn(env, port, folder / "gunicorn.log")
    yield {"env": env, "port": port, "db": folder / "portal.sqlite3", "folder": folder}
    stop(server)


def logged_in(site) -> Browser:
    browser = Browser(site["port"])
    assert browser.login().status == 302
    return browser


def change_url(browser: Browser, name: str) -> str:
    listing = browser.get(f"/admin/partners/city/?q={name}").text
    return re.search(r'href="(/admin/partners/city/\d+/change/)[^"]*"', listing).group(1)


def edited_form(browser: Browser, url: str, feature: str) -> list[tuple[str, str]]:
    fields = [
        (name, feature if name == "feature_en" else value)
        for name, value in form_fields(browser.get(url).text, "city_form")
    ]
    return fields + [("_continue", "1")]


def test_the_database_file_is_in_wal_mode(site):
    with sqlite3.connect(site["db"]) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_two_staff_saving_one_partner_at_the_same_moment_never_get_a_server_error(site):
    first, second = logged_in(site), logged_in(site)
    url = change_url(first, "Ohda")
    outcomes = Counter()
    for round_number in range(8):
        forms = [
            edited_form(browser, url, f"Round {round_number} by {who}")
            for who, browser in (("first", first), ("second", second))
        ]
        results = at_the_same_moment(
            *[
                partial(browser.post, url, form, **{"Accept-Language": "ko"})
                for browser, form in zip((first, second), forms, strict=True)
            ]
        )
        statuses = sorted(response.status for response in results)
        # 302: saved. 200: the form again, saying someone else changed the record first.
        assert all(status in (200, 302) for status in statuses), statuses
        assert 302 in statuses
        for response in results:
            if response.status == 200:
                assert OTHER_EDIT_KO in response.text
        outcomes[tuple(statuses)] += 1
    print(f"8 rounds of two simultaneous saves: {dict(outcomes)}")


@contextmanager
def another_writer(site):
    """Another program holding the database's write lock, as a long save or import would."""
    holder = sqlite3.connect(site["db"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.parametrize(("language", "message"), [("ko", BUSY_KO), ("en", BUSY_EN)])
def test_a_save_while_another_writer_holds_the_database_says_busy_and_saves_nothing(
    site, language, message
):
    browser = logged_in(site)
    url = change_url(browser, "Ohda")
    edit = f"Saved after the lock ({language})"
    form = edited_form(browser, url, edit)
    with another_writer(site):
        busy = browser.post(url, form, **{"Accept-Language": language})
    assert busy.status == 503
    assert busy.headers["Retry-After"] == "5"
    assert message in busy.text
    assert f'<html lang="{language}">' in busy.text
    # Nothing was saved; the same form, sent again once the lock is gone, saves.
    assert edit not in browser.get(url).text
    assert browser.post(url, form).status == 302
    assert edit in browser.get(url).text


def import_command(site, path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_partners", str(path)],
        cwd=PROJECT,
        env=site["env"] | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def partner_file(site, name: str, rows: int) -> str:
    path = site["folder"] / f"{name}.csv"
    lines = ["slug,name_en,name_ko,country,kind,signed_on"]
    # A Korean name in Hangul: Latin letters in it would need confirming (partners/checks).
    korean = {"alpha": "알파", "beta": "베타"}.get(name, "도시")
    lines += [f"{name}-{n},{name} {n},{korean} {n},JP,friendly,2020-01-01" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_two_command_line_imports_at_once_both_succeed(site):
    files = [partner_file(site, name, 300) for name in ("alpha", "beta")]
    # The default busy timeout (20 s): the second import waits for the first.
    processes = [import_command(site, path, DJANGO_SQLITE_TIMEOUT="20") for path in files]
    results = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in processes]
    for returncode, stdout, stderr in results:
        assert returncode == 0, stderr
        assert "추가 300곳" in stdout


def test_an_import_while_the_database_is_busy_says_busy_and_does_not_blame_the_file(site):
    path = partner_file(site, "gamma", 3)
    with another_writer(site):
        process = import_command(site, path)
        returncode = process.wait(timeout=120)
    stderr = process.stderr.read()
    assert returncode != 0
    assert BUSY_KO in stderr
    assert "위에 표시된 행" not in stderr and "Traceback" not in stderr
    # Run again when the database is free, the same file imports.
    again = import_command(site, path)
    assert again.wait(timeout=120) == 0, again.stderr.read()
