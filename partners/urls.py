from django.urls import path

from . import views, views_data

app_name = "partners"

urlpatterns = [
    path("", views.home, name="home"),
    path("partners/", views.city_list, name="city-list"),
    path("partners/<slug:slug>/", views.CityDetailView.as_view(), name="city-detail"),
    path("data/", views_data.data_dictionary, name="data-dictionary"),
]
