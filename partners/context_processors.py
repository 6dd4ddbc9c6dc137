from django.http import HttpRequest

from .models import HomeCity


def load_home_city(request: HttpRequest) -> HomeCity | None:
    """The home city, read once per request however many views and templates ask."""
    if not hasattr(request, "_home_city"):
        request._home_city = HomeCity.load()
    return request._home_city


def home_city(request: HttpRequest) -> dict:
    return {"home_city": load_home_city(request)}
