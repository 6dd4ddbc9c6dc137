"""A database too busy to write answers "busy, try again" instead of a server error."""

from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# Seconds a browser or script is asked to wait before trying again.
RETRY_AFTER_SECONDS = 5


def is_database_busy(error: BaseException) -> bool:
    """True for SQLite's "database is locked" (another writer held the lock past the
    DATABASES OPTIONS timeout); PostgreSQL makes writers wait instead."""
    return isinstance(error, OperationalError) and "locked" in str(error)


def busy_message() -> str:
    """The one sentence staff see, on a page or from a command, in the active language."""
    return _("The database is busy with another change. Nothing was saved; try again in a moment.")


class DatabaseBusyMiddleware:
    """Answer 503 with Retry-After and a page in the visitor's language when a view (an admin
    save, an import, a login) finds the database locked. Other errors pass through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        # Without the request: its context processors would read the database.
        page = render_to_string("503_busy.html", {"message": busy_message()})
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
