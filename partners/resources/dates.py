"""Dates as staff, Korean offices and published partner lists write them."""

import contextlib
import datetime
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import widgets

from .widgets import cell_text

# Dates as Korean offices and published partner lists write them, once spaces around dots and
# a final dot are dropped ("2025. 3. 1." is 2025.3.1) and dots and commas around English month
# names are spaces ("May.17.2007", "February 29, 1960"). strptime's %b and %B read English
# month names: Django never changes the C library's LC_TIME locale.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y.%m.%d",
    "%Y/%m/%d",
    "%Y년%m월%d일",
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
)
_EIGHT_DIGITS = re.compile(r"^\d{8}$")
_SHORT_YEAR = re.compile(r"^(?P<mark>[‘’'`])?(?P<yy>\d{2})([-./])(?P<mm>\d{1,2})\3(?P<dd>\d{1,2})$")
# The earliest partnership year a two-digit year may mean; earlier ones need four digits.
SHORT_YEAR_FLOOR = 1950


def centuries(yy: int) -> list[int]:
    """The years from SHORT_YEAR_FLOOR to this year that the two-digit year yy may mean."""
    this_year = timezone.localdate().year
    return [year for year in (1900 + yy, 2000 + yy) if SHORT_YEAR_FLOOR <= year <= this_year]


class DateWidget(widgets.DateWidget):
    """A date cell, text in one of DATE_FORMATS, 20071017, or a two-digit year where it is
    unambiguous: '94.10.18 (the apostrophe marks the year) or 94.10.18 (94 cannot be a day),
    read as 19YY or 20YY, whichever lies between SHORT_YEAR_FLOOR and this year.

    Built on the library's DateWidget (its list of formats); the library alone does not fit
    because strptime needs exact spacing, reads 2007517 as a date and pivots two-digit years
    at 1969 without asking whether the reading is unambiguous.
    """

    def __init__(self) -> None:
        super().__init__(coerce_to_string=False)
        self.formats = DATE_FORMATS

    @staticmethod
    def normalized(text: str) -> str:
        text = " ".join(text.split())
        if re.search(r"[A-Za-z]", text):
            text = re.sub(r"(?i)\bsept\b", "Sep", text)
            return " ".join(part for part in re.split(r"[.,\s]+", text) if part)
        text = re.sub(r"\s*([./-])\s*", r"\1", text).rstrip(".")
        return re.sub(r"\s*(년|월|일)\s*", r"\1", text)

    @staticmethod
    def short_year(text: str) -> datetime.date | None:
        match = _SHORT_YEAR.match(text)
        if not match or (not match["mark"] and int(match["yy"]) <= 31):
            return None
        years = centuries(int(match["yy"]))
        if len(years) != 1:
            return None
        return datetime.date(years[0], int(match["mm"]), int(match["dd"]))

    @staticmethod
    def short_year_problem(text: str) -> str | None:
        """Why a date with a two-digit year is not read (short_year), or None."""
        match = _SHORT_YEAR.match(text)
        if not match:
            return None
        first, month, last = int(match["yy"]), int(match["mm"]), int(match["dd"])
        values = {"value": text, "floor": SHORT_YEAR_FLOOR, "now": timezone.localdate().year}
        if match["mark"] or first > 31:
            return _(
                "“%(value)s” has a two-digit year that may be %(early)s or %(late)s; two-digit "
                "years are read only for %(floor)s to %(now)s. Write the year with four digits."
            ) % (values | {"early": 1900 + first, "late": 2000 + first})
        readings = []
        for yy, day in ((first, last), (last, first)):
            for year in centuries(yy):
                with contextlib.suppress(ValueError):
                    readings.append(datetime.date(year, month, day).isoformat())
        values["readings"] = " / ".join(readings)
        if readings:
            return (
                _(
                    "“%(value)s” has a two-digit year, and its first number may be the year "
                    "(YY.MM.DD, as Korean offices write) or the day (DD.MM.YY), so it may be "
                    "%(readings)s. Write the year with four digits (YYYY-MM-DD)."
                )
                % values
            )
        return (
            _(
                "“%(value)s” has a two-digit year, and its first number may be the year "
                "(YY.MM.DD) or the day (DD.MM.YY). Write the year with four digits (YYYY-MM-DD)."
            )
            % values
        )

    def clean(self, value: object, row: dict | None = None, **kwargs) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = cell_text(value).strip()
        if not text:
            return None
        candidate = self.normalized(text)
        try:
            if _EIGHT_DIGITS.match(candidate):
                return datetime.datetime.strptime(candidate, "%Y%m%d").date()
            return self.short_year(candidate) or super().clean(candidate, row, **kwargs)
        except ValueError:
            problem = self.short_year_problem(candidate)
            raise ValueError(
                problem
                or _(
                    "“%(value)s” is not a date: write it as YYYY-MM-DD, for example 2013-08-23 "
                    "(2013. 8. 23., 2013.8.23 and August 23, 2013 are read too)."
                )
                % {"value": text}
            ) from None

    def render(self, value: object, obj: object = None, **kwargs) -> object:
        return value
