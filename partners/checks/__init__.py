"""Plausibility checks of partner data: values that are probably wrong (a unit slip, a figure
copied from another row, coordinates in another country). They warn; they never refuse.
Staff confirm a warning ("I checked this value") and the same value does not warn again.

Run on admin save (partners/admin/data_checks.py), on import preview and confirm
(partners/resources/partners.py), and on demand (`manage.py check_data`, the admin's report).
Each check has a stable code (CHECKS), which confirmations store.

- figures.py: population density by level, unit slips, a figure the same as another partner's;
- places.py: coordinates outside the partner's country, or latitude and longitude swapped;
- dates.py: signing dates before 1950, in the future, or after the agreement's end;
- names.py: Latin letters in the Korean name, Hangul in the English name, punctuation at
  either end, the country's name glued to the city's.
"""

from .base import CHECKS, CheckContext, DataWarning, check_partner
from .report import confirm_warnings, open_warnings, unconfirmed

__all__ = [
    "CHECKS",
    "CheckContext",
    "DataWarning",
    "check_partner",
    "confirm_warnings",
    "open_warnings",
    "unconfirmed",
]
