"""Cell parsers for the interchange format: lenient about spelling, never guessing.

Every failure is a ValueError with a translated message for staff; django-import-export turns
it into a validation error for the cell's column.
"""

import datetime
import decimal
import re

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets

from ..models import Country, Kind, Status, fold
from .formats import unescape_formula
from .reading import control_character

_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
# 2020-01-01, 2020. 1. 1., 2020년 1월 1일, 01/02/2020 and a cell Excel holds as a date.
_DATE_LIKE = re.compile(
    r"^(\d{4}\s*([-./])\s*\d{1,2}\s*\2\s*\d{1,2}|\d{1,2}([-./])\d{1,2}\3\d{4}|\d{4}\s*년.*일)\.?(\s.*)?$"
)
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def cell_text(value: object, strip: bool = False) -> str:
    """A cell as text; XLSX gives numbers for cells such as a slug '2023'.

    strip removes surrounding whitespace before the formula quote is undone, so that an
    exported value starting with a tab (written '\t…) comes back whole.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return unescape_formula(text.strip() if strip else text)


def folded_key(text: str) -> str:
    return " ".join(fold(text).replace("_", " ").split())


class TextWidget(widgets.Widget):
    def __init__(self, blank_is_none: bool = False, multiline: bool = False) -> None:
        super().__init__()
        self.blank_is_none = blank_is_none
        # Descriptions may have line breaks (Alt+Enter in Excel) and tabs; names may not.
        self.allowed_controls = "\t\n\r" if multiline else ""

    def clean(self, value: object, row: dict | None = None, **kwargs) -> str | None:
        # Surrounding spaces are never meant (the admin's forms drop them too).
        text = cell_text(value, strip=True)
        control = control_character(text, self.allowed_controls)
        if control is not None:
            raise ValueError(
                _(
                    "The text contains an invisible control character (U+%(code)04X) that "
                    "cannot be saved: type the text again without it."
                )
                % {"code": ord(control)}
            )
        if self.blank_is_none:
            return text or None
        return text

    def render(self, value: object, obj: object = None, **kwargs) -> str:
        return "" if value is None else str(value)


def plain_decimal(number: decimal.Decimal) -> decimal.Decimal:
    """The number without trailing zeros after the point (436.00 → 436, 4704.40 → 4704.4),
    never in exponent form (normalize() alone gives 4.4E+3 for 4400)."""
    if number == number.to_integral_value():
        return number.quantize(decimal.Decimal(1))
    return number.normalize()


class NumberWidget(widgets.Widget):
    """Thousands separators only between groups of three digits: `88,5` and `1 2 3` are errors.

    decimal_places is the model field's: the file's 436 is read as the stored 436.00, so the
    import preview does not show an unchanged area as changed. A binary (XLSX) number is
    first rounded to the 15 significant digits Excel shows, so 605.2*1.1 is 665.72, not
    665.7200000000001; a value with more places than the field keeps is refused, never
    rounded silently. `scale` and `unit` (set per file from a header's unit, headers.UNITS)
    turn the file's figure into the stored unit; the same rule holds for the product, so
    1,234,567 ㎡ (1.234567 km²) is refused, not stored as 1.23.
    """

    def __init__(
        self, integer: bool = False, decimal_places: int | None = None, stored_unit: object = ""
    ) -> None:
        super().__init__(coerce_to_string=False)
        self.integer = integer
        self.decimal_places = decimal_places
        self.scale, self.unit, self.stored_unit = decimal.Decimal(1), "", stored_unit

    def parse(self, value: object) -> decimal.Decimal | None:
        if isinstance(value, bool):
            raise ValueError(_("Enter a number."))
        if isinstance(value, float):
            return decimal.Decimal(f"{value:.15g}")
        if isinstance(value, int | decimal.Decimal):
            return decimal.Decimal(value)
        text = cell_text(value).strip()
        if not text:
            return None
        if isinstance(value, datetime.date | datetime.time) or _DATE_LIKE.match(text):
            raise ValueError(
                _(
                    "“%(value)s” is a date, not a number: the cell holds a date (in Excel, "
                    "format the cell as a number and type the figure again)."
                )
                % {"value": text}
            )
        if any(char.isspace() for char in text):
            raise ValueError(
                _(
                    "“%(value)s” is not a number: digits may not be separated by spaces. "
                    "Group thousands with commas (1,733,000) or write the digits together."
                )
                % {"value": text}
            )
        if _GROUPED.match(text):
            text = text.replace(",", "")
        elif "," in text:
            raise ValueError(
                _(
                    "“%(value)s” is not a number: a comma may only separate groups of "
                    "three digits (1,733,000 or 4,704.4); write decimals with a point."
                )
                % {"value": text}
            )
        elif not _PLAIN.match(text):
            raise ValueError(_("“%(value)s” is not a number.") % {"value": text})
        return decimal.Decimal(text)

    def clean(self, value: object, row: dict | None = None, **kwargs) -> int | decimal.Decimal:
        number = self.parse(value)
        if number is None:
            return None
        if not number.is_finite():
            raise ValueError(_("Enter a number."))
        written = number
        number *= self.scale
        if self.integer:
            if number != number.to_integral_value():
                raise ValueError(self.too_precise(written, number, 0))
            return int(number)
        if self.decimal_places is not None:
            quantized = number.quantize(decimal.Decimal(1).scaleb(-self.decimal_places))
            if quantized != number:
                raise ValueError(self.too_precise(written, number, self.decimal_places))
            return quantized
        return number

    def too_precise(self, written: decimal.Decimal, number: decimal.Decimal, places: int) -> str:
        """Why a figure that the field cannot keep exactly is refused, never rounded."""
        if self.scale == 1:
            if self.integer:
                return _("Enter a whole number.")
            return _(
                "“%(value)s” has more decimal places than the %(places)s this column "
                "keeps: round it in the file."
            ) % {"value": plain_decimal(number), "places": places}
        values = {
            "value": f"{plain_decimal(written):,}",
            "unit": self.unit,
            "scaled": f"{plain_decimal(number):,}",
            "stored_unit": self.stored_unit,
            "places": places,
        }
        if self.integer:
            return (
                _(
                    "%(value)s %(unit)s is %(scaled)s %(stored_unit)s, not a whole number: round "
                    "the figure in the file."
                )
                % values
            )
        return (
            _(
                "%(value)s %(unit)s is %(scaled)s %(stored_unit)s, more decimal places than the "
                "%(places)s this column keeps: round the figure in the file."
            )
            % values
        )

    def render(self, value: object, obj: object = None, **kwargs) -> object:
        # Numbers stay numbers (XLSX number cells, JSON numbers), None stays empty/null.
        if isinstance(value, decimal.Decimal) and value.is_finite():
            return plain_decimal(value)
        return value


class ChoiceWidget(widgets.Widget):
    """A choice by its value, its label in either language, or one of the extra words."""

    def __init__(self, choices: type, extra: dict[str, str], message: object) -> None:
        super().__init__(coerce_to_string=False)
        self.choices, self.extra, self.message = choices, extra, message
        self._words: dict[str, str] | None = None

    def words(self) -> dict[str, str]:
        if self._words is None:
            words = {folded_key(word): value for word, value in self.extra.items()}
            for value, label in self.choices.choices:
                words[folded_key(value)] = value
                for language in ("en", "ko"):
                    with translation.override(language):
                        words[folded_key(str(label))] = value
            self._words = words
        return self._words

    def clean(self, value: object, row: dict | None = None, **kwargs) -> str | None:
        text = cell_text(value).strip()
        if not text:
            return None
        try:
            return self.words()[folded_key(text)]
        except KeyError:
            raise ValueError(str(self.message) % {"value": text}) from None

    def render(self, value: object, obj: object = None, **kwargs) -> str:
        return value or ""


def kind_widget() -> ChoiceWidget:
    extra = {
        "sister city": Kind.SISTER,
        "sister cities": Kind.SISTER,
        "자매": Kind.SISTER,
        "자매도시": Kind.SISTER,
        "자매결연": Kind.SISTER,
        "friendly cooperation city": Kind.FRIENDLY,
        "friendly cooperation cities": Kind.FRIENDLY,
        "friendly city": Kind.FRIENDLY,
        "friendship": Kind.FRIENDLY,
        "우호": Kind.FRIENDLY,
        "우호도시": Kind.FRIENDLY,
        "우호협력": Kind.FRIENDLY,
        "우호협력도시": Kind.FRIENDLY,
    }
    message = gettext_lazy("“%(value)s” is not a kind of partnership: write sister or friendly.")
    return ChoiceWidget(Kind, extra, message)


def status_widget() -> ChoiceWidget:
    message = gettext_lazy("“%(value)s” is not a status: write active, suspended or ended.")
    # The short words of earlier exports and staff sheets, besides the labels 교류 중 ….
    extra = {"유지": Status.ACTIVE, "중단": Status.SUSPENDED, "종료": Status.ENDED}
    return ChoiceWidget(Status, extra, message)


# Everyday names staff write that are neither ours (CLDR, MOFA) nor ISO's (pycountry), each
# checked against Korean city pages or the seed; misspellings ("Austrailia") stay errors.
COUNTRY_ALIASES = {
    "한국": "KR",
    "Korea": "KR",
    "Republic of Korea": "KR",
    "UK": "GB",
    "Great Britain": "GB",
    "호주": "AU",
    "오스트레일리아": "AU",
    "남아공": "ZA",
    "남아프리카": "ZA",
    "남아프리카공화국": "ZA",
    "체코공화국": "CZ",
    "터키": "TR",
    "Turkey": "TR",
    "타이완": "TW",
}


def country_names(country: Country) -> set[str]:
    """Every name import accepts for a country: ours in both languages and ISO's."""
    import pycountry

    names = {country.iso_code, country.name_en, country.name_ko}
    entry = pycountry.countries.get(alpha_2=country.iso_code)
    if entry is not None:
        for attribute in ("alpha_3", "name", "official_name", "common_name"):
            names.add(getattr(entry, attribute, "") or "")
    return {folded_key(name) for name in names if name}


class CountryWidget(widgets.Widget):
    """Country by ISO code or name; the lookup table is read once per import."""

    def __init__(self) -> None:
        super().__init__(coerce_to_string=False)
        self._lookup: dict[str, Country | None] | None = None

    def load(self) -> None:
        lookup: dict[str, Country | None] = {}
        countries = list(Country.objects.all())
        for country in countries:
            for name in country_names(country):
                # A name two countries share (None) must be given as an ISO code.
                clash = name in lookup and lookup[name] != country
                lookup[name] = None if clash else country
        by_code = {country.iso_code: country for country in countries}
        for alias, code in COUNTRY_ALIASES.items():
            if code in by_code:
                lookup[folded_key(alias)] = by_code[code]
        self._lookup = lookup

    def clean(self, value: object, row: dict | None = None, **kwargs) -> Country | None:
        text = cell_text(value).strip()
        if not text:
            return None
        if self._lookup is None:
            self.load()
        key = folded_key(text)
        if key not in self._lookup:
            raise ValueError(
                _("“%(value)s” is not a country: write its ISO code, for example KR.")
                % {"value": text}
            )
        country = self._lookup[key]
        if country is None:
            raise ValueError(
                _("“%(value)s” names more than one country: write its ISO code.") % {"value": text}
            )
        return country

    def render(self, value: Country | None, obj: object = None, **kwargs) -> str:
        return value.iso_code if value else ""
