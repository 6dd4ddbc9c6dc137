from django.utils.translation import pgettext

from partners.resources import import_exchanges

from .import_partners import Command as ImportPartnersCommand


class Command(ImportPartnersCommand):
    """The partner import's command (size check, reading, report, exit status) for the
    exchange activities' file; it has no kind column to fill."""

    help = (
        "Import exchange activities from a .csv or .txt (UTF-8, CP949, UTF-16 with BOM) or "
        ".xlsx file with the columns export_exchanges writes: a row with an id changes that "
        "activity, a blank id adds one. All or nothing: any bad row writes nothing and exits "
        "non-zero."
    )

    fills_kind = False

    @property
    def summary(self) -> str:
        # Korean counts activities with 건, partners with 곳.
        return pgettext(
            "exchange activities", "%(new)s new, %(updated)s updated, %(skipped)s unchanged."
        )

    def run_import(self, dataset, dry_run: bool, importer, file_name: str, kind: str | None):
        return import_exchanges(dataset, dry_run=dry_run, user=importer, file_name=file_name)
