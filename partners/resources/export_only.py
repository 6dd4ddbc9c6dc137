"""Admin exports of agreements, countries and the dormant partnerships report, one file per
model, keyed by natural keys (a partner's slug) instead of database ids. They are for reading
and keeping, not for re-importing: the backup is `manage.py backup_data`."""

from django.db.models import QuerySet
from django.utils import timezone
from import_export import fields, resources
from import_export.widgets import (
    BooleanWidget,
    DateWidget,
    ForeignKeyWidget,
    IntegerWidget,
)

from ..models import Agreement, City, Country, whole_years_between
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


class DormantPartnerResource(resources.ModelResource):
    """The dormant partnerships report as the admin lists it (needs
    with_last_exchange() on the queryset)."""

    slug = text("slug")
    name_en = text("name_en")
    name_ko = text("name_ko")
    country = fields.Field("country", "country", ForeignKeyWidget(Country, "iso_code"))
    kind = fields.Field("current_kind", "kind", TextWidget())
    signed_on = fields.Field("current_signed_on", "signed_on", native_date)
    last_exchange_on = fields.Field("last_exchange_on", "last_exchange_on", native_date)
    last_exchange_field = fields.Field("last_exchange_field", "last_exchange_field", TextWidget())
    years_since_last_exchange = fields.Field(
        column_name="years_since_last_exchange", widget=IntegerWidget(coerce_to_string=False)
    )

    class Meta:
        model = City
        fields = [
            "slug",
            "name_en",
            "name_ko",
            "country",
            "kind",
            "signed_on",
            "last_exchange_on",
            "last_exchange_field",
            "years_since_last_exchange",
        ]
        export_order = fields

    def dehydrate_years_since_last_exchange(self, city: City) -> int | None:
        if city.last_exchange_on is None:
            return None
        return whole_years_between(city.last_exchange_on, timezone.localdate())
