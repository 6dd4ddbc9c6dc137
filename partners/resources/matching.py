"""Finding the partner a spreadsheet row without a slug means."""

from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from ..models import City, Country
from .widgets import folded_key


class PartnerNames:
    """Every partner by each of its names (English, Korean, other spellings) within its
    country, compared ignoring case, accents and repeated spaces; built once per import."""

    def __init__(self, cities: Iterable[City]) -> None:
        self.index: dict[tuple[str, int], dict[int, City]] = {}
        for city in cities:
            for name in (city.name_en, city.name_ko, *city.alias_list):
                if name:
                    self.index.setdefault((folded_key(name), city.country_id), {})[city.pk] = city

    def match(self, names: Iterable[str], country: Country) -> City | None:
        """The one partner in country answering to any of names, or None.

        Raises ValidationError naming the candidates when the names fit several partners.
        """
        found: dict[int, City] = {}
        for name in names:
            if name.strip():
                found |= self.index.get((folded_key(name), country.pk), {})
        if len(found) > 1:
            slugs = ", ".join(sorted(city.slug for city in found.values()))
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _(
                        "The names fit more than one partner in %(country)s: %(slugs)s. "
                        "Write the slug of the one you mean."
                    )
                    % {"country": country.name_en, "slugs": slugs}
                }
            )
        return next(iter(found.values()), None)
