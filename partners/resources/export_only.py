"""Admin exports of agreements, exchanges and countries, one file per model, keyed by natural
keys (a partner's slug) instead of database ids. They are for reading and keeping, not for
re-importing: nothing imports them, and the backup is `manage.py backup_data`."""

from django.db.models import QuerySet
from import_export import fields, resources
from import_export.widgets import BooleanWidget, DateWidget, ForeignKeyWidget

from ..models import Agreement, City, Country, Exchange
from .widgets import TextWidget

# Dates and booleans as native values: real date and TRUE/FALSE cells in XLSX, ISO dates
# and true/false in JSON, as the partner export writes them.
native_date = DateWidget(coerce_to_string=False)
native_boolean = BooleanWidget(coerce_to_string=False)
# The partner by its natural key; the library's natural-key mode writes it as a JSON list.
partner_slug = ForeignKeyWidget(City, "slug")


def text(name: str) -> fields.Field:
    return fields.Field(name, name, TextWidget())


class CountryResource(resources.ModelResource):
    iso_code = text("iso_code")
    name_en = text("name_en")
    name_ko = text("name_ko")
    continent = text("continent")

    class Meta:
        model = Country
        fields = ["iso_code", "name_en", "name_ko", "continent"]
        export_order = fields


class AgreementResource(resources.ModelResource):
    city = fields.Field("city", "city", partner_slug)
    kind = text("kind")
    signed_on = fields.Field("signed_on", "signed_on", native_date)
    status = text("status")
    ended_on = fields.Field("ended_on", "ended_on", native_date)
    notes = text("notes")

    class Meta:
        model = Agreement
        fields = ["city", "kind", "signed_on", "status", "ended_on", "notes"]
        export_order = fields

    def filter_export(self, queryset: QuerySet, **kwargs) -> QuerySet:
        return queryset.select_related("city")


class ExchangeResource(resources.ModelResource):
    city = fields.Field("city", "city", partner_slug)
    started_on = fields.Field("started_on", "started_on", native_date)
    ended_on = fields.Field("ended_on", "ended_on", native_date)
    field = text("field")
    title_en = text("title_en")
    title_ko = text("title_ko")
    place = text("place")
    summary_en = text("summary_en")
    summary_ko = text("summary_ko")
    is_published = fields.Field("is_published", "is_published", native_boolean)

    class Meta:
        model = Exchange
        fields = [
            "city",
            "field",
            "title_en",
            "title_ko",
            "started_on",
            "ended_on",
            "place",
            "summary_en",
            "summary_ko",
            "is_published",
        ]
        export_order = fields

    def filter_export(self, queryset: QuerySet, **kwargs) -> QuerySet:
        return queryset.select_related("city")
