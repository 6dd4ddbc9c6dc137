"""The staff admin, by topic: importing this package registers every model's admin.

- partners.py: the registrations (partners with their agreements and exchanges, countries,
  agreements, exchanges, the home city) with their list filters and actions;
- spreadsheets.py: the import/export screens and their forms;
- edit_lock.py: refusing a save or an import confirm over someone else's change;
- history.py: the change-history screens and restore refusals (django-reversion).
"""

from . import partners  # noqa: F401  (registers the model admins)
