"""Finding the partner a spreadsheet row means: by slug, or without one by its names within
its country; a partner named twice in one file; a free slug for a new partner."""

from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import slugify
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


class KnownPartners:
    """The partners kept before the import (loaded once, no query of its own) and those the
    file has named so far, by line."""

    def __init__(self, cities: Iterable[City]) -> None:
        self.by_slug: dict[str, City] = {}
        self.by_name: dict[tuple[str, int], City] = {}
        for city in cities:
            self.by_slug[city.slug] = city
            self.by_name.setdefault((folded_key(city.name_en), city.country_id), city)
        self.names = PartnerNames(self.by_slug.values())
        self.taken_slugs = set(self.by_slug)
        self.claimed: dict[object, int] = {}

    def find(self, slug: str, names: list[str], country: Country | None) -> City | None:
        """The partner a row means: by slug; without one, within its country by English or
        Korean name or another spelling (ValidationError when several fit)."""
        if slug:
            return self.by_slug.get(slug)
        return self.names.match(names, country) if country else None

    def claim(self, city: City, slug: str, name_en: str, country: Country | None, line: int):
        """Note that line names this partner; ValidationError if an earlier line did.

        A new partner is the same one again when its English name and country are, however
        the country is written and whether or not a slug is given."""
        keys: list[object] = [city.pk]
        if city.pk is None:
            name = folded_key(name_en)
            keys = [("slug", slug)] if slug else []
            if name and country is not None:
                keys.append(("name", name, country.pk))
        for key in keys:
            if key in self.claimed:
                raise ValidationError(
                    {
                        "slug": _("This partner is already on line %(line)s of the file.")
                        % {"line": self.claimed[key]}
                    }
                )
        for key in keys:
            self.claimed[key] = line

    def new_slug_errors(self, city: City, errors: dict) -> None:
        """A new partner's slug is refused when another partner has it, or when its English
        name and country are a kept partner's (a new slug must not make a second partner of
        one already kept)."""
        existing = self.by_name.get((folded_key(city.name_en), city.country_id))
        if existing is not None and "slug" not in errors:
            errors["slug"] = [
                _(
                    "A partner with this English name and country exists already: "
                    "“%(slug)s”. Write that slug to update it, or give a different city a "
                    "distinguishing English name."
                )
                % {"slug": existing.slug}
            ]
        if city.slug in self.taken_slugs and "slug" not in errors:
            errors["slug"] = [_("Another partner already has this slug.")]

    def unique_slug(self, city: City) -> str:
        # Non-Latin English names (rare) fall back to the country code.
        base = slugify(city.name_en)[:70].strip("-") or "partner"
        country = city.country.iso_code.lower() if city.country_id else ""
        candidates = [base, f"{base}-{country}"] if country else [base]
        candidates += [f"{base}-{number}" for number in range(2, 10_000)]
        return next(slug for slug in candidates if slug not in self.taken_slugs)
