from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.views.generic import DetailView, ListView

from .models import City


def language_redirect(request: HttpRequest) -> HttpResponseRedirect:
    language = translation.get_language_from_request(request)
    return HttpResponseRedirect(f"/{language}/")


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/home.html", {})


class CityListView(ListView):
    queryset = City.objects.published().with_current_agreement()
    paginate_by = 20


class CityDetailView(DetailView):
    queryset = City.objects.published().with_current_agreement()
