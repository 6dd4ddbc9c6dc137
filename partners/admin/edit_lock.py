"""Optimistic locking: a form remembers the version it was loaded with and refuses to save
over a change made since (two staff members editing the same partner)."""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm

LOCK_FIELD = "loaded_version"

STALE_MESSAGE = _(
    "Someone else changed this record while you were editing it. Your changes have not "
    "been saved. Reload the page to see the current version, then make your changes again."
)


def version_token(instance: models.Model) -> str:
    """The lock token of a saved record: its updated_at timestamp, to the microsecond."""
    return instance.updated_at.isoformat() if instance.updated_at else ""


def current_version_token(model: type[models.Model], pk: object) -> str | None:
    """The token now in the database, locking the row until the transaction ends."""
    updated_at = (
        model._default_manager.select_for_update()
        .filter(pk=pk)
        .values_list("updated_at", flat=True)
        .first()
    )
    return updated_at.isoformat() if updated_at else None


class OptimisticLockForm(forms.ModelForm):
    """A model form (with updated_at) that refuses a stale save with a clear message."""

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[LOCK_FIELD].initial = version_token(self.instance)

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.pk is not None:
            current = current_version_token(type(self.instance), self.instance.pk)
            if current is not None and cleaned.get(LOCK_FIELD) != current:
                raise ValidationError(STALE_MESSAGE, code="stale")
        return cleaned


class OptimisticLockAdminMixin:
    """Use OptimisticLockForm in a ModelAdmin and keep its hidden field in the fieldsets.

    The admin's change view runs clean() and saves in one transaction, so the row lock
    taken in clean() holds until the save (on PostgreSQL; SQLite serialises writers).
    """

    form = OptimisticLockForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        name, options = fieldsets[0]
        if LOCK_FIELD not in options.get("fields", ()):
            options = {**options, "fields": [*options.get("fields", ()), LOCK_FIELD]}
            fieldsets[0] = (name, options)
        return fieldsets


STALE_IMPORT_MESSAGE = _(
    "Nothing was imported: someone changed %(partners)s after your preview. Upload the file "
    "again to see a fresh preview of what the import will change."
)


def version_tokens(model: type[models.Model]) -> dict[str, str]:
    """Every record's lock token, by primary key: one query over a few thousand rows at most."""
    return {
        str(pk): updated_at.isoformat()
        for pk, updated_at in model._default_manager.values_list("pk", "updated_at")
    }


def changed_since(model: type[models.Model], recorded: dict[str, str]) -> list[models.Model]:
    """The records whose token differs from the one recorded (or that are gone), row-locked."""
    current = {
        str(obj.pk): obj
        for obj in model._default_manager.select_for_update().filter(pk__in=list(recorded))
    }
    changed = [obj for pk, obj in current.items() if version_token(obj) != recorded[pk]]
    gone = [pk for pk in recorded if pk not in current]
    return changed + [model(pk=pk) for pk in gone]


class ConfirmImportLockForm(ConfirmImportForm):
    """The import confirm form, carrying the versions of the rows the preview matched."""

    row_versions = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_row_versions(self) -> dict[str, str]:
        try:
            value = json.loads(self.cleaned_data["row_versions"] or "{}")
        except ValueError:
            value = None
        if not isinstance(value, dict):
            raise ValidationError(_("The preview is damaged; upload the file again."))
        return value


class ImportPreviewLockMixin:
    """django-import-export admin mixin: refuse a confirm if a previewed row changed since.

    The preview records updated_at of every existing record it matched, as read *before* the
    preview ran, so an edit made while it runs is caught too; the confirm checks them, with the
    rows locked, in the same transaction as the import.
    """

    confirm_form_class = ConfirmImportLockForm

    def import_action(self, request: HttpRequest, **kwargs) -> HttpResponse:
        before = version_tokens(self.model) if request.method == "POST" else {}
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        confirm_form, result = context.get("confirm_form"), context.get("result")
        if confirm_form is not None and result is not None:
            matched = {
                str(row.object_id): before.get(str(row.object_id), "")
                for row in result.valid_rows()
                if row.object_id is not None and row.import_type != row.IMPORT_TYPE_NEW
            }
            confirm_form.initial["row_versions"] = json.dumps(matched)
        return response

    def process_import(self, request: HttpRequest, **kwargs) -> HttpResponse:
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            return super().process_import(request, **kwargs)
        with transaction.atomic():
            changed = changed_since(self.model, confirm_form.cleaned_data["row_versions"])
            if not changed:
                return super().process_import(request, **kwargs)
        names = ", ".join(str(obj) or f"#{obj.pk}" for obj in changed)
        messages.error(request, STALE_IMPORT_MESSAGE % {"partners": names})
        opts = self.model._meta
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_import")
