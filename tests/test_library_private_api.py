"""The private library calls the portal depends on, named so an upgrade that moves them fails
here first, with the reason, instead of as a broken import in the admin.

openpyxl (pinned to 3.1 in pyproject.toml): the bounded XLSX reader
(partners/resources/workbooks.py) streams cells with openpyxl's private WorkSheetParser and the
worksheet's private _get_source, because the public read-only reader pads every row to the
sheet's declared dimension (a 2 KB file declaring A1:XFD1048576 took gigabytes).
"""

import inspect

import openpyxl
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser


def test_openpyxl_is_the_pinned_minor_version():
    assert openpyxl.__version__.startswith("3.1.")


def test_the_streaming_sheet_parser_takes_what_the_bounded_reader_passes():
    parameters = inspect.signature(WorkSheetParser.__init__).parameters
    for name in ("src", "shared_strings", "data_only", "epoch", "date_formats"):
        assert name in parameters, name
    assert "timedelta_formats" in parameters
    assert callable(WorkSheetParser.parse) and callable(WorkSheetParser.parse_cell)
    assert FORMULA_TAG.endswith("}f")


def test_a_read_only_workbook_exposes_what_the_bounded_reader_reads():
    assert callable(ReadOnlyWorksheet._get_source)
    book = openpyxl.Workbook()
    assert hasattr(book, "_date_formats") and hasattr(book, "_timedelta_formats")
