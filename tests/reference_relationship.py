"""The current relationship computed from scratch in SQL: the subqueries the pages ran before
it was stored (issue 13). tests/test_derived.py checks the stored values against it."""

import datetime

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from partners.models import Agreement, City, Status
from partners.models.derived import search_text

FIELDS = [
    "current_kind",
    "current_status",
    "current_signed_on",
    "since",
    "relationship_since",
    "first_signed_on",
    "first_kind",
]


def with_reference_relationship(cities: QuerySet) -> QuerySet:
    """Annotate ref_<field> for each of FIELDS (the rule: docs/data-model.md, "Since")."""
    current = Agreement.objects.filter(city=OuterRef("pk")).exclude(status=Status.ENDED)
    kind_break = (
        Agreement.objects.filter(city=OuterRef("pk"), signed_on__lte=OuterRef("ref_signed_on"))
        .exclude(kind=OuterRef("ref_kind"))
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
            city=OuterRef("pk"), signed_on__lt=OuterRef("ref_signed_on"), ended_on__isnull=False
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
            kind=OuterRef("ref_kind"),
            signed_on__lte=OuterRef("ref_signed_on"),
            signed_on__gt=OuterRef("run_break"),
        )
        .order_by("signed_on")
        .values("signed_on")[:1]
    )
    first = Agreement.objects.filter(city=OuterRef("pk")).order_by("signed_on", "pk")
    return (
        cities.annotate(
            ref_kind=Subquery(current.values("kind")[:1]),
            ref_status=Subquery(current.values("status")[:1]),
            ref_signed_on=Subquery(current.values("signed_on")[:1]),
            ref_first_signed_on=Subquery(first.values("signed_on")[:1]),
            ref_first_kind=Subquery(first.values("kind")[:1]),
        )
        .annotate(gap_break=Coalesce(Subquery(gap_break), no_break))
        .annotate(run_break=Greatest(Coalesce(Subquery(kind_break), no_break), F("gap_break")))
        .annotate(
            ref_since=Coalesce(Subquery(run_start), F("ref_signed_on")),
            ref_relationship_since=Subquery(
                Agreement.objects.filter(city=OuterRef("pk"), signed_on__gt=OuterRef("gap_break"))
                .order_by("signed_on")
                .values("signed_on")[:1]
            ),
        )
    )


def drift(cities: QuerySet | None = None) -> list[tuple[str, str, object, object]]:
    """(slug, field, stored, from scratch) for every stored value that differs."""
    cities = cities if cities is not None else City.objects.all()
    rows = with_reference_relationship(cities.select_related("country"))
    differences = []
    for city in rows:
        current = city.ref_kind is not None
        expected = {
            "current_kind": city.ref_kind,
            "current_status": city.ref_status,
            "current_signed_on": city.ref_signed_on,
            "since": city.ref_since,
            # The old annotation left it set without a current agreement; pages never read it then.
            "relationship_since": city.ref_relationship_since if current else None,
            "first_signed_on": city.ref_first_signed_on,
            "first_kind": city.ref_first_kind,
            "search_text": search_text(
                city.name_en,
                city.name_ko,
                city.aliases,
                city.country.iso_code,
                city.country.name_en,
                city.country.name_ko,
            ),
        }
        differences += [
            (city.slug, field, getattr(city, field), value)
            for field, value in expected.items()
            if getattr(city, field) != value
        ]
    return differences
