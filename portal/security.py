import ipaddress

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


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address for login throttling (AXES_CLIENT_IP_CALLABLE).

    With PORTAL_TRUSTED_PROXY_COUNT = n > 0, each of the n proxies appended the address it
    saw to X-Forwarded-For, so the client is the n-th entry from the right; what a client
    writes into the header itself stays to the left and is ignored. A request with fewer
    entries did not come through the proxies and is keyed on its connection's address.
    Hand-written: django-ipware 8, which axes would use, answers None or the proxy's own
    address for nginx's one-entry header, and the client's claimed address when lenient.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.PORTAL_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote
