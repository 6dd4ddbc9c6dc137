from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from .models import City, Exchange

# Addresses per sitemap file: search engines read up to 50,000, and 5,000 (each with its
# hreflang alternates) keeps one file near 2 MB and quick to build.
SECTION_SIZE = 5_000


class I18nSitemap(Sitemap):
    """Every page in every language, with hreflang alternates; SECTION_SIZE per file."""

    limit = SECTION_SIZE
    i18n = True
    alternates = True
    x_default = True


class PageSitemap(I18nSitemap):
    """Home and the lists."""

    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["partners:home", "partners:city-list", "partners:exchange-list"]

    def location(self, item: str) -> str:
        return reverse(item)


class CitySitemap(I18nSitemap):
    changefreq = "monthly"

    def items(self) -> QuerySet[City]:
        return City.objects.published().order_by("slug")

    def lastmod(self, city: City):
        return city.updated_at


class ExchangeSitemap(I18nSitemap):
    changefreq = "yearly"

    def items(self) -> QuerySet[Exchange]:
        return Exchange.objects.published().order_by("pk")


SITEMAPS = {"pages": PageSitemap, "partners": CitySitemap, "exchanges": ExchangeSitemap}
