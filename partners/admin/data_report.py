"""The admin's report of open data-check warnings across partners (partners/checks): one
row per warning, filterable by check, exportable as CSV or XLSX, each row linking to the
partner's change form, where the warning is corrected or confirmed."""

import tablib
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import capfirst

from ..checks import CHECKS, open_warnings
from ..models import DataWarningReport
from ..resources import FORMATS_BY_NAME, PartnerResource
from ..views_data import CONTENT_TYPES
from .reports import ReadOnlyReportMixin
from .spreadsheets import field_label

EXPORT_FORMATS = ("csv", "xlsx")


@admin.register(DataWarningReport)
class DataWarningReportAdmin(ReadOnlyReportMixin, admin.ModelAdmin):
    # The report is for whoever can correct or confirm a warning.
    report_permission = "partners.change_city"

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        everything = open_warnings()
        check = request.GET.get("check")
        check = check if check in CHECKS else None
        shown = [(city, w) for city, w in everything if check is None or w.check == check]
        export = request.GET.get("format")
        if export in EXPORT_FORMATS:
            return self.export(shown, export)
        counts = dict.fromkeys(CHECKS, 0)
        for _city, warning in everything:
            counts[warning.check] += 1
        filters = [
            {"code": code, "label": label, "count": counts[code], "selected": code == check}
            for code, label in CHECKS.items()
        ]
        query = {"check": check} if check else {}
        context = {
            **self.admin_site.each_context(request),
            **(extra_context or {}),
            "opts": self.opts,
            "title": capfirst(self.opts.verbose_name_plural),
            "rows": [
                (
                    city,
                    warning,
                    reverse("admin:partners_city_change", args=[city.pk]),
                    field_label(PartnerResource, warning.field) or warning.field,
                )
                for city, warning in shown
            ],
            "filters": filters,
            "total": len(everything),
            "check": check,
            "export_links": [
                (fmt.upper(), "?" + urlencode({**query, "format": fmt})) for fmt in EXPORT_FORMATS
            ],
        }
        return TemplateResponse(request, "admin/partners/datawarningreport/report.html", context)

    @staticmethod
    def export(rows: list, fmt: str) -> HttpResponse:
        dataset = tablib.Dataset(
            headers=["slug", "name_en", "name_ko", "check", "field", "value", "message"],
            title="data-warnings",
        )
        for city, warning in rows:
            dataset.append(
                [city.slug, city.name_en, city.name_ko, warning.check, warning.field,
                 warning.value, warning.message]
            )  # fmt: skip
        content = FORMATS_BY_NAME[fmt]().export_data(dataset)
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        name = f"data-warnings-{timezone.localdate():%Y-%m-%d}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
