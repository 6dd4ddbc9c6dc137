"""Data-check warnings in a partner import (partners/checks): the preview lists them by file
line and column; the import writes only when they are confirmed (the admin's "I checked these
values" box, import_partners --confirm-warnings), and then records the confirmations, in the
confirmation table and in each partner's history comment. Unconfirmed, a real import refuses
with the warnings as its report and writes nothing (all or nothing, like any bad row)."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext as _

from .. import revision_comments
from ..checks import CheckContext, DataWarning, check_partner, confirm_warnings
from ..checks.figures import FIGURE_FIELDS
from ..checks.places import swapped_beyond_range
from ..checks.report import confirmed_keys
from ..models import City, localized_name


class DataCheckImportMixin:
    """For PartnerResource: start_checks() in import_data, load_checks() with the current
    state, remember_stored() once a row's partner is found, check_row() in validate_instance,
    confirm_checked() after a real import."""

    def start_checks(self, dry_run: bool, confirmed: bool | None) -> None:
        """confirmed: True confirms every warning, False refuses a real import with any;
        None (a script's import_partners() call) lists them and neither refuses nor records."""
        self.checks_dry_run, self.checks_confirmed = dry_run, confirmed
        self.found_warnings: list[dict] = []
        self.to_confirm: list[tuple[City, list[DataWarning]]] = []

    def load_checks(self, cities: list[City]) -> None:
        name = localized_name("name")
        self.check_context = CheckContext(
            (city.pk, getattr(city, name), city.population, city.area_km2) for city in cities
        )
        self.confirmed_keys = confirmed_keys()

    @staticmethod
    def remember_stored(instance: City) -> None:
        instance.stored_figures = {field: getattr(instance, field) for field in FIGURE_FIELDS}

    def check_row(self, instance: City, errors: dict, line: int) -> None:
        """Add the row's unconfirmed warnings to found_warnings; in a real import without
        confirmation, to errors (keyed by the resource's attribute) as well. A latitude beyond
        ±90° that is the longitude swapped gets that said beside its range error."""
        if swapped := swapped_beyond_range(instance):  # beside the range rule's error
            errors.setdefault("latitude", []).append(swapped)
        if errors:
            return
        signing = [(instance.current_signed_on, None)] if instance.signed_on_given else []
        warnings = [
            warning
            for warning in check_partner(
                instance, self.check_context, signing, getattr(instance, "stored_figures", {})
            )
            if (instance.pk, *warning.key) not in self.confirmed_keys
        ]
        self.check_context.add(instance.pk, instance.name, instance.population, instance.area_km2)
        if not warnings:
            return
        self.to_confirm.append((instance, warnings))
        # Imported here: the admin imports the resources.
        from ..admin.spreadsheets import field_label

        for warning in warnings:
            self.found_warnings.append(
                {"line": line, "column": warning.field, "partner": instance.name,
                 "column_label": field_label(type(self), warning.field) or warning.field,
                 "check": warning.label, "message": warning.message}
            )  # fmt: skip
        if self.checks_confirmed is False and not self.checks_dry_run:
            for warning in warnings:
                attribute = "current_signed_on" if warning.field == "signed_on" else warning.field
                errors.setdefault(attribute, []).append(
                    warning.message + " " + _("Confirm the data-check warnings to import it.")
                )

    def confirm_checked(self, user: AbstractBaseUser | None) -> dict[int, str]:
        """Record the confirmed warnings; the history comment of each partner concerned."""
        comments = {}
        if not self.checks_confirmed:
            return comments
        for city, warnings in self.to_confirm:
            confirm_warnings(city, warnings, user)
            comments[city.pk] = revision_comments.imported_confirming(
                self.file_name, [list(warning.key) for warning in warnings]
            )
        return comments
