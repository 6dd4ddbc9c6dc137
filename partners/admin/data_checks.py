"""Data-check warnings in the partner's change form (partners/checks): a warning blocks the
save until the staff member ticks "I checked these values"; the confirmation is recorded
(who, when, which check, which value) and written into the change history."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..checks import CheckContext, DataWarning, check_partner, confirm_warnings, unconfirmed
from ..checks.dates import signing_dates
from ..checks.places import swapped_beyond_range
from ..models import City, localized_name
from .edit_lock import OptimisticLockForm

CONFIRM_FIELD = "confirm_warnings"
# The form field a warning is shown beside (coordinates: latitude; density: population).
FIELDS_SHOWN = {"population", "area_km2", "latitude", "name_en", "name_ko"}


def confirm_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=_("I checked these values"),
        required=False,
        help_text=_("Tick to save values the data checks warn about; the check is recorded."),
    )


def ticked(form: forms.BaseForm | forms.BaseFormSet) -> bool:
    """Whether the page's "I checked these values" box is ticked (the partner form's field,
    read from the POST so that the agreements' formset sees it too)."""
    return form.data.get(CONFIRM_FIELD) in ("on", "true", "1", "True")


class DataCheckForm(OptimisticLockForm):
    """The partner form with the data checks; data_warnings holds what the save confirms."""

    confirm_warnings = confirm_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.data_warnings: list[DataWarning] = []
        self.stored = {field: self.initial.get(field) for field in ("population", "area_km2")}

    @property
    def changed_data(self) -> list[str]:
        # The box is no value of the partner: the history must not say it "changed".
        return [name for name in super().changed_data if name != CONFIRM_FIELD]

    def _post_clean(self) -> None:
        super()._post_clean()
        city = self.instance
        if swapped := swapped_beyond_range(city):  # beside the range rule's error
            self.add_error("latitude", swapped)
        if self.errors or city.country_id is None:
            return
        others = City.objects.exclude(pk=city.pk).values_list(
            "pk", localized_name("name"), "population", "area_km2"
        )
        context = CheckContext(others)
        warnings = [
            warning
            for warning in check_partner(city, context, previous=self.stored)
            if warning.field != "signed_on"  # the agreements' formset checks those
        ]
        self.data_warnings = unconfirmed(city.pk, warnings)
        if self.data_warnings and not ticked(self):
            for warning in self.data_warnings:
                field = warning.field if warning.field in FIELDS_SHOWN else None
                self.add_error(field, warning.message)
            self.add_error(
                CONFIRM_FIELD, _("Check the values warned about, then tick this box to save them.")
            )


class DataCheckAdminMixin:
    """For the partner admin: its form checks the partner, its agreement formset (which calls
    check_agreements) the signing dates; the save records what was confirmed."""

    form = DataCheckForm
    change_form_template = "admin/partners/city/change_form.html"

    def render_change_form(self, request: HttpRequest, context: dict, *args, **kwargs):
        form = context["adminform"].form
        formsets = [inline.formset for inline in context.get("inline_admin_formsets", [])]
        context["data_warnings"] = [
            *getattr(form, "data_warnings", []),
            *(w for formset in formsets for w in getattr(formset, "data_warnings", [])),
        ]
        return super().render_change_form(request, context, *args, **kwargs)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        form.confirmed_warnings = confirmed = [
            *form.data_warnings,
            *(w for formset in formsets for w in getattr(formset, "data_warnings", [])),
        ]
        if confirmed:
            confirm_warnings(form.instance, confirmed, request.user)

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        confirmed = getattr(form, "confirmed_warnings", [])
        if confirmed:
            message.append({"confirmed": [list(warning.key) for warning in confirmed]})
        return message


def check_agreements(formset: forms.BaseInlineFormSet) -> None:
    """The signing-date checks over every agreement the formset will keep, changed or not
    (the report lists an unconfirmed old date, and this form is where it is confirmed), but
    not one the form already refuses (ended before it was signed: no tick can save it);
    sets formset.data_warnings, or raises ValidationError while they are not confirmed."""
    dates = [
        (form.cleaned_data.get("signed_on"), form.cleaned_data.get("ended_on"))
        for form in formset.forms
        if form.cleaned_data and not form.errors and not formset._should_delete_form(form)
    ]
    warnings = [DataWarning(*found) for found in signing_dates(dates, timezone.localdate())]
    formset.data_warnings = unconfirmed(formset.instance.pk, warnings)
    if formset.data_warnings and not ticked(formset):
        raise ValidationError(
            [warning.message for warning in formset.data_warnings]
            + [_("Check these dates, then tick “I checked these values” to save them.")]
        )
