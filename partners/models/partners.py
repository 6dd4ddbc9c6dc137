"""Partners (the model City) and the queries the pages and the admin read them with."""

import datetime
import math
from typing import TYPE_CHECKING

import reversion
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .agreements import Agreement, Status
from .countries import Country, country_search_names
from .exchanges import last_exchange_subquery
from .text import Localized, fold

if TYPE_CHECKING:
    from .home_city import HomeCity

EARTH_RADIUS_KM = 6371.0088
# City.sign_agreement(current=...) left out: look the current agreement up.
LOOK_UP = object()


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def whole_years_between(start: datetime.date, end: datetime.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def search_text(
    name_en: str, name_ko: str, aliases: str, iso_code: str, country_en: str, country_ko: str
) -> str:
    """The folded text a search for a partner looks in: its names and other spellings, and
    its country's names (country_search_names). One place, so it can be stored later."""
    country = country_search_names(iso_code, country_en, country_ko)
    return fold(" | ".join([name_en, name_ko, aliases, *country]))


class Level(models.TextChoices):
    CITY = "city", _("city")
    COUNTY = "county", _("county")
    PROVINCE = "province", _("province")
    STATE = "state", _("state")


class CityQuerySet(models.QuerySet):
    def published(self) -> "CityQuerySet":
        return self.filter(is_published=True)

    def with_current_agreement(self) -> "CityQuerySet":
        """Annotate current_kind, current_status, current_signed_on, since, relationship_since.

        `relationship_since` is the first agreement of any kind in the unbroken run that leads
        to the current one (an upgrade keeps it, a gap resets it): the start of the
        relationship that a citizen counts the partnership's age from.

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
            .annotate(gap_break=Coalesce(Subquery(gap_break), no_break))
            .annotate(run_break=Greatest(Coalesce(Subquery(kind_break), no_break), F("gap_break")))
            # An upgrade signed the same day as the agreement it ends starts its own run.
            .annotate(
                since=Coalesce(Subquery(run_start), F("current_signed_on")),
                relationship_since=Subquery(
                    Agreement.objects.filter(
                        city=OuterRef("pk"), signed_on__gt=OuterRef("gap_break")
                    )
                    .order_by("signed_on")
                    .values("signed_on")[:1]
                ),
            )
        )

    def with_last_exchange(self, published_only: bool = True) -> "CityQuerySet":
        """Annotate last_exchange_on and last_exchange_field: the start date (a date) and
        field (a Field value) of the partner's latest activity that has started by today
        (published ones only, unless published_only is False), both None when it never
        had one."""
        return self.annotate(
            last_exchange_on=last_exchange_subquery("started_on", published_only),
            last_exchange_field=last_exchange_subquery("field", published_only),
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
        """Names and aliases in both languages and the country's names (중국, China, USA),
        ignoring case and accents.

        Done in Python over the few hundred partners a city has, because SQLite has
        no accent folding and nothing here may depend on values computed in save().
        """
        needle = fold(query.strip())
        if not needle:
            return self
        rows = self.model.objects.values_list(
            "pk",
            "name_en",
            "name_ko",
            "aliases",
            "country__iso_code",
            "country__name_en",
            "country__name_ko",
        )
        matches = [pk for pk, *texts in rows if needle in search_text(*texts)]
        return self.filter(pk__in=matches)


class CityManager(models.Manager.from_queryset(CityQuerySet)):
    def get_by_natural_key(self, slug: str) -> "City":
        return self.get(slug=slug)


# History (django-reversion): saving a partner also records its agreements, photos and documents,
# so restoring a partner, even a deleted one, brings them back as they were.
# Exchange activities are not followed: one can involve several partners, so it keeps its own
# history, and restoring one partner must not delete or rewrite an activity it shares.
@reversion.register(follow=("agreements", "photos", "documents"))
class City(models.Model):
    """A partner: a city, county, province or state the home city has an agreement with.

    Code, pages and the admin call it a partner ("partner city"). The model keeps the name
    City because the name is stored: the table partners_city, the content type that history
    versions and permissions (change_city) point at, fixtures ("partners.city"), and the
    admin's URLs (/admin/partners/city/) that staff bookmark.
    """

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
    population_source = models.CharField(
        _("population source"),
        max_length=300,
        blank=True,
        help_text=_("Where the population figure comes from: a short text or a web address."),
    )
    area_km2 = models.DecimalField(
        _("land area (km²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    area_year = models.PositiveSmallIntegerField(_("land area as of (year)"), null=True, blank=True)
    area_source = models.CharField(
        _("land area source"),
        max_length=300,
        blank=True,
        help_text=_("Where the land area comes from: a short text or a web address."),
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
            models.CheckConstraint(
                condition=Q(area_year__gte=1800, area_year__lte=2200) | Q(area_year__isnull=True),
                name="city_area_year_plausible",
                violation_error_message=_("The land area year must be a four-digit year."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:city-detail", kwargs={"slug": self.slug})

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    name = Localized()

    feature = Localized()

    description = Localized()

    @property
    def alias_list(self) -> list[str]:
        return [alias.strip() for alias in self.aliases.split(";") if alias.strip()]

    def years_of_partnership(self, today: datetime.date | None = None) -> int | None:
        """Whole years since the first agreement of any kind (needs with_current_agreement())
        until today, the portal's local date (TIME_ZONE) unless given; None without a
        current agreement. An upgrade from friendly to sister keeps counting: citizens
        read the age of the relationship, not of its current kind."""
        if getattr(self, "since", None) is None:
            return None
        return whole_years_between(self.relationship_since, today or timezone.localdate())

    @property
    def kind_changed(self) -> bool:
        """Whether the current kind started later than the relationship (an upgrade, or a
        new start after a gap), so pages show both dates."""
        since = getattr(self, "since", None)
        return since is not None and since != self.relationship_since

    def distance_km(self, home: "HomeCity | None") -> float | None:
        if home is None or None in (self.latitude, self.longitude, home.latitude, home.longitude):
            return None
        return haversine_km(
            float(home.latitude), float(home.longitude), float(self.latitude), float(self.longitude)
        )

    def sign_agreement(
        self,
        kind: str,
        signed_on: datetime.date,
        status: str | None = None,
        *,
        current: "Agreement | None | object" = LOOK_UP,
        signed_on_given: bool = True,
    ) -> "Agreement":
        """Make (kind, signed_on, status) this partner's current agreement and return it.

        Same kind and date as the current agreement: that one is updated in place (its
        status, when one is given). Otherwise a new agreement (status default active) is
        saved and ends the current one on its signing date, both in one transaction.
        current: the partner's current agreement as already loaded, or None when it has none,
        so that an import needs no query per row to find it; left out, it is looked up.
        Raises ValidationError from Agreement.validate_succession (signing=True) and writes
        nothing then.
        """
        if current is LOOK_UP:
            current = self.agreements.exclude(status=Status.ENDED).first()
        if current is not None and (current.kind, current.signed_on) == (kind, signed_on):
            if status and status != current.status:
                current.status = status
                # The only current agreement supersedes nothing: no need to look one up.
                current.save_ending(None, update_fields=["status"])
            return current
        agreement = Agreement(
            city=self, kind=kind, signed_on=signed_on, status=status or Status.ACTIVE
        )
        agreement.validate_succession(current, signing=True, signed_on_given=signed_on_given)
        agreement.save_ending(current)
        return agreement


class DormantPartner(City):
    """The admin's dormant partnerships report (partners/admin/exchanges.py): partners
    without a recent exchange activity. A proxy, so the report has its own admin list."""

    class Meta:
        proxy = True
        verbose_name = _("dormant partnership")
        verbose_name_plural = _("dormant partnerships")
