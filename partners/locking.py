"""Optimistic locking: a form remembers the version it was loaded with and refuses to save
over a change made since (two staff members editing the same partner)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

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
