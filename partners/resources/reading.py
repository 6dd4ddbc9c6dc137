"""Reading an uploaded spreadsheet into rows, in bounded time and memory.

Every bound is a setting (portal/settings.py): data rows after the header
(PORTAL_IMPORT_MAX_ROWS), columns holding values (PORTAL_IMPORT_MAX_COLUMNS) and the bytes an
.xlsx unpacks to (PORTAL_IMPORT_MAX_UNPACKED_BYTES). Nothing a file declares about its own size
is trusted: an .xlsx sheet's dimension is ignored and only cells holding values are kept.
Every failure is an ImportFileError whose message is for staff; none is a traceback.
"""

import codecs
import csv
import io
import unicodedata

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ImportFileError
from .headers import HEADER_SEARCH_LINES, find_header, known_headers

# Marks a Western (cp1252) file holds besides letters: quotes, dashes, degrees, km².
_WESTERN_MARKS = set("‘’‚“”„–—…°·«»\xa0€²³")


class UncomputedFormula:
    """A formula cell saved without its value (written by a program, not by Excel)."""

    def __init__(self, formula: str) -> None:
        self.formula = formula

    def __str__(self) -> str:
        return self.formula


# A row of a file that is not blank: its line number in the file (a spreadsheet's row
# number) and its cells up to the last one that is not blank.
Row = tuple[int, list[object]]


def save_advice() -> str:
    return _("Save it from Excel as “CSV UTF-8” or as an .xlsx workbook and try again.")


def _looks_korean(data: bytes) -> str | None:
    """The text if data is CP949 holding Hangul, every syllable of it from KS X 1001."""
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        return None
    syllables = {c for c in text if "\uac00" <= c <= "\ud7a3"}
    # KS X 1001's syllables are the CP949 pairs 0xB0-0xC8 then 0xA1-0xFE.
    common = all(
        0xB0 <= b[0] <= 0xC8 and b[1] >= 0xA1 for b in (c.encode("cp949") for c in syllables)
    )
    return text if syllables and common else None


def _looks_western(data: bytes) -> str | None:
    """The text if data is cp1252 whose non-ASCII characters are letters or common marks."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    for char in text:
        letter = unicodedata.category(char).startswith("L")
        if ord(char) > 127 and char not in _WESTERN_MARKS and not letter:
            return None
    return text


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the name of its encoding, decided by this rule:

    0. UTF-16 when the file starts with its byte-order mark (Excel's "Unicode text").
    1. UTF-8 (with or without a byte-order mark) when the bytes are valid UTF-8: text in
       another encoding with letters beyond ASCII is almost never valid UTF-8.
    2. Else CP949 (Korean Excel's "CSV") when it decodes and holds Hangul whose syllables are
       all among the 2,350 of KS X 1001 that Korean text uses; Western bytes read as CP949
       give rare syllables from CP949's extension (b"\\xc5l" is 흈, not Å + l).
    3. Else Windows-1252 (Western Excel's "CSV", a superset of Latin-1) when every character
       beyond ASCII is a letter or a common typographic mark.
    4. Else the file is refused: an unclear encoding must not be stored as mojibake.

    A detector alone (charset-normalizer) misread short staff files: CP949 Hangul as Big5,
    Å and ã as cp1250's Ĺ and ă. Raises ImportFileError.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text": the byte-order mark settles the encoding.
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise ImportFileError(
                _("The file starts as UTF-16 text but is not valid UTF-16.") + " " + save_advice()
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    text = _looks_korean(data)
    if text is not None:
        return text, "CP949"
    text = _looks_western(data)
    if text is not None:
        return text, "Windows-1252"
    raise ImportFileError(
        _("The file's text encoding cannot be told with certainty (it is not UTF-8, nor "
          "Korean CP949, nor Western Windows-1252).") + " " + save_advice()
    )  # fmt: skip


ZIP_SIGNATURE = b"PK\x03\x04"  # an .xlsx workbook is a ZIP package
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an Excel 97-2003 .xls


def old_workbook() -> ImportFileError:
    return ImportFileError(
        _("This file is an Excel 97-2003 workbook (.xls), which cannot be imported: open it "
          "in Excel and save it as .xlsx or as “CSV UTF-8”.")
    )  # fmt: skip


def refuse_workbook(data: bytes) -> None:
    """Refuse a workbook given as CSV text: it is no text in any encoding."""
    if data.startswith(ZIP_SIGNATURE):
        raise ImportFileError(
            _("This file is an Excel workbook (.xlsx), not CSV text: choose the xlsx format, "
              "or name the file .xlsx.")
        )  # fmt: skip
    if data.startswith(OLE_SIGNATURE):
        raise old_workbook()


def not_a_workbook(data: bytes) -> ImportFileError:
    """Why data given as an .xlsx workbook is none: text (CSV) or an unreadable file."""
    if data.startswith(OLE_SIGNATURE):
        return old_workbook()
    try:
        text, _encoding = decode_text(data)
    except ImportFileError:
        text = None
    if text and not control_character(text, "\t\r\n"):
        return ImportFileError(
            _("This file is text (CSV), not an Excel workbook: choose the csv format, or name "
              "the file .csv.")
        )  # fmt: skip
    return ImportFileError(_("The file is not a readable .xlsx workbook."))


def control_character(text: str, allowed: str = "") -> str | None:
    """The first control character in text, other than those allowed.

    PostgreSQL cannot store NUL in text at all, and the others are invisible in the admin
    and on the public pages: they come from copying out of other programs, never on purpose.
    """
    return next((c for c in text if unicodedata.category(c) == "Cc" and c not in allowed), None)


def too_many_rows(line: int) -> ImportFileError:
    """The file's line where the rows beyond the limit start (blank lines do not count)."""
    return ImportFileError(
        _("The file has more than %(limit)s rows after the header: the rows from line "
          "%(line)s on are beyond the limit. Split it into smaller files, or delete what lies "
          "below the table.")
        % {"limit": f"{settings.PORTAL_IMPORT_MAX_ROWS:,}", "line": f"{line:,}"}
    )  # fmt: skip


def too_many_columns(column: int) -> ImportFileError:
    return ImportFileError(
        _("The file has a value in column %(column)s; at most %(limit)s columns are read. "
          "Delete the cells to the right of the table.")
        % {"column": f"{column:,}", "limit": settings.PORTAL_IMPORT_MAX_COLUMNS}
    )  # fmt: skip


def line_limit() -> int:
    # The header may sit below a title: allow for it before the header is known.
    return settings.PORTAL_IMPORT_MAX_ROWS + HEADER_SEARCH_LINES


def blank(cell: object) -> bool:
    return cell is None or isinstance(cell, str) and not cell.strip()


def _used(row: list[object]) -> list[object]:
    """The row without the blank cells at its end."""
    end = len(row)
    while end and blank(row[end - 1]):
        end -= 1
    return row[:end]


def _csv_rows(text: str, delimiter: str, limit: int | None = None) -> list[Row]:
    rows: list[Row] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for line, row in enumerate(reader, start=1):
        used = _used(row)
        if len(used) > settings.PORTAL_IMPORT_MAX_COLUMNS:
            raise too_many_columns(len(used))
        # A line of blank cells (",", " , ") is no row: skipped, the others keep their line.
        if not used:
            continue
        rows.append((line, row))
        if len(rows) > line_limit():
            raise too_many_rows(line)
        if limit is not None and len(rows) >= limit:
            break
    return rows


def csv_rows(data: bytes) -> tuple[list[Row], list[str]]:
    """The rows of a CSV file that are not blank, with their line numbers, and notes for
    staff (its encoding and separator).

    The separator is the one of comma, semicolon and tab whose first lines give a header
    naming the most known columns; a comma when none does. Raises ImportFileError.
    """
    refuse_workbook(data)
    text, encoding = decode_text(data)
    # The csv module refuses cells over 128 KB as a malformed file; allow any cell a file
    # within the size limit can hold, so that the column's own check names line and column.
    if csv.field_size_limit() < settings.PORTAL_MAX_IMPORT_FILE_BYTES:
        csv.field_size_limit(settings.PORTAL_MAX_IMPORT_FILE_BYTES)
    best, best_score = ",", 0
    sample = text[:65536]
    for delimiter in (",", ";", "\t"):
        try:
            head = _csv_rows(sample, delimiter, limit=HEADER_SEARCH_LINES)
        except (csv.Error, ImportFileError):
            continue
        score = max((known_headers(row) for _, row in head), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    try:
        rows = _csv_rows(text, best)
    except csv.Error as error:
        raise ImportFileError(_("The file is not a valid CSV table.")) from error
    notes = []
    if encoding != "UTF-8":
        notes.append(_("The file was read as %(encoding)s text.") % {"encoding": encoding})
    if best != ",":
        names = {";": _("semicolons"), "\t": _("tabs")}
        notes.append(_("The columns are separated by %(separator)s.") % {"separator": names[best]})
    return rows, notes


def table(rows: list[Row]) -> tuple[int, list[Row], list[str]]:
    """Split rows into (header line number, the data rows after it, notes).

    The header is found below a title (headers.find_header); the data rows after it are
    bounded by PORTAL_IMPORT_MAX_ROWS. Raises ImportFileError.
    """
    if not rows:
        raise ImportFileError(_("The file is empty: the first line must name the columns."))
    index = find_header([cells for _, cells in rows[:HEADER_SEARCH_LINES]])
    header_line, data = rows[index][0], rows[index + 1 :]
    if len(data) > settings.PORTAL_IMPORT_MAX_ROWS:
        raise too_many_rows(data[settings.PORTAL_IMPORT_MAX_ROWS][0])
    notes = []
    if index:
        notes.append(
            _("The column names are on line %(line)s; the %(count)s line(s) above them were "
              "skipped as a title.")
            % {"line": header_line, "count": index}
        )  # fmt: skip
    return header_line, [rows[index], *data], notes


# What a save by another program did to a cell, found when the row is imported


def refuse_uncomputed(value: object) -> None:
    """Refuse a formula saved without its value: reading it as blank would erase data."""
    if isinstance(value, UncomputedFormula):
        raise ValueError(
            _(
                "The cell holds the formula %(formula)s without a saved value (the file was "
                "written by a program, not by Excel). Open the file in Excel and save it, or "
                "type the value."
            )
            % {"formula": value.formula}
        )
