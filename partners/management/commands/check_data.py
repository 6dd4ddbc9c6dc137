from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from partners.checks import CHECKS, open_warnings


class Command(BaseCommand):
    help = (
        "Run the data checks over every partner and list the warnings no staff member has "
        "confirmed. Exits non-zero when there are any, unless --no-fail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", choices=sorted(CHECKS), help="Only this check.")
        parser.add_argument(
            "--no-fail", action="store_true", help="Exit 0 even when warnings are open."
        )

    def handle(self, *args, check: str | None = None, no_fail: bool = False, **options) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            warnings = open_warnings(check)
            for city, warning in warnings:
                self.stdout.write(
                    f"{city.slug}\t{warning.check}\t{warning.field}\t{warning.message}"
                )
            summary = _("%(count)s open data-check warnings.") % {"count": len(warnings)}
            if warnings and not no_fail:
                raise CommandError(summary)
            self.stdout.write(self.style.SUCCESS(summary))
