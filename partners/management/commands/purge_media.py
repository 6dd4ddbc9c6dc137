import json

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reversion.models import Version

from partners.images import RENDITION_NAME
from partners.models import Photo


def referenced_digests() -> set[str]:
    """Hashes of the renditions a photo row or any version in the change history names:
    their files are kept, so restoring any version shows its photo again."""
    names = set(Photo.objects.values_list("image", flat=True))
    for data in Version.objects.get_for_model(Photo).values_list("serialized_data", flat=True):
        try:
            names.add(json.loads(data)[0]["fields"]["image"])
        except (ValueError, LookupError, TypeError):
            continue
    return {match["digest"] for name in names if (match := RENDITION_NAME.fullmatch(name or ""))}


class Command(BaseCommand):
    help = _(
        "Delete the photo rendition files that no photo and no version in the change history "
        "refers to (photos whose history was deleted, images replaced before it was kept)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help=_("List the files without deleting them.")
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        # Files, not rows: nothing here needs a transaction. Read the references first, so
        # a photo saved meanwhile only keeps a file that a later run may delete.
        kept = referenced_digests()
        try:
            _folders, files = default_storage.listdir("photos")
        except FileNotFoundError:
            files = []
        orphans = [
            f"photos/{file}"
            for file in sorted(files)
            if (match := RENDITION_NAME.fullmatch(f"photos/{file}")) and match["digest"] not in kept
        ]
        for name in orphans:
            self.stdout.write(name)
            if not dry_run:
                default_storage.delete(name)
        count = len(orphans)
        if dry_run:
            message = ngettext(
                "Dry run: %(count)d file would be deleted.",
                "Dry run: %(count)d files would be deleted.",
                count,
            )
        else:
            message = ngettext("Deleted %(count)d file.", "Deleted %(count)d files.", count)
        self.stdout.write(self.style.SUCCESS(message % {"count": count}))
