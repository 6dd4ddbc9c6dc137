"""Spreadsheet import and export screens of the admin, and their forms."""

from contextlib import suppress
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
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
from import_export.tmp_storages import CacheStorage, TempFolderStorage

from ..models import Kind
from ..resources import (
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    ExchangeResource,
    ImportFileError,
    PartnerResource,
)
from ..resources.partners import PREVIEW_ROWS
from ..validators import validate_import_file_size
from .edit_lock import ImportPreviewLockMixin


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


class SizeLimitedImportForm(ImportForm):
    """The library's form, with the import file size limit (PORTAL_MAX_IMPORT_FILE_BYTES)
    checked before the file is read."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["import_file"].validators.append(validate_import_file_size)


class PartnerImportForm(SizeLimitedImportForm):
    """With the kind for a file without a kind column."""

    kind = default_kind_field()


class DefaultKindConfirmForm(forms.Form):
    """Carries the chosen kind from the preview to the import; mixed into whichever confirm
    form the admin uses (the edit lock has its own, edit_lock.py)."""

    kind = default_kind_field(forms.HiddenInput())


class ConfirmWarningsForm(forms.Form):
    """The import confirm's "I checked these values" box, shown when the preview found
    data-check warnings (partners/resources/data_checks.py)."""

    confirm_warnings = forms.BooleanField(
        label=gettext_lazy("I checked the values the data checks warn about (listed below)"),
        required=False,
        help_text=gettext_lazy(
            "Without this box ticked, an import with warnings writes nothing. Your "
            "confirmation is recorded, and the same values will not be questioned again."
        ),
    )


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


# The previews a session was shown (temporary file name -> the confirm form's fields), so that
# a confirm imports only a file this session previewed, with the fields it was shown.
PREVIEWS_SESSION_KEY = "partner_import_previews"
MAX_PREVIEWS = 5


class PreviewFileGone(Exception):
    """The confirm step names no readable preview file."""


class OneTimePreviewFile(TempFolderStorage):
    """The preview's temporary file, removed by the first confirm: a second confirm (double
    click, Back and resubmit) or a tampered file name finds none and is told so."""

    def exists(self) -> bool:
        return bool(self.name) and Path(self.get_full_path()).is_file()

    def read(self) -> str | bytes:
        try:
            return super().read()
        except (OSError, UnicodeDecodeError) as error:
            raise PreviewFileGone from error

    def remove(self) -> None:
        # Two confirms sent at once can both read the file; the later one finds it removed.
        with suppress(FileNotFoundError):
            super().remove()


class SharedOneTimePreviewFile(CacheStorage):
    """The same in the shared cache (REDIS_URL), so that a confirm reaches any app server."""

    def exists(self) -> bool:
        return bool(self.name) and cache.get(self.CACHE_PREFIX + self.name) is not None

    def read(self) -> str | bytes:
        data = super().read()
        if data is None:
            raise PreviewFileGone
        return data


class SpreadsheetImportMixin(SpreadsheetFormatsMixin):
    """Import with a preview that writes nothing, then confirm; export of the changelist.
    Put before ImportExportMixin in an admin's bases; set resource_classes and
    export_file_stem.

    A confirm is checked in this order: its preview file must still be there (a second
    confirm finds it gone, a tampered form finds none), then whatever mixin stands between
    this one and ImportExportMixin (the partners' ImportPreviewLockMixin: the previewed rows
    must be unchanged since), then the library imports the file.
    """

    import_form_class = SizeLimitedImportForm
    import_template_name = "admin/partners/import.html"

    def get_tmp_storage_class(self) -> type:
        # One server's temporary folder is out of another's reach; a cache shared by all
        # of them is configured exactly when REDIS_URL is set.
        return SharedOneTimePreviewFile if settings.PORTAL_SHARED_CACHE else OneTimePreviewFile

    def get_import_formats(self) -> list:
        return IMPORT_FORMATS

    def get_import_context_data(self, **kwargs) -> dict:
        return super().get_import_context_data(**kwargs) | {"preview_rows": PREVIEW_ROWS}

    def has_import_permission(self, request: HttpRequest) -> bool:
        # Import creates and updates records; the library's default lets viewers import.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def get_import_data_kwargs(self, **kwargs) -> dict:
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def import_action(self, request: HttpRequest, **kwargs) -> HttpResponse:
        response = super().import_action(request, **kwargs)
        confirm_form = (getattr(response, "context_data", None) or {}).get("confirm_form")
        if confirm_form is not None:
            # The confirm form comes back from the browser: remember what this session was
            # shown, so a confirm can only import a file this session previewed, as previewed.
            shown = {
                key: "" if value is None else str(value)
                for key, value in confirm_form.initial.items()
                if key in confirm_form.fields
            }
            previews = request.session.get(PREVIEWS_SESSION_KEY, {})
            previews[shown["import_file_name"]] = shown
            request.session[PREVIEWS_SESSION_KEY] = dict(list(previews.items())[-MAX_PREVIEWS:])
        return response

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
        try:
            self.check_preview_file(request)
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

    def check_preview_file(self, request: HttpRequest) -> None:
        """Raise PreviewFileGone unless the confirm names a format and a preview file that are
        there, and that this session previewed with these very fields (file name, original
        name, row versions, kind); each preview can be confirmed once. Checked before the
        preview lock, so a second confirm of an update is told it was already confirmed rather
        than that its partners changed (by the first)."""
        chosen = request.POST.get("format", "")
        if not chosen.isdigit() or int(chosen) >= len(self.get_import_formats()):
            raise PreviewFileGone
        previews = request.session.get(PREVIEWS_SESSION_KEY, {})
        shown = previews.pop(request.POST.get("import_file_name", ""), None)
        request.session[PREVIEWS_SESSION_KEY] = previews
        if shown is None or any(request.POST.get(key, "") != value for key, value in shown.items()):
            raise PreviewFileGone
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            return  # the library shows the form's errors
        preview = self.get_tmp_storage_class()(
            name=confirm_form.cleaned_data["import_file_name"],
            **self.get_tmp_storage_class_kwargs(),
        )
        if not preview.exists():
            raise PreviewFileGone

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


class PartnerImportExportMixin(SpreadsheetImportMixin, ImportPreviewLockMixin, ImportExportMixin):
    """The partner file, with the kind for a file without a kind column."""

    resource_classes = [PartnerResource]
    export_file_stem = "partners"
    import_form_class = PartnerImportForm

    def get_import_data_kwargs(self, **kwargs) -> dict:
        form = kwargs.get("form")
        kwargs = super().get_import_data_kwargs(**kwargs)
        cleaned = getattr(form, "cleaned_data", {})
        kwargs["default_kind"] = cleaned.get("kind") or None
        kwargs["confirm_warnings"] = bool(cleaned.get("confirm_warnings"))
        return kwargs

    def get_confirm_form_class(self, request: HttpRequest) -> type[forms.Form]:
        base = super().get_confirm_form_class(request)
        return type(base.__name__, (DefaultKindConfirmForm, ConfirmWarningsForm, base), {})

    def import_action(self, request: HttpRequest, **kwargs) -> HttpResponse:
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        confirm_form, result = context.get("confirm_form"), context.get("result")
        if confirm_form is not None and not getattr(result, "data_warnings", None):
            del confirm_form.fields["confirm_warnings"]  # nothing to confirm
        return response

    def get_confirm_form_initial(self, request: HttpRequest, import_form) -> dict:
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["kind"] = import_form.cleaned_data.get("kind", "")
        return initial


class ExchangeImportExportMixin(SpreadsheetImportMixin, ImportExportMixin):
    """The exchange activities' file (partners/resources/exchanges.py)."""

    resource_classes = [ExchangeResource]
    export_file_stem = "exchanges"
    import_template_name = "admin/partners/exchange_import.html"


class ExportOnlyMixin(SpreadsheetFormatsMixin, ExportMixin):
    """Export only (partners/resources/export_only.py); set resource_classes on the admin."""
