"""The portal run as deployed, for tests: production settings on a migrated SQLite file,
gunicorn with deploy/gunicorn.conf.py, and nginx with deploy/nginx-portal.conf."""

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest

PROJECT = Path(__file__).resolve().parent.parent
DEPLOY = PROJECT / "deploy"
BIN = Path(sys.executable).parent
SECRET_KEY = "test-only-Lm9vR7tYp4Zw8Nc3Jd6Hf1Gs5Qa0Ue2Io9Bn7Mx4Vb8Cz1Ly3Tr6We5Ps0Kd"
ADMIN_PASSWORD = "correct-horse-battery-staple"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_program(name: str, debian_package: str) -> str:
    """The program's path; skipped where it is missing, except in CI, where that fails."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is None:
        message = f"{name} is not installed (apt-get install {debian_package}; .ci/run does)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(site: Path, **extra: str) -> dict[str, str]:
    """Debug off, as on the server, with this site's database, media and static folders."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AXES_"))}
    base.pop("DATABASE_URL", None)
    return base | {
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DATABASE_URL": f"sqlite:///{site / 'portal.sqlite3'}",
        "MEDIA_ROOT": str(site / "media"),
        "DJANGO_STATIC_ROOT": str(site / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
        **extra,
    }


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result


def prepare_site(env: dict[str, str]) -> None:
    """The README's deploy steps: migrate, countries, static files, an administrator; and
    the demo partners, so pages and downloads have content."""
    manage(env, "migrate", "--no-input")
    manage(env, "load_demo_data")
    manage(env, "collectstatic", "--no-input")
    manage(
        env,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        f"User.objects.create_superuser('admin', 'admin@example.org', '{ADMIN_PASSWORD}')",
    )


def wait_for(host: str, port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}")
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{what} did not start listening on {host}:{port}")


def make_certificate(folder: Path, openssl: str) -> tuple[Path, Path]:
    """A self-signed certificate and its key for localhost, valid two days."""
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


def nginx_config(folder: Path, values: dict[str, str]) -> Path:
    """deploy/nginx-portal.conf with its placeholders filled, inside a minimal nginx.conf
    that keeps every file nginx writes in the test's folder."""
    site = (DEPLOY / "nginx-portal.conf").read_text()
    for name, value in values.items():
        site = site.replace("${" + name + "}", value)
    assert "${PORTAL_" not in site, "a placeholder of deploy/nginx-portal.conf was not filled"
    (folder / "portal.conf").write_text(site)
    user = "user root;\n" if shutil.os.geteuid() == 0 else ""
    main = folder / "nginx.conf"
    main.write_text(
        f"""{user}daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    # As Debian's /etc/nginx/nginx.conf, with its gzip_types line taken in for the portal's
    # downloads and sitemap: nothing the portal compressed already may be compressed again.
    sendfile on;
    tcp_nopush on;
    gzip on;
    gzip_types text/csv application/xml;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/portal.conf;
}}
"""
    )
    return main


def start_nginx(
    nginx: str,
    openssl: str,
    folder: Path,
    app_port: int,
    http_port: int,
    https_port: int,
    pages: str,
) -> tuple[subprocess.Popen, Path]:
    """deploy/nginx-portal.conf in front of the gunicorn on `app_port`: plain HTTP on
    `http_port`, HTTPS on `https_port` with a certificate for localhost made in `folder`,
    sending the page files of the folder `pages`. Returns nginx's process, once it listens, and
    the certificate."""
    certificate, key = make_certificate(folder, openssl)
    config = nginx_config(
        folder,
        {
            "PORTAL_UPSTREAM": f"127.0.0.1:{app_port}",
            "PORTAL_HTTP_LISTEN": f"127.0.0.1:{http_port}",
            "PORTAL_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
            "PORTAL_SERVER_NAME": "localhost",
            "PORTAL_PUBLIC_ORIGIN": f"https://localhost:{https_port}",
            "PORTAL_TLS_CERTIFICATE": str(certificate),
            "PORTAL_TLS_KEY": str(key),
            "PORTAL_PAGE_FILES_DIR": pages,
        },
    )
    process = subprocess.Popen(
        [nginx, "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "nginx.out").open("wb"),
    )
    try:
        wait_for("127.0.0.1", https_port, process, "nginx")
    except BaseException:
        stop(process)
        raise
    return process, certificate


def start_gunicorn(env: dict[str, str], port: int, log: Path, *options: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "-c",
            str(DEPLOY / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            # Each test server's own: else the last one started takes over ~/.gunicorn's.
            "--no-control-socket",
            *options,
            "portal.wsgi",
        ],
        cwd=PROJECT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    wait_for("127.0.0.1", port, process, "gunicorn")
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Response:
    def __init__(self, raw: http.client.HTTPResponse, seconds: float) -> None:
        self.status = raw.status
        self.headers = raw.headers
        self.body = raw.read()
        self.text = self.body.decode("utf-8", "replace")
        self.seconds = seconds


class Browser:
    """One visitor: HTTP or HTTPS to one origin, from one source address, keeping cookies."""

    def __init__(
        self, port: int, *, tls: ssl.SSLContext | None = None, source: str = "127.0.0.1"
    ) -> None:
        self.port, self.tls, self.source = port, tls, source
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    @property
    def origin(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://localhost:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 300,
    ) -> Response:
        if self.tls:
            connection = http.client.HTTPSConnection(
                "localhost",
                self.port,
                context=self.tls,
                source_address=(self.source, 0),
                timeout=timeout,
            )
        else:
            connection = http.client.HTTPConnection(
                "localhost", self.port, source_address=(self.source, 0), timeout=timeout
            )
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.monotonic()
        connection.request(method, path, body=body, headers=headers)
        response = Response(connection.getresponse(), 0)
        response.seconds = time.monotonic() - started
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response

    def get(self, path: str, **headers: str) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, fields: dict | list, **headers: str) -> Response:
        body = urlencode(fields, doseq=True).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": self.origin + path,
            **headers,
        }
        return self.request("POST", path, body, headers)

    def post_file(
        self,
        path: str,
        fields: dict[str, str],
        file_field: str,
        name: str,
        data: bytes,
        timeout: float = 300,
    ) -> Response:
        boundary = "----portal-test-boundary"
        parts = []
        for key, value in fields.items():
            disposition = f'Content-Disposition: form-data; name="{key}"'
            parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{value}\r\n".encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Origin": self.origin,
            "Referer": self.origin + path,
        }
        return self.request("POST", path, body, headers, timeout=timeout)

    def login(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> Response:
        page = self.get("/admin/login/?next=/admin/")
        return self.post(
            "/admin/login/?next=/admin/",
            {
                "csrfmiddlewaretoken": csrf_token(page.text),
                "username": username,
                "password": password,
                "next": "/admin/",
            },
        )


def at_the_same_moment(*calls: Callable[[], object]) -> list:
    """Run the calls in threads released together; their results in order."""
    start = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int) -> None:
        start.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


class FormFields(HTMLParser):
    """The fields a browser would submit from the page's form with the given id or action."""

    def __init__(self, form: str) -> None:
        super().__init__()
        self.form = form
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = self.form in (a.get("id"), a.get("action"))
        if not self.inside or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def form_fields(html: str, form: str) -> list[tuple[str, str]]:
    parser = FormFields(form)
    parser.feed(html)
    return parser.fields
