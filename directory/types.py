"""Named shapes that cross the directory's boundary: search results, service details,
places, problems."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Point:
    """A position on Earth in decimal degrees (WGS 84)."""

    lat: float
    lon: float


@dataclass(frozen=True)
class Place:
    """A place asked for (`kind`, `text`) and what is known of where it is.

    The one place type: the parser makes one from a message's words alone (a street
    address or "near me" has no coordinates yet), and `geo.resolve` makes a located one
    that a search is centred on.
    """

    kind: str  # zip | city | place | address | coordinates | near_me
    text: str
    lat: float | None = None
    lon: float | None = None
    label: str = ""
    zip: str | None = None
    city: str | None = None
    state: str | None = None
    timezone: str | None = None

    @property
    def point(self) -> Point:
        """Where it is; a place not yet located (an address, "near me") has no point."""
        if self.lat is None or self.lon is None:
            raise ValueError(f"{self.text!r} is not located yet")
        return Point(self.lat, self.lon)


@dataclass(frozen=True)
class SearchResult:
    """One service in a ranked answer; `as_json()` is the stable `search --json` shape."""

    id: str
    name: str
    needs: list[str]
    distance_km: float | None
    address: str | None
    phone: str | None
    open_now: bool | None
    available: int | None
    maximum: int | None
    capacity_updated: str | None
    stale: bool | None
    # Beyond the stable shape: used by replies, not printed by --json.
    organization: str | None = None
    next_open: datetime | None = field(default=None, compare=False)
    capacity_age_hours: float | None = None
    # Who it takes, in a few words ("ages 12–17", "women only"), and — only when nothing
    # else was found — why it does not take the person asked for.
    restriction: str | None = None
    excludes: str | None = None
    # Open when the help is needed: now, or within the asked-for span ("tonight"); None
    # when its hours are unknown.
    open_then: bool | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for extra in ("organization", "next_open", "capacity_age_hours", "restriction",
                      "excludes", "open_then"):  # fmt: skip
            data.pop(extra)
        return data


@dataclass(frozen=True)
class ServiceDetails:
    """Everything a person needs about one service: who runs it, where it is, how to reach
    it, who may come, when it is open and how full it is.

    `address`, `lat`, `lon` and `maps_url` are None when the service has no public location
    (a confidential shelter, a mobile team): then the phone is the way in. `phones` are
    (number, label) pairs, voice numbers first. `hours` are display lines
    ("Mon–Fri 8:00–17:00"), empty when unknown. The capacity fields mean what they mean in
    SearchResult.
    """

    id: str
    name: str
    organization: str | None
    description: str | None
    address: str | None
    lat: float | None
    lon: float | None
    maps_url: str | None
    phones: list[tuple[str, str]]
    url: str | None
    email: str | None
    eligibility: str | None
    fees: str | None
    languages: list[str]
    hours: list[str]
    open_now: bool | None
    next_open: datetime | None
    available: int | None
    maximum: int | None
    capacity_updated: str | None
    capacity_age_hours: float | None
    stale: bool | None
    needs: list[str]


@dataclass(frozen=True)
class Problem:
    """One reason a file cannot be imported, located as `file:row: field: why`; a
    `warning` (a JSON object referring to one outside its file) does not stop an import."""

    file: str
    row: int | str
    field: str
    why: str
    warning: bool = False

    def __str__(self) -> str:
        tag = "warning: " if self.warning else ""
        return f"{tag}{self.file}:{self.row}: {self.field}: {self.why}"


@dataclass(frozen=True)
class CapacityChange:
    """A bed count as it was and as it is now, after `set_capacity`."""

    service_id: str
    service_name: str
    old_available: int | None
    old_maximum: int | None
    available: int
    maximum: int | None
    updated: str


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote, table by table, and what it skipped."""

    counts: dict[str, int]
    created: int
    updated: int
    skipped: list[str] = field(default_factory=list)
    converted: list[str] = field(default_factory=list)
    removed: int = 0  # services a sync deleted because the other directory no longer has them
    warnings: list[Problem] = field(default_factory=list)
