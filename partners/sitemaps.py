from collections.abc import Sequence

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max, QuerySet
from django.urls import reverse

from .models import City, Exchange

# Addresses per sitemap file: search engines read up to 50,000, and 5,000 (each with its
# hreflang alternates) keeps one file near 2 MB and quick to build.
SECTION_SIZE = 5_000


class ItemsInLanguages(Sequence):
    """The (item, language) pairs Django's i18n sitemap pages through, every item in every
    language in the same order as its own list, without building that list: the index
    counted a section's files by loading all its items (2.4 s at 100,000 activities); here
    its length is one COUNT and a file reads only its own slice of the items."""

    def __init__(self, items: QuerySet | list, languages: list[str]) -> None:
        self.items, self.languages = items, languages

    def __len__(self) -> int:
        count = self.items.count() if isinstance(self.items, QuerySet) else len(self.items)
        return count * len(self.languages)

    def __getitem__(self, index: int | slice) -> list[tuple] | tuple:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        # The paginator asks for [bottom:top] within the count it read: no second COUNT.
        start = index.start or 0
        stop = len(self) if index.stop is None else index.stop
        per_item = len(self.languages)
        first, last = start // per_item, -(-stop // per_item)
        pairs = [(item, language) for item in self.items[first:last] for language in self.languages]
        return pairs[start - first * per_item : stop - first * per_item]


class I18nSitemap(Sitemap):
    """Every page in every language, with hreflang alternates; SECTION_SIZE per file."""

    limit = SECTION_SIZE
    i18n = True
    alternates = True
    x_default = True

    @property
    def paginator(self) -> Paginator:
        return Paginator(ItemsInLanguages(self.items(), self._languages()), self.limit)

    def get_urls(self, page=1, site=None, protocol=None) -> list[dict]:
        """Django's entries, with x-default naming the default language's page (/ko/…), as
        each page's own head does. Django names the unprefixed address, which fits only
        prefix_default_language=False: here it is a redirect by Accept-Language, so search
        engines were given two x-defaults for one page, one of them a redirect."""
        urls = super().get_urls(page, site, protocol)
        for url in urls:
            by_language = {link["lang_code"]: link for link in url["alternates"]}
            if "x-default" in by_language:
                default = by_language[settings.LANGUAGE_CODE]["location"]
                by_language["x-default"]["location"] = default
        return urls


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

    def get_latest_lastmod(self):
        # The index's date for the section: the latest of its partners' lastmod, by one
        # aggregate instead of Django's walk over every partner.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class ExchangeSitemap(I18nSitemap):
    changefreq = "yearly"

    def items(self) -> QuerySet[Exchange]:
        return Exchange.objects.published().order_by("pk")


SITEMAPS = {"pages": PageSitemap, "partners": CitySitemap, "exchanges": ExchangeSitemap}
