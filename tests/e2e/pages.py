"""The public pages every browser check walks through, and small page helpers."""

import contextlib
from dataclasses import dataclass
from pathlib import Path

from django.urls import NoReverseMatch, reverse
from django.utils import translation

LANGUAGES = ("ko", "en")
WIDTHS = (360, 768, 1280)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@dataclass(frozen=True)
class PublicPage:
    name: str
    path: str
    status: int = 200


class Site:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def url(self, path: str) -> str:
        return self.base_url + path

    def public_pages(self, language: str) -> list[PublicPage]:
        """Home, list, a filtered list, a detail page, the 404 page, the data dictionary
        when the portal has one, and the exchange list, filtered and one activity when
        there are activities."""
        from partners.models import City, Exchange

        city = City.objects.published().order_by("slug").first()
        exchange = Exchange.objects.published().order_by("pk").first()
        with translation.override(language):
            city_list = reverse("partners:city-list")
            pages = [
                PublicPage("home", reverse("partners:home")),
                PublicPage("list", city_list),
                PublicPage("list-filtered", f"{city_list}?kind=sister&continent=europe"),
                PublicPage("detail", reverse("partners:city-detail", kwargs={"slug": city.slug})),
                PublicPage("not-found", f"/{language}/partners/no-such-partner/", status=404),
            ]
            with contextlib.suppress(NoReverseMatch):
                pages.append(PublicPage("data-dictionary", reverse("partners:data-dictionary")))
            if exchange is not None:
                exchanges = reverse("partners:exchange-list")
                pages += [
                    PublicPage("exchanges", exchanges),
                    PublicPage("exchanges-filtered", f"{exchanges}?field=youth&q=novosibirsk"),
                    PublicPage("exchange", exchange.get_absolute_url()),
                ]
        return pages
