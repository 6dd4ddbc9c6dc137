"""What staff are shown about an import: the preview's diff, and the report of its problems,
one line each, in the staff member's language, with the file's own line number (a title
above the header counts) and the column; never an exception's raw text. The report stops
after PORTAL_IMPORT_MAX_REPORTED_PROBLEMS lines ("and N more")."""

import logging
import numbers
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import formats
from django.utils.html import escape, format_html
from django.utils.translation import gettext as _
from import_export import resources
from import_export.resources import Diff
from import_export.results import Result, RowResult

from .errors import ImportFileError
from .widgets import cell_text

logger = logging.getLogger(__name__)


class PreviewDiff(Diff):
    """The import preview's diff, one cell per column: a changed value struck through whole
    and the new one beside it, numbers grouped in the reader's language, blank cells blank.

    The library diffs letter by letter, which strikes single digits out of a number
    (1,4̶5̶00,000) and reads as nonsense; a cell is one value, so it is replaced whole."""

    def __init__(self, resource: resources.Resource, instance, new: bool) -> None:
        super().__init__(resource, instance, new)
        self.columns = [field.column_name for field in resource.get_import_fields()]

    def as_html(self) -> list[str]:
        cells = []
        for column, before, after in zip(self.columns, self.left, self.right, strict=False):
            before, after = preview_value(before, column), preview_value(after, column)
            if self.new or before == after:
                cells.append(escape(after))
            elif not before:
                cells.append(format_html("<ins>{}</ins>", after))
            elif not after:
                cells.append(format_html("<del>{}</del>", before))
            else:
                cells.append(format_html("<del>{}</del> → <ins>{}</ins>", before, after))
        return cells


def preview_value(value: object, name: str = "") -> str:
    """A cell of column (or field) name as the preview shows it; the widgets keep None (an
    empty cell in exports). Numbers are grouped (620,700), but not a year (population_year,
    area_year): 2,020 reads as a count."""
    if value is None:
        return ""
    if name.endswith("_year"):
        return str(value)
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        if isinstance(value, Decimal):
            value = value.normalize()
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


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


def file_line(resource: resources.Resource, number: int) -> int:
    """The file's line of the dataset's row `number` (from 1): blank lines are no rows, and a
    title may stand above the header (the dataset's row_lines and header_line)."""
    lines = getattr(resource, "row_lines", None)
    if lines and 0 < number <= len(lines):
        return lines[number - 1]
    return number + getattr(resource, "header_line", 1)


def import_report(result: Result, resource: resources.Resource) -> list[str]:
    """One line per problem: file line (file_line), column, reason. The resource's
    unchecked_rows are the rows it did not check once the report was full."""
    columns = {field.attribute: field.column_name for field in resource.get_import_fields()}
    lines = [staff_message(error.error, row=False) for error in result.base_errors]
    problems = []
    for number, errors in result.row_errors():
        problems += [
            (file_line(resource, number), None, staff_message(error.error)) for error in errors
        ]
    for row in result.invalid_rows:
        for field, messages in row.error_dict.items():
            column = None if field == NON_FIELD_ERRORS else columns.get(field, field)
            problems += [(file_line(resource, row.number), column, message) for message in messages]
    order = {column: index for index, column in enumerate(columns.values())}
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


def unread_row(resource: resources.Resource, row: dict) -> RowResult | None:
    """A skipped row result for a row the import does not read, else None: not when the file
    itself is wrong (reported once, not per row; the resource's `ready` is False), not a
    blank row, nor any row once the report is full (counted in `unchecked_rows`)."""
    report_full = resource.problem_rows >= settings.PORTAL_IMPORT_MAX_REPORTED_PROBLEMS
    blank = all(cell_text(value).strip() == "" for value in row.values())
    if resource.ready and not report_full and not blank:
        return None
    resource.unchecked_rows += resource.ready and report_full and not blank
    row_result = resource.get_row_result_class()()
    row_result.import_type = RowResult.IMPORT_TYPE_SKIP
    return row_result
