"""Photos and agreement documents, edited inline on the partner's admin page."""

from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import Agreement, AgreementDocument, City, Photo
from .history import HistoryAdmin


class PhotoInline(admin.StackedInline):
    model = Photo
    fields = [
        ("thumbnail", "image"),
        ("alt_ko", "alt_en"),
        ("caption_ko", "caption_en"),
        ("credit", "licence", "taken_on"),
        ("position", "is_published"),
    ]
    readonly_fields = ["thumbnail"]
    ordering = ["position", "pk"]
    extra = 0
    classes = ["collapse"]
    formfield_overrides = {
        models.CharField: {"widget": forms.TextInput(attrs={"size": 40})},
        # Phones offer their camera roll, and HEIC photos are converted.
        models.FileField: {
            "widget": forms.ClearableFileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif"}
            )
        },
    }

    @admin.display(description=_("thumbnail"))
    def thumbnail(self, photo: Photo) -> str:
        if not photo.pk or not photo.thumbnail_url:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" width="160" height="{}">',
            photo.thumbnail_url,
            photo.alt,
            round(160 * photo.height / photo.width) if photo.width else 120,
        )


@dataclass(frozen=True)
class _DownloadLink:
    url: str
    name: str

    def __str__(self) -> str:
        return self.name


class DocumentFileInput(forms.ClearableFileInput):
    """The file input whose "currently" link is the document's download view: documents
    have no public media URL, so Django's own link would be a 404."""

    def get_context(self, name: str, value, attrs) -> dict:
        context = super().get_context(name, value, attrs)
        document = getattr(value, "instance", None)
        if self.is_initial(value) and document is not None and document.pk:
            context["widget"]["value"] = _DownloadLink(
                document.get_absolute_url(), document.download_name
            )
        return context


class AgreementDocumentInline(admin.TabularInline):
    model = AgreementDocument
    fields = ["agreement", "file", "download", "title_ko", "title_en", "language", "is_public"]
    readonly_fields = ["download"]
    extra = 0
    classes = ["collapse"]
    formfield_overrides = {
        models.FileField: {"widget": DocumentFileInput(attrs={"accept": "application/pdf"})}
    }

    def get_formset(self, request: HttpRequest, obj: City | None = None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only this partner's agreements; a partner being added has none yet.
        agreements = formset.form.base_fields["agreement"]
        agreements.queryset = (
            Agreement.objects.filter(city=obj) if obj else Agreement.objects.none()
        )
        return formset

    @admin.display(description=_("download"))
    def download(self, document: AgreementDocument) -> str:
        if not document.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a> ({} KB)',
            document.get_absolute_url(),
            _("PDF"),
            max(1, round(document.size / 1024)),
        )


MEDIA_INLINES = [PhotoInline, AgreementDocumentInline]


@admin.register(Photo)
class PhotoAdmin(HistoryAdmin):
    """All photos, and the only place for those of the home city (no partner)."""

    list_display = ["thumbnail", "alt", "partner", "position", "is_published"]
    list_display_links = ["thumbnail", "alt"]
    list_filter = [("city", admin.EmptyFieldListFilter), "is_published", "licence"]
    list_select_related = ["city"]
    search_fields = ["alt_ko", "alt_en", "caption_ko", "caption_en", "credit"]
    autocomplete_fields = ["city"]
    fields = ["city", *PhotoInline.fields]
    readonly_fields = ["thumbnail"]
    formfield_overrides = PhotoInline.formfield_overrides

    thumbnail = PhotoInline.thumbnail

    @admin.display(description=_("partner city"), ordering="city__name_en")
    def partner(self, photo: Photo) -> str:
        return str(photo.city) if photo.city else _("home city (home page)")

    @admin.display(description=_("alternative text"), ordering="alt_en")
    def alt(self, photo: Photo) -> str:
        return photo.alt
