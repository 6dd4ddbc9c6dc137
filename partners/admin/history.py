"""Change history in the admin (django-reversion): who changed what, when, before and after."""

from decimal import Decimal

import reversion
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reversion.admin import VersionAdmin
from reversion.models import Revision, Version

from .. import revision_comments
from ..models import Agreement, AgreementDocument, City, Photo
from ..resources.report import preview_value

# Bookkeeping columns that change on every save and say nothing to staff.
IGNORED_FIELDS = {"id", "created_at", "updated_at"}
# What a partner's revision holds besides the partner (City's reversion `follow`): restoring
# it puts these back as they were and deletes those added since.
FOLLOWED_MODELS = (Agreement, Photo, AgreementDocument)


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
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        # Stored as text in the version; grouped as the import preview shows numbers.
        return preview_value(Decimal(str(value)), field.name)
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
    """Changes to the agreements, photos and documents saved in the same revision as
    a partner, each against its own previous version, so the partner's history shows an
    upgrade's effects."""
    if version.content_type.model_class() is not City:
        return []
    changes = []
    for other in version.revision.version_set.exclude(pk=version.pk).select_related("content_type"):
        model = other.content_type.model_class()
        if model not in FOLLOWED_MODELS:
            continue
        before = (
            Version.objects.get_for_object_reference(model, other.object_id)
            .filter(pk__lt=other.pk)
            .first()
        )
        # Named from the stored fields in the reader's language; object_repr is the writer's.
        name = str(other._object_version.object)
        if before is None:
            changes.append((name, "—", _("added")))
            continue
        changes += [
            (f"{name} · {label}", old, new)
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
                    "comment": revision_comments.describe(version.revision),
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
        # An inline record's name ("Kharkiv – sister city (2024-05-01)") is stored in words;
        # keep it in both languages so the history reads in its reader's (revision_comments).
        objects = [
            obj
            for formset in formsets
            for obj in (
                *formset.new_objects,
                *(changed for changed, _fields in formset.changed_objects),
                *formset.deleted_objects,
            )
        ]
        details = [detail for entry in message for detail in entry.values() if "object" in detail]
        for detail, obj in zip(details, objects, strict=False):
            names = {}
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    names[language] = str(obj)
            detail["object_names"] = names
        return message

    def log_addition(self, request, obj, message):
        # The library stores the message worded in the writer's language; store its data.
        entry = super().log_addition(request, obj, message)
        if reversion.is_active():
            reversion.set_comment(entry.change_message or revision_comments.INITIAL)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if reversion.is_active():
            reversion.set_comment(entry.change_message)
        return entry

    def revision_view(self, request, object_id, version_id, extra_context=None):
        version = get_object_or_404(Version, pk=version_id, object_id=unquote(object_id))
        refused = self.refuse_restore(request, version)
        if refused:
            return refused
        response = super().revision_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            # The library words its comment in the restorer's language; store it as data.
            latest = Version.objects.get_for_object_reference(self.model, version.object_id)
            Revision.objects.filter(pk=latest.values("revision_id")[:1]).exclude(
                pk=version.revision_id
            ).update(comment=revision_comments.reverted(version.revision.date_created))
        return response

    def recover_view(self, request, version_id, extra_context=None):
        # Without add permission the library answers 403 before anything else.
        if self.has_add_permission(request):
            refused = self.refuse_restore(request, get_object_or_404(Version, pk=version_id))
            if refused:
                return refused
        return super().recover_view(request, version_id, extra_context)

    def refuse_restore(self, request, version: Version) -> HttpResponse | None:
        """A redirect with the reason when restoring this version may not go ahead."""
        refusal = restore_refusal(request, version)
        if not refusal:
            return None
        messages.error(request, refusal)
        opts = self.model._meta
        if Version.objects.get_for_object_reference(self.model, version.object_id).exists():
            args = (quote(version.object_id),)
            return redirect(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history", *args
            )
        return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")


def restore_refusal(request, version: Version) -> str | None:
    """Why restoring this version may not go ahead for this user, or None when it may.

    Restoring a partner removes the agreements, photos and documents added since (reversion reverts
    with delete=True): that is a delete, which only users allowed to delete may do. Restoring
    a replaced agreement as current would give its partner two current agreements.
    """
    model = version.content_type.model_class()
    if model is City:
        city_id = int(version.object_id)
        kept = {
            (v.content_type.model_class(), v.object_id)
            for v in version.revision.version_set.select_related("content_type")
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
        restored = Agreement(**version.field_dict)
        try:
            restored.validate_succession(restored.other_current(), restoring=True)
        except ValidationError as error:
            return " ".join(error.messages)
    return None
