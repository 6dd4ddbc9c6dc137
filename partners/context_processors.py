import datetime
import functools

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import HomeCity, Photo, localized_name
from .models.compiled import first_of


def load_home_city(request: HttpRequest) -> HomeCity | None:
    """The home city, read once per request however many views and templates ask."""
    if not hasattr(request, "_home_city"):
        request._home_city = HomeCity.load()
    return request._home_city


def load_home_city_photo(request: HttpRequest) -> Photo | None:
    """The home city's first published photo, read once per request: the home page shows it
    and every page's link preview names it."""
    if not hasattr(request, "_home_city_photo"):
        request._home_city_photo = first_of(
            Photo, "home-city-photo", lambda: Photo.objects.published().of_home_city()
        )
    return request._home_city_photo


def licence() -> dict[str, str]:
    """The open-data licence of settings.PORTAL_DATA_LICENCE: name in the active language, url."""
    setting = settings.PORTAL_DATA_LICENCE
    return {"name": localized_from(setting, "name"), "url": setting["url"]}


def localized_from(values: dict[str, str], field: str) -> str:
    first = localized_name(field)
    return values.get(first) or values[f"{field}_en" if first.endswith("_ko") else f"{field}_ko"]


def site_name(home: HomeCity | None) -> str:
    """The portal's name in the active language, e.g. "Daejeon Partner Cities"."""
    if home is None:
        return _("Partner Cities")
    return _("%(city)s Partner Cities") % {"city": home.name}


def home_city(request: HttpRequest) -> dict:
    """What every page's head, header and footer show: the home city with its responsible
    office and photo (for link previews), the data's last-updated date and its licence; the
    callables are read only when a template shows them."""
    from .views_data import data_last_changed

    # A callable: the template engine calls it only where a page shows the date.
    @functools.cache
    def last_updated() -> datetime.date | None:
        changed = data_last_changed()
        return timezone.localdate(changed) if changed else None

    def home_city_photo() -> Photo | None:
        return load_home_city_photo(request)

    home = load_home_city(request)
    return {
        "home_city": home,
        # Once per page: each page writes it four to six times (title, header, link previews,
        # footer), and a {% blocktranslate %} each time cost ~30 µs.
        "site_name": site_name(home),
        "home_city_photo": home_city_photo,
        "data_updated": last_updated,
        "data_licence": licence(),
    }
