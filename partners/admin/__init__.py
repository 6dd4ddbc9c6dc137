"""The staff admin, by topic: importing this package registers every model's admin.

- partners.py: the registrations (partners with their agreements, countries, agreements,
  the home city) with their list filters and actions;
- exchanges.py: exchange activities and the dormant partnerships report;
- spreadsheets.py: the import/export screens and their forms;
- edit_lock.py: refusing a save or an import confirm over someone else's change;
- data_checks.py: data-check warnings in the partner form; data_report.py: their report;
- history.py: the change-history screens and restore refusals (django-reversion).
"""

from . import data_report, exchanges, partners  # noqa: F401  (registers the model admins)
