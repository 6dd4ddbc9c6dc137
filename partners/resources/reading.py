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
import logging
import re
import unicodedata
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ImportFileError
from .headers import HEADER_SEARCH_LINES, find_header, known_headers

logger = logging.getLogger(__name__)

# Marks a Western (cp1252) file holds besides letters: quotes, dashes, degrees, km².
_WESTERN_MARKS = set("‘’‚“”„–—…°·«»\xa0€²³")


class UncomputedFormula:
    """A formula cell saved without its value (written by a program, not by Excel)."""

    def __init__(self, formula: str) -> None:
        self.formula = formula

    def __str__(self) -> str:
        return self.formula


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


def too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(limit)s rows after the header. Split it into smaller files.")
        % {"limit": f"{settings.PORTAL_IMPORT_MAX_ROWS:,}"}
    )


def too_many_columns(column: int) -> ImportFileError:
    return ImportFileError(
        _("The file has a value in column %(column)s; at most %(limit)s columns are read. "
          "Delete the cells to the right of the table.")
        % {"column": f"{column:,}", "limit": settings.PORTAL_IMPORT_MAX_COLUMNS}
    )  # fmt: skip


def line_limit() -> int:
    # The header may sit below a title: allow for it before the header is known.
    return settings.PORTAL_IMPORT_MAX_ROWS + HEADER_SEARCH_LINES


def _used(row: list[object]) -> list[object]:
    """The row without the empty cells at its end."""
    end = len(row)
    while end and row[end - 1] in (None, ""):
        end -= 1
    return row[:end]


def _csv_rows(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    rows = []
    last_used = 0
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        used = len(_used(row))
        if used > settings.PORTAL_IMPORT_MAX_COLUMNS:
            raise too_many_columns(used)
        rows.append(row)
        if used:
            last_used = len(rows)
            if last_used > line_limit():
                raise too_many_rows()
        if limit is not None and len(rows) >= limit:
            break
    # Trailing blank lines are dropped: the table ends at its last value.
    return rows[:last_used]


def csv_rows(data: bytes) -> tuple[list[list[str]], list[str]]:
    """The rows of a CSV file and notes for staff (its encoding and separator).

    The separator is the one of comma, semicolon and tab whose first lines give a header
    naming the most known columns; a comma when none does. Raises ImportFileError.
    """
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
        score = max((known_headers(row) for row in head), default=0)
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


def _sheet_parser():
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


def xlsx_rows(data: bytes) -> list[list[object]]:
    """The first sheet's rows, cells holding values only, in bounded time and memory.

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
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from error
    if unpacked > settings.PORTAL_IMPORT_MAX_UNPACKED_BYTES:
        raise ImportFileError(
            _("The workbook unpacks to %(size)s MB; at most %(limit)s MB are read. Save only "
              "the table in a new workbook, or as “CSV UTF-8”.")
            % {"size": f"{unpacked / 2**20:,.0f}",
               "limit": f"{settings.PORTAL_IMPORT_MAX_UNPACKED_BYTES / 2**20:,.0f}"}
        )  # fmt: skip
    rows: list[list[object]] = []
    row_elements = 0
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
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
                    raise too_many_rows()
                values = {c["column"]: c["value"] for c in cells if c["value"] not in (None, "")}
                if not values:
                    continue
                if number > line_limit():
                    raise too_many_rows()
                widest = max(values)
                if widest > settings.PORTAL_IMPORT_MAX_COLUMNS:
                    raise too_many_columns(widest)
                rows.extend([] for _ in range(number - 1 - len(rows)))
                rows.append([values.get(column) for column in range(1, widest + 1)])
    except ImportFileError:
        raise
    except Exception as error:
        # A hostile or broken package fails anywhere in the XML or zip layers (ParseError for
        # an entity, KeyError for a missing part, ...): one message, the cause logged.
        logger.info("Unreadable .xlsx import", exc_info=error)
        raise ImportFileError(_("The file is not a readable .xlsx workbook.")) from error
    return rows


def table(rows: list[list[object]]) -> tuple[int, list[list[object]], list[str]]:
    """Split rows into (header line number, rows from the header on, notes).

    The header is found below a title or blank lines (headers.find_header); the data rows
    after it are bounded by PORTAL_IMPORT_MAX_ROWS. Raises ImportFileError.
    """
    index = find_header(rows)
    if not rows or not any(cell not in (None, "") for cell in rows[index]):
        raise ImportFileError(_("The file is empty: the first line must name the columns."))
    if len(rows) - index - 1 > settings.PORTAL_IMPORT_MAX_ROWS:
        raise too_many_rows()
    notes = []
    if index:
        notes.append(
            _("The column names are on line %(line)s; the %(count)s line(s) above them were "
              "skipped as a title.")
            % {"line": index + 1, "count": index}
        )  # fmt: skip
    return index + 1, rows[index:], notes


# What a save by another program or in another encoding did to a cell, found when the row is
# imported (PartnerResource.import_field): refused, or noted for staff to check.


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


_SUSPECT_QUESTION_MARK = re.compile(r"\?(?=\w)")


def lost_letters(stored: object, new: object) -> bool:
    """True when new is stored text with letters replaced by `?`, as a save in an encoding
    without those letters (Korean Excel's CP949 "CSV": no ư, ê, ü, Ō, і) writes it."""
    if not isinstance(stored, str) or not isinstance(new, str) or stored == new:
        return False
    return len(stored) == len(new) and all(
        a == b or (b == "?" and a != "?") for a, b in zip(stored, new, strict=True)
    )


def refuse_lost_letters(stored: object, new: object) -> None:
    """Refuse text that would replace stored letters by `?` (see lost_letters)."""
    if lost_letters(stored, new):
        raise ValueError(
            _(
                "“%(new)s” would replace “%(stored)s”: the file lost the letters shown "
                "as ?, which its encoding cannot hold (Korean Excel's “CSV” is CP949). "
                "Save the file as “CSV UTF-8” or as .xlsx and import it again."
            )
            % {"new": new, "stored": stored}
        )


def suspect_question_mark(text: object) -> bool:
    """A `?` directly before a letter, where a lost letter was: H?ng Y?n, not "Why? No"."""
    return isinstance(text, str) and bool(_SUSPECT_QUESTION_MARK.search(text))


def check_new_text(stored: object, new: object, line: int, column: str) -> str | None:
    """Refuses new text that lost stored letters (refuse_lost_letters); for other new text
    with a suspect `?` (suspect_question_mark), the note staff see before confirming."""
    refuse_lost_letters(stored, new)
    if new == stored or not suspect_question_mark(new):
        return None
    return _(
        "Line %(line)s, column “%(column)s”: “%(value)s” has a ? where a letter "
        "may have been lost by saving in CP949; check it before confirming."
    ) % {"line": line, "column": column, "value": new}
