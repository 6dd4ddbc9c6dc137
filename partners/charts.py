"""Charts of the partnerships drawn on the server as SVG geometry, for templates/includes/
charts.html: agreements signed per year (stacked by kind, changes of kind hatched) and
partners per continent and kind. Counts come from grouped queries (views.home).

Sizes are SVG user units; each chart is about 400 units wide, so that its 12-unit text is
still about 10 px on a 360 px phone.
"""

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import CharField, Count, F, QuerySet, Value
from django.db.models.functions import Cast, Substr
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Kind

WIDTH = 400.0
FONT = 12.0
KIND_ORDER = [Kind.SISTER, Kind.FRIENDLY]


@dataclass
class Segment:
    kind: str
    changed: bool  # a change of kind (an upgrade to sister), drawn hatched
    x: float
    y: float
    width: float
    height: float
    value: int

    @property
    def center_x(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def center_y(self) -> float:
        """Baseline for a label centred in the bar."""
        return round(self.y + self.height / 2 + FONT * 0.35, 1)


@dataclass
class Tick:
    position: float
    label: str


SERIES_LABELS = {
    (Kind.SISTER, False): _("New sister-city agreements"),
    (Kind.FRIENDLY, False): _("New friendly-city agreements"),
    (Kind.SISTER, True): _("Upgrades to sister city"),
    (Kind.FRIENDLY, True): _("Changes to friendly city"),
}


@dataclass
class Series:
    kind: str
    changed: bool
    total: int

    @property
    def label(self) -> Promise:
        return SERIES_LABELS[(self.kind, self.changed)]


@dataclass
class YearRow:
    year: int
    counts: list[int]  # in the order of the chart's series


@dataclass
class YearChart:
    """Bars per year from the first signing to the last, and the same numbers per year."""

    width: float
    height: float
    segments: list[Segment] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    rows: list[YearRow] = field(default_factory=list)
    baseline: float = 0.0
    left: float = 0.0

    @property
    def y_label_x(self) -> float:
        return self.left - 5

    @property
    def x_label_y(self) -> float:
        return self.height - 6


def year(date_field: str) -> Substr:
    """The year of a date column as four digits of text. Not ExtractYear: SQLite runs that
    as a Python function per row, five times slower over 10,000 partners; a date's text is
    ISO 8601 in SQLite and in PostgreSQL (DateStyle ISO, its default)."""
    return Substr(Cast(date_field, CharField()), 1, 4)


def signing_events(cities: QuerySet) -> Counter:
    """(year, kind, changed) -> how many partnerships began or changed kind that year.

    A partner counts once in the year of its first agreement, under that agreement's kind,
    and once more in its `since` year when its current kind differs from the first (an
    upgrade from friendly to sister). Renewals of the same kind are not events."""
    return count_signing_events(signing_event_rows(cities))


def signing_event_rows(cities: QuerySet) -> QuerySet:
    """The query of signing_events(): one over `cities` (a City queryset), grouped by the
    years and kinds of their stored relationship (models/derived.py): the beginnings and the
    changes are grouped apart and read as one UNION ALL, a few rows per year, however many
    partners (grouped together by both years, it was some 1,700 rows and 20 ms at 10,000
    partners). Rows: (year as text, kind, changed, count)."""
    started = cities.filter(first_signed_on__isnull=False, first_kind__isnull=False)
    beginnings = (
        started.values_list(year("first_signed_on"), "first_kind", Value(False))
        .annotate(count=Count("pk"))
        .order_by()
    )
    changes = (
        started.filter(current_kind__isnull=False, since__isnull=False)
        .exclude(current_kind=F("first_kind"))
        .values_list(year("since"), "current_kind", Value(True))
        .annotate(count=Count("pk"))
        .order_by()
    )
    return beginnings.union(changes, all=True)


def count_signing_events(rows: Iterable[tuple]) -> Counter:
    """signing_events() from the rows of signing_event_rows(), as the ORM or the database
    driver gives them (SQLite writes the flag as 0 or 1)."""
    events: Counter = Counter()
    for event_year, kind, changed, count in rows:
        if kind:
            events[(int(event_year), kind, bool(changed))] += count
    return events


def year_chart(events: Counter) -> YearChart | None:
    """The stacked bar chart of signing_events(); None when nothing was signed."""
    if not events:
        return None
    series = [
        Series(
            kind, changed, sum(n for (_, k, c), n in events.items() if (k, c) == (kind, changed))
        )
        for changed in (False, True)
        for kind in KIND_ORDER
    ]
    series = [s for s in series if s.total]
    first_year = min(year for year, _, _ in events)
    last_year = max(max(year for year, _, _ in events), first_year + 4)
    years = list(range(first_year, last_year + 1))
    rows = [
        YearRow(year, [events[(year, s.kind, s.changed)] for s in series])
        for year in years
        if any(events[(year, s.kind, s.changed)] for s in series)
    ]
    tallest = max(sum(row.counts) for row in rows)
    step = nice_step(tallest)
    top = math.ceil(tallest / step) * step

    left, right, top_margin, bottom = 2.2 * FONT, 4.0, FONT, 2.2 * FONT
    height = 220.0
    chart = YearChart(width=WIDTH, height=height, series=series, rows=rows)
    chart.baseline, chart.left = height - bottom, left
    plot_height = height - bottom - top_margin
    slot = (WIDTH - left - right) / len(years)
    bar = max(slot * 0.7, 1.0)
    by_year = {row.year: row.counts for row in rows}
    for index, year in enumerate(years):
        x = left + index * slot + (slot - bar) / 2
        y = chart.baseline
        for s, count in zip(series, by_year.get(year, [0] * len(series)), strict=True):
            if not count:
                continue
            h = plot_height * count / top
            y -= h
            chart.segments.append(
                Segment(
                    s.kind, s.changed, round(x, 1), round(y, 1), round(bar, 1), round(h, 1), count
                )
            )
        if year % 5 == 0:
            chart.x_ticks.append(Tick(round(x + bar / 2, 1), str(year)))
    chart.y_ticks = [
        Tick(round(chart.baseline - plot_height * value / top, 1), str(value))
        for value in range(0, top + 1, step)
    ]
    return chart


def nice_step(largest: int) -> int:
    """A gridline step of 1, 2 or 5 × 10ⁿ giving at most five steps up to `largest`."""
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            if largest <= 5 * multiple * magnitude:
                return multiple * magnitude
        magnitude *= 10


@dataclass
class ContinentBar:
    label: str
    y: float
    segments: list[Segment]
    total: int
    height: float
    end_x: float  # where the total is written, after the bar

    @property
    def label_y(self) -> float:
        return round(self.y + self.height / 2 + FONT * 0.35, 1)


@dataclass
class ContinentChart:
    width: float
    height: float
    label_width: float
    bars: list[ContinentBar]

    @property
    def label_x(self) -> float:
        return self.label_width - 6


def continent_chart(rows: list[dict], continents: list) -> ContinentChart:
    """Horizontal bars, one per continent, split by kind, from the home page's count rows
    ({"kind": Kind, "cells": [{"continent": …, "count": n}, ...]}, as views.home makes)."""
    counts = {
        (row["kind"], cell["continent"]): cell["count"] for row in rows for cell in row["cells"]
    }
    totals = {c: sum(counts.get((k, c), 0) for k in KIND_ORDER) for c in continents}
    largest = max([*totals.values(), 1])
    label_width, right, row_height = 7.5 * FONT, 3 * FONT, 2.4 * FONT
    plot = WIDTH - label_width - right
    bars = []
    for index, continent in enumerate(sorted(continents, key=lambda c: -totals[c])):
        y = 4 + index * row_height
        x = label_width
        segments = []
        for kind in KIND_ORDER:
            count = counts.get((kind, continent), 0)
            if count:
                w = plot * count / largest
                segments.append(
                    Segment(
                        kind,
                        False,
                        round(x, 1),
                        round(y, 1),
                        round(w, 1),
                        round(row_height * 0.7, 1),
                        count,
                    )
                )
                x += w
        bars.append(
            ContinentBar(
                str(continent.label),
                round(y, 1),
                segments,
                totals[continent],
                round(row_height * 0.7, 1),
                round(x + 5, 1),
            )
        )
    height = 8 + len(continents) * row_height
    return ContinentChart(WIDTH, round(height, 1), label_width, bars)
