from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from .models import City


class PageSitemap(Sitemap):
    """Home and list, in every language with hreflang alternates."""

    i18n = True
    alternates = True
    x_default = True
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["partners:home", "partners:city-list"]

    def location(self, item: str) -> str:
        return reverse(item)


class CitySitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True
    changefreq = "monthly"

    def items(self) -> QuerySet[City]:
        return City.objects.published().order_by("slug")

    def lastmod(self, city: City):
        return city.updated_at


SITEMAPS = {"pages": PageSitemap, "partners": CitySitemap}
