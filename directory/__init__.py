"""The resource directory: HSDS 3.1 services, places and live capacity, and search.

Knows nothing of chat. Other packages use only the names below.
"""

from __future__ import annotations

from directory import hsds_api
from directory.capacity import set_capacity
from directory.config import ConfigError, DirectorySettings
from directory.db import open_db
from directory.details import service_details
from directory.errors import (
    DirectoryError,
    InvalidCapacity,
    InvalidData,
    UnknownNeed,
    UnknownPlace,
    UnknownService,
)
from directory.export import export_directory
from directory.geo import add_place, haversine_km, resolve
from directory.importer import import_dataset
from directory.needs import Need, load_needs, need_keys
from directory.reader import read
from directory.search import search
from directory.transaction import write_transaction
from directory.types import (
    CapacityChange,
    ImportSummary,
    Place,
    Point,
    Problem,
    SearchResult,
    ServiceDetails,
)
from directory.validate import validate

__all__ = [
    "CapacityChange",
    "ConfigError",
    "DirectoryError",
    "DirectorySettings",
    "ImportSummary",
    "InvalidCapacity",
    "InvalidData",
    "Need",
    "Place",
    "Point",
    "Problem",
    "SearchResult",
    "ServiceDetails",
    "UnknownNeed",
    "UnknownPlace",
    "UnknownService",
    "add_place",
    "export_directory",
    "haversine_km",
    "hsds_api",
    "import_dataset",
    "load_needs",
    "need_keys",
    "open_db",
    "read",
    "resolve",
    "search",
    "service_details",
    "set_capacity",
    "validate",
    "write_transaction",
]
