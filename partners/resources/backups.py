"""Per-model exports for full-fidelity backups, keyed by natural keys instead of ids."""

from django.db.models import QuerySet
from import_export import fields, resources

from ..models import Agreement, Country, Exchange
from .widgets import DateWidget, TextWidget


class NaturalKeyWidget(TextWidget):
    """A related object written as its natural key: the city's slug, the country's code."""

    def __init__(self, attribute: str) -> None:
        super().__init__()
        self.attribute = attribute

    def render(self, value: object, obj: object = None, **kwargs) -> str:
        return getattr(value, self.attribute) if value is not None else ""


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
    city = fields.Field("city", "city", NaturalKeyWidget("slug"))
    kind = text("kind")
    signed_on = fields.Field("signed_on", "signed_on", DateWidget())
    status = text("status")
    ended_on = fields.Field("ended_on", "ended_on", DateWidget())
    notes = text("notes")

    class Meta:
        model = Agreement
        fields = ["city", "kind", "signed_on", "status", "ended_on", "notes"]
        export_order = fields

    def filter_export(self, queryset: QuerySet, **kwargs) -> QuerySet:
        return queryset.select_related("city")


class ExchangeResource(resources.ModelResource):
    city = fields.Field("city", "city", NaturalKeyWidget("slug"))
    started_on = fields.Field("started_on", "started_on", DateWidget())
    ended_on = fields.Field("ended_on", "ended_on", DateWidget())
    field = text("field")
    title_en = text("title_en")
    title_ko = text("title_ko")
    place = text("place")
    summary_en = text("summary_en")
    summary_ko = text("summary_ko")
    # DateWidget writes any value as it is: a real TRUE/FALSE cell in XLSX.
    is_published = fields.Field("is_published", "is_published", DateWidget())

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
