"""Photos of partners (and of the home city) and scans of signed agreements.

Imported by partners/models/__init__.py, so these are models of the partners app.
"""

import uuid

import reversion
from django.conf import global_settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ..images import MEDIA_TYPES, PreparedPhoto, prepare_photo
from ..validators import validate_pdf, validate_upload_size
from .agreements import Agreement
from .partners import City
from .text import localized
from .versioned import VersionedQuerySet


class Licence(models.TextChoices):
    KOGL_1 = "kogl-1", _("Korea Open Government License Type 1 (KOGL Type 1)")
    CC_BY_4 = "cc-by-4.0", "CC BY 4.0"
    CC_BY_SA_4 = "cc-by-sa-4.0", "CC BY-SA 4.0"
    CC0 = "cc0-1.0", "CC0 1.0"
    PERMISSION = "permission", _("used with permission")


LICENCE_URLS = {
    Licence.KOGL_1: "https://www.kogl.or.kr/info/licenseType1.do",
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA_4: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
}


# `.photo--lead img { max-height: 32rem }` in static/css: keep the two the same.
LEAD_MAX_HEIGHT_REM = 32


class PhotoQuerySet(VersionedQuerySet):
    def published(self) -> "PhotoQuerySet":
        return self.filter(is_published=True)

    def of_home_city(self) -> "PhotoQuerySet":
        return self.filter(city__isnull=True)

    def public(self) -> "PhotoQuerySet":
        """Photos a visitor may see: published, of the home city or of a published partner."""
        return self.published().filter(Q(city__isnull=True) | Q(city__is_published=True))

    def with_hash(self, digest: str) -> "PhotoQuerySet":
        """Photos whose renditions are named `photos/<digest>-<width>.<ext>` (the image holds
        the widest JPEG's name). A prefix match, not a range: under a PostgreSQL locale
        collation `-` and `.` are ignored when sorting. There it uses the `varchar_pattern_ops`
        index Django adds beside the image's index."""
        return self.filter(image__startswith=f"photos/{digest}-")


@reversion.register()
class Photo(models.Model):
    """A photo; its image is stored only as the re-encoded renditions made on save."""

    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("partner city"),
        help_text=_("Leave empty for a photo of the home city, shown on the home page."),
    )
    # A FileField, not an ImageField: Django's image field would hand any upload to every
    # Pillow decoder to read its size; partners.images opens only the accepted formats.
    image = models.FileField(
        _("image"),
        upload_to="photos/",
        max_length=200,
        db_index=True,  # the media view finds a rendition's photo by its name
        help_text=_(
            "A JPEG, PNG, WebP or HEIC photo. It is stored re-encoded in several sizes, "
            "upright and without its metadata (such as the GPS position)."
        ),
    )
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    # The stored files: [{"name", "format", "width", "height"}], widest first.
    renditions = models.JSONField(_("renditions"), editable=False, default=list)
    alt_ko = models.CharField(
        _("alternative text (Korean)"),
        max_length=250,
        help_text=_("What the picture shows, for people who cannot see it."),
    )
    alt_en = models.CharField(_("alternative text (English)"), max_length=250)
    caption_ko = models.CharField(_("caption (Korean)"), max_length=300, blank=True)
    caption_en = models.CharField(_("caption (English)"), max_length=300, blank=True)
    credit = models.CharField(_("credit"), max_length=200, help_text=_("Photographer or source."))
    licence = models.CharField(_("licence"), max_length=20, choices=Licence)
    taken_on = models.DateField(_("taken on"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(
        _("order"),
        default=0,
        help_text=_("Smaller numbers come first; the first is the lead photo."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.alt

    def save(self, *args, **kwargs) -> None:
        """Store a new upload as its renditions (never the upload itself), then the row.

        Raises ValidationError for a refused file, also when called without full_clean()
        (the shell, a script); nothing is stored then.
        """
        if self._has_new_upload():
            prepared = getattr(self, "_prepared", None) or prepare_photo(self.image)
            self._store(prepared)
            self._prepared = None
        super().save(*args, **kwargs)

    @property
    def alt(self) -> str:
        return localized(self, "alt")

    @property
    def caption(self) -> str:
        return localized(self, "caption")

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")

    def _has_new_upload(self) -> bool:
        return bool(self.image) and not self.image._committed

    def clean_fields(self, exclude=None) -> None:
        # The whole image is decoded here, once, so that a file that is truncated or corrupt
        # is refused with the form's other errors; save() reuses the result.
        errors: dict = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "image" not in errors and "image" not in (exclude or ()) and self._has_new_upload():
            try:
                self._prepared = prepare_photo(self.image)
            except ValidationError as error:
                errors.setdefault("image", []).extend(error.error_list)
        if errors:
            raise ValidationError(errors)

    def _store(self, prepared: PreparedPhoto) -> None:
        storage = self.image.storage
        for rendition in prepared.renditions:
            # Names are content hashes: the same file stored twice is the same file.
            if not storage.exists(rendition.name):
                storage.save(rendition.name, ContentFile(rendition.data))
        master = prepared.master
        self.image.name = master.name
        self.image._committed = True
        self.width, self.height = master.width, master.height
        self.renditions = [r.as_json() for r in prepared.renditions]

    def _urls(self, fmt: str) -> list[tuple[str, int, int]]:
        storage = self.image.storage
        return [
            (storage.url(r["name"]), r["width"], r["height"])
            for r in self.renditions
            if r["format"] == fmt
        ]

    def srcset(self, fmt: str) -> str:
        """`url 480w, url 960w, …` of the renditions in fmt ("jpeg" or "webp")."""
        return ", ".join(f"{url} {width}w" for url, width, _h in reversed(self._urls(fmt)))

    @property
    def srcset_jpeg(self) -> str:
        return self.srcset("jpeg")

    @property
    def srcset_webp(self) -> str:
        return self.srcset("webp")

    @property
    def src(self) -> str:
        """The fallback JPEG: the one nearest 960 px wide."""
        urls = self._urls("jpeg")
        return min(urls, key=lambda item: abs(item[1] - 960))[0] if urls else ""

    @property
    def lead_sizes(self) -> str:
        """`sizes` for the photo as the lead image: as wide as the page (70rem, or the
        screen) unless the CSS max-height (LEAD_MAX_HEIGHT_REM) makes it narrower, as it
        does a portrait photo, so the browser fetches the rendition it shows. Media
        conditions only, no CSS min(): every browser and validator reads them."""
        shown = round(LEAD_MAX_HEIGHT_REM * self.width / max(self.height, 1), 2)
        if shown >= 70:
            return "(min-width: 72rem) 70rem, 100vw"
        return f"(min-width: {shown:g}rem) {shown:g}rem, 100vw"

    @property
    def thumbnail_url(self) -> str:
        urls = self._urls("webp") or self._urls("jpeg")
        return urls[-1][0] if urls else ""

    def as_open_data(self) -> dict:
        """The photo as the JSON download lists it."""
        return {
            "alt_en": self.alt_en,
            "alt_ko": self.alt_ko,
            "caption_en": self.caption_en,
            "caption_ko": self.caption_ko,
            "credit": self.credit,
            "licence": self.licence,
            "licence_url": self.licence_url,
            "taken_on": self.taken_on.isoformat() if self.taken_on else None,
            "width": self.width,
            "height": self.height,
            "renditions": [
                {
                    "url": self.image.storage.url(r["name"]),
                    "type": MEDIA_TYPES[r["format"]],
                    "width": r["width"],
                    "height": r["height"],
                }
                for r in self.renditions
            ],
        }


# Django's own list, with names its Korean catalogue translates; a scan often holds both
# parties' languages.
DOCUMENT_LANGUAGES = [("mul", _("several languages")), *global_settings.LANGUAGES]


def document_name(instance: "AgreementDocument", filename: str) -> str:
    # Unguessable and not the uploader's name: the file is never under a public URL anyway.
    return f"documents/{uuid.uuid4().hex}.pdf"


class AgreementDocumentQuerySet(VersionedQuerySet):
    def public(self) -> "AgreementDocumentQuerySet":
        return self.filter(is_public=True)


@reversion.register()
class AgreementDocument(models.Model):
    """The scan of a signed agreement, a PDF; served only through document_download."""

    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("agreement"),
    )
    # The agreement's partner, set from the agreement on every save: the admin edits
    # documents inline on the partner's page, which needs a key to the partner.
    city = models.ForeignKey(
        City,
        on_delete=models.CASCADE,
        related_name="documents",
        editable=False,
        verbose_name=_("partner city"),
    )
    file = models.FileField(
        _("file"),
        upload_to=document_name,
        max_length=200,
        validators=[validate_upload_size, validate_pdf],
        help_text=_("A PDF without JavaScript or attached files."),
    )
    title_ko = models.CharField(_("title (Korean)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    language = models.CharField(
        _("language of the document"), max_length=10, choices=DOCUMENT_LANGUAGES
    )
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Public documents can be downloaded by everyone; others only by staff."),
    )
    size = models.PositiveIntegerField(_("size in bytes"), editable=False, default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AgreementDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["agreement__signed_on", "pk"]
        verbose_name = _("agreement document")
        verbose_name_plural = _("agreement documents")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.agreement_id:
            self.city_id = Agreement.objects.values_list("city_id", flat=True).get(
                pk=self.agreement_id
            )
        if self.file and not self.file._committed:
            # Field validators run only in full_clean(); a save from the shell checks too.
            validate_upload_size(self.file)
            validate_pdf(self.file)
            self.size = self.file.size
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("document-download", kwargs={"pk": self.pk, "filename": self.download_name})

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def download_name(self) -> str:
        return f"{slugify(self.title_en) or 'agreement'}.pdf"
