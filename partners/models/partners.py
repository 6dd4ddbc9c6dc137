"""Partners (the model City) and the queries the pages and the admin read them with."""

import datetime
import math
from typing import TYPE_CHECKING

import reversion
from django.db import models, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..links import partner_url
from .agreements import Agreement, Kind, Status
from .countries import Continent, Country
from .derived import DERIVED_FIELDS, SEARCHED_FIELDS, SEPARATOR, partners_changed, refresh_partners
from .exchanges import last_exchange_subquery
from .text import Localized, fold
from .versioned import VersionedQuerySet

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


class Level(models.TextChoices):
    CITY = "city", _("city")
    COUNTY = "county", _("county")
    PROVINCE = "province", _("province")
    STATE = "state", _("state")


class CityQuerySet(VersionedQuerySet):
    def published(self) -> "CityQuerySet":
        return self.filter(is_published=True)

    def with_last_exchange(self, published_only: bool = True) -> "CityQuerySet":
        """Annotate last_exchange_on and last_exchange_field: the start date (a date) and
        field (a Field value) of the partner's latest activity that has started by today
        (published ones only, unless published_only is False), both None when it never
        had one."""
        return self.annotate(
            last_exchange_on=last_exchange_subquery("started_on", published_only),
            last_exchange_field=last_exchange_subquery("field", published_only),
        )

    def search(self, query: str) -> "CityQuerySet":
        """Partners whose names, other spellings or country's names (중국, China, USA) hold
        the query, ignoring case and accents; annotated `search_rank`: 0 when a term is the
        query, 1 when one starts with it, 2 otherwise, for ordering by relevance.

        Matched in the database against the stored, folded search_text (derived.py); on
        PostgreSQL a trigram index serves the match (migration 0007)."""
        needle = fold(query.strip()).replace(SEPARATOR, " ").strip()
        if not needle:
            return self.annotate(search_rank=Value(2))
        return self.filter(search_text__contains=needle).annotate(
            search_rank=Case(
                When(search_text__contains=f"{SEPARATOR}{needle}{SEPARATOR}", then=0),
                When(search_text__contains=f"{SEPARATOR}{needle}", then=1),
                default=2,
            )
        )

    def update(self, **kwargs) -> int:
        """VersionedQuerySet.update (a new data version), and what a save's signals would do
        besides, since a queryset update sends none: for a change of what the search text
        holds (a name, the other spellings, the country) or of whether the partner is
        published (its exchanges' listing) a refresh of them."""
        if (SEARCHED_FIELDS | {"is_published"}).isdisjoint(kwargs):
            return super().update(**kwargs)
        with transaction.atomic():
            pks = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            partners_changed(pks)
        return count

    def touch(self) -> int:
        """Move these partners' updated_at to now, without a new data version: only the
        write that changed them (an agreement, a photo, an activity) calls it, and that
        write's own signals bump the version."""
        return models.QuerySet.update(self, updated_at=timezone.now())

    def refresh_derived(self) -> int:
        """Recompute the stored relationship and search text of these partners from their
        agreements and names (derived.refresh_partners); returns how many changed. Every
        write path calls it; pages only read the stored values."""
        return refresh_partners(self)


class CityManager(models.Manager.from_queryset(CityQuerySet)):
    def get_by_natural_key(self, slug: str) -> "City":
        return self.get(slug=slug)


# History (django-reversion): saving a partner also records its agreements, photos and documents,
# so restoring a partner, even a deleted one, brings them back as they were.
# Exchange activities are not followed: one can involve several partners, so it keeps its own
# history, and restoring one partner must not delete or rewrite an activity it shares.
# The derived values are left out of history: a restored version gets them recomputed.
@reversion.register(follow=("agreements", "photos", "documents"), exclude=DERIVED_FIELDS)
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

    # Derived from the agreements, names and country by refresh_derived() (derived.py) on
    # every write, never edited. NULL kind and status: no current agreement, as filters read.
    current_kind = models.CharField(  # noqa: DJ001
        _("relationship"), max_length=10, choices=Kind, null=True, editable=False
    )
    current_status = models.CharField(  # noqa: DJ001
        _("status"), max_length=10, choices=Status, null=True, editable=False
    )
    current_signed_on = models.DateField(_("signed on"), null=True, editable=False)
    since = models.DateField(_("partner since"), null=True, editable=False)
    relationship_since = models.DateField(_("First agreement"), null=True, editable=False)
    first_signed_on = models.DateField(_("signed on"), null=True, editable=False)
    first_kind = models.CharField(  # noqa: DJ001
        _("relationship"), max_length=10, choices=Kind, null=True, editable=False
    )
    continent = models.CharField(
        _("continent"), max_length=10, choices=Continent, editable=False, default=""
    )
    search_text = models.TextField(editable=False, default="")

    objects = CityManager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("partner city")
        verbose_name_plural = _("partner cities")
        # One for each filter and sort of the partner list (partners/views.py); the search
        # text's trigram index is PostgreSQL's only, so migration 0007 adds it there.
        indexes = [
            models.Index(fields=["since", "name_en"], name="city_since"),
            models.Index(fields=["current_kind", "since"], name="city_kind_since"),
            # Also the home page's first partners of each kind and continent.
            models.Index(
                fields=["continent", "current_kind", "since", "name_en"], name="city_cell"
            ),
            models.Index(fields=["current_status"], name="city_status"),
            models.Index(fields=["name_en"], name="city_name_en"),
            models.Index(fields=["name_ko"], name="city_name_ko"),
            models.Index(fields=["population"], name="city_population"),
            models.Index(fields=["area_km2"], name="city_area"),
            # Every page's "data last updated" date (views_data.data_last_changed) reads the
            # latest change from the index instead of scanning the partners.
            models.Index(fields=["updated_at"], name="city_updated"),
            # The home page's counts by kind and continent and its chart's grouping by the
            # years and kinds of the relationship (charts.signing_events) read this index
            # alone, not the rows: at 10,000 partners on SQLite the counts took 11 ms through
            # city_cell (is_published is not in it), the chart 23 ms; now 2 and 6 ms.
            # current_kind first, the column all three queries bound.
            models.Index(
                fields=[
                    "current_kind",
                    "continent",
                    "first_kind",
                    "first_signed_on",
                    "since",
                    "is_published",
                ],
                name="city_relationship",
            ),
        ]
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
        return partner_url(self.slug)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    name = Localized()

    feature = Localized()

    description = Localized()

    @property
    def alias_list(self) -> list[str]:
        return [alias.strip() for alias in self.aliases.split(";") if alias.strip()]

    def years_of_partnership(self, today: datetime.date | None = None) -> int | None:
        """Whole years since the first agreement of any kind (relationship_since)
        until today, the portal's local date (TIME_ZONE) unless given; None without a
        current agreement. An upgrade from friendly to sister keeps counting: citizens
        read the age of the relationship, not of its current kind."""
        if self.since is None:
            return None
        return whole_years_between(self.relationship_since, today or timezone.localdate())

    @property
    def kind_changed(self) -> bool:
        """Whether the current kind started later than the relationship (an upgrade, or a
        new start after a gap), so pages show both dates."""
        return self.since is not None and self.since != self.relationship_since

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
