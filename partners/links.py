"""URLs of the pages that a page links by the dozen (partners, activities)."""

import functools
import re
from collections.abc import Callable

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# The slug converter's own pattern: a value it accepts needs no quoting in a path.
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@functools.lru_cache(maxsize=64)
def _pattern(viewname: str, kwarg: str, placeholder: str, key: tuple) -> tuple[str, str]:
    url = reverse(viewname, kwargs={kwarg: placeholder})
    before, _, after = url.rpartition(placeholder)
    return before, after


def fast_reverse(viewname: str, kwarg: str, value: str, placeholder: str) -> str:
    """reverse(viewname, kwargs={kwarg: value}) for a value the URL converter takes as it is.

    reverse() resolves the pattern on every call, 20-40 µs: with a hundred links a page spent
    some milliseconds there. The URL is reversed once with a placeholder for each language,
    script prefix and URLconf (what reverse() depends on besides the value), never for data."""
    before, after = _pattern(
        viewname, kwarg, placeholder, (get_language(), get_script_prefix(), get_urlconf())
    )
    return f"{before}{value}{after}"


def partner_url(slug: str) -> str:
    if not SLUG.fullmatch(slug):
        # Whatever reverse() does with it (NoReverseMatch): the fast path is for valid slugs.
        return reverse("partners:city-detail", kwargs={"slug": slug})
    return fast_reverse("partners:city-detail", "slug", slug, "slug-placeholder")


def partner_urls() -> Callable[[str], str]:
    """partner_url() for the many partners of one rendering: the pattern is looked up once
    (the language, script prefix and URLconf lookups were half of partner_url's ~7 µs)."""
    before, after = _pattern(
        "partners:city-detail",
        "slug",
        "slug-placeholder",
        (get_language(), get_script_prefix(), get_urlconf()),
    )

    def url(slug: str) -> str:
        return f"{before}{slug}{after}" if SLUG.fullmatch(slug) else partner_url(slug)

    return url


def exchange_url(pk: int | None) -> str:
    if pk is None:
        return reverse("partners:exchange-detail", kwargs={"pk": pk})
    return fast_reverse("partners:exchange-detail", "pk", str(int(pk)), "1234567890")
