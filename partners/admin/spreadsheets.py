"""Spreadsheet import and export screens of the admin, and their forms."""

from django import forms
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.forms import ImportForm, SelectableFieldsExportForm
from import_export.resources import ModelResource
from import_export.results import Result

from ..models import Kind
from ..resources import EXPORT_FORMATS, IMPORT_FORMATS, ImportFileError, PartnerResource
from ..resources.partners import PREVIEW_ROWS
from ..validators import validate_import_file_size


def default_kind_field(widget: forms.Widget | None = None) -> forms.ChoiceField:
    """The kind for every row of a file without a kind column (a list of sister cities)."""
    return forms.ChoiceField(
        label=gettext_lazy("Relationship for every row"),
        choices=[("", gettext_lazy("From the file's kind column"))] + Kind.choices,
        required=False,
        widget=widget,
        help_text=gettext_lazy(
            "For a file without a kind column, such as a list of sister cities only."
        ),
    )


class PartnerImportForm(ImportForm):
    """The library's form, with the import file size limit (PORTAL_MAX_IMPORT_FILE_BYTES)
    checked before the file is read, and the kind for a file without a kind column."""

    kind = default_kind_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["import_file"].validators.append(validate_import_file_size)


class DefaultKindConfirmForm(forms.Form):
    """Carries the chosen kind from the preview to the import; mixed into whichever confirm
    form the admin uses (the edit lock has its own, edit_lock.py)."""

    kind = default_kind_field(forms.HiddenInput())


class LabelledExportForm(SelectableFieldsExportForm):
    """Field checkboxes named like the admin's own forms ("Land area (km²)"), in the staff
    member's language, with the file's column name after it; the library only title-cases
    the column name ("Area Km2"). The exported file keeps the column names as headers."""

    def __init__(self, formats, resources, **kwargs) -> None:
        super().__init__(formats, resources, **kwargs)
        for resource in resources:
            for field_name in resource().get_export_order():
                label = field_label(resource, field_name)
                if label:
                    self.fields[self.create_boolean_field_name(resource, field_name)].label = label


def field_label(resource: type[ModelResource], field_name: str) -> str | None:
    """The model field's verbose name and the column name, or None for a column that is
    no model field (the library's label stays)."""
    field = resource.fields.get(field_name)
    column = field.column_name if field else field_name
    # A resource can name the model field explaining a column that is not its own
    # (the partner file's kind/status/signed_on come from the current agreement).
    model_field = getattr(resource, "label_fields", {}).get(field_name)
    if model_field is None:
        try:
            model_field = resource._meta.model._meta.get_field(
                (field.attribute if field else None) or field_name
            )
        except FieldDoesNotExist:
            return None
    return f"{capfirst(model_field.verbose_name)} ({column})"


class SpreadsheetFormatsMixin:
    export_form_class = LabelledExportForm
    # The export file is <stem>-<date>.<ext>: the library names it after the model class
    # (City-…) and takes the UTC date, which is yesterday's in Seoul before 9 a.m.
    export_file_stem = ""

    def get_export_formats(self) -> list:
        return EXPORT_FORMATS

    def get_export_filename(self, request: HttpRequest, queryset, file_format) -> str:
        stem = self.export_file_stem or self.opts.model_name
        return f"{stem}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"


class PartnerImportExportMixin(SpreadsheetFormatsMixin, ImportExportMixin):
    """Import with a preview that writes nothing, then confirm; export of the changelist."""

    resource_classes = [PartnerResource]
    export_file_stem = "partners"
    import_form_class = PartnerImportForm
    import_template_name = "admin/partners/import.html"

    def get_import_formats(self) -> list:
        return IMPORT_FORMATS

    def get_import_context_data(self, **kwargs) -> dict:
        return super().get_import_context_data(**kwargs) | {"preview_rows": PREVIEW_ROWS}

    def has_import_permission(self, request: HttpRequest) -> bool:
        # Import creates and updates partners; the library's default lets viewers import.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_import_data_kwargs(self, **kwargs) -> dict:
        form = kwargs.get("form")
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        kwargs["rollback_on_validation_errors"] = True
        kwargs["default_kind"] = getattr(form, "cleaned_data", {}).get("kind") or None
        return kwargs

    def get_confirm_form_class(self, request: HttpRequest) -> type[forms.Form]:
        base = super().get_confirm_form_class(request)
        return type(base.__name__, (DefaultKindConfirmForm, base), {})

    def get_confirm_form_initial(self, request: HttpRequest, import_form) -> dict:
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["kind"] = import_form.cleaned_data.get("kind", "")
        return initial

    def add_data_read_fail_error_to_form(self, form, error: Exception) -> None:
        if isinstance(error, ImportFileError):
            form.add_error("import_file", str(error))
        else:
            form.add_error(
                "import_file",
                _("The file could not be read as a table. Save it as .csv or .xlsx."),
            )

    def process_result(self, result: Result, request: HttpRequest) -> HttpResponse:
        # The confirm step imports again; if the data changed since the preview and a row
        # is now wrong, nothing was written (rolled back) and staff see why.
        report = getattr(result, "report", [])
        if not report:
            return super().process_result(result, request)
        for line in report:
            messages.error(request, line)
        messages.error(request, _("Nothing was imported."))
        info = (self.opts.app_label, self.opts.model_name)
        return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*info)))


class ExportOnlyMixin(SpreadsheetFormatsMixin, ExportMixin):
    """Export only (partners/resources/export_only.py); set resource_classes on the admin."""
