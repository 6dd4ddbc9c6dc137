"""Exchange activities in the admin, and the dormant partnerships report."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import (
    City,
    Continent,
    DormantPartner,
    Exchange,
    ExchangeDate,
    Field,
    Kind,
    whole_years_between,
)
from ..models.exchanges import last_started_on
from ..resources import DormantPartnerResource
from .history import HistoryAdmin
from .partners import KindFilter
from .reports import ReadOnlyReportMixin
from .spreadsheets import ExchangeImportExportMixin, ExportOnlyMixin


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        years = (
            # The stored year (models/derived.py): no date function per activity.
            Exchange.objects.order_by("-year").values_list("year", flat=True).distinct()
        )
        return [(str(year), str(year)) for year in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() and self.value().isdigit():
            return queryset.filter(started_on__year=int(self.value()))
        return queryset


class ContinentFilter(admin.SimpleListFilter):
    title = _("continent")
    parameter_name = "continent"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return Continent.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(partners__country__continent=self.value()).distinct()
        return queryset


@admin.register(Exchange)
class ExchangeAdmin(ExchangeImportExportMixin, HistoryAdmin):
    list_display = ["title", "partner_names", "field", "started_on", "ended_on", "is_published"]
    list_filter = [
        "field",
        YearFilter,
        ("partners", admin.RelatedOnlyFieldListFilter),
        ContinentFilter,
        "is_published",
    ]
    search_fields = [
        "title_en",
        "title_ko",
        "place_en",
        "place_ko",
        "partners__name_en",
        "partners__name_ko",
        "partners__aliases",
    ]
    autocomplete_fields = ["partners"]
    date_hierarchy = "started_on"
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3})},
        models.URLField: {"assume_scheme": "https"},
    }
    fields = [
        "partners",
        ("field", "is_published"),
        ("title_ko", "title_en"),
        ("started_on", "ended_on"),
        ("place_ko", "place_en"),
        "summary_ko",
        "summary_en",
        "link",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("partners")

    @admin.display(description=_("title"), ordering="title_en")
    def title(self, obj: Exchange) -> str:
        return obj.title

    @admin.display(description=_("partner cities"))
    def partner_names(self, obj: Exchange) -> str:
        return ", ".join(str(city) for city in obj.partners.all())


def dormant_cutoff(today: datetime.date | None = None, years: int | None = None) -> datetime.date:
    """The date before which a last exchange makes a partner dormant: `years`
    (PORTAL_DORMANT_YEARS unless given) before today, the portal's local date; 29 February
    becomes 28 February in a year that has none."""
    today = today or timezone.localdate()
    years = settings.PORTAL_DORMANT_YEARS if years is None else years
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


class DormantChangeList(ChangeList):
    """The field of each listed partner's last exchange, for the page's rows only, in one
    query: as a column of the report's query it was worked out for every partner."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        rows = {city.pk: city for city in self.result_list}
        fields = City.objects.filter(pk__in=rows).annotate(field=last_started_on("field"))
        for pk, field in fields.values_list("pk", "field"):
            rows[pk].last_exchange_field = field


@admin.register(DormantPartner)
class DormantPartnerAdmin(ReadOnlyReportMixin, ExportOnlyMixin, admin.ModelAdmin):
    """Partners with a current agreement whose last exchange activity (published or not) is
    older than PORTAL_DORMANT_YEARS, or that never had one: what a council reviews first.
    Read-only; staff who may view partners may read and export it."""

    resource_classes = [DormantPartnerResource]
    export_file_stem = "dormant-partners"
    # The library puts its export button on this page (with the threshold explained).
    change_list_template = "admin/partners/dormantpartner/change_list.html"
    list_display = [
        "name_ko",
        "name_en",
        "country",
        "kind",
        "signed_on",
        "last_exchange",
        "last_exchange_field_label",
        "years_since_last_exchange",
    ]
    list_display_links = None
    list_filter = [KindFilter, "country__continent"]
    search_fields = ["name_en", "name_ko", "aliases"]
    actions = None

    def get_ordering(self, request: HttpRequest) -> list:
        # Longest without an exchange first: never, then the oldest last exchange. (Not the
        # `ordering` attribute: the system check wants a model field, not an annotation.)
        return [F("last_exchange_on").asc(nulls_first=True), "name_en"]

    # The count of every partner beside the filtered count costs a second pass over them.
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        today = timezone.localdate()
        recent = ExchangeDate.objects.filter(started_on__range=(dormant_cutoff(today), today))
        return (
            City.objects.select_related("country")
            .filter(current_kind__isnull=False)
            # Dormant: no activity started between the cutoff and today. The few partners
            # with one are gathered once; asking each partner for its last date in the
            # filter cost two seconds at 10,000 through the links.
            .exclude(pk__in=recent.values("city_id"))
            # One probe of the stored start dates' key per dormant partner (~110 ms
            # through the links for 2,700 of them at 100,000 activities).
            .annotate(last_exchange_on=last_started_on(today=today))
        )

    def get_export_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_export_queryset(request)
            .annotate(last_exchange_field=last_started_on("field"))
        )

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return DormantChangeList

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {
            **(extra_context or {}),
            "dormant_years": settings.PORTAL_DORMANT_YEARS,
        }
        return super().changelist_view(request, extra_context)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    @admin.display(description=_("kind"), ordering="current_kind")
    def kind(self, obj: City) -> str:
        return Kind(obj.current_kind).label

    @admin.display(description=_("signed on"), ordering="current_signed_on")
    def signed_on(self, obj: City) -> datetime.date | None:
        return obj.current_signed_on

    @admin.display(
        description=_("last exchange"),
        ordering=F("last_exchange_on").asc(nulls_first=True),
        empty_value=_("never"),
    )
    def last_exchange(self, obj: City) -> datetime.date | None:
        return obj.last_exchange_on

    @admin.display(description=_("field of the last exchange"), empty_value="—")
    def last_exchange_field_label(self, obj: City) -> str | None:
        field = getattr(obj, "last_exchange_field", None)
        return Field(field).label if field else None

    @admin.display(
        description=_("years since the last exchange"),
        ordering=F("last_exchange_on").asc(nulls_first=True),
        empty_value=_("never"),
    )
    def years_since_last_exchange(self, obj: City) -> int | None:
        if obj.last_exchange_on is None:
            return None
        return whole_years_between(obj.last_exchange_on, timezone.localdate())
