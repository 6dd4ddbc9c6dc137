from django.http import HttpRequest

from .models import HomeCity


def home_city(request: HttpRequest) -> dict:
    return {"home_city": HomeCity.load()}
