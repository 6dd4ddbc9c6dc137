"""The exchange activities' spreadsheet: one row per activity (docs/interchange-format.md,
"Exchange activities"). Read with the partner import's machinery: the same file reading
(reading.py, formats.py), cell widgets, error report and history revisions, and the same
guarantees: all or nothing, errors by line and column in the staff member's language."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.resources import Diff
from import_export.results import Result, RowResult
from import_export.widgets import IntegerWidget

from ..constraints import constraint_message
from ..models import City, Exchange, Field
from .dates import DateWidget
from .errors import ImportFileError
from .headers import EXCHANGE_COLUMNS
from .import_history import import_all_or_nothing, record_exchange_history
from .lost_letters import CheckedCellsMixin
from .matching import PartnerNames
from .reading import refuse_uncomputed
from .report import PreviewDiff, file_line, import_report, unread_row
from .widgets import ChoiceWidget, CountryWidget, TextWidget, cell_text, folded_key

# Columns a file must have: without them a row cannot say what it is about.
REQUIRED_EXCHANGE_COLUMNS = ["partners", "field", "started_on"]
PARTNER_SEPARATOR = ";"


def field_widget() -> ChoiceWidget:
    extra = {"스포츠": Field.SPORTS, "sport": Field.SPORTS, "청년": Field.YOUTH}
    message = gettext_lazy(
        "“%(value)s” is not a field: write administration, economy, education, culture, "
        "sports, tourism, youth or other."
    )
    return ChoiceWidget(Field, extra, message)


class PublishedWidget(widgets.Widget):
    """Published or not, in the words staff and spreadsheets write; blank is published."""

    WORDS = {
        "true": True,
        "1": True,
        "yes": True,
        "공개": True,
        "false": False,
        "0": False,
        "no": False,
        "비공개": False,
    }

    def __init__(self) -> None:
        super().__init__(coerce_to_string=False)

    def clean(self, value: object, row: dict | None = None, **kwargs) -> bool:
        if isinstance(value, bool):
            return value
        text = cell_text(value).strip()
        if not text:
            return True
        try:
            return self.WORDS[folded_key(text)]
        except KeyError:
            raise ValueError(
                _("“%(value)s” is neither true nor false (공개/비공개).") % {"value": text}
            ) from None

    def render(self, value: object, obj: object = None, **kwargs) -> object:
        return value


class PartnerFinder:
    """The partners a `partners` cell names, separated by semicolons: each by its slug, or by
    a name or other spelling in either language (as in the partner import) followed by its
    country in brackets, "Kharkov (UA)" or "하르키우 (우크라이나)", or alone where only one
    partner answers to it. Built once per import."""

    def __init__(self) -> None:
        cities = list(City.objects.select_related("country"))
        self.by_slug = {city.slug: city for city in cities}
        self.names = PartnerNames(cities)
        self.anywhere: dict[str, dict[int, City]] = {}
        for city in cities:
            for name in (city.name_en, city.name_ko, *city.alias_list):
                if name:
                    self.anywhere.setdefault(folded_key(name), {})[city.pk] = city
        self.countries = CountryWidget()
        self.countries.load()

    def find(self, text: str) -> City:
        """Raises ValueError with a message for staff when no one partner answers."""
        if text in self.by_slug:
            return self.by_slug[text]
        name, _open, country_text = text.partition("(")
        if country_text.rstrip().endswith(")"):
            country = self.countries.clean(country_text.rstrip()[:-1])
            try:
                city = self.names.match([name], country) if country else None
            except ValidationError as error:
                raise ValueError(" ".join(error.messages)) from None
            if city is None:
                raise ValueError(
                    _("No partner in %(country)s is called “%(name)s”.")
                    % {"country": country.name_en, "name": name.strip()}
                )
            return city
        found = self.anywhere.get(folded_key(text), {})
        if len(found) == 1:
            return next(iter(found.values()))
        if found:
            raise ValueError(
                _(
                    "“%(name)s” fits more than one partner: %(slugs)s. Write the slug, or "
                    "the country in brackets after the name."
                )
                % {"name": text, "slugs": ", ".join(sorted(c.slug for c in found.values()))}
            )
        raise ValueError(
            _("“%(name)s” is no partner's slug or name. Write the slug, for example “%(slug)s”.")
            % {"name": text, "slug": next(iter(self.by_slug), "seattle")}
        )

    def find_all(self, value: object) -> list[City]:
        """The partners of a cell, in its order, each once; ValueError for any unknown one."""
        refuse_uncomputed(value)
        texts = [part.strip() for part in cell_text(value).split(PARTNER_SEPARATOR)]
        cities: list[City] = []
        for text in filter(None, texts):
            city = self.find(text)
            if city not in cities:
                cities.append(city)
        return cities


def slugs(cities) -> str:
    return "; ".join(sorted(city.slug for city in cities))


class PartnersField(fields.Field):
    """The partners column: their slugs. Import reads it in the resource (a many-to-many is
    set once the activity is saved); export, and the preview's diff, which reads fields
    directly, write it from here."""

    def __init__(self) -> None:
        super().__init__(column_name="partners", widget=TextWidget())

    def get_value(self, exchange: Exchange | dict) -> str:
        if isinstance(exchange, dict):  # a row of values_export.export_values
            return slugs(exchange["partners"])
        # A row being imported carries its partners until it is saved.
        read = getattr(exchange, "imported_partners", None)
        if read is not None:
            return slugs(read)
        return slugs(exchange.partners.all()) if exchange.pk is not None else ""

    def export(self, exchange: Exchange, **kwargs) -> str:
        return self.get_value(exchange)


class ExchangeResource(CheckedCellsMixin, resources.ModelResource):
    """One row per activity. A row with an id updates that activity; a blank id adds one.
    The partners column lists its partners (see PartnerFinder). Writes go through save(),
    so history, the partners' timestamps and any signal-driven cache see them."""

    id = fields.Field("id", "id", IntegerWidget(coerce_to_string=False), readonly=True)
    partners = PartnersField()
    field = fields.Field("field", "field", field_widget())
    title_en = fields.Field("title_en", "title_en", TextWidget())
    title_ko = fields.Field("title_ko", "title_ko", TextWidget())
    started_on = fields.Field("started_on", "started_on", DateWidget())
    ended_on = fields.Field("ended_on", "ended_on", DateWidget())
    place_en = fields.Field("place_en", "place_en", TextWidget())
    place_ko = fields.Field("place_ko", "place_ko", TextWidget())
    summary_en = fields.Field("summary_en", "summary_en", TextWidget(multiline=True))
    summary_ko = fields.Field("summary_ko", "summary_ko", TextWidget(multiline=True))
    link = fields.Field("link", "link", TextWidget())
    is_published = fields.Field("is_published", "is_published", PublishedWidget())

    label_fields = {"partners": Exchange._meta.get_field("partners")}

    class Meta:
        model = Exchange
        fields = EXCHANGE_COLUMNS
        import_order = EXCHANGE_COLUMNS
        export_order = EXCHANGE_COLUMNS
        # The export reads the prefetched partners page by page (OFFSET): pages of 100 made
        # 20,000 activities take about 200 sorted reads.
        chunk_size = 5000
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def __init__(self, published_partners_only: bool = False, **kwargs) -> None:
        super().__init__(**kwargs)
        # The open data names only published partners; staff files name them all.
        self.published_partners_only = published_partners_only
        self.ready = False

    @classmethod
    def get_display_name(cls) -> str:
        return _("Exchange activities (one row per activity)")

    def get_diff_class(self) -> type[Diff]:
        return PreviewDiff

    def filter_export(self, queryset: QuerySet, **kwargs) -> QuerySet:
        partners = City.objects.order_by("slug")
        if self.published_partners_only:
            partners = partners.published()
        return queryset.prefetch_related(Prefetch("partners", queryset=partners))

    def before_import(self, dataset, **kwargs) -> None:
        self.header_line = getattr(dataset, "header_line", 1)
        self.row_lines = getattr(dataset, "row_lines", None)
        self.notes = list(getattr(dataset, "notes", []))
        headers = [str(header or "").strip() for header in dataset.headers or []]
        dataset.headers = headers
        ignored = [h for h in headers if h not in EXCHANGE_COLUMNS]
        for header in ignored:
            del dataset[header]
        if ignored:
            self.notes.append(
                _("Ignored columns (not part of the import; check the spelling): %(columns)s. "
                  "The columns are: %(known)s.")
                % {"columns": ", ".join(f"“{h}”" for h in ignored),
                   "known": ", ".join(EXCHANGE_COLUMNS)}
            )  # fmt: skip
        missing = [column for column in REQUIRED_EXCHANGE_COLUMNS if column not in headers]
        if missing:
            raise ImportFileError(
                _("The file has no “%(column)s” column.") % {"column": missing[0]}
            )
        self.partner_finder = PartnerFinder()
        self.existing = {
            exchange.pk: exchange for exchange in Exchange.objects.prefetch_related("partners")
        }
        self.claimed: dict[int, int] = {}
        self.ready = True

    def import_row(self, row: dict, instance_loader, **kwargs) -> RowResult:
        skipped = unread_row(self, row)
        if skipped is not None:
            return skipped
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.errors or row_result.validation_error:
            self.problem_rows += 1
        return row_result

    def get_or_init_instance(self, instance_loader, row: dict) -> tuple[Exchange, bool]:
        self.row_id_error = None
        text = cell_text(row.get("id")).strip()
        if not text:
            return Exchange(), True
        number = int(text) if text.isdigit() else None
        if number in self.existing:
            return self.existing[number], False
        self.row_id_error = _(
            "There is no activity number %(id)s: leave id blank to add a new activity."
        ) % {"id": text}
        return Exchange(), True

    def after_init_instance(self, instance: Exchange, new: bool, row: dict, **kwargs) -> None:
        line = file_line(self, kwargs.get("row_number", 0))
        self.row_errors: dict[str, list[str]] = {}
        if self.row_id_error:
            self.row_errors["id"] = [self.row_id_error]
        elif instance.pk is not None:
            if instance.pk in self.claimed:
                self.row_errors["id"] = [
                    _("This activity is already on line %(line)s of the file.")
                    % {"line": self.claimed[instance.pk]}
                ]
            self.claimed.setdefault(instance.pk, line)
        instance.original_partners = list(instance.partners.all()) if not new else []
        instance.imported_partners = None

    def import_instance(self, instance: Exchange, row: dict, **kwargs) -> None:
        # After the preview's copy of the original is taken, so that its diff shows the change.
        if "partners" in row:
            try:
                instance.imported_partners = self.partner_finder.find_all(row["partners"])
            except ValueError as error:
                self.row_errors["partners"] = [str(error)]
            else:
                if not instance.imported_partners:
                    self.row_errors["partners"] = [_("Name at least one partner.")]
        super().import_instance(instance, row, **kwargs)

    def validate_instance(
        self, instance: Exchange, import_validation_errors=None, **kwargs
    ) -> None:
        errors = dict(import_validation_errors or {}) | self.row_errors
        try:
            instance.clean_fields(exclude=set(errors))
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # The model's two check constraints span two fields each (violated_checks reads
        # one-field checks): tested here in Python rather than by a query a row.
        ended, started = instance.ended_on, instance.started_on
        if ended and started and ended < started and not {"started_on", "ended_on"} & set(errors):
            errors["ended_on"] = [constraint_message(Exchange, "exchange_ends_after_start")]
        if not instance.title_en and not instance.title_ko:
            errors.setdefault("title_en", [constraint_message(Exchange, "exchange_has_title")])
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance: Exchange, original, row: dict, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        partners = instance.imported_partners
        if partners is not None and {c.pk for c in partners} != {
            c.pk for c in instance.original_partners
        }:
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance: Exchange, row: dict, **kwargs) -> None:
        partners = instance.imported_partners
        if partners is not None and {c.pk for c in partners} != {
            c.pk for c in instance.original_partners
        }:
            instance.partners.set(partners)
        self.imported_pks.add(instance.pk)

    def import_data(self, dataset, dry_run: bool = False, **kwargs) -> Result:
        """A real import records a history revision per activity it added or changed, with
        the user and file name; a preview, or an import that wrote nothing, none."""
        self.header_line, self.row_lines, self.notes = 1, None, []
        self.problem_rows = self.unchecked_rows = 0
        self.imported_pks: set[int] = set()
        result = super().import_data(dataset, dry_run=dry_run, **kwargs)
        failed = result.has_errors() or result.has_validation_errors()
        if not (dry_run or failed or getattr(result, "report", None)):
            changed = {
                row.object_id
                for row in result.valid_rows()
                if row.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE)
            }
            record_exchange_history(
                self.imported_pks & changed, kwargs.get("user"), kwargs.get("file_name")
            )
        return result

    def after_import(self, dataset, result: Result, **kwargs) -> None:
        try:
            super().after_import(dataset, result, **kwargs)
        except Exception as error:
            self.handle_import_error(result, error)
        finally:
            result.report = import_report(result, self)
            result.notes = self.notes


def import_exchanges(dataset, *, dry_run: bool = False, **kwargs) -> Result:
    """All or nothing: any invalid row rolls the whole import back."""
    return import_all_or_nothing(ExchangeResource(), dataset, dry_run=dry_run, **kwargs)
