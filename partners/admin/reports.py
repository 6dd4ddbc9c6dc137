"""What the admin's reports (a proxy model's list computed for reading) share."""

from django.http import HttpRequest


class ReadOnlyReportMixin:
    """A report seen by whoever holds report_permission; nothing in it is added, changed or
    deleted through the report itself."""

    report_permission = "partners.view_city"

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.has_perm(self.report_permission)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
