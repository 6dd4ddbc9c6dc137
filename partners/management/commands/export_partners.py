from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from partners.resources import FORMATS_BY_NAME, PartnerResource


# django-import-export's own `manage.py export FORMAT RESOURCE` serves the export-only files
# (README); this command keeps the contract's --format csv|xlsx|json and --output, which the
# library's lacks (it writes bytes to standard output only and refuses a terminal for them).
class Command(BaseCommand):
    help = (
        "Export every partner with its current agreement in the interchange format "
        "(the columns import_partners reads)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format",
            choices=sorted(FORMATS_BY_NAME),
            default="csv",
            help="csv (UTF-8 with BOM, for Excel), xlsx or json. Default: csv.",
        )
        parser.add_argument(
            "--output", help="File to write; without it csv and json go to standard output."
        )

    def resource(self):
        return PartnerResource()

    def handle(self, *args, format: str, output: str | None, **options) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            file_format = FORMATS_BY_NAME[format]()
            data = file_format.export_data(self.resource().export())
            if output:
                Path(output).write_bytes(data)
                self.stdout.write(self.style.SUCCESS(_("Wrote %(path)s.") % {"path": output}))
            elif format == "xlsx":
                raise CommandError(_("An .xlsx workbook needs --output PATH."))
            else:
                self.stdout.write(data.decode("utf-8"), ending="")
