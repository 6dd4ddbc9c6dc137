import json
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

# Rebuilt by migrate (content types, permissions) or transient (sessions, login attempts).
# The admin log stays: with the change history it tells who deleted what.
# The data version is not data: a restore gives the restored data a new one. The exchange
# list's counts and the partners' start dates are rebuilt from the restored activities
# (models/derived.py).
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    "partners.dataversion",
    "partners.exchangecount",
    "partners.exchangedate",
]


class Command(BaseCommand):
    help = _(
        "Back up every row (partners, users, groups, change history, admin log) and a copy "
        "of the media files into a new folder; restore it with restore_data."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output", help=_("Folder to create (default: backups/portal-<date>-<time>).")
        )
        parser.add_argument(
            "--archive", action="store_true", help=_("Also pack the folder into a .tar.gz.")
        )

    def handle(self, *args, output: str | None, archive: bool, **options) -> None:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        target = Path(output) if output else settings.BASE_DIR / "backups" / f"portal-{stamp}"
        if target.exists():
            raise CommandError(
                _("%(path)s already exists: name a new folder, so no backup is overwritten.")
                % {"path": target}
            )
        target.mkdir(parents=True)
        data = target / "data.json"
        # Keep primary keys (no --natural-primary): history rows refer to records by id.
        # "json" is portal.serializers (SERIALIZATION_MODULES): timestamps to the microsecond.
        call_command(
            "dumpdata",
            natural_foreign=True,
            exclude=EXCLUDED,
            indent=1,
            output=str(data),
            verbosity=0,
        )
        media = Path(settings.MEDIA_ROOT)
        if media.is_dir():
            shutil.copytree(media, target / "media")
        else:
            (target / "media").mkdir()
        rows = len(json.loads(data.read_text(encoding="utf-8")))
        result = target
        if archive:
            result = Path(shutil.make_archive(str(target), "gztar", target.parent, target.name))
        self.stdout.write(
            self.style.SUCCESS(
                _("Backed up %(rows)d rows and the media files to %(path)s.")
                % {"rows": rows, "path": result}
            )
        )
