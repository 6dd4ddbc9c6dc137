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


def base_path(key: str) -> Path:
    return Path(settings.PORTAL_PAGE_FILES_DIR) / key.replace(":", "_")


# The stored status and headers of the files this process has served, by base path: a file
# never changes (its name holds the data version and the release), so they are read from disk
# once per process, not on every download (a third of a download's own time). A version has a
# few such addresses (downloads, sitemap sections, per language); at this many, all are dropped.
KNOWN_FILES_MAX = 32
known_files: dict[str, tuple[int, list[list[str]]]] = {}


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
    base = str(base_path(key))
    known = known_files.get(base)
    if known is None:
        try:
            stored = json.loads(Path(f"{base}.json").read_text())
        except (OSError, ValueError):
            return None
        known = (stored["status"], stored["headers"])
        if len(known_files) >= KNOWN_FILES_MAX:
            known_files.clear()
        known_files[base] = known
    status, headers = known
    # A page that compresses too little has no gzip copy.
    gzipped = gzipped and os.path.exists(f"{base}.gz")
    path = f"{base}.gz" if gzipped else f"{base}.body"
    try:
        if by_nginx:
            os.stat(path)
            name = os.path.basename(path)
            response = HttpResponse(status=status)
            response["X-Accel-Redirect"] = f"{settings.PORTAL_PAGE_FILES_ACCEL_URI}{name}"
        else:
            response = FileResponse(open(path, "rb"), status=status)  # noqa: SIM115 (it closes it)
            del response["Content-Disposition"]  # FileResponse names the file; the view's counts
    except OSError:
        known_files.pop(base, None)  # removed: a newer version's files replaced it
        return None
    for header, value in headers:
        response[header] = value
    if gzipped:
        response["Content-Encoding"] = "gzip"
        if "ETag" in response:
            response["ETag"] = gzip_etag(response["ETag"])
    return response


def keep(key: str, page: "StoredPage") -> bool:
    """Write `page` as the files of `key`: its body, its gzip copy if it has one, then its
    headers, which mark it complete. False if they cannot be written."""
    base = base_path(key)
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
