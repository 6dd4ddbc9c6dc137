from django.core.management.commands import loaddata
from django.db import transaction

from partners.models.derived import refresh_afterwards


class Command(loaddata.Command):
    """Django's loaddata, then one refresh of the partners' stored relationship and search
    text (models/derived.py) for every partner the load touched, instead of one per row."""

    def handle(self, *fixture_labels, **options) -> None:
        with transaction.atomic(using=options["database"]), refresh_afterwards():
            super().handle(*fixture_labels, **options)
