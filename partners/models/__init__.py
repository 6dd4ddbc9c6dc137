"""The partners app's models, by topic (the data model: docs/data-model.md)."""

from .agreements import Agreement, Kind, Status
from .checks import CheckConfirmation, DataWarningReport
from .countries import Continent, Country
from .data_version import DataVersion
from .exchanges import Exchange, ExchangeCount, ExchangeDate, Field
from .home_city import HomeCity
from .media import AgreementDocument, Licence, Photo
from .partners import City, DormantPartner, Level, haversine_km, whole_years_between
from .text import fold, localized, localized_name, localized_reader

__all__ = [
    "Agreement",
    "AgreementDocument",
    "CheckConfirmation",
    "City",
    "Continent",
    "Country",
    "DataVersion",
    "DataWarningReport",
    "DormantPartner",
    "Exchange",
    "ExchangeCount",
    "ExchangeDate",
    "Field",
    "HomeCity",
    "Kind",
    "Level",
    "Licence",
    "Photo",
    "Status",
    "fold",
    "haversine_km",
    "localized",
    "localized_name",
    "localized_reader",
    "whole_years_between",
]
