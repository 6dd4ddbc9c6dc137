import datetime

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import Agreement, City, Country, HomeCity, Kind, Status, localized_name
from ..resources import AgreementResource, CountryResource
from .edit_lock import OptimisticLockAdminMixin
from .history import HistoryAdmin
from .media import MEDIA_INLINES
from .spreadsheets import ExportOnlyMixin, PartnerImportExportMixin

admin.site.site_header = _("Partner cities administration")
admin.site.site_title = _("Partner cities admin")
admin.site.index_title = _("Partner city records")
# The partner list has seven columns and a filter panel; the side menu would push some off
# a laptop screen, and the index page and breadcrumbs already lead everywhere it does.
admin.site.enable_nav_sidebar = False


class KindFilter(admin.SimpleListFilter):
    title = _("relationship")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return Kind.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(current_kind=self.value())
        return queryset


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"
    NONE = "none"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        # A partner whose agreements have all ended has no current status at all.
        current = [(value, label) for value, label in Status.choices if value != Status.ENDED]
        return [*current, (self.NONE, _("no current agreement"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == self.NONE:
            return queryset.filter(current_status__isnull=True)
        if self.value():
            return queryset.filter(current_status=self.value())
        return queryset


@admin.register(Country)
class CountryAdmin(ExportOnlyMixin, admin.ModelAdmin):
    resource_classes = [CountryResource]
    export_file_stem = "countries-backup"
    list_display = ["iso_code", "name_ko", "name_en", "continent"]
    list_filter = ["continent"]
    search_fields = ["iso_code", "name_en", "name_ko"]
    ordering = ["name_en"]


class AgreementInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        Agreement.validate_new_together(
            [
                form.instance
                for form in self.forms
                if form.has_changed()
                and form.instance.pk is None
                and not self._should_delete_form(form)
                and form.cleaned_data.get("status") is not None
            ]
        )


class AgreementInline(admin.TabularInline):
    model = Agreement
    formset = AgreementInlineFormSet
    fields = ["kind", "signed_on", "status", "ended_on", "notes"]
    ordering = ["signed_on"]
    extra = 1
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs):
        # A table row's inputs have no <label>: the column head is not tied to them, so
        # screen readers announced unnamed fields (axe: critical). Name each by its column.
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            formfield.widget.attrs["aria-label"] = capfirst(db_field.verbose_name)
        return formfield


@admin.register(City)
class CityAdmin(PartnerImportExportMixin, OptimisticLockAdminMixin, HistoryAdmin):
    list_display = [
        "name_ko",
        "name_en",
        "country",
        "kind",
        "since",
        "status",
        "is_published",
    ]
    list_filter = [
        KindFilter,
        "country__continent",
        ("country", admin.RelatedOnlyFieldListFilter),
        StatusFilter,
        "is_published",
    ]
    search_fields = ["name_en", "name_ko", "aliases", "country__name_en", "country__name_ko"]
    autocomplete_fields = ["country"]
    # A website typed without a scheme gets https://, as Django 6 will do by default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    prepopulated_fields = {"slug": ["name_en"]}
    readonly_fields = ["created_at", "updated_at", "activities"]
    fieldsets = [
        (_("Names"), {"fields": ["name_ko", "name_en", "slug", "aliases"]}),
        (
            _("Place and figures"),
            {
                "fields": [
                    "country",
                    "level",
                    ("population", "population_year"),
                    "area_km2",
                    ("latitude", "longitude"),
                    "website",
                ]
            },
        ),
        (
            _("Texts"),
            {"fields": ["feature_ko", "feature_en", "description_ko", "description_en"]},
        ),
        (_("Publishing"), {"fields": ["is_published", "created_at", "updated_at"]}),
        (_("Exchanges"), {"fields": ["activities"]}),
    ]
    inlines = [AgreementInline, *MEDIA_INLINES]
    actions = ["publish", "unpublish"]

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("feature_ko", "feature_en"):
            # One line of up to 300 characters: the admin's wide text box, not its 20em one.
            formfield.widget.attrs["class"] = "vLargeTextField"
        return formfield

    def get_list_display(self, request: HttpRequest) -> list[str]:
        names = [localized_name("name")]
        names.append("name_en" if names[0] == "name_ko" else "name_ko")
        return [*names, *(column for column in self.list_display if column not in names)]

    def get_ordering(self, request: HttpRequest) -> list[str]:
        # By the name in the admin's language: 가나다 order for Korean staff.
        return [localized_name("name"), "pk"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The country is in every row: joined, so the list needs no query per row.
        return super().get_queryset(request).select_related("country")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        by_field, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if not search_term.strip():
            return by_field, may_have_duplicates
        # The model's search ignores accents, so "hung yen" finds Hưng Yên.
        folded = City.objects.search(search_term).values("pk")
        matched = queryset.filter(Q(pk__in=by_field.values("pk")) | Q(pk__in=folded))
        return matched, False

    def view_on_site(self, obj: City) -> str | None:
        # The public page of an unpublished partner is a 404, so offer no link to it.
        return obj.get_absolute_url() if obj.is_published else None

    @admin.display(description=_("exchange activities"))
    def activities(self, obj: City) -> str:
        """Links to the partner's activities and to a new one with this partner: an activity
        may involve several partners, so it is edited on its own page, with its own history."""
        add_url = reverse("admin:partners_exchange_add")
        add_link = format_html(
            '<a class="addlink" href="{}?partners={}">{}</a>',
            add_url,
            obj.pk,
            _("Add an exchange activity with this partner"),
        )
        if obj.pk is None:
            return "—"
        links = format_html_join(
            "",
            '<li><a href="{}">{} ({})</a></li>',
            (
                (reverse("admin:partners_exchange_change", args=[e.pk]), e.title, e.started_on)
                for e in obj.exchanges.order_by("-started_on", "pk")
            ),
        )
        return format_html("<ul>{}</ul>{}", links, add_link) if links else add_link

    @admin.display(description=_("relationship"), ordering="current_kind")
    def kind(self, obj: City) -> str | None:
        return Kind(obj.current_kind).label if obj.current_kind else None

    @admin.display(description=_("partner since"), ordering="since")
    def since(self, obj: City) -> datetime.date | None:
        return obj.since

    @admin.display(description=_("status"), ordering="current_status")
    def status(self, obj: City) -> str | None:
        return Status(obj.current_status).label if obj.current_status else None

    @staticmethod
    def set_published(queryset: QuerySet, published: bool) -> int:
        # save() rather than update(): each change goes into the partners' history and
        # makes forms opened before it stale.
        cities = list(queryset)
        for city in cities:
            city.is_published = published
            city.save()
        return len(cities)

    @admin.action(description=_("Publish the selected partners"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = self.set_published(queryset, True)
        message = ngettext(
            "%(count)d partner is now published.", "%(count)d partners are now published.", count
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Unpublish the selected partners"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = self.set_published(queryset, False)
        message = ngettext(
            "%(count)d partner is now hidden from the public.",
            "%(count)d partners are now hidden from the public.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


@admin.register(Agreement)
class AgreementAdmin(ExportOnlyMixin, HistoryAdmin):
    resource_classes = [AgreementResource]
    export_file_stem = "agreements-backup"
    list_display = ["city", "kind", "signed_on", "status", "ended_on"]
    list_filter = ["kind", "status", "city__country__continent"]
    search_fields = ["city__name_en", "city__name_ko", "city__aliases"]
    autocomplete_fields = ["city"]
    list_select_related = ["city"]
    ordering = ["-signed_on"]
    fields = ["city", "kind", "signed_on", "status", "ended_on", "notes"]


@admin.register(HomeCity)
class HomeCityAdmin(HistoryAdmin):
    """The home city is one record: its list is that record's form."""

    fieldsets = [
        (None, {"fields": [("name_ko", "name_en"), ("latitude", "longitude")]}),
        (
            _("Home page"),
            {
                "fields": [
                    ("title_ko", "title_en"),
                    ("headline_ko", "headline_en"),
                    ("slogan_ko", "slogan_en"),
                    "intro_ko",
                    "intro_en",
                ]
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not HomeCity.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: HomeCity | None = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        home = HomeCity.load()
        if home is None:
            return HttpResponseRedirect(reverse("admin:partners_homecity_add"))
        return HttpResponseRedirect(reverse("admin:partners_homecity_change", args=[home.pk]))
