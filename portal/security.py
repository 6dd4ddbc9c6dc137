from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

ADMIN_PREFIX = "/admin/"

# The Django admin itself needs no relaxation (5.2 has no inline scripts or styles), but
# django-import-export colours its import preview diff and lays out its export form with
# style="..." attributes. Style attributes cannot run script, so the admin alone may use them.
# Its export form's "Select all" box has one inline handler, onchange="onSelectToggleChange(event)":
# the admin allows that exact handler by its hash and no other; script-src stays 'self'.
ADMIN_RELAXATION = {
    "style-src-attr": ["'unsafe-inline'"],
    "script-src-attr": ["'unsafe-hashes'", "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='"],
}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's one relaxation scoped to /admin/."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(ADMIN_PREFIX):
            parts.update = {**(parts.update or {}), **ADMIN_RELAXATION}
        return parts


def lockout_response(
    request: HttpRequest, original_response: HttpResponseBase | None, credentials: dict | None
) -> HttpResponse:
    """django-axes lockout page, saying the cool-off in whole minutes."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    # The admin's own context gives the page the portal's admin title and header.
    context = admin.site.each_context(request) | {"minutes": minutes}
    return render(request, "axes/lockout.html", context, status=429)
