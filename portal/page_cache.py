"""The anonymous visitors' page cache, keyed by the data version (partners.DataVersion).

Django's own cache middleware keys pages by URL and headers under a fixed prefix, so an edit
could only retire them by clearing the whole cache (sessions with them on Redis) or by waiting
out a timeout; keying by the version that every write changes retires them exactly, on every
app server, and gives each page an ETag that costs one query instead of a render.
"""

import hashlib
from calendar import timegm
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache, caches
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language_from_request

from partners.models import DataVersion

# Staff pages, sessions and files with their own rules (permission checks, immutable names).
UNCACHED_PREFIXES = ("/admin/", "/i18n/", "/documents/", "/media/", "/static/")
# How long a stored page is kept: a new version makes it unreachable anyway, this only
# returns the memory of pages nobody asks for again.
STORED_SECONDS = 24 * 60 * 60
# With a shared cache (Redis), pages up to this size are also kept in the process that read
# them ("local-pages", at most 100): a stored page never changes, since its key holds the data
# version, so the copy cannot be stale, and a hit saves the round trip to Redis.
LOCAL_COPY_MAX_BYTES = 256 * 1024


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
        language = get_language_from_request(request, check_path=True)
        etag = f'"{version.token}-{language}"'
        last_modified = timegm(version.changed_at.utctimetuple())
        # HTTP dates count whole seconds, and a write may commit after it set the version:
        # a date alone proves a copy current only when it is a second past the change (the
        # ETag is exact).
        newer_than = last_modified + 1
        key = page_key(version.token, language, request.build_absolute_uri())

        # Checked before the stored page is read: a 304 of a 5 MB download reads none of it.
        headers = add_validators(HttpResponse(), etag, last_modified)
        conditional = get_conditional_response(
            request, etag=etag, last_modified=newer_than, response=headers
        )
        if conditional is not headers:
            return conditional  # 304 (or 412), the view never runs
        cached = read_page(key)
        if cached is not None:
            return cached

        response = self.get_response(request)
        if is_storable(response):
            add_validators(response, etag, last_modified)
            store_page(key, response)
        return response


def read_page(key: str) -> HttpResponse | None:
    """The stored page under `key`, from this process's copies first with a shared cache."""
    if not settings.PORTAL_SHARED_CACHE:
        return cache.get(key)
    page = caches["local-pages"].get(key)
    if page is None:
        page = cache.get(key)
        if page is not None and len(page.content) <= LOCAL_COPY_MAX_BYTES:
            caches["local-pages"].set(key, page, STORED_SECONDS)
    return page


def store_page(key: str, response: HttpResponse) -> None:
    cache.set(key, response, STORED_SECONDS)
    if settings.PORTAL_SHARED_CACHE and len(response.content) <= LOCAL_COPY_MAX_BYTES:
        caches["local-pages"].set(key, response, STORED_SECONDS)


def page_key(token: str, language: str, url: str) -> str:
    """The cache key of one page: data version, language and the absolute URL (scheme, host,
    path and query, hashed), since pages carry absolute links (canonical, sitemap)."""
    return f"page:{token}:{language}:{hashlib.sha256(url.encode()).hexdigest()[:32]}"


def add_validators(response: HttpResponse, etag: str, last_modified: int) -> HttpResponse:
    """Add what a cached page and its 304 send: ETag, Last-Modified (a Unix time),
    Cache-Control (a short shared max-age; browsers revalidate every time, so staff see an
    edit at once) and Vary."""
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=settings.PORTAL_PAGE_SHARED_MAX_AGE,
        must_revalidate=True,
    )
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response
