"""Change history in the admin (django-reversion): who changed what, when, before and after."""

from collections.abc import Iterable

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reversion.admin import VersionAdmin
from reversion.models import Revision, Version

from .models import Agreement, AgreementDocument, City, Exchange, Photo

# Bookkeeping columns that change on every save and say nothing to staff.
IGNORED_FIELDS = {"id", "created_at", "updated_at"}
# What a partner's revision holds besides the partner (City's reversion `follow`): restoring
# it puts these back as they were and deletes those added since.
FOLLOWED_MODELS = (Agreement, Exchange, Photo, AgreementDocument)


def display_value(field: models.Field, value: object) -> str:
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else str(value)
    if isinstance(field, models.BooleanField):
        return "✔" if value else "✘"
    return str(value)


def field_changes(
    model: type[models.Model], before: Version | None, after: Version
) -> list[tuple[str, str, str]]:
    """(field label, value before, value after) for each field the version changed."""
    if before is None:
        return []
    old, new = before.field_dict, after.field_dict
    changes = []
    for field in model._meta.concrete_fields:
        if field.name in IGNORED_FIELDS:
            continue
        if old.get(field.attname) != new.get(field.attname):
            changes.append(
                (
                    str(field.verbose_name),
                    display_value(field, old.get(field.attname)),
                    display_value(field, new.get(field.attname)),
                )
            )
    return changes


def related_changes(version: Version) -> list[tuple[str, str, str]]:
    """Changes to the agreements, exchanges, photos and documents saved in the same revision as
    a partner, each against its own previous version, so the partner's history shows an
    upgrade's effects."""
    if version._model is not City:
        return []
    changes = []
    for other in version.revision.version_set.exclude(pk=version.pk).select_related("content_type"):
        model = other._model
        if model not in FOLLOWED_MODELS:
            continue
        before = (
            Version.objects.get_for_object_reference(model, other.object_id)
            .filter(pk__lt=other.pk)
            .first()
        )
        if before is None:
            changes.append((other.object_repr, "—", _("added")))
            continue
        changes += [
            (f"{other.object_repr} · {label}", old, new)
            for label, old, new in field_changes(model, before, other)
        ]
    return changes


class HistoryAdmin(VersionAdmin):
    """History with before/after values, revert to any version, and "Recover deleted"."""

    object_history_template = "admin/partners/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        opts = self.model._meta
        versions = Version.objects.get_for_object_reference(
            self.model, unquote(object_id)
        ).select_related("revision", "revision__user")
        actions, previous = [], None
        for version in versions.order_by("pk"):
            actions.append(
                {
                    "revision": version.revision,
                    "url": reverse(
                        f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_revision",
                        args=(quote(version.object_id), version.pk),
                    ),
                    "changes": field_changes(self.model, previous, version)
                    + related_changes(version),
                }
            )
            previous = version
        context = {"action_list": actions[::-1], **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def construct_change_message(self, request, form, formsets, add=False):
        """Django stores changed fields by their capitalised English labels ("Name (Korean)"),
        which are not msgids, so the history read in Korean showed them in English. Store the
        verbose names themselves, which the catalogue translates when the history is read."""
        message = super().construct_change_message(request, form, formsets, add)
        models_shown = [self.model, *(inline.model for inline in self.inlines)]
        with translation.override(None):
            verbose = {
                capfirst(str(field.verbose_name)): str(field.verbose_name)
                for model in models_shown
                for field in model._meta.get_fields()
                if hasattr(field, "verbose_name")
            }
        for entry in message:
            for detail in entry.values():
                if "fields" in detail:
                    detail["fields"] = [verbose.get(label, label) for label in detail["fields"]]
        return message

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        refusal = restore_refusal(request, version)
        if refusal:
            messages.error(request, refusal)
            opts = self.model._meta
            if Version.objects.get_for_object_reference(self.model, version.object_id).exists():
                args = (quote(version.object_id),)
                return redirect(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history", *args
                )
            return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
        return super()._reversion_revisionform_view(request, version, template_name, extra_context)


def restore_refusal(request, version: Version) -> str | None:
    """Why restoring this version may not go ahead for this user, or None when it may.

    Restoring a partner removes the agreements and exchanges added since (reversion reverts
    with delete=True): that is a delete, which only users allowed to delete may do. Restoring
    a replaced agreement as current would give its partner two current agreements.
    """
    model = version._model
    if model is City:
        city_id = int(version.object_id)
        kept = {
            (v._model, v.object_id)
            for v in version.revision.version_set.all()
            if v._model in FOLLOWED_MODELS
        }
        added_since = [
            obj
            for related in FOLLOWED_MODELS
            for obj in related.objects.filter(city_id=city_id)
            if (related, str(obj.pk)) not in kept
            and not request.user.has_perm(f"partners.delete_{related._meta.model_name}")
        ]
        if added_since:
            return _(
                "Restoring this version would delete what was added since: %(objects)s. Only "
                "an administrator may delete agreements and exchanges; end an agreement by "
                "setting its status to ended instead."
            ) % {"objects": ", ".join(str(obj) for obj in added_since)}
    if model is Agreement:
        stored = version.field_dict
        if stored["status"] != "ended" and (
            Agreement.objects.filter(city_id=stored["city_id"])
            .exclude(status="ended")
            .exclude(pk=version.object_id)
            .exists()
        ):
            return _(
                "This agreement has been replaced by a newer current agreement, so this version "
                "cannot be restored on its own. Restore the partner's version from its history "
                "instead."
            )
    return None


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
    city_pks: Iterable[int], user: AbstractBaseUser | None, file_name: str | None
) -> list[Revision]:
    """A revision per imported partner, with its agreements and exchanges as the admin records
    them, and who imported which file.

    One revision per partner, not one for the whole import: restoring a partner from its
    history must not also restore every other partner the same file touched. Written in bulk
    after the import instead of collected save by save, which keeps big imports fast. A
    command-line import has no user unless given one.
    """
    now = timezone.now()
    user = user if user is not None and user.is_authenticated else None
    comment = _("Imported from %(file)s.") % {"file": file_name or _("a spreadsheet")}
    pks = sorted(city_pks)
    revisions = []
    for start in range(0, len(pks), 500):
        batch = pks[start : start + 500]
        created = Revision.objects.bulk_create(
            [Revision(date_created=now, user=user, comment=comment) for _pk in batch]
        )
        revision_of = dict(zip(batch, created, strict=True))
        versions = [
            version_of(city, revision_of[city.pk]) for city in City.objects.filter(pk__in=batch)
        ]
        # Every followed record, as the admin saves them: a revision without the photos
        # would delete them when restored.
        for queryset in (
            Agreement.objects.filter(city_id__in=batch).select_related("city"),
            Exchange.objects.filter(city_id__in=batch),
            Photo.objects.filter(city_id__in=batch),
            AgreementDocument.objects.filter(city_id__in=batch),
        ):
            versions += [version_of(obj, revision_of[obj.city_id]) for obj in queryset]
        Version.objects.bulk_create(versions, batch_size=500)
        revisions += created
    return revisions
