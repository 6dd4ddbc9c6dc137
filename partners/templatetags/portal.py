import datetime
import functools
from decimal import Decimal

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import dateformat, formats, translation
from django.utils.encoding import escape_uri_path
from django.utils.html import escape, format_html
from django.utils.http import escape_leading_slashes

from partners.models import Field, Kind, Status

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[dict]:
    """The current page in each language, for the switcher and hreflang: on this site, with
    the page's valid query parameters (its `query` QueryDict, if it has one) and no others."""
    request = context["request"]
    current = translation.get_language()
    # A path starting // is a link to another host (//evil.example/): escaped to /%2F.
    path = escape_leading_slashes(escape_uri_path(request.path))
    query = context.get("query")
    suffix = f"?{query.urlencode()}" if query else ""
    links = []
    for code, _name in settings.LANGUAGES:
        if path.startswith(f"/{current}/"):
            # The page's paths are the same in every language (no translated patterns): the
            # prefix swapped is what translate_url() finds, without resolving and reversing
            # the path per language (0.1-0.2 ms a page), and it works for a missing page too.
            url = f"/{code}/{path.removeprefix(f'/{current}/')}"
        else:
            url = translate_url(path, code)
        url += suffix
        links.append(
            {
                "code": code,
                "name": translation.get_language_info(code)["name_local"],
                "url": url,
                "absolute_url": request.build_absolute_uri(url),
                "is_current": code == current,
            }
        )
    return links


@register.simple_tag(takes_context=True)
def absolute_url(context: template.Context, url: str) -> str:
    """url (a path or already absolute) as an absolute URL on this request's host, for link
    previews and canonical links, which must not be relative."""
    if url.startswith("//"):
        # A path such as //evil.example/ would read as another host (scheme-relative).
        url = "/" + url.lstrip("/")
    return context["request"].build_absolute_uri(url)


@register.filter
def number(value: int | float | Decimal | None) -> str:
    """Thousands-grouped in the active language, without trailing decimal zeros (328.30 → 328.3)."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        value = value.normalize()
    return formats.number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def kind_label(value: str | None) -> str:
    return Kind(value).label if value in Kind.values else ""


@register.filter
def status_label(value: str | None) -> str:
    return Status(value).label if value in Status.values else ""


@register.filter
def field_label(value: str | None) -> str:
    return Field(value).label if value in Field.values else ""


@register.filter
def source_link(source: str) -> str:
    """A figure's source as shown on the public page: a web address becomes a link, any
    other text stays text (escaped)."""
    if source.startswith(("https://", "http://")):
        return format_html('<a href="{}" rel="external">{}</a>', source, source)
    return escape(source)


@functools.lru_cache(maxsize=32)
def date_pieces(format_string: str) -> tuple[tuple[bool, str], ...]:
    """A date format split as Django's dateformat splits it: (True, format character) or
    (False, literal text, its backslash escapes removed)."""
    pieces = []
    for i, piece in enumerate(dateformat.re_formatchars.split(format_string)):
        if i % 2:
            pieces.append((True, piece))
        elif piece:
            pieces.append((False, dateformat.re_escaped.sub(r"\1", piece)))
    return tuple(pieces)


@register.filter(expects_localtime=True, is_safe=False)
def local_date(value: datetime.date | None) -> str:
    """`{{ value|date }}`: the date in the active language's DATE_FORMAT, the same text.

    Django's filter splits the format with regular expressions on every call, ~30-50 µs; a list
    of twenty partners or activities writes twenty to forty dates. The format's pieces are
    kept per format string (the language's setting, not data)."""
    if value in (None, ""):
        return ""
    try:
        return write_date(value, date_pieces(str(formats.get_format("DATE_FORMAT"))))
    except AttributeError:
        return ""


def write_date(value: datetime.date, pieces: tuple[tuple[bool, str], ...]) -> str:
    """value written by a date format split by date_pieces(), as Django's date filter writes it."""
    written = dateformat.DateFormat(value)
    return "".join(str(getattr(written, piece)()) if code else piece for code, piece in pieces)
