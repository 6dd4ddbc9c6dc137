"""Exchange activities: what a partnership does (visits, festivals, youth camps, memoranda)."""

import datetime

import reversion
from django.db import connections, models, transaction
from django.db.models import BigIntegerField, F, Func, Max, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..links import exchange_url
from .derived import EXCHANGE_DERIVED_FIELDS, EXCHANGE_TEXTS, SEPARATOR, exchanges_changed
from .text import Localized, fold
from .versioned import VersionedManager, VersionedQuerySet


class Field(models.TextChoices):
    ADMINISTRATION = "administration", _("administration")
    ECONOMY = "economy", _("economy")
    EDUCATION = "education", _("education")
    CULTURE = "culture", _("culture")
    SPORTS = "sports", _("sports")
    TOURISM = "tourism", _("tourism")
    YOUTH = "youth", _("youth")
    OTHER = "other", _("other")


# SQLite's trigram table of the search texts (migration 0011), which search() reads there.
SEARCH_INDEX = "partners_exchange_search_trigrams"

# The activity's own fields its derived ones (models/derived.py) and the stored counts
# (ExchangeCount) are computed from.
DERIVED_FROM = frozenset({*EXCHANGE_TEXTS, "started_on", "is_published", "field"})


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

    def search(self, query: str, in_date_order: bool = False) -> "ExchangeQuerySet":
        """Titles and places in both languages, and the names, other spellings and country
        names of the partners involved, ignoring case and accents (so "kharkov" finds
        Kharkiv's activities).

        Matched in the database against the stored, folded search_text (models/derived.py,
        folded as CityQuerySet.search folds); on PostgreSQL a trigram index serves it
        (migration 0010), on SQLite an FTS5 trigram table of the texts (migration 0011) for
        needles of three characters or more (a trigram's length); a shorter one (a
        two-syllable Korean name) is looked for in every text.

        `in_date_order`: for a page of the results newest first. On SQLite the trigram
        table's activities are then checked while the date index is walked, instead of being
        read and sorted: 12,000 found activities took 15-30 ms to sort for a page, the walk
        takes 3-8 ms whatever it finds (a count, which reads them all, is faster without)."""
        needle = fold(query.strip()).replace(SEPARATOR, " ").strip()
        if not needle:
            return self
        if connections[self.db].vendor == "sqlite" and len(needle) >= 3:
            # The trigram index (migration 0011) finds the texts that hold the needle's
            # trigrams in a row, which is the texts that hold the needle: a phrase, quoted.
            phrase = '"' + needle.replace('"', '""') + '"'
            found = f"SELECT rowid FROM {SEARCH_INDEX} WHERE {SEARCH_INDEX} MATCH %s"
            if not in_date_order:
                return self.filter(pk__in=RawSQL(found, [phrase]))
            # +id: an expression SQLite cannot look the found ids up by, so it walks the
            # list's order index and tests each id against them.
            unindexed_pk = Func(
                F("pk"), template="+%(expressions)s", output_field=BigIntegerField()
            )
            return self.alias(unindexed_pk=unindexed_pk).filter(
                unindexed_pk__in=RawSQL(found, [phrase])
            )
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
        return exchange_url(self.pk)

    title = Localized()

    place = Localized()

    summary = Localized()


class ExchangeCount(models.Model):
    """How many activities public pages list (Exchange.is_listed) started in `year` in
    `field` with a published partner in `continent`, or with any partner when `continent`
    is "" (an activity with partners in two continents counts once in each, and once in "").

    The exchange list's year × field table (and its total) for the unfiltered list and any
    filter by year, field and continent: the grouped count over ~96,000 activities took
    20-45 ms of every such page at 100,000. Kept by refresh_exchange_counts()
    (models/derived.py) for the years of every activity refreshed or deleted;
    tests/test_exchange_counts.py proves it never drifts from the activities."""

    # Identified by what it counts (also the index the list reads it by: a continent or "",
    # then a year): a recount replaces the rows, and an id would only number replacements.
    pk = models.CompositePrimaryKey("continent", "year", "field")
    continent = models.CharField(max_length=20, blank=True)
    year = models.PositiveSmallIntegerField()
    field = models.CharField(max_length=20, choices=Field)
    count = models.PositiveIntegerField()

    # Written by refresh_exchange_counts() inside writes that bump already; an update() of
    # these rows elsewhere would change what the list shows, so it bumps too.
    objects = VersionedManager()

    class Meta:
        # Derived rows nobody edits: no add/change/delete/view permissions to grant.
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.year} {self.field} {self.continent or '*'}: {self.count}"


class ExchangeDate(models.Model):
    """One row per link of an activity with a partner: the partner, the activity's start
    date and the activity, so that a partner's latest start up to a day is one probe of
    this table's key (last_started_on). Through the links the dormant report asked ~15
    activities per partner for their date, ~110 ms for 2,700 partners at 100,000 activities.

    Not a "last exchange" date per partner: that would go stale when an upcoming activity's
    start passes. Kept by refresh_exchange_dates() (models/derived.py) for every activity
    refreshed or deleted; tests/test_exchange_counts.py proves it never drifts from the
    links. Left out of backups (rebuilt on restore)."""

    # The key is the index the report reads: a partner, then its dates.
    pk = models.CompositePrimaryKey("city_id", "started_on", "exchange_id")
    # Plain references, not constraints: the rows follow the links by refresh, and a
    # partner's or activity's delete must not wait on (or cascade through) them.
    # (No index of its own: the key starts with it.)
    city = models.ForeignKey(
        "City",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    started_on = models.DateField()
    # Indexed: a refresh replaces an activity's rows.
    exchange = models.ForeignKey(
        Exchange, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    # As ExchangeCount's: the dormant report reads these rows.
    objects = VersionedManager()

    class Meta:
        default_permissions = ()
        indexes = [
            # The partners with an activity in a date range (the report's recent ones)
            # from the index alone: a scan of the table took 15 ms at 100,000 activities.
            models.Index(fields=["started_on", "city"], name="exchange_date_started_on"),
        ]

    def __str__(self) -> str:
        return f"{self.city_id} {self.started_on} {self.exchange_id}"


def last_started_on(field: str = "started_on", today: datetime.date | None = None) -> Subquery:
    """For a City queryset: `field` of the partner's latest activity (published or not)
    that has started by `today` (the portal's local date), or NULL; read from the stored
    ExchangeDate rows, one backward probe of their key per partner (and for another field
    than the date, one look-up of that activity). Ties as last_exchange_subquery's."""
    dates = ExchangeDate.objects.filter(
        city_id=OuterRef("pk"), started_on__lte=today or timezone.localdate()
    ).order_by("-started_on", "-exchange_id")
    name = "started_on" if field == "started_on" else f"exchange__{field}"
    return Subquery(dates.values(name)[:1])


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
