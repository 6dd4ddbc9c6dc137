"""The anonymous visitors' page cache, keyed by the data version (partners.DataVersion).

Django's own cache middleware keys pages by URL and headers under a fixed prefix, so an edit
could only retire them by clearing the whole cache (sessions with them on Redis) or by waiting
out a timeout; keying by the version that every write changes retires them exactly, on every
app server, and gives each page an ETag that costs one query instead of a render.
"""

import datetime
import gzip
import hashlib
import logging
import re
import time
from calendar import timegm
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language_from_request

from partners import version_mirror
from partners.models import DataVersion
from portal import page_files

logger = logging.getLogger(__name__)

# Staff pages, sessions and files with their own rules (permission checks, immutable names).
UNCACHED_PREFIXES = ("/admin/", "/i18n/", "/documents/", "/media/", "/static/")
# How long a stored page is kept: a new version makes it unreachable anyway, this only
# returns the memory of pages nobody asks for again.
STORED_SECONDS = 24 * 60 * 60
# With a shared cache (Redis), pages up to this size are also kept in the process that read
# them ("local-pages", at most 100): a stored page never changes, since its key holds the data
# version, so the copy cannot be stale, and a hit saves the round trip to Redis.
LOCAL_COPY_MAX_BYTES = 256 * 1024
# What a page is rendered by besides the data: code, templates, translations and the static
# files whose hashed names pages link (a stylesheet-only deploy kept serving pages that linked
# the previous, removed, stylesheet).
RELEASE_SOURCES = ("portal", "partners", "templates", "locale", "static")
RELEASE_SUFFIXES = {".py", ".html", ".txt", ".xml", ".mo", ".css", ".svg", ".js"}
# And the settings that go into a stored page's body or headers: a restart with a new licence
# or Content-Security-Policy kept serving what the old settings had rendered. Settings that
# differ between app servers (databases, folders) or hold secrets stay out: servers sharing a
# cache must agree on the release.
RELEASE_SETTINGS = (
    "LANGUAGE_CODE",
    "LANGUAGES",
    "TIME_ZONE",
    "FORMAT_MODULE_PATH",
    "STATIC_URL",
    "MEDIA_URL",
    "STORAGES",
    "CONTENT_SECURITY_POLICY",
    "X_FRAME_OPTIONS",
    "PORTAL_DATA_LICENCE",
    "PORTAL_DORMANT_YEARS",
    "PORTAL_PAGE_SHARED_MAX_AGE",
)
# A page's gzip copy is kept when it is at most this fraction of the page (an XLSX is a zip
# already, a few hundred bytes barely shrink: their copies would only cost a decompression).
WORTH_COMPRESSING = 0.9
# Compressed while the first visitor waits for the page. A page (a 77 KB partner list):
# level 1 takes 0.6 ms for 28.0 KB, level 4 1.0 ms for 26.1 KB, a tenth of its render; level 9
# took 6.3 ms. A page over LOCAL_COPY_MAX_BYTES (the downloads and sitemaps at scale; a
# 34-partner CSV is a small page), sent by the megabyte to every later visitor, is worth
# level 4: 10-20 % smaller than level 1 (the 1.7 MB CSV of 10,000 partners: 505 KB in 23 ms
# against 555 KB in 12 ms).
GZIP_LEVEL_PAGE, GZIP_LEVEL_LARGE = 1, 4
# Set by the response's own body and encoding, never copied from the stored page.
OWN_HEADERS = {"content-length", "content-encoding"}
# The request headers that make a request conditional (get_conditional_response).
CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def release_digest() -> str:
    """Eight hex digits that change with the deployed code and the settings pages show: a
    SHA-256 of PORTAL_RELEASE if set, else of the names and contents of the files that render
    pages (RELEASE_SOURCES), and of the RELEASE_SETTINGS' values.

    In the cache key and the ETag, so that a deploy with a changed template, translation,
    stylesheet or setting is not met by pages (in Redis, in the page files, in browsers that
    revalidate) rendered by the old one while the data version stays the same."""
    digest = hashlib.sha256()
    if settings.PORTAL_RELEASE:
        digest.update(settings.PORTAL_RELEASE.encode())
    else:
        for folder in RELEASE_SOURCES:
            for path in sorted(Path(settings.BASE_DIR, folder).rglob("*")):
                if path.suffix in RELEASE_SUFFIXES and path.is_file():
                    digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                    digest.update(path.read_bytes())
    # Untranslated: LANGUAGES holds lazy names, whose repr follows the active language.
    with translation.override(None):
        for name in RELEASE_SETTINGS:
            digest.update(f"{name}={getattr(settings, name, None)!r}".encode())
    return digest.hexdigest()[:8]


class Day(NamedTuple):
    """A day in the portal's time zone: its first and its next day's first second (Unix
    times), and its date as the keys write it."""

    zone: str
    start: float
    end: float
    label: str


_today: Day | None = None


def today() -> Day:
    """Today in the portal's time zone (TIME_ZONE), worked out once a day: converting the
    time to the zone cost about 20 µs, as much as a tenth of a page served from the cache."""
    global _today
    now = timezone.now().timestamp()
    day = _today
    if day is None or day.zone != settings.TIME_ZONE or not day.start <= now < day.end:
        zone = timezone.get_current_timezone()
        date = timezone.localdate()
        start = datetime.datetime.combine(date, datetime.time(), zone).timestamp()
        end = datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time(), zone)
        day = _today = Day(settings.TIME_ZONE, start, end.timestamp(), f"{date:%Y%m%d}")
    return day


def page_token(version: version_mirror.Version) -> str:
    """What a stored page and its ETag are current for: the data version, the release and the
    day in the portal's time zone (TIME_ZONE), since pages count from today (upcoming
    activities, a partner's last exchange and years of partnership): after midnight they were
    served as of the day before until the next edit."""
    return f"{version.token}-{RELEASE}-{today().label}"


def last_modified_of(version: version_mirror.Version) -> int:
    """The Last-Modified of a page of `version` (a Unix time): its change, or today's
    midnight in the portal's time zone when that is later (page_token)."""
    return max(timegm(version.changed_at.utctimetuple()), int(today().start))


RELEASE = release_digest()
# When this process started (a Unix time), and how long after a change a date alone is taken
# as proof that a copy is current: longer than a request may hold its transaction open
# (deploy/gunicorn.conf.py's timeout, 180 s).
STARTED = int(time.time())
DATE_ALLOWANCE_SECONDS = 181


def is_anonymous_read(request: HttpRequest) -> bool:
    """A GET or HEAD of a public page by a visitor without a session or CSRF cookie.

    The cookies, not request.user: reading the user costs a session lookup, and a visitor
    with a CSRF cookie may be shown a form whose token must not be shared with anyone."""
    return (
        request.method in ("GET", "HEAD")
        and not request.path_info.startswith(UNCACHED_PREFIXES)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and settings.CSRF_COOKIE_NAME not in request.COOKIES
    )


def is_storable(response: HttpResponse) -> bool:
    """A complete 200 that sets no cookie and that its view did not mark as private."""
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
    )


@dataclass(frozen=True)
class StoredPage:
    """A page as the caches keep it: the response as rendered and its gzip-encoded copy,
    compressed once (None when that saves too little), so that a hit sends the copy the
    client takes without compressing or building anything (unpickling restores the headers
    as they were set).

    Compressing is safe from BREACH here: a stored page carries no secret (no CSRF token, no
    session; is_anonymous_read and is_storable keep any page that sets or reads one out of
    the caches) and reflects nothing of the request but its URL, which the cache key holds.
    Keep it so before storing any other kind of page."""

    plain: HttpResponse
    gzipped: HttpResponse | None

    @classmethod
    def of(cls, response: HttpResponse) -> "StoredPage":
        level = (
            GZIP_LEVEL_LARGE if len(response.content) > LOCAL_COPY_MAX_BYTES else GZIP_LEVEL_PAGE
        )
        compressed = gzip.compress(response.content, compresslevel=level, mtime=0)
        if len(compressed) > len(response.content) * WORTH_COMPRESSING:
            return cls(response, None)
        zipped = HttpResponse(compressed, status=response.status_code)
        for header, value in cls.headers_of(response):
            zipped[header] = value
        zipped["Content-Length"] = str(len(compressed))
        zipped["Content-Encoding"] = "gzip"
        zipped["ETag"] = page_files.gzip_etag(response["ETag"])
        return cls(response, zipped)

    @staticmethod
    def headers_of(response: HttpResponse) -> list[tuple[str, str]]:
        """The headers that do not depend on the body's encoding."""
        return [(h, v) for h, v in response.items() if h.lower() not in OWN_HEADERS]

    def response(self, gzipped: bool) -> HttpResponse:
        """The page as sent to a client that takes gzip (`gzipped`) or not: a response of its
        own, which the middleware above may change (HSTS on HTTPS only), sharing the body."""
        page = self.gzipped if gzipped and self.gzipped is not None else self.plain
        return HttpResponse(page.content, status=page.status_code, headers=page.headers)

    @property
    def is_large(self) -> bool:
        """Too large for the per-process copies; kept as a file too (page_files.py)."""
        return len(self.plain.content) > LOCAL_COPY_MAX_BYTES


class PageCacheMiddleware:
    """Serve anonymous visitors' pages from the cache, per data version, language and URL.

    Placed above the session and CSRF middleware, so it stores a response only once they
    have added their cookies (which keeps such a response out of the cache). Logged-in staff
    (session cookie) are never served a stored page, and their pages are never stored.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_anonymous_read(request):
            response = self.get_response(request)
            if not request.path_info.startswith(UNCACHED_PREFIXES):
                patch_cache_control(response, private=True, no_cache=True)
            return response

        version = DataVersion.current()
        token = page_token(version)
        language = get_language_from_request(request, check_path=True)
        etag = f'"{token}-{language}"'
        gzip = page_files.accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        last_modified = last_modified_of(version)
        # A date alone (If-Modified-Since, no ETag) proves a copy current only well after the
        # change and this process's start: a write sets the version inside its transaction and
        # may commit long after (a 2,000-row import: 2-3 s; a request at most gunicorn's
        # timeout), and a deploy or new settings (the release) leave the date as it was. The
        # ETag is exact.
        newer_than = max(last_modified, STARTED) + DATE_ALLOWANCE_SECONDS
        # What build_absolute_uri() gives for a request's own address, without its parsing
        # and re-joining (a tenth of a hit): get_host() validates the host as before.
        host = request.get_host()
        query, bounded = kept_query(request)
        if not is_bounded_host(request, host):
            canonical = canonical_host(request, host)
            if canonical is not None:
                address = f"{request.scheme}://{canonical}{request.get_full_path()}"
                return HttpResponsePermanentRedirect(address)
            bounded = False
        url = f"{request.scheme}://{host}{request.path}{query}"
        key = page_key(token, language, url)
        stores = page_stores(bounded)

        # Checked before the stored page is read: a 304 of a 5 MB download reads none of it.
        # A page's gzip copy has an ETag of its own, as current as the page's. Only for
        # conditional requests: the check builds a response of its own.
        if any(header in request.META for header in CONDITIONAL_HEADERS):
            sent = request.headers.get("If-None-Match", "") + request.headers.get("If-Match", "")
            gzip_validator = page_files.gzip_etag(etag)
            validator = gzip_validator if gzip and gzip_validator in sent else etag
            headers = add_validators(HttpResponse(), validator, last_modified)
            conditional = get_conditional_response(
                request, etag=validator, last_modified=newer_than, response=headers
            )
            if conditional is not headers:
                return conditional  # 304 (or 412), the view never runs
        # This process's copies first (small pages), then the files (large ones), then the
        # shared cache.
        cached = decoded.get(key) or read_page(key, stores[:1])
        if cached is None and bounded:  # files only for a bounded set of addresses
            served = page_files.serve(key, gzip, page_files.sent_by_nginx(request))
            if served is not None:
                return served
        cached = cached or read_page(key, stores[1:], nearer=stores[:1])
        if cached is not None:
            remember(key, cached)
            if bounded and cached.is_large and keep_file(key, cached, token):
                served = page_files.serve(key, gzip, page_files.sent_by_nginx(request))
                return served or cached.response(gzip)
            return cached.response(gzip)

        response = self.get_response(request)
        if not is_storable(response):
            return response
        add_validators(response, etag, last_modified)
        page = StoredPage.of(response)
        kept = bounded and page.is_large and keep_file(key, page, token)
        # The file serves every worker of this server; only a shared cache (other servers)
        # needs the page too.
        if not kept or settings.PORTAL_SHARED_CACHE:
            store_page(key, page, stores)
        remember(key, page)
        return page.response(gzip)


# The small stored pages this process has read, as objects, by key: unpickling one from the
# local-memory cache was the largest single cost of a hit (18 of 140 us for a partner list). A
# stored page never changes (its key holds the data version and the release), so the object is
# kept as it is, and each request gets a response of its own (StoredPage.response). At this
# many, all are dropped: at most 32 pages of LOCAL_COPY_MAX_BYTES and their gzip copies, 15 MB,
# and about 3 MB of the portal's pages (a partner list: 77 KB, 28 KB gzipped).
DECODED_MAX = 32
decoded: dict[str, StoredPage] = {}


def remember(key: str, page: StoredPage) -> None:
    if not page.is_large and key not in decoded:  # a hit on a full memo must not empty it
        if len(decoded) >= DECODED_MAX:
            decoded.clear()
        decoded[key] = page


def keep_file(key: str, page: StoredPage, token: str) -> bool:
    """Write `page` as the files of `key` (page_files.keep), unless the data (or the day)
    changed since the request read its `token` (page_token): a late writer of an older
    version would count as the latest, and remove the files of the current one
    (page_files.remove_other_versions).
    False if not written."""
    return page_token(DataVersion.current()) == token and page_files.keep(key, page)


# Addresses whose views read no query string (the downloads): a junk one (?x=N) built a
# 10,000-partner XLSX again on every request (seconds each), so they are kept as without it.
QUERY_IGNORED = re.compile(r"/data/[a-z]+\.(?:csv|xlsx|json)")
# A sitemap section's file number: there are as many as its files, so these are kept as the
# addresses without a query are (the later files of a large section were built every time).
SITEMAP_FILE = re.compile(r"/sitemap-[a-z]+\.xml")
SITEMAP_FILE_QUERY = re.compile(r"p=[1-9][0-9]{0,5}")


def kept_query(request: HttpRequest) -> tuple[str, bool]:
    """("?query" the page is kept under, or "", and whether that address is one of a bounded
    set: no query, a query the page ignores, or a sitemap file's number)."""
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return "", True
    if QUERY_IGNORED.fullmatch(request.path_info):
        return "", True
    if SITEMAP_FILE.fullmatch(request.path_info) and SITEMAP_FILE_QUERY.fullmatch(query):
        return f"?{query}", True
    return f"?{request.get_full_path().partition('?')[2]}", False


def is_bounded_host(request: HttpRequest, host: str) -> bool:
    """Whether the pages of this Host may be kept beyond this process (the shared cache, the
    page files): a name ALLOWED_HOSTS lists literally, written in lower case without a
    trailing dot, with no port or the one the request came to (this server's, or nginx's in
    X-Forwarded-Port, deploy/nginx-portal.conf, see forwarded_port).

    Django accepts any spelling of an allowed name (LOCALHOST, localhost., localhost:1 up to
    :65535), and pages carry the host in their links, so each spelling added its own copy of
    every page to Redis and of every download to the page files, without bound. A host that
    only a wildcard entry allows is unbounded too."""
    if host in settings.ALLOWED_HOSTS:  # as listed, without a port
        return True
    domain, port = split_port(host)
    if not port or domain not in settings.ALLOWED_HOSTS:
        return False
    return port in (arrival_port(request), forwarded_port(request))


def canonical_host(request: HttpRequest, host: str) -> str | None:
    """The spelling of an allowed Host that the portal keeps pages for (is_bounded_host), when
    `host` spells it otherwise and the right spelling is known: lower case, no trailing dot,
    and behind nginx the port the browser came to. None when it is not known (a port other
    than this server's without nginx, as behind a port mapping; a name only a wildcard
    allows): such a request is served, its pages kept in the worker only.

    Their visitors are sent there (301): served as they were, a large download matching no
    kept file was built again for every request (seconds at 10,000 partners)."""
    domain, port = split_port(host)
    name = domain.lower().rstrip(".")
    if name not in settings.ALLOWED_HOSTS:
        return None
    forwarded = forwarded_port(request) or ""
    if port and forwarded.isdigit():
        port = "" if forwarded == DEFAULT_PORTS.get(request.scheme) else forwarded
    canonical = f"{name}:{port}" if port else name
    return canonical if canonical != host else None


DEFAULT_PORTS = {"http": "80", "https": "443"}


def split_port(host: str) -> tuple[str, str]:
    """(name, port) of a Host, the port "" when it has none ("[::1]" included). Plain string
    work, not split_domain_port's regular expression: this runs on every hit."""
    domain, _, port = host.rpartition(":")
    return (domain, port) if port.isdigit() else (host, "")


def forwarded_port(request: HttpRequest) -> str | None:
    """The port the browser came to, as the proxy in front says (X-Forwarded-Port), when the
    portal is told there is one (PORTAL_TRUSTED_PROXY_COUNT): from anyone else it would let
    each invented port keep its own copy of the pages."""
    if settings.PORTAL_TRUSTED_PROXY_COUNT:
        return request.META.get("HTTP_X_FORWARDED_PORT")
    return None


def arrival_port(request: HttpRequest) -> str | None:
    """The port this server received the request on. gunicorn takes SERVER_PORT from the Host
    header, so its socket is asked; other servers (runserver, the tests' live server) set
    SERVER_PORT from their own."""
    connection = request.META.get("gunicorn.socket")
    if connection is None:
        return request.META.get("SERVER_PORT")
    address = connection.getsockname()
    return str(address[1]) if isinstance(address, tuple) else None


def page_stores(bounded: bool) -> list[BaseCache]:
    """Where a page of an address is kept, nearest first.

    An address with a query string (a search, a filter, junk parameters) that is not
    `bounded` (kept_query) is kept only in this process's "local-pages" (at most 100 pages of
    LOCAL_COPY_MAX_BYTES): every distinct query would otherwise add a page to Redis for
    STORED_SECONDS, without bound. Other addresses go to "pages" (Redis with REDIS_URL, else
    local memory of at most PORTAL_PAGE_CACHE_ENTRIES pages, apart from the import previews in
    "default"), with a local copy too when that is shared."""
    if not bounded:
        return [caches["local-pages"]]
    if settings.PORTAL_SHARED_CACHE:
        return [caches["local-pages"], caches["pages"]]
    return [caches["pages"]]


def fits(store: BaseCache, page: StoredPage) -> bool:
    return store is not caches["local-pages"] or not page.is_large


def read_page(key: str, stores: list[BaseCache], nearer: list[BaseCache] = ()) -> StoredPage | None:
    """The stored page under `key` from the nearest store holding it, copied to the nearer
    ones (those before it, and `nearer`)."""
    for index, store in enumerate(stores):
        try:
            page = store.get(key)
        except redis.RedisError:
            logger.warning("page cache unreadable: the page is rendered", exc_info=True)
            continue
        if page is not None:
            store_page(key, page, [*nearer, *stores[:index]])
            return page
    return None


def store_page(key: str, page: StoredPage, stores: list[BaseCache]) -> None:
    """Keep `page` in those of `stores` it fits; a shared cache (Redis) that does not answer
    is passed over (logged), as the version mirror is: a visitor gets the page rendered, not
    an error."""
    for store in stores:
        if fits(store, page):
            try:
                store.set(key, page, STORED_SECONDS)
            except redis.RedisError:
                logger.warning("page cache unwritable: the page is not kept", exc_info=True)


def page_key(token: str, language: str, url: str) -> str:
    """The cache key of one page: data version and release, language and the absolute URL
    (scheme, host, path and query, hashed), since pages carry absolute links (canonical,
    sitemap)."""
    return f"page:{token}:{language}:{hashlib.sha256(url.encode()).hexdigest()[:32]}"


def add_validators(response: HttpResponse, etag: str, last_modified: int) -> HttpResponse:
    """Add what a cached page and its 304 send: ETag, Last-Modified (a Unix time),
    Cache-Control (a short shared max-age; browsers revalidate every time, so staff see an
    edit at once) and Vary (the language, the cookies that keep a visitor out of the cache, and
    the encoding: a client taking gzip gets the page's gzip copy)."""
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=settings.PORTAL_PAGE_SHARED_MAX_AGE,
        must_revalidate=True,
    )
    patch_vary_headers(response, ("Accept-Language", "Cookie", "Accept-Encoding"))
    return response
