"""Spreadsheet import and export for the partner admin (mixed into partners/admin.py)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.forms import ImportForm
from import_export.results import Result

from .resources import EXPORT_FORMATS, IMPORT_FORMATS, ImportFileError, PartnerResource
from .validators import validate_import_file_size


class PartnerImportForm(ImportForm):
    """The library's form, with the import file size limit (PORTAL_MAX_IMPORT_FILE_BYTES)
    checked before the file is read."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["import_file"].validators.append(validate_import_file_size)


class SpreadsheetFormatsMixin:
    def get_export_formats(self) -> list:
        return EXPORT_FORMATS


class PartnerImportExportMixin(SpreadsheetFormatsMixin, ImportExportMixin):
    """Import with a preview that writes nothing, then confirm; export of the changelist."""

    resource_classes = [PartnerResource]
    import_form_class = PartnerImportForm
    import_template_name = "admin/partners/import.html"

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
