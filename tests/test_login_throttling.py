import datetime
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def staff(settings) -> User:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return User.objects.create_user("kim", password=PASSWORD, is_staff=True)


def attempt(client, password: str, address: str = "203.0.113.7"):
    return client.post(
        LOGIN,
        {"username": "kim", "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def fail_five_times(client) -> None:
    for _ in range(4):
        assert attempt(client, "wrong").status_code == 200
    assert attempt(client, "wrong").status_code == 429


def test_four_failures_still_let_the_right_password_in(client, staff):
    for _ in range(4):
        attempt(client, "wrong")
    assert attempt(client, PASSWORD).status_code == 302


def test_after_five_failures_even_the_right_password_is_refused_with_a_clear_message(client, staff):
    fail_five_times(client)
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed login attempts" in text
    assert "blocked for 15 minutes, even with the right password" in text
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_for_that_user_from_that_address_only(client, staff):
    fail_five_times(client)
    assert attempt(client, PASSWORD, address="198.51.100.20").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, staff):
    fail_five_times(client)
    assert attempt(client, PASSWORD).status_code == 429
    later = timezone.now() + datetime.timedelta(minutes=16)
    with mock.patch("axes.handlers.proxy.now", return_value=later):
        assert attempt(client, PASSWORD).status_code == 302


def test_the_lockout_still_holds_just_before_the_cool_off_ends(client, staff):
    fail_five_times(client)
    later = timezone.now() + datetime.timedelta(minutes=14)
    with mock.patch("axes.handlers.proxy.now", return_value=later):
        assert attempt(client, PASSWORD).status_code == 429


def test_an_administrator_can_unlock_the_account_with_a_command(client, staff):
    fail_five_times(client)
    call_command("axes_reset_username", "kim")
    assert attempt(client, PASSWORD).status_code == 302


def test_an_administrator_can_unlock_the_account_in_the_admin(client, staff):
    from axes.models import AccessAttempt

    fail_five_times(client)
    admin = User.objects.create_superuser("root", password=PASSWORD)
    admin_client = type(client)()
    admin_client.force_login(admin)
    attempt_row = AccessAttempt.objects.get(username="kim")
    page = admin_client.get("/admin/axes/accessattempt/")
    assert "kim" in page.content.decode()
    admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt_row.pk], "post": "yes"},
    )
    assert not AccessAttempt.objects.exists()
    assert attempt(client, PASSWORD).status_code == 302


def test_the_cool_off_is_configurable_by_environment():
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.AXES_COOLOFF_TIME)",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env={"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "1", "AXES_COOLOFF_MINUTES": "30"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split()[-1] == "0:30:00"


# Behind the README's TLS proxy every request comes from the proxy's address; nginx appends
# the address it saw to X-Forwarded-For ($proxy_add_x_forwarded_for).
PROXY = "127.0.0.1"


def through_proxy(client, password: str, forwarded_for: str):
    return client.post(
        LOGIN,
        {"username": "kim", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_behind_one_trusted_proxy_an_attacker_locks_out_only_their_own_address(
    client, staff, settings
):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        through_proxy(client, "wrong", "203.0.113.7")
    assert through_proxy(client, PASSWORD, "203.0.113.7").status_code == 429
    # The real user, at another address, still gets in through the same proxy.
    assert through_proxy(client, PASSWORD, "198.51.100.20").status_code == 302


def test_behind_a_proxy_a_client_cannot_dodge_the_lockout_by_writing_its_own_header(
    client, staff, settings
):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    # The client sends "X-Forwarded-For: <made up>"; the proxy appends the real address.
    for fake in range(5):
        through_proxy(client, "wrong", f"192.0.2.{fake}, 203.0.113.7")
    assert through_proxy(client, PASSWORD, "192.0.2.99, 203.0.113.7").status_code == 429
    assert through_proxy(client, PASSWORD, "203.0.113.7, 198.51.100.20").status_code == 302


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, staff, settings):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 0
    for fake in range(5):
        attempt_from = {"HTTP_X_FORWARDED_FOR": f"192.0.2.{fake}"}
        client.post(
            LOGIN,
            {"username": "kim", "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
            **attempt_from,
        )
    assert attempt(client, PASSWORD, address="203.0.113.7").status_code == 429
