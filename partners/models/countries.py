from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .text import Localized
from .versioned import VersionedManager


class Continent(models.TextChoices):
    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")
    OCEANIA = "oceania", _("Oceania")


# Everyday names the public searches by besides ours (CLDR's short names, the foreign
# ministry's Korean): abbreviations and older or longer forms. Not ISO's long names, which
# call Taiwan "Taiwan, Province of China" and would make a search for China find it.
SEARCH_ALIASES = {
    # Not 미합중국: it holds 중국, so a search for China would find the United States.
    "US": ["USA", "U.S.", "United States of America", "America"],
    "GB": ["UK", "Britain", "Great Britain", "England", "영국"],
    "KR": ["Korea", "Republic of Korea", "한국"],
    "CZ": ["Czech Republic", "체코공화국"],
    "TR": ["Turkey", "터키"],
    "ZA": ["Republic of South Africa", "남아공"],
    "AU": ["오스트레일리아"],
    "TW": ["타이완"],
    "RU": ["Russian Federation", "러시아연방"],
    "VN": ["Viet Nam"],
    "CN": ["PRC", "People's Republic of China", "중화인민공화국"],
}


def country_search_names(iso_code: str, name_en: str, name_ko: str) -> list[str]:
    """The names a search for a partner's country matches: ours in both languages and the
    everyday forms of SEARCH_ALIASES."""
    return [name_en, name_ko, *SEARCH_ALIASES.get(iso_code, [])]


class CountryManager(VersionedManager):
    def get_by_natural_key(self, iso_code: str) -> "Country":
        return self.get(iso_code=iso_code)


class Country(models.Model):
    iso_code = models.CharField(
        _("ISO code"),
        max_length=2,
        unique=True,
        help_text=_("ISO 3166-1 alpha-2 code, for example KR."),
    )
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ko = models.CharField(_("name (Korean)"), max_length=100)
    continent = models.CharField(_("continent"), max_length=10, choices=Continent)

    objects = CountryManager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(
                condition=Q(iso_code__regex=r"^[A-Z]{2}$"), name="country_iso_code_two_capitals"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.iso_code,)

    name = Localized()
