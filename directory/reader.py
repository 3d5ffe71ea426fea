"""Reading HSDS 3.x data from disk into rows, remembering where each row came from.

Accepted: a folder of CSV files (with or without `datapackage.json`), a `.zip` of such a
folder, a JSON file holding one service, a list of services or an API page
(`{"contents": [...]}`), and NDJSON (one service per line). Nested JSON objects are
flattened into the same tables the CSV files fill, with their parents' ids filled in.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from directory.errors import InvalidData
from directory.hsds import JSON_CHILDREN, REQUIRED, TABLES, table_for_file
from directory.hsds_legacy import conversion, finish
from directory.rows import SEP, Row, Rows
from directory.types import Problem

MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass
class Dataset:
    """Rows by table, in file order, and the files that were not read."""

    tables: dict[str, Rows] = field(default_factory=lambda: {t: Rows() for t in TABLES})
    skipped: list[str] = field(default_factory=list)
    converted: list[str] = field(default_factory=list)  # older HSDS files read as 3.1
    # JSON holds objects, often one API page of many: what they refer to may live outside
    # the file. A tabular package is meant to be whole.
    documents: bool = False
    # Problems found while reading (a header, an encoding) that do not stop the other files
    # from being read: validation lists them with the rest.
    problems: list[Problem] = field(default_factory=list)

    def add(self, table: str, row: Row) -> None:
        self.tables[table].append(row)

    @property
    def size(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


def read(path: str | Path) -> Dataset:
    """Read HSDS data from a folder, a zip, a JSON or an NDJSON file.

    Raises:
        InvalidData: the path cannot be read at all (missing, not HSDS, broken JSON).
    """
    path = Path(path)
    if not path.exists():
        raise InvalidData([Problem(str(path), "-", "path", "does not exist")])
    if path.is_dir():
        return _read_tabular({p.name: p.read_bytes for p in sorted(path.iterdir())}, path.name)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = {
                name.rsplit("/", 1)[-1]: (lambda n=name: archive.read(n))
                for name in archive.namelist()
                if not name.endswith("/") and "__MACOSX" not in name
            }
            return _read_tabular(members, path.name)
    if path.suffix.lower() == ".csv":
        return _read_tabular({path.name: path.read_bytes}, path.name)
    return _read_json(path)


def _read_tabular(files: dict[str, Any], label: str) -> Dataset:
    data = Dataset()
    paths = {name: name for name in files}
    if "datapackage.json" in files:
        try:
            package = json.loads(files["datapackage.json"]())
            for resource in package.get("resources", []):
                file_name = str(resource.get("path", "")).rsplit("/", 1)[-1]
                if resource.get("name") in TABLES and file_name in files:
                    paths[file_name] = resource["name"]
        except (json.JSONDecodeError, AttributeError) as error:
            raise InvalidData(
                [Problem("datapackage.json", "-", "-", f"is not valid JSON ({error})")]
            ) from error
    problems = data.problems
    eligibility: list[Row] = []
    for name, loader in files.items():
        if name == "datapackage.json" or name.startswith(".") or not name.lower().endswith(".csv"):
            continue
        raw = loader()
        if len(raw) > MAX_FILE_BYTES:
            problems.append(Problem(name, "-", "-", "is larger than 512 MB"))
            continue
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            problems.append(
                Problem(name, "-", "-", f"is not UTF-8 (byte {error.start}); save it as UTF-8")
            )
            continue
        del raw
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = [h.strip() for h in next(reader, [])]
        except csv.Error as error:
            problems.append(Problem(name, 1, "-", f"is not valid CSV ({error})"))
            continue
        older = conversion(name, header)
        table = older.table if older else (
            paths[name] if paths[name] in TABLES else table_for_file(name)
        )  # fmt: skip
        if table is None:
            data.skipped.append(name)
            continue
        if older:
            target = "services' eligibility descriptions" if table == "service_eligibility" else (
                TABLES[table][0])  # fmt: skip
            data.converted.append(f"{name} ({older.format}) → {target}")
        header_problems = _header_problems(name, header, table, required=older is None)
        problems += header_problems
        if any(p.field == "id" for p in header_problems):
            continue  # rows without ids cannot be told apart: nothing more to say of them
        width = len(header)
        convert = older.convert if older else None
        rows = eligibility if table == "service_eligibility" else data.tables[table]
        packed = rows.packed(name, header) if convert is None and isinstance(rows, Rows) else []
        try:
            for number, values in enumerate(reader, start=2):
                if len(values) > width and any(values[width:]):
                    problems.append(Problem(name, number, "-", "has more values than the header"))
                    continue
                if not any(values):
                    continue  # a blank line
                if convert is None:
                    record = SEP.join([str(number), *values[:width]])
                    if record.count(SEP) != min(len(values), width):
                        problems.append(Problem(name, number, "-", "holds a NUL character"))
                        continue
                    packed.append(record)
                    continue
                row: Row = {k: v or None for k, v in zip(header, values, strict=False) if k}
                row = convert(row)
                row["_file"] = name
                row["_row"] = number
                rows.append(row)
        except csv.Error as error:
            problems.append(Problem(name, reader.line_num, "-", f"is not valid CSV ({error})"))
    if data.converted:
        data.converted += finish(data.tables, eligibility)
    if data.size == 0 and not problems:
        raise InvalidData([Problem(label, "-", "-", "holds no HSDS CSV file (services.csv, …)")])
    return data


def _header_problems(name: str, header: list[str], table: str, *, required: bool) -> list[Problem]:
    """Every problem of a header at once: no id, a column named twice, a required column
    missing (each said once here, not on every row). An older file's header is checked
    for repeats only: its conversion supplies the 3.1 columns."""
    problems = []
    if "id" not in header and required:
        problems.append(Problem(name, 1, "id", "the header has no id column"))
    for column in sorted({c for c in header if c and header.count(c) > 1}):
        problems.append(Problem(name, 1, column, "the header names this column twice"))
    for column in REQUIRED.get(table, ()) if required else ():
        if column not in header:
            problems.append(Problem(name, 1, column, f"the header has no {column} column"))
    return problems


def _parses(line: str) -> bool:
    try:
        json.loads(line)
    except json.JSONDecodeError:
        return False
    return True


def _read_json(path: Path) -> Dataset:
    name = path.name
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidData([Problem(name, "-", "-", "is not UTF-8")]) from error
    items: list[tuple[int, Any]]
    try:
        document = json.loads(text)
        if isinstance(document, dict) and isinstance(document.get("contents"), list):
            document = document["contents"]
        items = list(enumerate(document if isinstance(document, list) else [document], 1))
    except json.JSONDecodeError as whole:
        lines = [line for line in text.splitlines() if line.strip()]
        if not lines or not _parses(lines[0]):
            # One JSON document, broken somewhere: say where, not "line 1".
            raise InvalidData(
                [
                    Problem(
                        name,
                        whole.lineno,
                        "-",
                        f"is not valid JSON: {whole.msg} at line "
                        f"{whole.lineno}, column {whole.colno}",
                    )
                ]
            ) from whole
        items = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    items.append((number, json.loads(line)))
                except json.JSONDecodeError as error:
                    raise InvalidData(
                        [Problem(name, number, "-", f"is not valid JSON ({error.msg})")]
                    ) from error
    data = Dataset(documents=True)
    problems = []
    unkept: set[str] = set()
    for number, item in items:
        if not isinstance(item, dict) or "id" not in item:
            problems.append(Problem(name, number, "-", "is not an HSDS object (it has no id)"))
            continue
        for table, row in _flatten(_kind(item), item, {}, unkept):
            row["_file"], row["_row"], row["_table"] = name, number, table
            data.add(table, row)
    if problems:
        raise InvalidData(problems)
    if data.size == 0:
        raise InvalidData([Problem(name, "-", "-", "holds no HSDS service")])
    data.skipped += sorted(unkept)
    return _dedupe(data)


def _kind(obj: dict[str, Any]) -> str:
    """Which HSDS object a JSON document is: an organization (with its services), a
    location, a service_at_location, or — the usual case — a service."""
    if isinstance(obj.get("service"), dict):
        return "service_at_location"
    if isinstance(obj.get("services"), list) or any(
        k in obj for k in ("legal_status", "year_incorporated", "tax_status", "tax_id", "website")
    ):
        return "organization"
    if "location_type" in obj or ("latitude" in obj and "longitude" in obj):
        return "location"
    return "service"


def _flatten(
    table: str, obj: dict[str, Any], parent: dict[str, Any], unkept: set[str] | None = None
) -> Iterator[tuple[str, Row]]:
    """Yield (table, row) for an object and every object nested in it; the nested objects
    of kinds Wayfinder does not keep (contacts, languages, funding…) are named in
    `unkept`."""
    columns = TABLES[table][1]
    if unkept is not None:
        unkept.update(
            f"{key} (in {table})" for key, value in obj.items()
            if value and isinstance(value, list | dict) and key not in columns
            and key not in JSON_CHILDREN and key != "service"
        )  # fmt: skip
    row: Row = {c: _text(obj.get(c)) for c in columns if c in obj}
    for column, value in parent.items():
        if column in columns and not row.get(column):
            row[column] = value
    if table == "attribute" and isinstance(obj.get("taxonomy_term"), dict):
        row.setdefault("taxonomy_term_id", obj["taxonomy_term"].get("id"))
    if table == "service_capacity" and isinstance(obj.get("unit"), dict):
        row.setdefault("unit_id", obj["unit"].get("id"))
    if table == "service_at_location" and isinstance(obj.get("location"), dict):
        row.setdefault("location_id", obj["location"].get("id"))
    if table == "service_at_location" and isinstance(obj.get("service"), dict):
        row.setdefault("service_id", obj["service"].get("id"))
        yield from _flatten("service", obj["service"], {}, unkept)
    if table == "service" and isinstance(obj.get("organization"), dict):
        row.setdefault("organization_id", obj["organization"].get("id"))
    yield table, row
    links = _links(table, row)
    for key, child_table in JSON_CHILDREN.items():
        value = obj.get(key)
        children = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        for child in children:
            if isinstance(child, dict) and child.get("id") is not None:
                yield from _flatten(child_table, child, links, unkept)


def _links(table: str, row: Row) -> dict[str, Any]:
    """The parent ids a nested child inherits (a service's phones get its service_id…)."""
    own = row.get("id")
    if table == "service":
        return {"service_id": own, "link_id": own, "link_entity": "service"}
    if table == "service_at_location":
        return {"service_at_location_id": own, "service_id": row.get("service_id")}
    if table == "location":
        return {"location_id": own}
    if table == "phone":
        return {"phone_id": own}
    if table == "organization":
        return {"organization_id": own}
    if table == "taxonomy_term":
        return {"taxonomy_id": row.get("taxonomy_id")}
    return {}


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _dedupe(data: Dataset) -> Dataset:
    """Nested JSON repeats shared objects (one organization for many services): keep one
    row per id, with what every copy says — a field one copy leaves out is taken from
    another, and two copies that disagree are reported, so that no copy goes unread.

    Raises:
        InvalidData: two copies of an object give different values.
    """
    problems = []
    for table, rows in data.tables.items():
        merged: dict[str, Row] = {}
        for row in rows:
            key = str(row.get("id"))
            kept = merged.setdefault(key, row)
            if kept is row:
                continue
            for column, value in row.items():
                if column.startswith("_") or value in (None, ""):
                    continue
                if kept.get(column) in (None, ""):
                    kept[column] = value
                elif kept[column] != value:
                    problems.append(
                        Problem(
                            str(row.get("_file")), row.get("_row", "-"), column,
                            f"{table} {key!r} appears twice with different values "
                            f"({kept[column]!r} and {value!r})",
                        )
                    )  # fmt: skip
        data.tables[table] = Rows(list(merged.values()))
    if problems:
        raise InvalidData(problems)
    return data
