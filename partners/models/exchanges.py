"""Exchange activities: what a partnership does (visits, festivals, youth camps, memoranda)."""

import datetime

import reversion
from django.db import models, transaction
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .derived import EXCHANGE_DERIVED_FIELDS, EXCHANGE_TEXTS, SEPARATOR, exchanges_changed
from .text import Localized, fold
from .versioned import VersionedQuerySet


class Field(models.TextChoices):
    ADMINISTRATION = "administration", _("administration")
    ECONOMY = "economy", _("economy")
    EDUCATION = "education", _("education")
    CULTURE = "culture", _("culture")
    SPORTS = "sports", _("sports")
    TOURISM = "tourism", _("tourism")
    YOUTH = "youth", _("youth")
    OTHER = "other", _("other")


# The activity's own fields its derived ones (models/derived.py) are computed from.
DERIVED_FROM = frozenset({*EXCHANGE_TEXTS, "started_on", "is_published"})


class ExchangeQuerySet(VersionedQuerySet):
    def published(self) -> "ExchangeQuerySet":
        """Published activities that involve at least one published partner, so no public
        page links to a partner page that is a 404: the stored is_listed (models/derived.py),
        which the counts' index holds; a check per row cost 0.4-0.7 s at 100,000."""
        return self.filter(is_listed=True)

    def upcoming(self, today: datetime.date | None = None) -> "ExchangeQuerySet":
        """Activities starting after today (the portal's local date, TIME_ZONE), soonest first."""
        today = today or timezone.localdate()
        return self.filter(started_on__gt=today).order_by("started_on", "pk")

    def update(self, **kwargs) -> int:
        """VersionedQuerySet.update (a new data version), and what a save's signals would do
        besides, since a queryset update sends none: for a change of what the derived values
        hold a refresh of them."""
        if set(kwargs).isdisjoint(DERIVED_FROM):
            return super().update(**kwargs)
        with transaction.atomic():
            pks = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            exchanges_changed(pks)
        return count

    def search(self, query: str) -> "ExchangeQuerySet":
        """Titles and places in both languages, and the names, other spellings and country
        names of the partners involved, ignoring case and accents (so "kharkov" finds
        Kharkiv's activities).

        Matched in the database against the stored, folded search_text (models/derived.py,
        folded as CityQuerySet.search folds); on PostgreSQL a trigram index serves it
        (migration 0010)."""
        needle = fold(query.strip()).replace(SEPARATOR, " ").strip()
        if not needle:
            return self
        return self.filter(search_text__holds=needle)

    def in_continent(self, continent: str) -> "ExchangeQuerySet":
        """Activities with a published partner in `continent` (a Continent value), read from
        the stored continents: a check of its partners per activity cost 70-90 ms over the
        12,000 of one field at 100,000."""
        return self.filter(continents__holds=f"{SEPARATOR}{continent}{SEPARATOR}")


@reversion.register(exclude=EXCHANGE_DERIVED_FIELDS)
class Exchange(models.Model):
    """An exchange activity with one or more partners (a youth exchange rotating among three
    cities is one activity with two partners)."""

    partners = models.ManyToManyField(
        "City", related_name="exchanges", verbose_name=_("partner cities")
    )
    field = models.CharField(_("field"), max_length=20, choices=Field)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_ko = models.CharField(_("title (Korean)"), max_length=200, blank=True)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    place_en = models.CharField(_("place (English)"), max_length=200, blank=True)
    place_ko = models.CharField(_("place (Korean)"), max_length=200, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_ko = models.TextField(_("summary (Korean)"), blank=True)
    link = models.URLField(
        _("link"),
        max_length=500,
        blank=True,
        help_text=_("A press release, report or programme page about the activity."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    # Derived (models/derived.py, refresh_exchanges): folded titles, places and partners'
    # search texts for search(); the start's year and whether public pages list it, for the
    # list's counts from one index; its published partners' continents, for the filter.
    search_text = models.TextField(editable=False, default="")
    year = models.PositiveSmallIntegerField(_("year"), editable=False, null=True)
    is_listed = models.BooleanField(editable=False, default=False)
    continents = models.CharField(editable=False, max_length=60, default="")

    objects = ExchangeQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "pk"]
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        indexes = [
            # The list's order (-started_on, -id) read backwards, upcoming() forwards, and
            # the year filter's and dormant report's date ranges.
            models.Index(fields=["started_on", "id"], name="exchange_started_on_id"),
            # The field filter, in the list's order.
            models.Index(fields=["field", "started_on", "id"], name="exchange_field_started_on"),
            # A partner's last exchange (last_exchange_subquery) from the index alone: on
            # PostgreSQL the dormant report then reads no activity row (400 to 230 ms).
            models.Index(fields=["id", "started_on"], name="exchange_id_started_on"),
            # The list's year × field counts, read from the index alone. Not partial (WHERE
            # is_listed): SQLite then took it for every filtered count too, reading the rows
            # in the index's order, 4 times slower for a search than a scan of the table.
            models.Index(fields=["is_listed", "year", "field"], name="exchange_listed_year_field"),
        ]
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

    def get_absolute_url(self) -> str:
        return reverse("partners:exchange-detail", kwargs={"pk": self.pk})

    title = Localized()

    place = Localized()

    summary = Localized()


def last_exchange_subquery(field: str = "started_on", published: bool = True) -> Subquery:
    """For a City queryset: `field` of the partner's latest activity that has started by
    today (an upcoming one is not yet an exchange that happened), or NULL.

    Read from the partner's links, not from the activities: ordered by date, SQLite would
    walk the activities newest first until one is the partner's, for every partner."""
    links = Exchange.partners.through.objects.filter(
        city_id=OuterRef("pk"), exchange__started_on__lte=timezone.localdate()
    )
    if published:
        links = links.filter(exchange__is_published=True)
    if field == "started_on":
        # MAX needs no sort of the partner's activities, which ORDER BY ... LIMIT 1 does.
        return Subquery(
            links.values("city_id").annotate(last=Max("exchange__started_on")).values("last")
        )
    latest = links.order_by("-exchange__started_on", "-exchange_id")
    return Subquery(latest.values(f"exchange__{field}")[:1])
