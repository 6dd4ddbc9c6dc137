from django.urls import path

from . import views, views_data, views_exchanges

app_name = "partners"

urlpatterns = [
    path("", views.home, name="home"),
    path("partners/", views.city_list, name="city-list"),
    path("partners/<slug:slug>/", views.CityDetailView.as_view(), name="city-detail"),
    path("exchanges/", views_exchanges.exchange_list, name="exchange-list"),
    path("exchanges/<int:pk>/", views_exchanges.exchange_detail, name="exchange-detail"),
    path("data/", views_data.data_dictionary, name="data-dictionary"),
]
