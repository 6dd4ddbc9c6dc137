"""Change history in the admin (django-reversion): who changed what, when, before and after."""

from collections.abc import Iterator
from contextlib import contextmanager

import reversion
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from reversion.admin import VersionAdmin
from reversion.models import Version

# Bookkeeping columns that change on every save and say nothing to staff.
IGNORED_FIELDS = {"id", "created_at", "updated_at"}


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
                    "changes": field_changes(self.model, previous, version),
                }
            )
            previous = version
        context = {"action_list": actions[::-1], **(extra_context or {})}
        return super().history_view(request, object_id, context)


@contextmanager
def import_revision(user: AbstractBaseUser | None, file_name: str | None) -> Iterator[None]:
    """Group everything an import writes into one revision, with who imported which file.

    A command-line import has no user unless given one (--user).
    """
    with reversion.create_revision():
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(
            _("Imported from %(file)s.") % {"file": file_name or _("a spreadsheet")}
        )
        yield
