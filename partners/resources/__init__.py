"""Spreadsheet import and export (django-import-export resources, widgets and file formats)."""

from .export_only import (
    AgreementResource,
    CountryResource,
    DormantPartnerResource,
    ExchangeResource,
)
from .formats import EXPORT_FORMATS, FORMATS_BY_NAME, IMPORT_FORMATS, ImportFileError, read_dataset
from .partners import COLUMNS, PartnerResource, import_partners
from .report import import_report

__all__ = [
    "COLUMNS",
    "EXPORT_FORMATS",
    "FORMATS_BY_NAME",
    "IMPORT_FORMATS",
    "AgreementResource",
    "CountryResource",
    "DormantPartnerResource",
    "ExchangeResource",
    "ImportFileError",
    "PartnerResource",
    "import_partners",
    "import_report",
    "read_dataset",
]
