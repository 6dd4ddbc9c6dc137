"""Spreadsheet import and export (django-import-export resources, widgets and file formats)."""

from .exchanges import EXCHANGE_COLUMNS, ExchangeResource, import_exchanges
from .export_only import AgreementResource, CountryResource, DormantPartnerResource
from .formats import EXPORT_FORMATS, FORMATS_BY_NAME, IMPORT_FORMATS, ImportFileError, read_dataset
from .partners import COLUMNS, PartnerResource, import_partners
from .report import import_report

__all__ = [
    "EXCHANGE_COLUMNS",
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
    "import_exchanges",
    "import_partners",
    "import_report",
    "read_dataset",
]
