import logging
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import OperationalError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from partners.resources import ImportFileError, import_partners, read_dataset
from partners.resources.report import unexpected_import_error
from partners.validators import validate_import_file_size
from portal.busy import busy_message, is_database_busy

logger = logging.getLogger(__name__)


# Not django-import-export's `manage.py import`: given a file with invalid rows it says
# "Import finished: 1 new…" in English and exits 0 without naming a line, and it has no size
# limit, no CP949 unless told the format class, and no importing user.
class Command(BaseCommand):
    help = (
        "Import partners from a .csv or .txt (UTF-8, CP949, UTF-16 with BOM) or .xlsx file in the "
        "interchange format. All or nothing: any bad row writes nothing and exits non-zero."
    )

    # import_exchanges shares this command; its file has no kind column.
    fills_kind = True

    @property
    def summary(self) -> str:
        return _("%(new)s new, %(updated)s updated, %(skipped)s unchanged.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The .csv, .txt or .xlsx file to import.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; write nothing."
        )
        parser.add_argument(
            "--user",
            help="Username to record in the change history as the importer (default: none).",
        )
        if self.fills_kind:
            parser.add_argument(
                "--kind",
                choices=["sister", "friendly"],
                help="The kind of every row, for a file without a kind column.",
            )
            parser.add_argument(
                "--confirm-warnings",
                action="store_true",
                help="Import values the data checks warn about, recording that the --user "
                "checked them. Without it, an import with warnings writes nothing.",
            )

    def handle(
        self,
        *args,
        path: str,
        dry_run: bool,
        user: str | None = None,
        kind: str | None = None,
        confirm_warnings: bool = False,
        **options,
    ) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            importer = None
            if user:
                importer = get_user_model().objects.filter(username=user).first()
                if importer is None:
                    raise CommandError(_("There is no user “%(name)s”.") % {"name": user})
            if confirm_warnings and importer is None and not dry_run:
                # A confirmation records who checked the values (issue 15): never no one.
                raise CommandError(
                    _("--confirm-warnings records who checked the values: give --user too.")
                )
            self.confirm_warnings = confirm_warnings
            self.import_file(Path(path), dry_run, importer, kind)

    def run_import(self, dataset, dry_run: bool, importer, file_name: str, kind: str | None):
        return import_partners(
            dataset,
            dry_run=dry_run,
            user=importer,
            file_name=file_name,
            default_kind=kind,
            confirm_warnings=self.confirm_warnings,
        )

    def import_file(self, path: Path, dry_run: bool, importer=None, kind=None) -> None:
        try:
            # Checked before reading, so that a huge file is never loaded into memory.
            validate_import_file_size(SimpleNamespace(size=path.stat().st_size))
            dataset = read_dataset(path.read_bytes(), path.name)
        except ValidationError as error:
            raise CommandError(f"{path.name}: {' '.join(error.messages)}") from None
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": error.strerror}
            ) from None
        except ImportFileError as error:
            raise CommandError(f"{path.name}: {error}") from None
        except Exception as error:
            # Staff never see a traceback; the cause is logged for the operator.
            logger.error("Unreadable import file %s", path, exc_info=error)
            raise CommandError(f"{path.name}: {unexpected_import_error()}") from None
        try:
            with transaction.atomic():
                result = self.run_import(dataset, dry_run, importer, path.name, kind)
        except OperationalError as error:
            # On SQLite the write lock is taken as the transaction begins (IMMEDIATE), so a
            # busy database stops the import here, before any row: no fault of the file.
            if not is_database_busy(error):
                raise
            raise CommandError(busy_message()) from None
        for note in getattr(result, "notes", []):
            self.stdout.write(f"{path.name}: {note}")
        warnings = getattr(result, "data_warnings", [])
        if warnings and (dry_run or getattr(self, "confirm_warnings", False)):
            for warning in warnings:
                line = _("line %(line)s, %(column)s") % warning
                self.stdout.write(self.style.WARNING(f"{path.name}: {line}: {warning['message']}"))
        # A report is always set by the resource; the fallback covers an error before that.
        report = getattr(result, "report", None)
        if report is None and (result.has_errors() or result.has_validation_errors()):
            report = [unexpected_import_error()]
        if report:
            for line in report:
                self.stderr.write(f"{path.name}: {line}")
            if warnings and not dry_run:
                self.stderr.write(
                    _(
                        "Values the data checks warn about need confirming: check them, then "
                        "run again with --confirm-warnings (and --user)."
                    )
                )
            raise CommandError(_("Nothing was imported: fix the lines above and try again."))
        totals = result.totals
        summary = self.summary % {
            "new": totals["new"],
            "updated": totals["update"],
            "skipped": totals["skip"],
        }
        if dry_run:
            summary += " " + _("Dry run: nothing was written.")
        self.stdout.write(self.style.SUCCESS(summary))
