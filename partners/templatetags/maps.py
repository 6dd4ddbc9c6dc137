from collections import Counter
from html import escape

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from partners import maps
from partners.context_processors import load_home_city
from partners.links import partner_urls
from partners.maps.panels import Marker
from partners.models import Continent, Kind, localized_reader

register = template.Library()

# The 16 compass points, clockwise from north (index = maps.compass_point()).
COMPASS_NAMES = [
    _("north"),
    _("north-northeast"),
    _("northeast"),
    _("east-northeast"),
    _("east"),
    _("east-southeast"),
    _("southeast"),
    _("south-southeast"),
    _("south"),
    _("south-southwest"),
    _("southwest"),
    _("west-southwest"),
    _("west"),
    _("west-northwest"),
    _("northwest"),
    _("north-northwest"),
]


# '5 in the Americas': each continent its own phrase, as English needs 'the' before some
# names and other languages may need more. Lazy, so that a caption translates only the
# phrases it uses (translating all five for each continent was 60 µs a map), in the plural
# form that the "count" of its arguments takes.
IN_CONTINENT = {
    Continent.AFRICA: ngettext_lazy("%(count)d in Africa", "%(count)d in Africa", "count"),
    Continent.AMERICAS: ngettext_lazy(
        "%(count)d in the Americas", "%(count)d in the Americas", "count"
    ),
    Continent.ASIA: ngettext_lazy("%(count)d in Asia", "%(count)d in Asia", "count"),
    Continent.EUROPE: ngettext_lazy("%(count)d in Europe", "%(count)d in Europe", "count"),
    Continent.OCEANIA: ngettext_lazy("%(count)d in Oceania", "%(count)d in Oceania", "count"),
}


def in_continent(continent: str, count: int) -> str:
    """'5 in the Americas', in the active language."""
    return IN_CONTINENT[Continent(continent)] % {"count": count}


def continent_summary(cities: list) -> str:
    """'15 in Asia, 10 in Europe, …', largest first, for the map's caption."""
    counts = Counter(city.country.continent for city in cities)
    return ", ".join(
        in_continent(continent, count)
        for continent, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )


@register.inclusion_tag("includes/world_map.html", takes_context=True)
def world_map(context: template.Context, cities: list, total: int | None = None) -> dict:
    """The world map of `cities` (partners with their stored current_kind, all the
    page's filters applied), centred on the home city, with its region zoomed.

    total: how many partners the page has when `cities` holds only the first of them (the
    views' MAP_MARKERS), so the caption says how many the map leaves out."""
    home = load_home_city(context["request"])
    cities = list(cities)
    drawn = maps.world_map(cities, home)
    kinds = Counter(getattr(city, "current_kind", None) for city in drawn.cities)
    return {
        "map": drawn,
        "shown": len(cities),
        "left_out": max((total or 0) - len(cities), 0),
        "total": total,
        "home_city": home,
        "summary": continent_summary(drawn.cities),
        "region_radius_km": int(maps.REGION_RADIUS_KM),
        "sister_count": kinds[Kind.SISTER],
        "friendly_count": kinds[Kind.FRIENDLY],
        "other_count": sum(kinds.values()) - kinds[Kind.SISTER] - kinds[Kind.FRIENDLY],
    }


@register.inclusion_tag("includes/locator_map.html", takes_context=True)
def locator_map(context: template.Context, city) -> dict:
    """The partner's region with the partner marked and the way to the home city."""
    home = load_home_city(context["request"])
    locator = maps.locator_map(city, home)
    return {
        "city": city,
        "home_city": home,
        "locator": locator,
        "direction": COMPASS_NAMES[locator.compass]
        if locator and locator.compass is not None
        else "",
    }


# The markers are drawn here rather than by a template included per marker: at 100 markers
# those includes were 15-18 ms of the home page's render. Texts are escaped by html.escape,
# which Django's escape() wraps: the same text without its check for lazy strings (0.9 µs
# against 0.2, some 200 texts a map; these texts are all str). The numbers are the markers'
# rounded floats written as str() writes them, which is what the templates wrote inside
# {% localize off %}, and need no escaping.


def marker_symbol(marker: Marker) -> str:
    if marker.shape == "circle":
        return (
            f'<circle class="map__symbol map__symbol--circle" cx="{float(marker.x)}"'
            f' cy="{float(marker.y)}" r="{float(marker.size)}"/>'
        )
    return (
        f'<polygon class="map__symbol map__symbol--{escape(marker.shape)}"'
        f' points="{escape(marker.points)}"/>'
    )


def marker_label(city, texts: dict) -> str:
    """'Kharkiv, Ukraine: Sister city', the marker's accessible name and tooltip.

    texts: marker_texts(), translated once for all of a map's markers."""
    name = texts["name"]
    if city.current_kind:
        return texts["with_kind"] % {
            "name": name(city),
            "country": name(city.country),
            "kind": texts["kinds"].get(city.current_kind, ""),
        }
    return texts["without_kind"] % {"name": name(city), "country": name(city.country)}


def marker_texts() -> dict:
    """The labels' sentences, kinds and name column in the active language, looked up once
    per map: per marker they took most of writing the labels (34 labels: 0.95 ms, now 0.4)."""
    return {
        "with_kind": gettext("%(name)s, %(country)s: %(kind)s"),
        "without_kind": gettext("%(name)s, %(country)s: no current agreement"),
        "kinds": {kind.value: str(kind.label) for kind in Kind},
        "name": localized_reader("name"),
    }


@register.simple_tag
def map_symbols(markers: list[Marker]) -> SafeString:
    """The symbols of markers that link nowhere (the world map's dots, the locator's partner)."""
    return SafeString("".join(marker_symbol(marker) for marker in markers))


@register.simple_tag
def map_marker_links(markers: list[Marker]) -> SafeString:
    """Each marker as a link to its partner's page, named by marker_label()."""
    links = []
    texts, url = marker_texts(), partner_urls()
    for marker in markers:
        label = escape(marker_label(marker.city, texts))
        links.append(
            f'<a class="map__marker" href="{escape(url(marker.city.slug))}"'
            f' aria-label="{label}"><title>{label}</title>{marker_symbol(marker)}</a>'
        )
    return SafeString("".join(links))


@register.simple_tag
def map_routes(lines: list[str], css_class: str = "map__route") -> SafeString:
    css_class = escape(css_class)
    return SafeString("".join(f'<path class="{css_class}" d="{escape(d)}"/>' for d in lines))
