"""Spreadsheet import and export for the partner admin (mixed into partners/admin.py)."""

from contextlib import suppress

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.forms import ImportForm, SelectableFieldsExportForm
from import_export.resources import ModelResource
from import_export.results import Result
from import_export.tmp_storages import TempFolderStorage

from .resources import EXPORT_FORMATS, IMPORT_FORMATS, ImportFileError, PartnerResource
from .validators import validate_import_file_size


class PartnerImportForm(ImportForm):
    """The library's form, with the import file size limit (PORTAL_MAX_IMPORT_FILE_BYTES)
    checked before the file is read."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["import_file"].validators.append(validate_import_file_size)


class LabelledExportForm(SelectableFieldsExportForm):
    """Field checkboxes named like the admin's own forms ("Land area (km²)"), in the staff
    member's language, with the file's column name after it; the library only title-cases
    the column name ("Area Km2"). The exported file keeps the column names as headers."""

    def _get_field_label(self, resource: type[ModelResource], field_name: str) -> str:
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
                return super()._get_field_label(resource, field_name)
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


class PreviewFileGone(Exception):
    """The confirm step names no readable preview file."""


class OneTimePreviewFile(TempFolderStorage):
    """The preview's temporary file, removed by the first confirm: a second confirm (double
    click, Back and resubmit) or a tampered file name finds none and is told so."""

    def read(self) -> str | bytes:
        try:
            return super().read()
        except (OSError, UnicodeDecodeError) as error:
            raise PreviewFileGone from error

    def remove(self) -> None:
        # Two confirms sent at once can both read the file; the later one finds it removed.
        with suppress(FileNotFoundError):
            super().remove()


class PartnerImportExportMixin(SpreadsheetFormatsMixin, ImportExportMixin):
    """Import with a preview that writes nothing, then confirm; export of the changelist."""

    resource_classes = [PartnerResource]
    export_file_stem = "partners"
    import_form_class = PartnerImportForm
    import_template_name = "admin/partners/import.html"
    tmp_storage_class = OneTimePreviewFile

    def get_import_formats(self) -> list:
        return IMPORT_FORMATS

    def has_import_permission(self, request: HttpRequest) -> bool:
        # Import creates and updates partners; the library's default lets viewers import.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_import_data_kwargs(self, **kwargs) -> dict:
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def add_data_read_fail_error_to_form(self, form, error: Exception) -> None:
        if isinstance(error, ImportFileError):
            form.add_error("import_file", str(error))
        else:
            form.add_error(
                "import_file",
                _("The file could not be read as a table. Save it as .csv or .xlsx."),
            )

    def process_import(self, request: HttpRequest, **kwargs) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        chosen = request.POST.get("format", "")
        try:
            if not chosen.isdigit() or int(chosen) >= len(self.get_import_formats()):
                raise PreviewFileGone
            return super().process_import(request, **kwargs)
        except PreviewFileGone:
            messages.error(
                request,
                _(
                    "This import was already confirmed, or its form was changed: the previewed "
                    "file is gone. Nothing more was imported; upload the file again if needed."
                ),
            )
            info = (self.opts.app_label, self.opts.model_name)
            return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*info)))

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


class BackupExportMixin(SpreadsheetFormatsMixin, ExportMixin):
    """Export only, for full-fidelity backups; set resource_classes on the admin."""
