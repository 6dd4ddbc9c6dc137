"""Checks of a partner's names as scraped or typed (the seed's "Nicefrance")."""

import functools
import unicodedata
from collections.abc import Iterator

from django.utils.translation import gettext as _

from ..models import fold

LATIN_IN_KOREAN = "latin-in-korean-name"
HANGUL_IN_ENGLISH = "hangul-in-english-name"
PUNCTUATION = "name-punctuation"
COUNTRY_GLUED = "country-in-name"
# Punctuation a real name may begin or end with: 's-Hertogenbosch, "Hung Yen (Province)".
ALLOWED_FIRST = "'’("
ALLOWED_LAST = ")"


def is_latin(char: str) -> bool:
    # "in", not "startswith": Korean input methods type full-width letters (FULLWIDTH LATIN
    # CAPITAL LETTER B, Ｂｒｎｏ), which are Latin letters all the same.
    return char.isalpha() and "LATIN" in unicodedata.name(char, "")


def is_hangul(char: str) -> bool:
    return "HANGUL" in unicodedata.name(char, "")


def is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def odd_ends(name: str) -> bool:
    """Punctuation or a symbol at either end, other than brackets and apostrophes, and a
    closing full stop of an abbreviation (Washington, D.C.)."""
    if not name:
        return False
    first, last = name[0], name[-1]
    abbreviation = last == "." and len(name) > 2 and name[-2].isupper() and name[-3] == "."
    return (is_punctuation(first) and first not in ALLOWED_FIRST) or (
        is_punctuation(last) and last not in ALLOWED_LAST and not abbreviation
    )


@functools.lru_cache(maxsize=1024)
def folded_country(name: str) -> str:
    return fold(name)


def glued(name: str, country: str, from_start: bool = True) -> bool:
    """Whether the country's name is joined to the name without a space or hyphen
    (Nicefrance; 니스프랑스), comparing without case and accents. from_start=False looks at
    the end only: Korean writes 멕시코시티 (Mexico City) as one word."""
    name, country = fold(name), folded_country(country)
    if not country or name == country or country not in name:
        return False
    if name.endswith(country):
        return name[-len(country) - 1].isalpha()
    return from_start and name.startswith(country) and name[len(country)].isalpha()


def names(city) -> Iterator[tuple[str, str, str, str]]:
    if any(is_latin(char) for char in city.name_ko):
        message = _("The Korean name “%(name)s” has Latin letters.") % {"name": city.name_ko}
        yield LATIN_IN_KOREAN, "name_ko", city.name_ko, message
    if any(is_hangul(char) for char in city.name_en):
        message = _("The English name “%(name)s” has Hangul.") % {"name": city.name_en}
        yield HANGUL_IN_ENGLISH, "name_en", city.name_en, message
    for field in ("name_en", "name_ko"):
        name = getattr(city, field)
        if odd_ends(name):
            message = _("“%(name)s” begins or ends with punctuation.") % {"name": name}
            yield PUNCTUATION, field, name, message
    country = city.country if city.country_id else None
    for field, country_name in (
        ("name_en", country and country.name_en),
        ("name_ko", country and country.name_ko),
    ):
        name = getattr(city, field)
        if country_name and glued(name, country_name, from_start=field == "name_en"):
            message = _("“%(name)s” has the country's name “%(country)s” joined to it.") % {
                "name": name,
                "country": country_name,
            }
            yield COUNTRY_GLUED, field, name, message
