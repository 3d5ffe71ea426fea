"""Checking HSDS rows before anything is written: every problem, not just the first.

A problem names the file, the row (the line number a spreadsheet shows, the header being
line 1; for JSON, the item's number) and the field, and says why in words a directory
admin can act on.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from datetime import datetime

from directory import geo, hours
from directory.engine import Database
from directory.hsds import ORDER, REFERENCES, REQUIRED
from directory.reader import Dataset
from directory.rows import Row
from directory.sql import rows_in
from directory.types import Problem

STATUSES = ("active", "inactive", "defunct", "temporarily closed")
LOCATION_TYPES = ("physical", "postal", "virtual")
SCHEDULE_FREQS = ("WEEKLY", "MONTHLY", "DAILY")
# Units that measure rather than count: a capacity of "12 Kilogram" is not a bed count.
MEASURE_UNITS = {
    "kilogram", "kilograms", "kg", "gram", "grams", "pound", "pounds", "lb", "lbs", "ounce",
    "litre", "liter", "litres", "liters", "metre", "meter", "metres", "meters", "kilometre",
    "kilometer", "mile", "miles", "second", "seconds", "hour", "hours", "minute", "minutes",
    "kelvin", "ampere", "mole", "candela", "tonne", "ton", "tons",
}  # fmt: skip
_PHONE = re.compile(r"^\+?[0-9 ().\-]{3,}(?:\s*(?:x|ext\.?)\s*\d+)?$", re.IGNORECASE)


def validate(
    dataset: Dataset, db: Database | None = None, *, strict: bool = False
) -> list[Problem]:
    """Every problem in the dataset; references may point into `db` as well.

    In JSON documents (API pages, single objects), a reference to an object neither in the
    file nor in `db` is a warning — a page of services names organizations it does not
    carry — unless `strict`. In tabular data it is an error: the package is meant whole.
    """
    problems: list[Problem] = list(dataset.problems)
    ids: dict[str, set[str]] = defaultdict(set)
    wanted: dict[str, set[str]] = defaultdict(set)  # target table -> ids referred to
    for table in ORDER:  # one pass over each table: its rows are rebuilt on every pass
        check = _CHECKS.get(table)
        required = REQUIRED.get(table, ())
        references = [(c, target) for (t, c), target in REFERENCES.items() if t == table]
        seen = ids[table]
        for row in dataset.tables[table]:
            rid = row.get("id")
            if not rid or not str(rid).strip():
                problems.append(_p(row, "id", "is empty; every row needs an id"))
            elif rid in seen:
                problems.append(_p(row, "id", f"{rid!r} appears twice in the {table} rows"))
            else:
                seen.add(rid)
            for column in required:
                # A CSV row lacks the key only when its header lacks the column: said once.
                if row.get(column) in (None, "") and (column in row or "_table" in row):
                    problems.append(_p(row, column, "is required"))
            if check:
                problems.extend(check(row))
            for column, target in references:
                value = row.get(column)
                if value:
                    wanted[target].add(value)
    lenient = dataset.documents and not strict
    missing = _missing(wanted, ids, db)
    if any(missing.values()):
        problems.extend(_references(dataset, missing, warning=lenient))
    return sorted(problems, key=lambda p: (p.file, _row_key(p.row), p.field))


def _row_key(row: int | str) -> tuple[int, str]:
    return (row, "") if isinstance(row, int) else (0, str(row))


def _p(row: Row, column: str, why: str) -> Problem:
    # Nested JSON rows share one item number, so their fields say which object they are in.
    field = f"{row['_table']}.{column}" if "_table" in row else column
    return Problem(row["_file"], row["_row"], field, why)


def _missing(
    wanted: dict[str, set[str]], ids: dict[str, set[str]], db: Database | None
) -> dict[str, set[str]]:
    """Referred-to ids that are neither in the dataset nor (when given) in `db`."""
    missing = {target: values - ids[target] for target, values in wanted.items()}
    if db is not None:
        for target, values in missing.items():
            found = rows_in(db, f"SELECT id FROM {target} WHERE id IN ({{marks}})", sorted(values))
            values.difference_update(row[0] for row in found)
    return missing


def _references(dataset: Dataset, missing: dict[str, set[str]], *, warning: bool) -> list[Problem]:
    """A problem for each row that refers to a missing id (read again only when one is)."""
    problems = []
    for table in ORDER:
        references = [
            (c, target) for (t, c), target in REFERENCES.items()
            if t == table and missing.get(target)
        ]  # fmt: skip
        if not references:
            continue
        for row in dataset.tables[table]:
            for column, target in references:
                value = row.get(column)
                if value and value in missing[target]:
                    why = f"refers to {target} {value!r}, which does not exist"
                    if warning:
                        why = f"refers to {target} {value!r}, which is not in the file"
                    problems.append(replace(_p(row, column, why), warning=warning))
    return problems


def _number(row: Row, column: str, *, integer: bool = False) -> tuple[float | None, Problem | None]:
    value = row.get(column)
    if value in (None, ""):
        return None, None
    try:
        number = float(value)
    except ValueError:
        return None, _p(row, column, f"{value!r} is not a number")
    if integer and not number.is_integer():
        return None, _p(row, column, f"{value!r} is not a whole number")
    return number, None


def _check_service(row: Row) -> list[Problem]:
    problems = []
    status = row.get("status")
    if status and status.lower() not in STATUSES:
        problems.append(
            _p(row, "status", f"{status!r} is not a known status ({', '.join(STATUSES)})")
        )
    for column in ("minimum_age", "maximum_age"):
        value, problem = _number(row, column, integer=True)
        if problem:
            problems.append(problem)
        elif value is not None and not 0 <= value <= 130:
            problems.append(_p(row, column, f"{value:g} is not an age"))
    return problems


def _check_location(row: Row) -> list[Problem]:
    problems = []
    kind = row.get("location_type")
    if kind and kind not in LOCATION_TYPES:
        problems.append(
            _p(row, "location_type", f"{kind!r} is not one of {', '.join(LOCATION_TYPES)}")
        )
    coords = {}
    for column, limit in (("latitude", 90), ("longitude", 180)):
        value, problem = _number(row, column)
        if problem:
            problems.append(problem)
        elif value is not None and not -limit <= value <= limit:
            problems.append(_p(row, column, f"{value:g} is out of range (-{limit} to {limit})"))
        else:
            coords[column] = value
    if len(coords) == 2 and (coords["latitude"] is None) != (coords["longitude"] is None):
        problems.append(_p(row, "latitude", "latitude and longitude must be given together"))
    return problems


def _check_phone(row: Row) -> list[Problem]:
    number = row.get("number")
    if number and not _PHONE.match(number.strip()):
        return [
            _p(row, "number", f"{number!r} is not a phone number (digits, spaces, + ( ) - . only)")
        ]
    return []


def _check_schedule(row: Row) -> list[Problem]:
    problems = []
    for column in ("opens_at", "closes_at"):
        if row.get(column):
            try:
                hours.parse_time(row[column])
            except ValueError as error:
                problems.append(_p(row, column, str(error)))
    if bool(row.get("opens_at")) != bool(row.get("closes_at")):
        problems.append(_p(row, "closes_at", "opens_at and closes_at must be given together"))
    if row.get("byday"):
        try:
            hours.parse_byday(row["byday"])
        except ValueError as error:
            problems.append(_p(row, "byday", str(error)))
    freq = row.get("freq")
    if freq and freq.upper() not in SCHEDULE_FREQS:
        problems.append(_p(row, "freq", f"{freq!r} is not one of {', '.join(SCHEDULE_FREQS)}"))
    for column in ("valid_from", "valid_to", "dtstart", "until"):
        if row.get(column) and not _is_date(row[column]):
            problems.append(_p(row, column, f"{row[column]!r} is not a date (YYYY-MM-DD)"))
    value, problem = _number(row, "timezone")
    if problem:
        problems.append(problem)
    elif value is not None and not -14 <= value <= 14:
        problems.append(_p(row, "timezone", f"{value:g} is not a UTC offset (-14 to 14 hours)"))
    return problems


def _check_capacity(row: Row) -> list[Problem]:
    problems = []
    available, problem_a = _number(row, "available", integer=True)
    maximum, problem_m = _number(row, "maximum", integer=True)
    for problem in (problem_a, problem_m):
        if problem:
            problems.append(problem)
    for column, value in (("available", available), ("maximum", maximum)):
        if value is not None and value < 0:
            problems.append(_p(row, column, f"{value:g} is negative"))
    if available is not None and maximum is not None and available > maximum:
        problems.append(_p(row, "available", f"{available:g} is more than the maximum {maximum:g}"))
    if row.get("updated") and parse_datetime(row["updated"]) is None:
        problems.append(_p(row, "updated", f"{row['updated']!r} is not a date and time (ISO 8601)"))
    return problems


def _check_unit(row: Row) -> list[Problem]:
    name = (row.get("name") or "").strip()
    if name.lower() in MEASURE_UNITS:
        return [
            _p(
                row,
                "name",
                f"{name!r} measures a quantity; a capacity unit must count places "
                "(Bed, Room, Cot, Seat, Slot)",
            )
        ]
    scheme = (row.get("scheme") or "").strip()
    if scheme.upper() == "SI":
        # The name may say "Bed"; it is the scheme that makes it a measure.
        return [
            _p(
                row,
                "scheme",
                f"{scheme!r} is a system of measures; a capacity unit counts places "
                "(leave the scheme empty, or name the scheme your beds are counted in)",
            )
        ]
    return []


def _check_service_area(row: Row) -> list[Problem]:
    extent, kind = row.get("extent"), (row.get("extent_type") or "").lower()
    if extent and kind == "geojson":
        try:
            geo.parse_geojson(extent)
        except ValueError as error:
            return [_p(row, "extent", f"is not a usable GeoJSON polygon ({error})")]
    return []


_CHECKS = {
    "service": _check_service,
    "location": _check_location,
    "phone": _check_phone,
    "schedule": _check_schedule,
    "service_capacity": _check_capacity,
    "unit": _check_unit,
    "service_area": _check_service_area,
}


def _is_date(text: str) -> bool:
    try:
        datetime.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def parse_datetime(text: str) -> datetime | None:
    """An ISO 8601 date-time ("2024-09-25T14:23:06.5+01:00", "…Z"), or None."""
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
