"""Real-browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

No browser is ever downloaded: the launch points at the system Chromium. Where it is
missing the whole folder is skipped with one line of reason, except in CI, where a
missing browser must fail the run instead of passing it quietly.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import CHROMIUM

from .pages import Site

# Playwright's sync API runs an event loop in the test thread; the tests also use the
# ORM directly (set-up data, checking what the admin saved), which Django would refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session", autouse=True)
def chromium_is_installed() -> None:
    # Reached without Chromium only in CI: tests/conftest.py skips this folder elsewhere.
    if not CHROMIUM.exists():
        pytest.fail(f"CI needs {CHROMIUM} for the browser tests (apt-get install chromium)")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last (each module marks itself `e2e`).

    The live server needs committed data, so each browser test ends by emptying the
    database, which also drops the rows migrations made (the staff group). pytest-django
    runs such tests after the others, but pytest regroups the tests that share the
    session-wide browser among them: move them back to the end.
    """
    here = Path(__file__).parent
    browser_tests = [item for item in items if here in Path(item.path).parents]
    for item in browser_tests:
        # Makes pytest-django keep a copy of the migrated rows (see migrated_rows).
        item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
    items[:] = [item for item in items if item not in browser_tests] + browser_tests


@pytest.fixture(scope="session", autouse=True)
def migrated_rows(django_db_setup: None) -> str | None:
    """The rows migrations made, as pytest-django saved them when it built the database.

    Taken before Playwright starts: Django keeps one connection object per async context,
    and the one the tests see once Playwright's event loop runs has no such copy, so
    pytest-django's own serialized rollback does not restore it there.
    """
    from django.db import connection

    return getattr(connection, "_test_serialized_contents", None)


@pytest.fixture(autouse=True)
def restore_migrated_rows(transactional_db: None, migrated_rows: str | None) -> None:
    # Start from exactly the migrated database: the last test's flush re-created content
    # types and permissions with new ids, which the saved rows would collide with.
    if migrated_rows:
        from django.db import connection

        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        connection.creation.deserialize_db_from_string(migrated_rows)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    # Korean first, as the city's own visitors send it; tests pick the language by URL.
    return {**browser_context_args, "locale": "ko-KR", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def demo_data(transactional_db: None) -> None:
    """The countries and the Daejeon partners, as `make run` loads them."""
    call_command("load_demo_data", verbosity=0)


@pytest.fixture
def site(live_server, demo_data: None) -> Iterator[Site]:
    yield Site(live_server.url)


@pytest.fixture
def staff_password() -> str:
    return "e2e-Staff-passw0rd"


@pytest.fixture
def staff_user(transactional_db: None, staff_password: str):
    """An international-affairs staff member: the staff group's permissions, not a superuser."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("park", password=staff_password, is_staff=True)
    user.groups.add(Group.objects.get(name__startswith="International Affairs"))
    return user
