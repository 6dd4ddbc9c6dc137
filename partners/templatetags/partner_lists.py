from collections.abc import Callable
from html import escape

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from partners.links import partner_urls
from partners.models import localized_reader

register = template.Library()

# The home page's lists of partners are written here rather than by template loops: its 34
# names and 34 links with their countries were about 2 ms of the page's render through the
# template engine, much of it looking up the language again for each name and URL. The
# markup is what the loops wrote; the texts are escaped as {{ }} escaped them, by the
# html.escape that Django's escape() wraps (without its check for lazy strings: 0.9 µs against
# 0.2, and the names are str).


def readers(context: template.Context) -> tuple[Callable, Callable]:
    """The name reader and partner_urls() of this rendering and language, made once for the
    page's lists (8 µs each time, ten lists) and kept in its render_context."""
    key = ("partner_lists.readers", get_language())
    if key not in context.render_context:
        context.render_context[key] = (localized_reader("name"), partner_urls())
    return context.render_context[key]


@register.simple_tag(takes_context=True)
def partner_name_items(context: template.Context, cities: list) -> SafeString:
    """`<li>name</li>` for each partner: the names in a cell of the counts table."""
    name, _ = readers(context)
    return SafeString("".join(f"<li>{escape(name(city))}</li>" for city in cities))


@register.simple_tag(takes_context=True)
def partner_link_items(context: template.Context, cities: list) -> SafeString:
    """`<li>` with a link to each partner's page and its country's name after it."""
    name, url = readers(context)
    return SafeString(
        "".join(
            f'<li><a href="{escape(url(city.slug))}">{escape(name(city))}</a>'
            f' <span class="muted">{escape(name(city.country))}</span></li>'
            for city in cities
        )
    )
