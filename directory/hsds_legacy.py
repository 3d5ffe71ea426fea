"""Older HSDS (1.x and 2.x) CSV files, converted to their 3.1 tables as they are read.

HSDS 1.x kept street and mailing addresses in `physical_addresses.csv` and
`postal_addresses.csv`, opening hours one weekday per row in `regular_schedules.csv`, and
the service–location links in `services_at_location.csv`. Reading them as 3.1 would skip
them silently and leave every service without an address or hours; they are converted
instead, and the import says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Row = dict[str, Any]

# HSDS 1.x weekdays: 1 is Sunday … 7 is Saturday; names are accepted too.
_DAYS = {"1": "SU", "2": "MO", "3": "TU", "4": "WE", "5": "TH", "6": "FR", "7": "SA",
         "sunday": "SU", "monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH",
         "friday": "FR", "saturday": "SA", "sun": "SU", "mon": "MO", "tue": "TU", "wed": "WE",
         "thu": "TH", "fri": "FR", "sat": "SA"}  # fmt: skip


def _address(kind: str) -> Callable[[Row], Row]:
    def convert(row: Row) -> Row:
        lines = [str(row[k]) for k in ("address_2", "address_3", "address_4") if row.get(k)]
        return {**{k: v for k, v in row.items() if k not in ("address_3", "address_4")},
                "address_2": ", ".join(lines) or None, "address_type": kind}  # fmt: skip

    return convert


def _schedule(row: Row) -> Row:
    day = _DAYS.get(str(row.get("weekday") or "").strip().lower())
    converted = {k: v for k, v in row.items() if k != "weekday"}
    converted.update({"freq": "WEEKLY", "byday": day})
    return converted


# file name → (3.1 table, how one row becomes a 3.1 row)
LEGACY_FILES: dict[str, tuple[str, Callable[[Row], Row]]] = {
    "physical_addresses.csv": ("address", _address("physical")),
    "postal_addresses.csv": ("address", _address("postal")),
    "regular_schedules.csv": ("schedule", _schedule),
    "services_at_location.csv": ("service_at_location", lambda row: row),
}
