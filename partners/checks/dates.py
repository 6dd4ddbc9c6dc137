"""Checks of agreements' signing dates."""

import datetime
from collections.abc import Iterable, Iterator

from django.utils.formats import date_format
from django.utils.translation import gettext as _

SIGNED_BEFORE_1950 = "signed-before-1950"
SIGNED_IN_FUTURE = "signed-in-future"
SIGNED_AFTER_END = "signed-after-end"
# Town twinning began after the Second World War (the first, Montbéliard–Ludwigsburg, 1950;
# Korea's first sister city, Seoul–Taipei, 1968): an earlier date is probably a typo.
EARLIEST_PLAUSIBLE = datetime.date(1950, 1, 1)


def dated(signed_on: datetime.date, ended_on: datetime.date | None = None) -> dict[str, str]:
    """The dates as a message shows them (formatted only for a warning: it is slow)."""
    return {"date": date_format(signed_on), "ended": ended_on and date_format(ended_on)}


def signing_dates(
    agreements: Iterable[tuple[datetime.date | None, datetime.date | None]],
    today: datetime.date,
) -> Iterator[tuple[str, str, str, str]]:
    for signed_on, ended_on in agreements:
        if signed_on is None:
            continue
        if signed_on < EARLIEST_PLAUSIBLE:
            message = _("Signed on %(date)s, before 1950, when the first partnerships began.")
            yield SIGNED_BEFORE_1950, "signed_on", signed_on.isoformat(), message % dated(signed_on)
        if signed_on > today:
            message = _("Signed on %(date)s, a date still to come.")
            yield SIGNED_IN_FUTURE, "signed_on", signed_on.isoformat(), message % dated(signed_on)
        if ended_on is not None and signed_on > ended_on:
            message = _("Signed on %(date)s, after the agreement ended (%(ended)s).")
            value = f"{signed_on.isoformat()}/{ended_on.isoformat()}"
            yield SIGNED_AFTER_END, "signed_on", value, message % dated(signed_on, ended_on)
