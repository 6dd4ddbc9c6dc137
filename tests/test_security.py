import base64
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parent.parent
PRODUCTION_KEY = "kX9#q2Lm!vR7tYp4Zw8@Nc3Jd6Hf1Gs5Qa0Ue2Io9Bn7Mx4Vb8Cz1Ly3Tr6We5Ps0Kd"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process with only the given Django variables set."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AXES_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_only_secret_key_and_allowed_hosts_set():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=PRODUCTION_KEY,
        DJANGO_ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_missing_secret_key_with_debug_off_refuses_to_start():
    result = run_manage("check", DJANGO_ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


PRINT_HTTPS_SETTINGS = (
    "from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
    "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE)"
)


def test_production_redirects_to_https_with_a_year_of_hsts_and_secure_cookies():
    result = run_manage("shell", "-c", PRINT_HTTPS_SETTINGS, DJANGO_SECRET_KEY=PRODUCTION_KEY)
    assert result.stdout.split()[-5:] == ["True", "None", "31536000", "True", "True"]


def test_the_https_redirect_can_be_left_to_a_proxy_that_sets_x_forwarded_proto():
    result = run_manage(
        "shell",
        "-c",
        PRINT_HTTPS_SETTINGS,
        DJANGO_SECRET_KEY=PRODUCTION_KEY,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
    )
    assert result.stdout.split()[-6:] == [
        "False",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "31536000",
        "True",
        "True",
    ]


@pytest.mark.parametrize("path", ["/ko/", "/en/partners/", "/admin/login/"])
def test_pages_send_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


def test_a_load_balancer_probe_over_plain_http_by_address_gets_ok(client, settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["partners.example.org"]
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert (response.status_code, response.content) == (200, b"ok")
    assert response["X-Content-Type-Options"] == "nosniff"
    # Everything else still goes to HTTPS on an allowed host.
    assert client.get("/ko/", HTTP_HOST="partners.example.org").status_code == 301


@pytest.mark.parametrize("path", ["/ko/", "/en/partners/"])
def test_public_pages_allow_no_inline_script_or_style(client, path):
    policy = client.get(path)["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_only_the_admin_may_use_style_attributes_and_never_inline_script(client):
    policy = client.get("/admin/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["style-src-attr"] == "'unsafe-inline'"
    assert directives["script-src"] == "'self'"
    # The export form's one inline handler, allowed by the hash of its exact text.
    handler = base64.b64encode(hashlib.sha256(b"onSelectToggleChange(event)").digest()).decode()
    assert directives["script-src-attr"] == f"'unsafe-hashes' 'sha256-{handler}'"


@pytest.mark.parametrize("unsafe_next", ["https://evil.example/", "//evil.example/", ""])
def test_admin_login_with_an_unsafe_or_empty_next_lands_on_the_admin(client, unsafe_next):
    from django.contrib.auth.models import User

    User.objects.create_user("kim", password="correct-horse-battery-staple", is_staff=True)
    response = client.post(
        f"/admin/login/?next={unsafe_next}",
        {"username": "kim", "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get(response["Location"]).status_code == 200
