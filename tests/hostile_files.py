"""Spreadsheets shaped like the hostile and careless files of issue #9, written directly.

Used by the tests (small sizes) and by scripts/bench_import_hostile.py (the issue's sizes).
XLSX parts are written by hand where openpyxl would not write the shape (a declared
dimension that lies, an entity, a formula without a saved value).
"""

import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

import openpyxl
from openpyxl.styles import Font

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{OOXML}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OOXML}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{OOXML}.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{SHEET_NS}" xmlns:r="{REL_NS}">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def inline_cell(row: int, column: int, value: object) -> str:
    ref = f"{column_letter(column)}{row}"
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_rows(rows: Iterable[tuple[int, list[object]]]) -> Iterable[str]:
    for number, cells in rows:
        body = "".join(
            inline_cell(number, column, value)
            for column, value in enumerate(cells, start=1)
            if value is not None
        )
        yield f'<row r="{number}">{body}</row>'


def raw_xlsx(
    rows: Iterable[str],
    *,
    dimension: str = "A1",
    doctype: str = "",
    shared_strings: Iterable[str] = (),
) -> bytes:
    """An XLSX package whose sheet XML is the given <row> elements, streamed into the zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", ROOT_RELS)
        package.writestr("xl/workbook.xml", WORKBOOK)
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with package.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{SHEET_NS}">'.encode())
            for chunk in shared_strings:
                part.write(chunk.encode())
            part.write(b"</sst>")
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'.encode())
            part.write(f'<worksheet xmlns="{SHEET_NS}"><dimension ref="{dimension}"/>'.encode())
            part.write(b"<sheetData>")
            batch: list[str] = []
            for row in rows:
                batch.append(row)
                if len(batch) == 10_000:
                    part.write("".join(batch).encode())
                    batch = []
            part.write("".join(batch).encode())
            part.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


HEADER = ["slug", "name_en", "country", "population"]
KHARKIV = ["kharkiv", "Kharkiv", "UA", 1450000]


def far_styled_cell() -> bytes:
    """Fault 1: one data row and a bold, empty cell on the sheet's last row."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(KHARKIV)
    sheet.cell(row=1048576, column=1).font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def lying_dimension() -> bytes:
    """A sheet declaring A1:XFD1048576 with one value in the last cell of the last row."""
    rows = [(1, HEADER), (2, KHARKIV)]
    last = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return raw_xlsx([*sheet_rows(rows), last], dimension="A1:XFD1048576")


def many_rows(count: int = 1_000_000) -> bytes:
    """A small package that expands to `count` rows of one number each."""
    rows = ("<row><c><v>1</v></c></row>" for _ in range(count))
    return raw_xlsx(rows)


def many_columns(count: int = 16_384) -> bytes:
    """A header row of `count` columns."""
    return raw_xlsx(sheet_rows([(1, [f"c{n}" for n in range(count)])]))


def huge_shared_string(characters: int = 1_000_000_000) -> bytes:
    """One shared string of `characters` letters, used by the header's first cell."""

    def chunks() -> Iterable[str]:
        yield "<si><t>"
        chunk = "a" * 1_000_000
        for _ in range(characters // len(chunk)):
            yield chunk
        yield "a" * (characters % len(chunk))
        yield "</t></si>"

    rows = ['<row r="1"><c r="A1" t="s"><v>0</v></c></row>']
    return raw_xlsx(rows, shared_strings=chunks())


def external_entity() -> bytes:
    """XXE: the sheet pulls /etc/passwd into a cell."""
    doctype = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    row = '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
    return raw_xlsx([row], doctype=doctype)


def billion_laughs() -> bytes:
    """Nested entities that expand to 10^9 'lol's."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    doctype = f"<!DOCTYPE worksheet [{''.join(entities)}]>"
    row = '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    return raw_xlsx([row], doctype=doctype)


def formula_cell(formula: str, cached: str | None, column: str = "population") -> bytes:
    """Fault 2: a file written by a program, with a formula and maybe no saved value."""
    header = ["slug", "name_en", "country", column]
    value = f"<v>{cached}</v>" if cached is not None else ""
    cells = "".join(inline_cell(2, n, v) for n, v in enumerate(KHARKIV[:3], start=1))
    formula_xml = f'<c r="D2"><f>{escape(formula.lstrip("="))}</f>{value}</c>'
    return raw_xlsx([*sheet_rows([(1, header)]), f'<row r="2">{cells}{formula_xml}</row>'])


def tiny_valid_rows_csv(count: int = 206_525) -> bytes:
    """The most rows of a valid partner that fit in 5 MB."""
    lines = ["name_en,country"] + [f"C{n},KR" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def invalid_rows_csv(count: int = 200_000) -> bytes:
    """Rows each wrong in several columns (three report lines a row before the fix)."""
    lines = ["name_en,country,population,area_km2"] + ["x,ZZ,1 2,8 8"] * count
    return ("\n".join(lines) + "\n").encode()
