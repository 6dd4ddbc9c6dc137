import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from partners.models import City, Country


class Command(BaseCommand):
    help = _(
        "Restore a backup made by backup_data (its folder or .tar.gz) into an empty database: "
        "migrate, load every row, copy the media files back."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help=_("Backup folder or .tar.gz archive."))

    def handle(self, *args, path: str, **options) -> None:
        source = Path(path)
        if not source.exists():
            raise CommandError(_("No backup at %(path)s.") % {"path": source})
        with tempfile.TemporaryDirectory() as unpacked:
            if source.is_file():
                shutil.unpack_archive(source, unpacked)
                folders = [p for p in Path(unpacked).iterdir() if p.is_dir()]
                source = folders[0] if len(folders) == 1 else Path(unpacked)
            data = source / "data.json"
            if not data.is_file():
                raise CommandError(_("%(path)s has no data.json.") % {"path": source})
            self.restore(data, source / "media")
        self.stdout.write(
            self.style.SUCCESS(_("Restored the backup from %(path)s.") % {"path": path})
        )

    def restore(self, data: Path, media: Path) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if any(m.objects.exists() for m in (City, Country, get_user_model())):
            raise CommandError(
                _(
                    "The database is not empty. Restore into a new, empty database "
                    "(point DATABASE_URL at it) so nothing is overwritten."
                )
            )
        # Rows that migrations create (the staff group) come back from the backup with
        # their original ids, so clear them first; flush keeps the schema.
        call_command("flush", interactive=False, verbosity=0)
        call_command("loaddata", str(data), verbosity=0)
        if media.is_dir():
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
