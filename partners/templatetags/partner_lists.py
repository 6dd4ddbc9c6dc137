from html import escape

from django import template
from django.utils.safestring import SafeString

from partners.links import partner_urls
from partners.models import localized_reader

register = template.Library()

# The home page's lists of partners are written here rather than by template loops: its 34
# names and 34 links with their countries were about 2 ms of the page's render through the
# template engine, much of it looking up the language again for each name and URL. The
# markup is what the loops wrote; the texts are escaped as {{ }} escaped them, by the
# html.escape that Django's escape() wraps (without its check for lazy strings: 0.9 µs against
# 0.2, and the names are str).


@register.simple_tag
def partner_name_items(cities: list) -> SafeString:
    """`<li>name</li>` for each partner: the names in a cell of the counts table."""
    name = localized_reader("name")
    return SafeString("".join(f"<li>{escape(name(city))}</li>" for city in cities))


@register.simple_tag
def partner_link_items(cities: list) -> SafeString:
    """`<li>` with a link to each partner's page and its country's name after it."""
    name, url = localized_reader("name"), partner_urls()
    return SafeString(
        "".join(
            f'<li><a href="{escape(url(city.slug))}">{escape(name(city))}</a>'
            f' <span class="muted">{escape(name(city.country))}</span></li>'
            for city in cities
        )
    )
