"""Large stored pages (the downloads, the sitemap at scale) kept as files, each with a gzip
copy unless it is compressed already (XLSX), and sent with FileResponse, which gunicorn sends
by sendfile, or by nginx (X-Accel-Redirect: PORTAL_PAGE_FILES_ACCEL_URI, deploy/).

From the cache, a 1-5 MB download was read into Python, unpickled and written out on every
request. The files are named by the page's cache key, which holds the data version and the
release, so an edit makes them unreachable at once, as it does the cached pages; writing a
new version's file removes the older versions' ones, but for the latest before it. Each app
server keeps its own folder (PORTAL_PAGE_FILES_DIR): a file it lacks is rebuilt from the
shared cache or the view.
"""

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse

if TYPE_CHECKING:
    from portal.page_cache import StoredPage

logger = logging.getLogger(__name__)


def accepts_gzip(accept_encoding: str) -> bool:
    """A client sending this Accept-Encoding takes gzip-encoded bodies (every browser does);
    "gzip;q=0" refuses it."""
    for coding in accept_encoding.lower().split(","):
        name, _, parameters = coding.partition(";")
        if name.strip() in ("gzip", "x-gzip"):
            quality = parameters.strip().removeprefix("q=").strip() or "1"
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


def gzip_etag(etag: str) -> str:
    """The ETag of a page's gzip copy: a representation of its own, so that a cache holding
    both never answers a request for one with the other's bytes."""
    return f'{etag[:-1]}-gzip"'


def base_path(key: str) -> str:
    """Where the files of `key` are, less their suffix (a string: no pathlib parsing on every
    download)."""
    return os.path.join(settings.PORTAL_PAGE_FILES_DIR, key.replace(":", "_"))


# The stored status and headers of the files this process has served, by base path, as sent
# plain and gzip-encoded: a file never changes (its name holds the data version and the
# release), so they are read from disk once per process, not on every download (a third of a
# download's own time). A version has a few such addresses (downloads, sitemap sections, per
# language); at this many, all are dropped.
KNOWN_FILES_MAX = 32


@dataclass(frozen=True)
class KnownFile:
    status: int
    plain: list[tuple[str, str]]
    gzipped: list[tuple[str, str]] | None  # None: the page has no gzip copy

    @classmethod
    def read(cls, base: str) -> "KnownFile":
        """The status and headers stored beside the files at `base`. OSError or ValueError
        if there are none (not written yet, or removed)."""
        stored = json.loads(Path(f"{base}.json").read_text())
        plain = [(header, value) for header, value in stored["headers"]]
        gzipped = None
        if os.path.exists(f"{base}.gz"):  # a page that compresses too little has no copy
            gzipped = [
                (header, gzip_etag(value) if header.lower() == "etag" else value)
                for header, value in plain
            ]
            gzipped.append(("Content-Encoding", "gzip"))
        return cls(stored["status"], plain, gzipped)


known_files: dict[str, KnownFile] = {}


class StoredFileResponse(FileResponse):
    """A stored file sent with the headers stored beside it and its own length (Content-Length
    from the open file): FileResponse.set_headers would seek to the end and back for the
    length, guess a type from the file's name and name the file, all replaced by the stored
    headers (with the headers built once per file: 12 % of a download hit, bench_hit.py)."""

    def set_headers(self, filelike) -> None:
        self.headers["Content-Length"] = os.fstat(filelike.fileno()).st_size


def sent_by_nginx(request: HttpRequest) -> bool:
    """Whether nginx in front sends this request's file (X-Accel-Redirect): with
    PORTAL_PAGE_FILES_ACCEL_URI set, for a request that came through nginx, which says so as the
    proxies of Rack::Sendfile do (`X-Sendfile-Type: X-Accel-Redirect`), so that a request that
    did not (gunicorn reached directly, an nginx without the portal's configuration) still gets
    the file. Not for If-Match or If-Unmodified-Since, which the portal has judged already and
    nginx would judge again by validators of its own (the file's)."""
    return bool(
        settings.PORTAL_PAGE_FILES_ACCEL_URI
        and request.META.get("HTTP_X_SENDFILE_TYPE") == "X-Accel-Redirect"
        and "HTTP_IF_MATCH" not in request.META
        and "HTTP_IF_UNMODIFIED_SINCE" not in request.META
    )


def serve(key: str, gzipped: bool, by_nginx: bool = False) -> HttpResponse | None:
    """The page stored as a file under `key`, gzip-encoded if asked and kept; None if there
    is none. An empty response whose X-Accel-Redirect names the file if `by_nginx`
    (sent_by_nginx), else a FileResponse."""
    base = base_path(key)
    known = known_files.get(base)
    if known is None:
        try:
            known = KnownFile.read(base)
        except (OSError, ValueError):
            return None
        if len(known_files) >= KNOWN_FILES_MAX:
            known_files.clear()
        known_files[base] = known
    gzipped = gzipped and known.gzipped is not None
    path, headers = (f"{base}.gz", known.gzipped) if gzipped else (f"{base}.body", known.plain)
    try:
        if by_nginx:
            os.stat(path)
            response = HttpResponse(status=known.status, headers=headers)
            name = os.path.basename(path)
            response["X-Accel-Redirect"] = f"{settings.PORTAL_PAGE_FILES_ACCEL_URI}{name}"
        else:
            file = open(path, "rb")  # noqa: SIM115 (the response closes it)
            response = StoredFileResponse(file, status=known.status, headers=headers)
    except OSError:
        known_files.pop(base, None)  # removed: a newer version's files replaced it
        return None
    return response


def keep(key: str, page: "StoredPage") -> bool:
    """Write `page` as the files of `key`: its body, its gzip copy if it has one, then its
    headers, which mark it complete. False if they cannot be written."""
    base = Path(base_path(key))
    try:
        base.parent.mkdir(parents=True, exist_ok=True)
        write(Path(f"{base}.body"), page.plain.content)
        if page.gzipped is not None:
            write(Path(f"{base}.gz"), page.gzipped.content)
        stored = {"status": page.plain.status_code, "headers": page.headers_of(page.plain)}
        write(Path(f"{base}.json"), json.dumps(stored).encode())
    except OSError:
        logger.warning("page file not written: %s", base, exc_info=True)
        return False
    remove_other_versions(base)
    return True


def write(path: Path, content: bytes) -> None:
    """Write by renaming a complete temporary file, so that a reader never sees part of it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        # mkstemp makes it private to this user: nginx's user reads it too (a public page).
        os.fchmod(handle, 0o644)
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_other_versions(base: Path) -> None:
    """Remove the files of other data versions and releases than `base`'s (a name starts
    "page_<version>-<release>_"), but for the latest written before it. A request that read
    the version before an edit may still name its file to nginx (sent_by_nginx), which opens
    it after the portal's answer; a file gunicorn sends is open already, and outlives its name."""
    current = version_of(base.name)
    written: dict[str, float] = {}  # each other version: when its latest file was written
    for path in base.parent.glob("page_*"):
        version = version_of(path.name)
        if version != current:
            with contextlib.suppress(FileNotFoundError):  # removed by another worker meanwhile
                written[version] = max(written.get(version, 0), path.stat().st_mtime)
    previous = max(written, key=written.__getitem__, default=None)
    for path in base.parent.glob("page_*"):
        if version_of(path.name) not in (current, previous):
            path.unlink(missing_ok=True)


def version_of(name: str) -> str:
    """The data version and release a file's name starts with ("page_<version>-<release>_")."""
    return name.split("_", 2)[1]
