"""Reading an .xlsx workbook's table, in bounded time and memory (the bounds: reading.py).

The table is the first sheet's, or, when the first sheets are a cover page or notes, the
first sheet whose first lines hold a header row we know (headers.find_header); staff are
told which sheet was read. Only cells holding values are kept, and blank rows are skipped
with the other rows keeping their row numbers.
"""

import io
import logging
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ImportFileError
from .headers import HEADER_SEARCH_LINES, known_headers
from .reading import (
    Row,
    UncomputedFormula,
    blank,
    line_limit,
    not_a_workbook,
    too_many_columns,
    too_many_rows,
)

logger = logging.getLogger(__name__)

# Sheets looked at for the table; a workbook's table sits on one of its first sheets.
MAX_SHEETS_SEARCHED = 10


def _sheet_parser():
    # openpyxl's public reader (load_workbook(read_only=True)) pads every row to the sheet's
    # declared width and trusts its dimension; only its private parser streams the cells that
    # hold values. openpyxl is pinned to 3.1 for it (tests/test_library_private_api.py).
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class CellParser(WorkSheetParser):
        """openpyxl's streaming sheet parser, keeping a formula that has no saved value."""

        def parse_cell(self, element):
            cell = super().parse_cell(element)
            formula = element.find(FORMULA_TAG)
            if formula is not None and cell["value"] in (None, ""):
                cell["value"] = UncomputedFormula("=" + (formula.text or ""))
            return cell

    return CellParser


def _sheet_rows(book, sheet, limit: int | None = None) -> list[Row]:
    """The sheet's rows that are not blank, with their row numbers (at most `limit`)."""
    rows: list[Row] = []
    row_elements = 0
    with sheet._get_source() as source:
        parser = _sheet_parser()(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            row_elements += 1
            # Empty formatted rows cost time to skip: a sheet of mostly those is refused.
            if row_elements > 2 * line_limit():
                raise too_many_rows(number)
            values = {c["column"]: c["value"] for c in cells if not blank(c["value"])}
            if not values:
                continue
            widest = max(values)
            if widest > settings.PORTAL_IMPORT_MAX_COLUMNS:
                raise too_many_columns(widest)
            rows.append((number, [values.get(column) for column in range(1, widest + 1)]))
            if len(rows) > line_limit():
                raise too_many_rows(number)
            if limit is not None and len(rows) >= limit:
                break
    return rows


def _has_header(rows: list[Row]) -> bool:
    return any(known_headers(cells) >= 2 for _, cells in rows)


def xlsx_rows(data: bytes) -> tuple[list[Row], list[str]]:
    """The table's rows that are not blank, with their row numbers, and notes for staff.

    openpyxl's read-only reader is used through its streaming sheet parser, without its
    row padding: it pads every row to the sheet's declared dimension (16,384 cells for
    A1:XFD1048576) and pads to the declared last row. python-calamine was measured too and
    aborts the whole process (out of memory, uncatchable) on a lying dimension or a 1 GB
    shared string. Formulas give their saved value; one without a value is kept as an
    UncomputedFormula for the column's check to refuse. Raises ImportFileError.
    """
    import openpyxl

    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        # zipfile enforces each member's declared size when reading, so the sum is a bound.
        unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise not_a_workbook(data) from error
    if unpacked > settings.PORTAL_IMPORT_MAX_UNPACKED_BYTES:
        raise ImportFileError(
            _("The workbook unpacks to %(size)s MB; at most %(limit)s MB are read. Save only "
              "the table in a new workbook, or as “CSV UTF-8”.")
            % {"size": f"{unpacked / 2**20:,.0f}",
               "limit": f"{settings.PORTAL_IMPORT_MAX_UNPACKED_BYTES / 2**20:,.0f}"}
        )  # fmt: skip
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = book.worksheets[:MAX_SHEETS_SEARCHED]
        for sheet in sheets:
            if _has_header(_sheet_rows(book, sheet, limit=HEADER_SEARCH_LINES)):
                break
        else:
            if len(sheets) > 1:
                raise ImportFileError(
                    _("The first sheet (“%(sheet)s”) has no header row we know, nor have the "
                      "sheets after it. Put the table on the first sheet, with the column "
                      "names (name_en, country, …) on its first line.")
                    % {"sheet": sheets[0].title}
                )  # fmt: skip
            sheet = sheets[0]
        rows = _sheet_rows(book, sheet)
    except ImportFileError:
        raise
    except Exception as error:
        # A hostile or broken package fails anywhere in the XML or zip layers (ParseError for
        # an entity, KeyError for a missing part, ...): one message, the cause logged.
        logger.info("Unreadable .xlsx import", exc_info=error)
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from error
    notes = []
    if sheet is not sheets[0]:
        notes.append(
            _("The table was read from the sheet “%(sheet)s”: the sheets before it have no "
              "header row we know.")
            % {"sheet": sheet.title}
        )  # fmt: skip
    return rows, notes
