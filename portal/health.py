from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    """Answer the liveness check before the host check and without touching the database.

    A load balancer probes each backend by its own address over plain HTTP, so the probe's
    Host is not in ALLOWED_HOSTS; SECURE_REDIRECT_EXEMPT keeps it off the HTTPS redirect.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH:
            return HttpResponse("ok", content_type="text/plain")
        return self.get_response(request)
