"""The interchange format: one row per partner with its current agreement (DESIGN.md)."""

import copy
import logging

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.resources import Diff
from import_export.results import Result, RowResult

from ..history import record_import_history
from ..models import Agreement, City, Country, Status
from .errors import ImportFileError
from .headers import NOT_GIVEN, arrange_columns
from .matching import PartnerNames
from .widgets import (
    CountryWidget,
    DateWidget,
    NumberWidget,
    TextWidget,
    cell_text,
    folded_key,
    kind_widget,
    refuse_lost_letters,
    refuse_uncomputed,
    status_widget,
    suspect_question_mark,
)

logger = logging.getLogger(__name__)

COLUMNS = [
    "slug",
    "name_en",
    "name_ko",
    "aliases",
    "country",
    "kind",
    "status",
    "signed_on",
    "population",
    "population_year",
    "area_km2",
    "latitude",
    "longitude",
    "feature_en",
    "feature_ko",
    "website",
]
REQUIRED_COLUMNS = ["name_en", "country"]
AGREEMENT_ATTRIBUTES = ("current_kind", "current_status", "current_signed_on")
# Rows the admin preview shows with their changes; the rest are checked and counted only,
# so that a file at the row limit previews in seconds, not minutes.
PREVIEW_ROWS = 100

# (column, test the value must pass, name of the City constraint whose message explains it)
RANGE_CHECKS = [
    ("latitude", lambda v: -90 <= v <= 90, "city_latitude_in_range"),
    ("longitude", lambda v: -180 <= v <= 180, "city_longitude_in_range"),
    ("population", lambda v: v > 0, "city_population_positive"),
    ("area_km2", lambda v: v > 0, "city_area_positive"),
    ("population_year", lambda v: 1800 <= v <= 2200, "city_population_year_plausible"),
]


def places(name: str) -> int:
    return City._meta.get_field(name).decimal_places


class PreviewDiff(Diff):
    """The import preview's diff with blank cells blank, not "None". The widgets keep None
    for exports, where it is an empty cell and JSON's null."""

    def as_html(self) -> list:
        # Diff reads values through Diff._read_field_values, not the class: blank them here.
        self.left = ["" if value is None else value for value in self.left]
        self.right = ["" if value is None else value for value in self.right]
        return super().as_html()


def constraint_message(model: type, name: str) -> str:
    constraint = next(c for c in model._meta.constraints if c.name == name)
    return str(constraint.get_violation_error_message())


class PartnerResource(resources.ModelResource):
    """Import matches by slug, else by English name + country; writes go through save()."""

    # A blank slug keeps the matched partner's slug, or makes one for a new partner.
    slug = fields.Field("slug", "slug", TextWidget(blank_is_none=True), saves_null_values=False)
    name_en = fields.Field("name_en", "name_en", TextWidget())
    name_ko = fields.Field("name_ko", "name_ko", TextWidget())
    aliases = fields.Field("aliases", "aliases", TextWidget())
    country = fields.Field("country", "country", CountryWidget())
    # Blank agreement cells keep the current agreement as it is.
    kind = fields.Field("current_kind", "kind", kind_widget(), saves_null_values=False)
    status = fields.Field("current_status", "status", status_widget(), saves_null_values=False)
    signed_on = fields.Field(
        "current_signed_on", "signed_on", DateWidget(), saves_null_values=False
    )
    population = fields.Field("population", "population", NumberWidget(integer=True))
    population_year = fields.Field("population_year", "population_year", NumberWidget(integer=True))
    area_km2 = fields.Field("area_km2", "area_km2", NumberWidget(decimal_places=places("area_km2")))
    latitude = fields.Field("latitude", "latitude", NumberWidget(decimal_places=places("latitude")))
    longitude = fields.Field(
        "longitude", "longitude", NumberWidget(decimal_places=places("longitude"))
    )
    feature_en = fields.Field("feature_en", "feature_en", TextWidget(multiline=True))
    feature_ko = fields.Field("feature_ko", "feature_ko", TextWidget(multiline=True))
    website = fields.Field("website", "website", TextWidget())

    # The export form's labels for the columns taken from the current agreement.
    label_fields = {
        "kind": Agreement._meta.get_field("kind"),
        "status": Agreement._meta.get_field("status"),
        "signed_on": Agreement._meta.get_field("signed_on"),
    }

    class Meta:
        model = City
        fields = COLUMNS
        import_order = COLUMNS
        export_order = COLUMNS
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    @classmethod
    def get_display_name(cls) -> str:
        return _("Partners (one row per partner with its current agreement)")

    def get_queryset(self) -> QuerySet:
        return City.objects.with_current_agreement()

    def get_diff_class(self) -> type[Diff]:
        return PreviewDiff

    def filter_export(self, queryset: QuerySet, **kwargs) -> QuerySet:
        # The admin hands over its own changelist queryset, without the annotations.
        if "current_kind" not in queryset.query.annotations:
            queryset = queryset.with_current_agreement()
        return queryset.select_related("country")

    def __init__(self, preview: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.ready = False
        if not preview:
            # Commands and scripts show no row-by-row diff: compare a cheap snapshot instead
            # of deep-copying every partner (see skip_row).
            self._meta = copy.copy(self._meta)
            self._meta.skip_diff = True
        self.new_cities: list[City] = []

    def before_import(self, dataset, **kwargs) -> None:
        # Header names, units and generic columns are read by headers.arrange_columns.
        self.header_line = getattr(dataset, "header_line", 1)
        self.notes = list(getattr(dataset, "notes", []))
        plan = arrange_columns(dataset, COLUMNS, kwargs.get("default_kind"))
        self.notes += plan.notes
        self.kind_missing = plan.kind_missing
        for column, factor in plan.units.items():
            self.fields[column].widget.scale = factor
        headers = dataset.headers
        # A Korean name is enough to find a partner; a new one is refused without English.
        missing = [c for c in REQUIRED_COLUMNS if c not in headers and c != "name_en"]
        if "name_en" not in headers and "name_ko" not in headers:
            missing.insert(0, "name_en")
        if missing and "slug" not in headers:
            raise ImportFileError(
                _("The file has no “%(column)s” column.") % {"column": missing[0]}
            )
        self.load_current_state()
        self.ready = True

    def load_current_state(self) -> None:
        """Everything matching needs, in a fixed number of queries whatever the file size."""
        self.fields["country"].widget.load()
        current = {
            agreement.city_id: agreement
            for agreement in Agreement.objects.exclude(status=Status.ENDED)
        }
        self.agreement_keys = set(Agreement.objects.values_list("city_id", "kind", "signed_on"))
        self.by_slug: dict[str, City] = {}
        self.by_name: dict[tuple[str, int], City] = {}
        for city in City.objects.select_related("country"):
            self.remember_agreement(city, current.get(city.pk))
            self.by_slug[city.slug] = city
            self.by_name.setdefault((folded_key(city.name_en), city.country_id), city)
        self.taken_slugs = set(self.by_slug)
        self.claimed: dict[object, int] = {}
        self.names = PartnerNames(self.by_slug.values())

    @staticmethod
    def remember_agreement(city: City, agreement: Agreement | None) -> None:
        city.loaded_agreement = agreement
        city.current_kind = agreement.kind if agreement else None
        city.current_status = agreement.status if agreement else None
        city.current_signed_on = agreement.signed_on if agreement else None

    def import_row(self, row: dict, instance_loader, **kwargs) -> RowResult:
        # Rows are not read when the file itself is wrong (reported once, not per row), nor
        # once the report is full: the rest are counted as not checked.
        report_full = self.problem_rows >= settings.PORTAL_IMPORT_MAX_REPORTED_PROBLEMS
        blank = all(cell_text(value).strip() == "" for value in row.values())
        if not self.ready or report_full or blank:
            self.unchecked_rows += self.ready and report_full and not blank
            row_result = self.get_row_result_class()()
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            return row_result
        row = {column: value for column, value in row.items() if value is not NOT_GIVEN}
        if not self._meta.skip_diff and kwargs.get("row_number", 0) > PREVIEW_ROWS:
            self._meta = copy.copy(self._meta)
            self._meta.skip_diff = True
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.errors or row_result.validation_error:
            self.problem_rows += 1
        return row_result

    def import_field(self, field, instance: City, row: dict, is_m2m=False, **kwargs) -> None:
        """Refuses a formula without a value, and text whose letters a save in another
        encoding replaced by `?`; warns of a `?` where such a letter may have been."""
        refuse_uncomputed(row.get(field.column_name))
        stored = getattr(instance, field.attribute, None) if field.attribute else None
        super().import_field(field, instance, row, is_m2m, **kwargs)
        new = getattr(instance, field.attribute, None) if field.attribute else None
        refuse_lost_letters(stored, new)
        if new != stored and suspect_question_mark(new):
            self.notes.append(
                _(
                    "Line %(line)s, column “%(column)s”: “%(value)s” has a ? where a letter "
                    "may have been lost by saving in CP949; check it before confirming."
                )
                % {
                    "line": kwargs.get("row_number", 0) + self.header_line,
                    "column": field.column_name,
                    "value": new,
                }
            )

    def get_or_init_instance(self, instance_loader, row: dict) -> tuple[City, bool]:
        slug = cell_text(row.get("slug")).strip()
        if slug:
            city = self.by_slug.get(slug)
        else:
            # Within its country, by English or Korean name or another spelling.
            country = self.row_country(row)
            names = [cell_text(row.get(column)) for column in ("name_en", "name_ko")]
            city = self.names.match(names, country) if country else None
        if city is not None:
            return city, False
        city = City()
        self.remember_agreement(city, None)
        return city, True

    def snapshot(self, instance: City) -> list:
        return [field.get_value(instance) for field in self.get_import_fields()]

    def skip_row(self, instance: City, original, row: dict, import_validation_errors=None) -> bool:
        if not self._meta.skip_diff:
            return super().skip_row(instance, original, row, import_validation_errors)
        if import_validation_errors or instance.pk is None:
            return False
        return self.snapshot(instance) == instance.import_snapshot

    def after_init_instance(self, instance: City, new: bool, row: dict, **kwargs) -> None:
        if self._meta.skip_diff:
            instance.import_snapshot = self.snapshot(instance)
        # A blank signed_on keeps the current date (saves_null_values=False); a change of
        # kind must not silently take that date over.
        instance.signed_on_given = bool(cell_text(row.get("signed_on")).strip())
        line = kwargs.get("row_number", 0) + self.header_line
        keys: list[object] = [instance.pk]
        if new:
            # A new partner is the same one again when its English name and country are,
            # however the country is written and whether or not a slug is given.
            slug = cell_text(row.get("slug")).strip()
            name = folded_key(cell_text(row.get("name_en")))
            country = self.row_country(row)
            keys = [("slug", slug)] if slug else []
            if name and country is not None:
                keys.append(("name", name, country.pk))
        for key in keys:
            if key in self.claimed:
                raise ValidationError(
                    {
                        "slug": _("This partner is already on line %(line)s of the file.")
                        % {"line": self.claimed[key]}
                    }
                )
        for key in keys:
            self.claimed[key] = line

    def row_country(self, row: dict) -> Country | None:
        try:
            return self.fields["country"].clean(row)
        except (ValueError, KeyError):
            return None

    def validate_instance(self, instance: City, import_validation_errors=None, **kwargs) -> None:
        errors = dict(import_validation_errors or {})
        if instance.pk is None and not instance.slug and "name_en" not in errors:
            instance.slug = self.unique_slug(instance)
        if instance.country_id is None and "country" not in errors:
            errors["country"] = [_("Give the partner's country.")]
        try:
            # The country came from the lookup table: checking it again costs a query a row.
            # Without a readable English name there is no slug yet: report the name only.
            exclude = set(errors) | {"country"} | ({"slug"} if not instance.slug else set())
            instance.clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for column, test, constraint in RANGE_CHECKS:
            value = getattr(instance, column)
            if column not in errors and value is not None and not test(value):
                errors[column] = [constraint_message(City, constraint)]
        self.validate_agreement(instance, errors)
        if instance.pk is None:
            self.validate_new_partner(instance, errors)
        if instance.pk is None and instance.slug in self.taken_slugs and "slug" not in errors:
            errors["slug"] = [_("Another partner already has this slug.")]
        if errors:
            raise ValidationError(errors)
        self.taken_slugs.add(instance.slug)

    def validate_new_partner(self, city: City, errors: dict) -> None:
        """A new slug must not make a second partner of one already kept, and a new partner
        needs its kind when the file has no kind column."""
        existing = self.by_name.get((folded_key(city.name_en), city.country_id))
        if existing is not None and "slug" not in errors:
            errors["slug"] = [
                _(
                    "A partner with this English name and country exists already: "
                    "“%(slug)s”. Write that slug to update it, or give a different city a "
                    "distinguishing English name."
                )
                % {"slug": existing.slug}
            ]
        if self.kind_missing:
            errors["current_kind"] = [
                _(
                    "A new partner needs its kind: add a kind column, or choose the kind for "
                    "every row of the file (sister or friendly)."
                )
            ]

    def validate_agreement(self, city: City, errors: dict) -> None:
        kind, signed_on = city.current_kind, city.current_signed_on
        if {"current_kind", "current_signed_on"} & set(errors):
            return
        if kind is None and signed_on is None:
            if city.current_status is not None:
                errors["current_kind"] = [_("Give the kind and the signing date of the status.")]
            return
        if kind is None or signed_on is None:
            missing = "current_kind" if kind is None else "current_signed_on"
            errors[missing] = [_("Give both the kind and the signing date, or neither.")]
            return
        loaded = city.loaded_agreement
        if loaded and (loaded.kind, loaded.signed_on) == (kind, signed_on):
            return
        if loaded and city.current_status == Status.ENDED:
            # Ending means ending the current agreement in place; a new ended agreement
            # would leave the current one active.
            errors["current_status"] = [
                _(
                    "A new agreement cannot start as ended. To end the partnership, keep the "
                    "current kind and signing date (%(kind)s, %(date)s) and write ended."
                )
                % {"kind": loaded.kind, "date": loaded.signed_on.isoformat()}
            ]
        elif loaded and kind != loaded.kind and not getattr(city, "signed_on_given", True):
            errors["current_signed_on"] = [
                _(
                    "A different kind is a new agreement: give its signing date, on or after "
                    "the current agreement's (%(date)s)."
                )
                % {"date": loaded.signed_on.isoformat()}
            ]
        elif loaded and signed_on < loaded.signed_on:
            errors["current_signed_on"] = [
                _(
                    "A new current agreement must be signed on or after the current one "
                    "(%(date)s), which it replaces."
                )
                % {"date": loaded.signed_on.isoformat()}
            ]
        elif (city.pk, kind, signed_on) in self.agreement_keys:
            errors["current_signed_on"] = [
                constraint_message(Agreement, "agreement_unique_kind_date_per_city")
            ]

    def unique_slug(self, city: City) -> str:
        # Non-Latin English names (rare) fall back to the country code.
        base = slugify(city.name_en)[:70].strip("-") or "partner"
        country = city.country.iso_code.lower() if city.country_id else ""
        candidates = [base, f"{base}-{country}"] if country else [base]
        candidates += [f"{base}-{number}" for number in range(2, 10_000)]
        return next(slug for slug in candidates if slug not in self.taken_slugs)

    def do_instance_save(self, instance: City, is_create: bool) -> None:
        # New partners and their first agreements are created in bulk at the end (nothing
        # to supersede); changed partners go through save(), agreements through
        # Agreement.save(), which ends the agreement it replaces.
        if is_create:
            self.new_cities.append(instance)
        else:
            instance.save()

    def after_save_instance(self, instance: City, row: dict, **kwargs) -> None:
        if instance.pk is not None:
            self.save_agreement(instance)

    def create_new_cities(self) -> None:
        City.objects.bulk_create(self.new_cities, batch_size=500)
        agreements = [
            Agreement(
                city=city,
                kind=city.current_kind,
                signed_on=city.current_signed_on,
                status=city.current_status or Status.ACTIVE,
            )
            for city in self.new_cities
            if city.current_kind is not None
        ]
        Agreement.objects.bulk_create(agreements, batch_size=500)
        self.created_in_bulk(self.new_cities, agreements)
        self.new_cities = []

    def created_in_bulk(self, cities: list[City], agreements: list[Agreement]) -> None:
        """Hook for change history: bulk_create sends no post_save signal."""
        self.imported_city_pks.update(city.pk for city in cities)

    def import_data(self, dataset, dry_run: bool = False, **kwargs) -> Result:
        """A real import is one history revision with the importing user and file name;
        a preview, or an import that writes nothing because of an error, records none.

        default_kind (sister or friendly) fills the kind of every row of a file without a
        kind column. The result's `notes` tell staff how the file was read."""
        self.imported_city_pks: set[int] = set()
        self.header_line, self.notes, self.kind_missing = 1, [], False
        self.problem_rows = self.unchecked_rows = 0
        result = super().import_data(dataset, dry_run=dry_run, **kwargs)
        failed = result.has_errors() or result.has_validation_errors()
        if dry_run or failed or getattr(result, "report", None):
            return result
        self.imported_city_pks.update(
            row.object_id
            for row in result.valid_rows()
            if row.object_id is not None
            and row.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE)
        )
        record_import_history(self.imported_city_pks, kwargs.get("user"), kwargs.get("file_name"))
        return result

    def save_agreement(self, city: City) -> None:
        """Same kind and date: update the status in place; otherwise a new agreement,
        whose save() ends the one it supersedes so that the history is kept."""
        kind, status, signed_on = city.current_kind, city.current_status, city.current_signed_on
        if kind is None:
            return
        loaded = city.loaded_agreement
        if loaded and (loaded.kind, loaded.signed_on) == (kind, signed_on):
            if status and status != loaded.status:
                loaded.status = status
                loaded.save(update_fields=["status"])
            return
        agreement = Agreement(
            city=city, kind=kind, signed_on=signed_on, status=status or Status.ACTIVE
        )
        agreement.save()
        self.remember_agreement(city, agreement)
        self.agreement_keys.add((city.pk, kind, signed_on))

    def after_import(self, dataset, result: Result, **kwargs) -> None:
        # Whatever happens here, staff get a report: an unexpected database error becomes a
        # base error (logged, shown as a generic line) and the import is rolled back.
        try:
            if self.new_cities and not result.has_errors() and not result.has_validation_errors():
                with transaction.atomic():
                    self.create_new_cities()
            super().after_import(dataset, result, **kwargs)
        except Exception as error:
            self.handle_import_error(result, error)
        finally:
            result.report = import_report(result, self)
            result.notes = self.notes


def unexpected_import_error() -> str:
    return _("An unexpected error stopped the import; nothing was written.")


def staff_message(error: Exception, row: bool = True) -> str:
    """Our own messages as they are; anything else logged, never shown raw."""
    if isinstance(error, ImportFileError):
        return str(error)
    logger.error("Unexpected error during import", exc_info=error)
    if not row:
        return unexpected_import_error()
    return _("This row could not be saved because of an unexpected error.")


def import_report(result: Result, resource: resources.Resource) -> list[str]:
    """One line per problem: file line (the header is line 1), column, reason."""
    columns = {field.attribute: field.column_name for field in resource.get_import_fields()}
    lines = [staff_message(error.error, row=False) for error in result.base_errors]
    problems = []
    offset = getattr(resource, "header_line", 1)
    for number, errors in result.row_errors():
        problems += [(number + offset, None, staff_message(error.error)) for error in errors]
    for row in result.invalid_rows:
        for field, messages in row.error_dict.items():
            column = None if field == NON_FIELD_ERRORS else columns.get(field, field)
            problems += [(row.number + offset, column, message) for message in messages]
    order = {column: index for index, column in enumerate(COLUMNS)}
    problems.sort(key=lambda problem: (problem[0], order.get(problem[1], -1)))
    for line, column, message in problems:
        values = {"line": line, "column": column, "message": message}
        if column:
            lines.append(_("Line %(line)s, column “%(column)s”: %(message)s") % values)
        else:
            lines.append(_("Line %(line)s: %(message)s") % values)
    limit = settings.PORTAL_IMPORT_MAX_REPORTED_PROBLEMS
    unchecked = getattr(resource, "unchecked_rows", 0)
    if len(lines) > limit or unchecked:
        more = len(lines) - limit
        lines = lines[:limit]
        if more > 0:
            lines.append(_("… and %(count)s more problems.") % {"count": more})
        if unchecked:
            lines.append(
                _("The import stopped there: %(count)s more rows were not checked.")
                % {"count": unchecked}
            )
    return lines


def import_partners(dataset, *, dry_run: bool = False, **kwargs) -> Result:
    """All or nothing: any invalid row rolls the whole import back."""
    return PartnerResource(preview=False).import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        **kwargs,
    )
