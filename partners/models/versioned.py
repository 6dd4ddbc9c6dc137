"""The queryset of every model the public pages read (partners/signals.py bumps the data
version on their saves and deletes)."""

from collections.abc import Iterable

from django.db import models, transaction

from .data_version import DataVersion


class VersionedQuerySet(models.QuerySet):
    """A queryset whose writes that send no signal still give the data a new version.

    update() and bulk_create() send no post_save, which is what bumps the version of a save,
    so a page cached before such a write would be served after it. bulk_update() runs
    update() for each batch. delete() sends post_delete for each row (no fast delete: the
    bump receivers are connected), so it needs nothing here. The bump commits with the rows.
    """

    def update(self, **kwargs) -> int:
        with transaction.atomic(using=self.db):
            count = super().update(**kwargs)
            if count:
                DataVersion.bump()
        return count

    def bulk_create(self, objs: Iterable[models.Model], *args, **kwargs) -> list[models.Model]:
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            if created:
                DataVersion.bump()
        return created


class VersionedManager(models.Manager.from_queryset(VersionedQuerySet)):
    pass
