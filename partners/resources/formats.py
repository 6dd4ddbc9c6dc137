"""Spreadsheet files as staff and Korean Excel produce them, and as we write them back.

Reading (bounded, see reading.py): CSV in UTF-8 (with or without a byte-order mark), CP949 or
Windows-1252, and XLSX; blank rows are kept so that row numbers stay the spreadsheet's line
numbers, and a title above the header is skipped. Writing: CSV with a BOM so that
Excel shows Hangul, XLSX with real numbers and dates, JSON with numbers as numbers, and text
cells that a spreadsheet would run as a formula neutralised (OWASP CSV injection).
"""

import datetime
import decimal
import io
import json

import tablib
import xlsxwriter
from django.utils.translation import gettext as _
from import_export.formats import base_formats

from . import reading, workbooks
from .errors import ImportFileError

# A cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
COLUMN_WIDTH_SAMPLE = 200


def needs_escape(value: str) -> bool:
    # Quotes before a trigger count too: '=x must come back as '=x, not as =x.
    return value.lstrip(ESCAPE).startswith(FORMULA_TRIGGERS)


def escape_formula(value: object) -> object:
    if isinstance(value, str) and needs_escape(value):
        return ESCAPE + value
    return value


def unescape_formula(value: str) -> str:
    """Undo escape_formula, so that exporting then importing changes nothing."""
    if value.startswith(ESCAPE) and needs_escape(value[1:]):
        return value[1:]
    return value


def escaped_rows(dataset: tablib.Dataset) -> tablib.Dataset:
    safe = tablib.Dataset(headers=[escape_formula(h) for h in dataset.headers or []])
    for row in dataset:
        safe.append([escape_formula(cell) for cell in row])
    return safe


def dataset_from_rows(rows: list[reading.Row], notes: list[str] | None = None) -> tablib.Dataset:
    """A dataset from the header line on; `header_line` and `row_lines` (the file's line
    numbers of the header and of each row) keep report line numbers the spreadsheet's,
    `notes` tell staff how it was read."""
    header_line, rows, table_notes = reading.table(rows)
    headers = [str(cell or "").strip() for cell in rows[0][1]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    for line, row in rows[1:]:
        extra = [cell for cell in row[width:] if cell not in (None, "")]
        if extra:
            raise ImportFileError(
                _("Line %(line)s has more cells than the header line has columns.") % {"line": line}
            )
        cells = list(row[:width])
        dataset.append(cells + [None] * (width - len(cells)))
    dataset.header_line = header_line
    dataset.row_lines = [line for line, _row in rows[1:]]
    dataset.notes = (notes or []) + table_notes
    return dataset


class SpreadsheetCSV(base_formats.CSV):
    """CSV that is read and written as bytes so that the encoding is ours to choose."""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream: bytes | str, **kwargs) -> tablib.Dataset:
        data = in_stream.encode("utf-8") if isinstance(in_stream, str) else in_stream
        rows, notes = reading.csv_rows(data)
        return dataset_from_rows(rows, notes)

    def export_data(self, dataset: tablib.Dataset, **kwargs) -> bytes:
        text = escaped_rows(dataset).export("csv")
        return ("\ufeff" + text).encode("utf-8")

    def get_content_type(self) -> str:
        return "text/csv; charset=utf-8"


class SpreadsheetText(SpreadsheetCSV):
    """Excel's "Unicode text" (.txt: tab-separated UTF-16), read as CSV is; import only."""

    def get_title(self) -> str:
        return "txt"

    def get_extension(self) -> str:
        return "txt"

    def can_export(self) -> bool:
        return False


class SpreadsheetXLSX(base_formats.XLSX):
    def create_dataset(self, in_stream: bytes, **kwargs) -> tablib.Dataset:
        return dataset_from_rows(*workbooks.xlsx_rows(in_stream))

    def export_data(self, dataset: tablib.Dataset, **kwargs) -> bytes:
        """The dataset as an .xlsx workbook (bytes): a bold, frozen header row, real numbers
        and dates (`yyyy-mm-dd`, as openpyxl formats them), text that could run as a formula
        escaped, multi-line text wrapped.

        Written by XlsxWriter in constant-memory mode: 10,000 partners take a third to half
        the time openpyxl's write-only mode took (scripts/bench_downloads.py). Its guesses
        (text to formulas, numbers or links) are off, so every cell keeps its value's type."""
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, XLSXWRITER_OPTIONS)
        # Untitled (an admin export): Excel's own name for a first sheet, not tablib's
        # "Tablib Dataset".
        sheet = book.add_worksheet(dataset.title or "Sheet1")
        cell_formats = CellFormats(book)
        sheet.freeze_panes(1, 0)
        header = [escape_formula(name) for name in dataset.headers or []]
        for number, width in enumerate(self._column_widths(header, dataset)):
            sheet.set_column(number, number, width)
        for column, name in enumerate(header):
            cell_formats.write(sheet, 0, column, name, cell_formats.bold)
        for line, row in enumerate(dataset, start=1):
            for column, value in enumerate(map(escape_formula, row)):
                cell_formats.write(sheet, line, column, value)
        book.close()
        return output.getvalue()

    @staticmethod
    def _column_widths(header: list[str], dataset: tablib.Dataset) -> list[float]:
        # As wide as the header or the widest of the first rows, within reason.
        sample = dataset[:COLUMN_WIDTH_SAMPLE]
        return [
            min(60, 2 + max([len(str(name))] + [len(str(row[i] or "")) for row in sample]))
            for i, name in enumerate(header)
        ]


XLSXWRITER_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
# openpyxl's number formats for dates and times (openpyxl.styles.numbers), which the
# workbooks written before XlsxWriter carried and readers may rely on.
DATE_FORMATS = {
    datetime.datetime: "yyyy-mm-dd h:mm:ss",
    datetime.date: "yyyy-mm-dd",
    datetime.time: "h:mm:ss",
}


class CellFormats:
    """One XlsxWriter workbook's cell formats, and a cell written with the right one."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.bold = book.add_format({"bold": True})
        self.wrap = book.add_format({"text_wrap": True})
        self.dates = {
            kind: book.add_format({"num_format": form}) for kind, form in DATE_FORMATS.items()
        }

    def write(self, sheet, line: int, column: int, value: object, style=None) -> None:
        """One cell: None and "" stay empty (as openpyxl left them; XlsxWriter would write an
        empty text), booleans, numbers and dates keep their type, text with a line break
        wraps. TypeError for any other type, as openpyxl raised."""
        if value is None or value == "":
            sheet.write_blank(line, column, None, style)
        elif isinstance(value, bool):
            sheet.write_boolean(line, column, value, style)
        elif isinstance(value, int | float | decimal.Decimal):
            sheet.write_number(line, column, value, style)
        elif isinstance(value, str):
            style = style or ("\n" in value and self.wrap) or None
            # openpyxl wrote a carriage return raw, which XML reads back as a line feed;
            # XlsxWriter would write it as _x000D_, which our import would keep as text.
            text = value.replace("\r\n", "\n").replace("\r", "\n")
            sheet.write_string(line, column, text, style)
        elif type(value) in DATE_FORMATS:
            sheet.write_datetime(line, column, value, style or self.dates[type(value)])
        else:
            raise TypeError(f"Cannot write {type(value).__name__} to an .xlsx cell")


def _json_value(value: object) -> object:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


class NumericJSON(base_formats.JSON):
    """JSON for programs: numbers stay numbers (tablib writes decimals as strings)."""

    def is_binary(self) -> bool:
        return True

    def export_data(self, dataset: tablib.Dataset, **kwargs) -> bytes:
        return self.dump(dataset.dict)

    @staticmethod
    def dump(rows: list[dict] | dict) -> bytes:
        """Rows (which may hold nested lists, such as a partner's photos), or a document
        holding them, as UTF-8 JSON."""
        text = json.dumps(rows, default=_json_value, ensure_ascii=False, indent=1)
        return text.encode("utf-8")

    def can_import(self) -> bool:
        return False

    def get_content_type(self) -> str:
        return "application/json"


IMPORT_FORMATS = [SpreadsheetCSV, SpreadsheetXLSX, SpreadsheetText]
EXPORT_FORMATS = [SpreadsheetCSV, SpreadsheetXLSX, NumericJSON]
FORMATS_BY_NAME = {"csv": SpreadsheetCSV, "xlsx": SpreadsheetXLSX, "json": NumericJSON}


def read_dataset(data: bytes, filename: str) -> tablib.Dataset:
    """The table in an uploaded or named file, chosen by its extension."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    formats = {format().get_extension(): format for format in IMPORT_FORMATS}
    if extension not in formats:
        raise ImportFileError(_("Only .csv, .txt and .xlsx files can be imported."))
    return formats[extension]().create_dataset(data)
