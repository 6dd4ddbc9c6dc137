"""Change history for an import (django-reversion): a revision per partner the import touched."""

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import models
from django.utils import timezone
from import_export.resources import Resource
from import_export.results import Result
from reversion.models import Revision, Version

from .. import revision_comments
from ..models import Agreement, AgreementDocument, City, Exchange, Photo


def version_of(obj: models.Model, revision: Revision) -> Version:
    """The reversion Version of obj as stored now, in the given revision."""
    return Version(
        revision=revision,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        db=obj._state.db or "default",
        format="json",
        serialized_data=serializers.serialize("json", [obj]),
        object_repr=str(obj),
    )


def record_import_history(
    city_pks: Iterable[int],
    user: AbstractBaseUser | None,
    file_name: str | None,
    comments: dict[int, str] | None = None,
) -> list[Revision]:
    """A revision per imported partner, with its agreements, photos and documents as
    the admin records them, and who imported which file.

    One revision per partner, not one for the whole import: restoring a partner from its
    history must not also restore every other partner the same file touched. Written in bulk
    after the import instead of collected save by save, which keeps big imports fast. A
    command-line import has no user unless given one. comments: a partner's own comment
    (the data-check warnings its import confirmed) in place of the import's.
    """
    now = timezone.now()
    user = user if user is not None and user.is_authenticated else None
    comment = revision_comments.imported(file_name)
    pks = sorted(city_pks)
    revisions = []
    for start in range(0, len(pks), 500):
        batch = pks[start : start + 500]
        created = Revision.objects.bulk_create(
            [
                Revision(date_created=now, user=user, comment=(comments or {}).get(pk, comment))
                for pk in batch
            ]
        )
        revision_of = dict(zip(batch, created, strict=True))
        versions = [
            version_of(city, revision_of[city.pk]) for city in City.objects.filter(pk__in=batch)
        ]
        # Every followed record, as the admin saves them: a revision without the photos
        # would delete them when restored.
        for queryset in (
            Agreement.objects.filter(city_id__in=batch).select_related("city"),
            Photo.objects.filter(city_id__in=batch),
            AgreementDocument.objects.filter(city_id__in=batch),
        ):
            versions += [version_of(obj, revision_of[obj.city_id]) for obj in queryset]
        Version.objects.bulk_create(versions, batch_size=500)
        revisions += created
    return revisions


def record_exchange_history(
    pks: set[int], user: AbstractBaseUser | None, file_name: str | None
) -> None:
    """A revision per imported activity (restoring one must not restore the others),
    written in bulk after the import, as record_import_history does for partners."""
    now = timezone.now()
    user = user if user is not None and user.is_authenticated else None
    comment = revision_comments.imported(file_name)
    exchanges = list(Exchange.objects.filter(pk__in=pks).prefetch_related("partners"))
    revisions = Revision.objects.bulk_create(
        [Revision(date_created=now, user=user, comment=comment) for _exchange in exchanges]
    )
    Version.objects.bulk_create(
        [
            version_of(exchange, revision)
            for exchange, revision in zip(exchanges, revisions, strict=True)
        ],
        batch_size=500,
    )


def import_all_or_nothing(
    resource: Resource, dataset, *, dry_run: bool = False, **kwargs
) -> Result:
    """resource.import_data with every row in one transaction: any invalid row rolls the
    whole import back (partners and exchange activities alike)."""
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        **kwargs,
    )
