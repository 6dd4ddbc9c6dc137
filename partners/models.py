import datetime
import math
import unicodedata

import reversion
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

EARTH_RADIUS_KM = 6371.0088

# Letters that Unicode does not decompose into a base letter plus an accent.
_FOLD_EXTRA = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ß": "ss", "æ": "ae"})


def fold(text: str) -> str:
    """Case- and accent-insensitive form of text; Hangul syllables are kept whole."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).translate(_FOLD_EXTRA)


def localized_name(field: str) -> str:
    """The column of a translated field for the active language: name -> name_ko."""
    return f"{field}_en" if (get_language() or "ko").startswith("en") else f"{field}_ko"


def localized(obj: models.Model, field: str) -> str:
    """The field in the active language, falling back to the other language."""
    first = localized_name(field)
    second = f"{field}_ko" if first.endswith("_en") else f"{field}_en"
    return getattr(obj, first) or getattr(obj, second)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def whole_years_between(start: datetime.date, end: datetime.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


class Continent(models.TextChoices):
    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")
    OCEANIA = "oceania", _("Oceania")


class CountryManager(models.Manager):
    def get_by_natural_key(self, iso_code: str) -> "Country":
        return self.get(iso_code=iso_code)


class Country(models.Model):
    iso_code = models.CharField(
        _("ISO code"),
        max_length=2,
        unique=True,
        help_text=_("ISO 3166-1 alpha-2 code, for example KR."),
    )
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ko = models.CharField(_("name (Korean)"), max_length=100)
    continent = models.CharField(_("continent"), max_length=10, choices=Continent)

    objects = CountryManager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(
                condition=Q(iso_code__regex=r"^[A-Z]{2}$"), name="country_iso_code_two_capitals"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.iso_code,)

    @property
    def name(self) -> str:
        return localized(self, "name")


class Level(models.TextChoices):
    CITY = "city", _("city")
    COUNTY = "county", _("county")
    PROVINCE = "province", _("province")
    STATE = "state", _("state")


class Kind(models.TextChoices):
    SISTER = "sister", _("sister city")
    FRIENDLY = "friendly", _("friendly cooperation city")


class Status(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    ENDED = "ended", _("ended")


class CityQuerySet(models.QuerySet):
    def published(self) -> "CityQuerySet":
        return self.filter(is_published=True)

    def with_current_agreement(self) -> "CityQuerySet":
        """Annotate current_kind, current_status, current_signed_on and since.

        `since` is the first signing in the unbroken run of agreements of the
        current kind: a renewal keeps it, an upgrade from friendly to sister resets it,
        and so does a gap (an agreement that ended before the next one was signed).
        """
        current = Agreement.objects.filter(city=OuterRef("pk")).exclude(status=Status.ENDED)
        kind_break = (
            Agreement.objects.filter(
                city=OuterRef("pk"), signed_on__lte=OuterRef("current_signed_on")
            )
            .exclude(kind=OuterRef("current_kind"))
            .order_by("-signed_on")
            .values("signed_on")[:1]
        )
        next_signing = (
            Agreement.objects.filter(city=OuterRef("city"), signed_on__gt=OuterRef("signed_on"))
            .order_by("signed_on")
            .values("signed_on")[:1]
        )
        gap_break = (
            Agreement.objects.filter(
                city=OuterRef("pk"),
                signed_on__lt=OuterRef("current_signed_on"),
                ended_on__isnull=False,
            )
            .annotate(next_signed_on=Subquery(next_signing))
            .filter(ended_on__lt=F("next_signed_on"))
            .order_by("-signed_on")
            .values("signed_on")[:1]
        )
        no_break = datetime.date(1, 1, 1)
        run_start = (
            Agreement.objects.filter(
                city=OuterRef("pk"),
                kind=OuterRef("current_kind"),
                signed_on__lte=OuterRef("current_signed_on"),
                signed_on__gt=OuterRef("run_break"),
            )
            .order_by("signed_on")
            .values("signed_on")[:1]
        )
        return (
            self.select_related("country")
            .annotate(
                current_kind=Subquery(current.values("kind")[:1]),
                current_status=Subquery(current.values("status")[:1]),
                current_signed_on=Subquery(current.values("signed_on")[:1]),
            )
            .annotate(
                run_break=Greatest(
                    Coalesce(Subquery(kind_break), no_break),
                    Coalesce(Subquery(gap_break), no_break),
                )
            )
            # An upgrade signed the same day as the agreement it ends starts its own run.
            .annotate(since=Coalesce(Subquery(run_start), F("current_signed_on")))
        )

    def with_first_agreement(self) -> "CityQuerySet":
        """Annotate first_signed_on and first_kind: the partner's earliest agreement, ended
        or not (the charts count a partnership from it and an upgrade at `since`)."""
        first = Agreement.objects.filter(city=OuterRef("pk")).order_by("signed_on", "pk")
        return self.annotate(
            first_signed_on=Subquery(first.values("signed_on")[:1]),
            first_kind=Subquery(first.values("kind")[:1]),
        )

    def search(self, query: str) -> "CityQuerySet":
        """Names and aliases in both languages, ignoring case and accents.

        Done in Python over the few hundred partners a city has, because SQLite has
        no accent folding and nothing here may depend on values computed in save().
        """
        needle = fold(query.strip())
        if not needle:
            return self
        rows = self.model.objects.values_list("pk", "name_en", "name_ko", "aliases")
        matches = [pk for pk, *texts in rows if needle in fold(" | ".join(texts))]
        return self.filter(pk__in=matches)


class CityManager(models.Manager.from_queryset(CityQuerySet)):
    def get_by_natural_key(self, slug: str) -> "City":
        return self.get(slug=slug)


# History (django-reversion): saving a partner also records its agreements and exchanges,
# so restoring a partner, even a deleted one, brings them back as they were.
@reversion.register(follow=("agreements", "exchanges"))
class City(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ko = models.CharField(_("name (Korean)"), max_length=120)
    aliases = models.CharField(
        _("other spellings"),
        max_length=300,
        blank=True,
        help_text=_("Other names that search should find, separated by semicolons."),
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="cities", verbose_name=_("country")
    )
    level = models.CharField(_("level"), max_length=10, choices=Level, default=Level.CITY)
    population = models.PositiveBigIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("population as of (year)"), null=True, blank=True
    )
    area_km2 = models.DecimalField(
        _("land area (km²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    feature_en = models.CharField(_("feature (English)"), max_length=300, blank=True)
    feature_ko = models.CharField(_("feature (Korean)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ko = models.TextField(_("description (Korean)"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CityManager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("partner city")
        verbose_name_plural = _("partner cities")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90) | Q(latitude__isnull=True),
                name="city_latitude_in_range",
                violation_error_message=_("Latitude must be between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180) | Q(longitude__isnull=True),
                name="city_longitude_in_range",
                violation_error_message=_("Longitude must be between -180 and 180."),
            ),
            models.CheckConstraint(
                condition=Q(population__gt=0) | Q(population__isnull=True),
                name="city_population_positive",
                violation_error_message=_("Population must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=Q(area_km2__gt=0) | Q(area_km2__isnull=True),
                name="city_area_positive",
                violation_error_message=_("Land area must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=Q(population_year__gte=1800, population_year__lte=2200)
                | Q(population_year__isnull=True),
                name="city_population_year_plausible",
                violation_error_message=_("The population year must be a four-digit year."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:city-detail", kwargs={"slug": self.slug})

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def feature(self) -> str:
        return localized(self, "feature")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def alias_list(self) -> list[str]:
        return [alias.strip() for alias in self.aliases.split(";") if alias.strip()]

    def years_of_partnership(self, today: datetime.date | None = None) -> int | None:
        """Whole years since `since`; needs with_current_agreement()."""
        since = getattr(self, "since", None)
        if since is None:
            return None
        return whole_years_between(since, today or datetime.date.today())

    def distance_km(self, home: "HomeCity | None") -> float | None:
        if home is None or None in (self.latitude, self.longitude, home.latitude, home.longitude):
            return None
        return haversine_km(
            float(home.latitude), float(home.longitude), float(self.latitude), float(self.longitude)
        )


class AgreementManager(models.Manager):
    def get_by_natural_key(self, city_slug: str, kind: str, signed_on: str) -> "Agreement":
        return self.get(city__slug=city_slug, kind=kind, signed_on=signed_on)


@reversion.register()
class Agreement(models.Model):
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("partner city")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    signed_on = models.DateField(_("signed on"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    notes = models.TextField(_("internal notes"), blank=True)

    objects = AgreementManager()

    class Meta:
        ordering = ["city", "signed_on"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["city"],
                condition=~Q(status="ended"),
                name="agreement_one_current_per_city",
                violation_error_message=_("This partner already has a current agreement."),
            ),
            models.UniqueConstraint(
                fields=["city", "kind", "signed_on"],
                name="agreement_unique_kind_date_per_city",
                violation_error_message=_(
                    "This partner already has an agreement of this kind signed on this date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="ended") | Q(ended_on__isnull=True),
                name="agreement_ended_on_only_when_ended",
                violation_error_message=_("Only an ended agreement can have an end date."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("signed_on")),
                name="agreement_ends_after_signing",
                violation_error_message=_("An agreement cannot end before it was signed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.city} – {self.get_kind_display()} ({self.signed_on})"

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            previous = self.superseded()
            if previous:
                previous.status = Status.ENDED
                previous.ended_on = max(self.signed_on, previous.signed_on)
                previous.save(update_fields=["status", "ended_on"])
            super().save(*args, **kwargs)

    def natural_key(self) -> tuple[str, str, str]:
        return (self.city.slug, self.kind, self.signed_on.isoformat())

    natural_key.dependencies = ["partners.city"]

    @property
    def is_current(self) -> bool:
        return self.status != Status.ENDED

    def superseded(self) -> "Agreement | None":
        """The city's other current agreement, which saving this one will end."""
        if not self.is_current or self.city_id is None:
            return None
        return (
            Agreement.objects.filter(city_id=self.city_id)
            .exclude(status=Status.ENDED)
            .exclude(pk=self.pk)
            .first()
        )

    def clean(self) -> None:
        previous = self.superseded()
        if previous and self.signed_on and self.signed_on < previous.signed_on:
            raise ValidationError(
                {
                    "signed_on": _(
                        "A new current agreement must be signed on or after the current one "
                        "(%(date)s), which it replaces."
                    )
                    % {"date": previous.signed_on.isoformat()}
                }
            )

    def validate_constraints(self, exclude=None) -> None:
        # save() ends the agreement this one supersedes, so "one current agreement"
        # is not an error at form time.
        exclude = set(exclude or ())
        if self.superseded():
            exclude.add("city")
        super().validate_constraints(exclude=exclude)


class Field(models.TextChoices):
    ADMINISTRATION = "administration", _("administration")
    ECONOMY = "economy", _("economy")
    EDUCATION = "education", _("education")
    CULTURE = "culture", _("culture")
    SPORTS = "sports", _("sports")
    TOURISM = "tourism", _("tourism")
    YOUTH = "youth", _("youth")
    OTHER = "other", _("other")


class ExchangeQuerySet(models.QuerySet):
    def published(self) -> "ExchangeQuerySet":
        return self.filter(is_published=True)


@reversion.register()
class Exchange(models.Model):
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="exchanges", verbose_name=_("partner city")
    )
    field = models.CharField(_("field"), max_length=20, choices=Field)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_ko = models.CharField(_("title (Korean)"), max_length=200, blank=True)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_ko = models.TextField(_("summary (Korean)"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)

    objects = ExchangeQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="exchange_ends_after_start",
                violation_error_message=_("An exchange cannot end before it started."),
            ),
            models.CheckConstraint(
                condition=~Q(title_en="") | ~Q(title_ko=""),
                name="exchange_has_title",
                violation_error_message=_("Give the exchange a title in at least one language."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def summary(self) -> str:
        return localized(self, "summary")


@reversion.register()
class HomeCity(models.Model):
    """The city whose partnerships the portal shows, and its introduction; one row only."""

    SINGLETON_ID = 1

    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ko = models.CharField(_("name (Korean)"), max_length=120)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    slogan_en = models.CharField(_("slogan (English)"), max_length=200, blank=True)
    slogan_ko = models.CharField(_("slogan (Korean)"), max_length=200, blank=True)
    headline_en = models.CharField(_("headline (English)"), max_length=200, blank=True)
    headline_ko = models.CharField(_("headline (Korean)"), max_length=200, blank=True)
    title_en = models.CharField(_("page title (English)"), max_length=200)
    title_ko = models.CharField(_("page title (Korean)"), max_length=200)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    intro_ko = models.TextField(_("introduction (Korean)"), blank=True)

    class Meta:
        verbose_name = _("home city and introduction")
        verbose_name_plural = _("home city and introduction")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="home_city_single_row"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="home_city_coordinates_in_range",
                violation_error_message=_("Coordinates are out of range."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_ID
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "HomeCity | None":
        return cls.objects.filter(pk=cls.SINGLETON_ID).first()

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def slogan(self) -> str:
        return localized(self, "slogan")

    @property
    def headline(self) -> str:
        return localized(self, "headline")

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def intro(self) -> str:
        return localized(self, "intro")
