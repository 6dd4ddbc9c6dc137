"""Open data: the published partners and exchange activities as CSV, XLSX and JSON, and the
data dictionary."""

import datetime

import tablib
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from .models import AgreementDocument, City, Exchange, HomeCity, Photo
from .resources import FORMATS_BY_NAME, ExchangeResource, PartnerResource
from .resources.formats import NumericJSON
from .resources.values_export import export_values

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}

# (column, what it holds); shown in English and Korean side by side.
DATA_DICTIONARY = [
    ("slug", _("Stable identifier of the partner, used in its page address. Text.")),
    ("name_en", _("Name in English.")),
    ("name_ko", _("Name in Korean.")),
    ("aliases", _("Other spellings and former names, separated by semicolons.")),
    ("country", _("Country, as its ISO 3166-1 alpha-2 code (for example JP, US).")),
    (
        "kind",
        _("Current relationship: sister (sister city) or friendly (friendly cooperation city)."),
    ),
    ("status", _("Status of the current agreement: active, suspended or ended.")),
    ("signed_on", _("Signing date of the current agreement, YYYY-MM-DD.")),
    ("population", _("Population, a whole number.")),
    ("population_year", _("Year the population figure refers to, if known.")),
    ("area_km2", _("Land area in square kilometres, a decimal number.")),
    ("latitude", _("Latitude of the city centre in decimal degrees (south is negative).")),
    ("longitude", _("Longitude of the city centre in decimal degrees (west is negative).")),
    ("feature_en", _("One-line description in English.")),
    ("feature_ko", _("One-line description in Korean.")),
    ("website", _("Official website address.")),
    (
        "population_source",
        _("Where the population figure comes from: a short text or a web address, if known."),
    ),
    ("area_year", _("Year the land area refers to, if known.")),
    ("area_source", _("Where the land area comes from: a short text or a web address, if known.")),
    (
        "first_signed_on",
        _(
            "Only in the downloads: signing date of the first agreement of any kind in the "
            "unbroken relationship, YYYY-MM-DD; the partnership's age counts from it."
        ),
    ),
    (
        "kind_since",
        _(
            "Only in the downloads: date since which the partner has its current kind (a sister "
            "city upgraded from friendly cooperation: the upgrade), YYYY-MM-DD."
        ),
    ),
    (
        "photos",
        _(
            "JSON only: the partner's published photos, each with its alternative text and "
            "caption in both languages, credit, licence (and its address), and its image files "
            "(url, type, width and height in pixels)."
        ),
    ),
    (
        "documents",
        _(
            "JSON only: the public scans of its agreements, each with its title in both "
            "languages, language, size in bytes, signing date and download address."
        ),
    ),
]


def published_partners():
    return City.objects.published().select_related("country")


def data_last_changed() -> datetime.datetime | None:
    """When the published data last changed (aware datetime), None in an empty database.

    Over every partner and the admin's log, not just the published rows: unpublishing or
    deleting the latest-changed partner must move the date forward, never back, or a client
    holding the older file would be told it is still current (304). Pages show it as the
    data's "last updated" date.

    One statement of four MAX subqueries in plain SQL: every page's footer reads it, and as
    four ORM aggregates it cost about 2 ms of a 34-partner page, mostly compiling them.
    """
    quote = connection.ops.quote_name
    latest = [
        f"SELECT MAX({quote('updated_at')}) FROM {quote(model._meta.db_table)}"
        for model in (City, Photo, AgreementDocument)
    ]
    log, types = quote(LogEntry._meta.db_table), quote(ContentType._meta.db_table)
    latest.append(
        f"SELECT MAX({log}.{quote('action_time')}) FROM {log} INNER JOIN {types}"
        f" ON ({log}.{quote('content_type_id')} = {types}.{quote('id')})"
        f" WHERE {types}.{quote('app_label')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"({sql})" for sql in latest), ["partners"])
        row = cursor.fetchone()
    return max(filter(None, map(aware_datetime, row)), default=None)


def aware_datetime(value: datetime.datetime | str | None) -> datetime.datetime | None:
    """A timestamp as plain SQL returns it: SQLite's text in UTC, PostgreSQL's aware value."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value


@require_safe
def partners_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404
    dataset = export_values(PartnerResource(), published_partners())
    dataset.title = "partners"  # the XLSX's sheet, named as the file
    with_partnership_dates(dataset)
    if fmt == "json":
        content = NumericJSON.dump(
            {"metadata": metadata(request), "partners": with_media(request, dataset.dict)}
        )
    else:
        content = FORMATS_BY_NAME[fmt]().export_data(dataset)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="partners.{fmt}"'
    return response


def with_partnership_dates(dataset: tablib.Dataset) -> None:
    """Append first_signed_on and kind_since to the exported rows (blank without a current
    agreement): an upgraded partner's whole relationship is older than its signed_on."""
    dates = {
        slug: (first, since)
        for slug, first, since in published_partners().values_list(
            "slug", "relationship_since", "since"
        )
    }
    pairs = [dates.get(slug, (None, None)) for slug in dataset["slug"]]
    dataset.append_col([first if since else None for first, since in pairs], "first_signed_on")
    dataset.append_col([since for _, since in pairs], "kind_since")


def metadata(request: HttpRequest) -> dict:
    """The JSON download's description: publisher and whom to ask, last update, licence."""
    home = HomeCity.load()
    changed = data_last_changed()
    return {
        "title_en": home.title_en if home else "",
        "title_ko": home.title_ko if home else "",
        "publisher_en": home.office_en if home else "",
        "publisher_ko": home.office_ko if home else "",
        "contact_email": home.office_email if home else "",
        "contact_phone": home.office_phone if home else "",
        "contact_url": home.office_url if home else "",
        "last_updated": timezone.localdate(changed).isoformat() if changed else None,
        "licence_en": settings.PORTAL_DATA_LICENCE["name_en"],
        "licence_ko": settings.PORTAL_DATA_LICENCE["name_ko"],
        "licence_url": settings.PORTAL_DATA_LICENCE["url"],
        "dictionary_url": request.build_absolute_uri(reverse("partners:data-dictionary")),
    }


def with_media(request: HttpRequest, rows: list[dict]) -> list[dict]:
    """The partner rows with their published photos and public documents, absolute URLs."""
    photos: dict[str, list[dict]] = {row["slug"]: [] for row in rows}
    documents: dict[str, list[dict]] = {row["slug"]: [] for row in rows}
    for photo in Photo.objects.published().filter(city__is_published=True).select_related("city"):
        data = photo.as_open_data()
        for rendition in data["renditions"]:
            rendition["url"] = request.build_absolute_uri(rendition["url"])
        photos[photo.city.slug].append(data)
    public = AgreementDocument.objects.public().filter(city__is_published=True)
    for document in public.select_related("city", "agreement"):
        documents[document.city.slug].append(
            {
                "title_en": document.title_en,
                "title_ko": document.title_ko,
                "language": document.language,
                "size": document.size,
                "signed_on": document.agreement.signed_on,
                "url": request.build_absolute_uri(document.get_absolute_url()),
            }
        )
    return [
        row | {"photos": photos[row["slug"]], "documents": documents[row["slug"]]} for row in rows
    ]


# The exchange activities' columns (partners/resources/exchanges.py), for the same page.
EXCHANGE_DATA_DICTIONARY = [
    (
        "id",
        _(
            "Number of the activity, used in its page address; blank in a spreadsheet row "
            "that adds a new activity."
        ),
    ),
    (
        "partners",
        _("The partners involved, by their slug (see above), separated by semicolons."),
    ),
    (
        "field",
        _("Field: administration, economy, education, culture, sports, tourism, youth or other."),
    ),
    ("title_en", _("Title in English.")),
    ("title_ko", _("Title in Korean.")),
    ("started_on", _("First day, YYYY-MM-DD.")),
    ("ended_on", _("Last day, YYYY-MM-DD; blank for a one-day activity or when unknown.")),
    ("place_en", _("Place in English.")),
    ("place_ko", _("Place in Korean.")),
    ("summary_en", _("Summary in English.")),
    ("summary_ko", _("Summary in Korean.")),
    ("link", _("Address of a press release, report or programme page about it.")),
]
OPEN_EXCHANGE_COLUMNS = [column for column, _text in EXCHANGE_DATA_DICTIONARY]


@require_safe
def exchanges_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """Published activities with their published partners, the columns of the exchange
    spreadsheet without `is_published` (every row is published)."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    exchanges = Exchange.objects.published().order_by("-started_on", "-pk")
    dataset = export_values(
        ExchangeResource(published_partners_only=True), exchanges, OPEN_EXCHANGE_COLUMNS
    )
    dataset.title = "exchanges"
    if fmt == "json":
        content = NumericJSON.dump(dataset.dict)
    else:
        content = FORMATS_BY_NAME[fmt]().export_data(dataset)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="exchanges.{fmt}"'
    return response


LANGUAGE_NAMES = {"en": "English", "ko": "한국어"}


def dictionary_rows(dictionary: list, languages: list[str]) -> list[dict]:
    """[{"column", "texts": [(language code, language's name, description)]}]: each column of
    a download with its description in each of `languages`, in that order."""
    rows = []
    for column, description in dictionary:
        texts = []
        for language in languages:
            with translation.override(language):
                texts.append((language, LANGUAGE_NAMES[language], str(description)))
        rows.append({"column": column, "texts": texts})
    return rows


@require_safe
def data_dictionary(request: HttpRequest) -> HttpResponse:
    # The reader's language first, so a phone shows it without scrolling the table.
    languages = ["ko", "en"] if translation.get_language() == "ko" else ["en", "ko"]
    context = {
        "rows": dictionary_rows(DATA_DICTIONARY, languages),
        "exchange_rows": dictionary_rows(EXCHANGE_DATA_DICTIONARY, languages),
        "column_languages": [(code, LANGUAGE_NAMES[code]) for code in languages],
        "formats": list(CONTENT_TYPES),
    }
    return render(request, "partners/data_dictionary.html", context)
