"""The interchange format: one row per partner with its current agreement
(docs/interchange-format.md)."""

import copy

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources
from import_export.resources import Diff
from import_export.results import Result, RowResult

from ..constraints import constraint_message, violated_checks
from ..models import Agreement, City, Status
from ..models.derived import refresh_afterwards
from .data_checks import DataCheckImportMixin
from .dates import DateWidget
from .headers import COLUMNS, NOT_GIVEN, arrange_columns, require_columns
from .import_history import import_all_or_nothing, record_import_history
from .lost_letters import CheckedCellsMixin
from .matching import KnownPartners
from .report import PreviewDiff, file_line, import_report, unread_row
from .widgets import (
    CountryWidget,
    NumberWidget,
    TextWidget,
    cell_text,
    kind_widget,
    status_widget,
)

# The resource's attribute for each Agreement field it reads from the current agreement.
AGREEMENT_ATTRIBUTES = {
    "kind": "current_kind",
    "status": "current_status",
    "signed_on": "current_signed_on",
}
# Rows the admin preview shows with their changes; the rest are checked and counted only,
# so that a file at the row limit previews in seconds, not minutes.
PREVIEW_ROWS = 100


def places(name: str) -> int:
    return City._meta.get_field(name).decimal_places


class PartnerResource(DataCheckImportMixin, CheckedCellsMixin, resources.ModelResource):
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
    population = fields.Field(
        "population", "population", NumberWidget(integer=True, stored_unit=gettext_lazy("people"))
    )
    population_year = fields.Field("population_year", "population_year", NumberWidget(integer=True))
    area_km2 = fields.Field(
        "area_km2", "area_km2", NumberWidget(decimal_places=places("area_km2"), stored_unit="km²")
    )
    latitude = fields.Field("latitude", "latitude", NumberWidget(decimal_places=places("latitude")))
    longitude = fields.Field(
        "longitude", "longitude", NumberWidget(decimal_places=places("longitude"))
    )
    feature_en = fields.Field("feature_en", "feature_en", TextWidget(multiline=True))
    feature_ko = fields.Field("feature_ko", "feature_ko", TextWidget(multiline=True))
    website = fields.Field("website", "website", TextWidget())
    population_source = fields.Field("population_source", "population_source", TextWidget())
    area_year = fields.Field("area_year", "area_year", NumberWidget(integer=True))
    area_source = fields.Field("area_source", "area_source", TextWidget())

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
        return City.objects.select_related("country")

    def get_diff_class(self) -> type[Diff]:
        return PreviewDiff

    def get_diff_headers(self) -> list[str]:
        """The preview's column heads as the export form labels them, in the staff member's
        language with the file's column name: "인구 (population)"."""
        # Imported here: the admin imports the resources.
        from ..admin.spreadsheets import field_label

        names = {id(field): name for name, field in self.fields.items()}
        return [
            field_label(type(self), names[id(field)]) or field.column_name
            for field in self.get_import_fields()
        ]

    def filter_export(self, queryset: QuerySet, **kwargs) -> QuerySet:
        return queryset.select_related("country")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.ready = False
        self.new_cities: list[City] = []

    def before_import(self, dataset, **kwargs) -> None:
        # Header names, units and generic columns are read by headers.arrange_columns.
        self.header_line = getattr(dataset, "header_line", 1)
        self.row_lines = getattr(dataset, "row_lines", None)
        self.notes = list(getattr(dataset, "notes", []))
        plan = arrange_columns(dataset, COLUMNS, kwargs.get("default_kind"))
        self.notes += plan.notes
        self.kind_missing = plan.kind_missing
        for column, (factor, unit) in plan.units.items():
            self.fields[column].widget.scale, self.fields[column].widget.unit = factor, unit
        require_columns(dataset.headers)
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
        cities = list(City.objects.select_related("country"))
        for city in cities:
            self.remember_agreement(city, current.get(city.pk))
        self.known = KnownPartners(cities)
        self.load_checks(cities)

    @staticmethod
    def remember_agreement(city: City, agreement: Agreement | None) -> None:
        city.loaded_agreement = agreement
        city.current_kind = agreement.kind if agreement else None
        city.current_status = agreement.status if agreement else None
        city.current_signed_on = agreement.signed_on if agreement else None

    def import_row(self, row: dict, instance_loader, **kwargs) -> RowResult:
        skipped = unread_row(self, row)
        if skipped is not None:
            return skipped
        row = {column: value for column, value in row.items() if value is not NOT_GIVEN}
        if not self._meta.skip_diff and kwargs.get("row_number", 0) > PREVIEW_ROWS:
            # Past the rows the preview shows, go on as the unpreviewed resource does (its
            # Meta.skip_diff): the library reads the option afresh for each row and has no
            # per-row hook. A copy, because the library also writes into the options.
            self._meta = copy.copy(UnpreviewedPartnerResource._meta)
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.errors or row_result.validation_error:
            self.problem_rows += 1
        return row_result

    def get_or_init_instance(self, instance_loader, row: dict) -> tuple[City, bool]:
        slug = cell_text(row.get("slug")).strip()
        names = [cell_text(row.get(column)) for column in ("name_en", "name_ko")]
        city = self.known.find(slug, names, self.row_country)
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
        self.remember_stored(instance)
        # A blank signed_on keeps the current date (saves_null_values=False); a change of
        # kind must not silently take that date over.
        instance.signed_on_given = bool(cell_text(row.get("signed_on")).strip())
        slug, name_en = (cell_text(row.get(column)).strip() for column in ("slug", "name_en"))
        line = file_line(self, kwargs.get("row_number", 0))
        self.known.claim(instance, slug, name_en, self.row_country, line)
        instance.import_line = line

    def before_import_row(self, row: dict, **kwargs) -> None:
        # The country cell is read once a row, here: matching, the duplicate check and the
        # country field itself (import_field) all use it.
        try:
            self.row_country = self.fields["country"].clean(row)
        except (ValueError, KeyError):
            self.row_country = None  # the country field reports why when it is imported

    def import_field(self, field, instance: City, row: dict, is_m2m=False, **kwargs) -> None:
        if field is self.fields["country"] and self.row_country is not None:
            instance.country = self.row_country  # read once a row, in before_import_row
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def validate_instance(self, instance: City, import_validation_errors=None, **kwargs) -> None:
        errors = dict(import_validation_errors or {})
        if instance.pk is None and not instance.slug and "name_en" not in errors:
            instance.slug = self.known.unique_slug(instance)
        if instance.country_id is None and "country" not in errors:
            errors["country"] = [_("Give the partner's country.")]
        try:
            # The country came from the lookup table: checking it again costs a query a row.
            # Without a readable English name there is no slug yet: report the name only.
            exclude = set(errors) | {"country"} | ({"slug"} if not instance.slug else set())
            instance.clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for column, message in violated_checks(instance, skip=set(errors)):
            errors[column] = [message]
        self.validate_agreement(instance, errors)
        if instance.pk is None and self.kind_missing:
            errors["current_kind"] = [
                _(
                    "A new partner needs its kind: add a kind column, or choose the kind for "
                    "every row of the file (sister or friendly)."
                )
            ]
        if instance.pk is None:
            self.known.new_slug_errors(instance, errors)
        self.check_row(instance, errors, instance.import_line)
        if errors:
            raise ValidationError(errors)
        self.known.taken_slugs.add(instance.slug)

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
            return  # the current agreement updated in place
        status = city.current_status or Status.ACTIVE
        try:  # a new agreement, for a partner with a current one (loaded) or without
            Agreement(city=city, kind=kind, signed_on=signed_on, status=status).validate_succession(
                loaded, signing=True, signed_on_given=city.signed_on_given
            )
        except ValidationError as error:
            # The model names its fields; this resource's attributes are the current_* ones.
            for field, messages in error.message_dict.items():
                errors[AGREEMENT_ATTRIBUTES.get(field, field)] = messages
            return
        if (city.pk, kind, signed_on) in self.agreement_keys:
            errors["current_signed_on"] = [
                constraint_message(Agreement, "agreement_unique_kind_date_per_city")
            ]

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
        # bulk_create sends no post_save signal: the change history is written from these;
        # the versioned managers' bulk_create retires the cached pages.
        Agreement.objects.bulk_create(agreements, batch_size=500)
        self.imported_city_pks.update(city.pk for city in self.new_cities)
        self.new_cities = []

    def import_data(self, dataset, dry_run: bool = False, **kwargs) -> Result:
        """A real import records a history revision per partner it touched, with the user and
        file name; a preview, or an import that writes nothing because of an error, none.

        default_kind (sister or friendly) fills the kind of every row of a file without a
        kind column; confirm_warnings=True confirms the data-check warnings (data_checks.py).
        The result's `notes` tell staff how the file was read, its `data_warnings` what the
        data checks found (line, column, partner, check, message)."""
        self.imported_city_pks: set[int] = set()
        self.header_line, self.row_lines, self.notes, self.kind_missing = 1, None, [], False
        self.problem_rows = self.unchecked_rows = 0
        self.file_name = kwargs.get("file_name")
        self.start_checks(dry_run, kwargs.get("confirm_warnings"))
        # One refresh of the stored relationship for every partner touched, after the rows.
        with refresh_afterwards() as touched:
            result = super().import_data(dataset, dry_run=dry_run, **kwargs)
            touched.update(self.imported_city_pks)  # bulk_create sends no signal
        failed = result.has_errors() or result.has_validation_errors()
        if dry_run or failed or getattr(result, "report", None):
            return result
        self.imported_city_pks.update(
            row.object_id
            for row in result.valid_rows()
            if row.object_id is not None
            and row.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE)
        )
        comments = self.confirm_checked(kwargs.get("user"))
        record_import_history(
            self.imported_city_pks, kwargs.get("user"), kwargs.get("file_name"), comments
        )
        return result

    def save_agreement(self, city: City) -> None:
        """Same kind and date: update the status in place; otherwise a new agreement,
        whose save() ends the one it supersedes so that the history is kept."""
        kind, status, signed_on = city.current_kind, city.current_status, city.current_signed_on
        if kind is None:
            return
        agreement = city.sign_agreement(
            kind,
            signed_on,
            status,
            current=city.loaded_agreement,
            signed_on_given=city.signed_on_given,
        )
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
            result.data_warnings = self.found_warnings


class UnpreviewedPartnerResource(PartnerResource):
    """For commands and scripts, which show no row-by-row diff: an unchanged row is found by
    comparing a cheap snapshot instead of deep-copying every partner (see skip_row)."""

    class Meta(PartnerResource.Meta):
        skip_diff = True


def import_partners(dataset, *, dry_run: bool = False, **kwargs) -> Result:
    """All or nothing: any invalid row rolls the whole import back."""
    return import_all_or_nothing(UnpreviewedPartnerResource(), dataset, dry_run=dry_run, **kwargs)
