"""The people the assistant knows: facility staff (tied to services), responders (officers,
clinicians, case managers; tied to a program) and admins. Everyone else is a community
member, never registered and never asked who they are.

A person has channel identities — a phone number (E.164) and/or a Telegram user id —
stored as the same keyed hashes that conversations use, so a message finds its sender's
role without any phone number being looked up in clear. Staff and admins with a phone
number also keep it as a contact (`contact`), because stale-count reminders must be sent
to it; they are registered by an admin for that purpose. PINs are stored as scrypt hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import phonenumbers

from bot.privacy import sender_key
from directory import engine
from directory.engine import Database
from directory.transaction import write_transaction

ROLES = ("community", "responder", "staff", "admin")
REGISTERED = ("responder", "staff", "admin")


class PeopleError(ValueError):
    """A registry request that cannot be done; the message says why."""


@dataclass(frozen=True)
class Person:
    id: int | None = None
    role: str = "community"
    services: list[str] = field(default_factory=list)
    program: str | None = None
    name: str | None = None
    contact: str | None = None
    has_pin: bool = False
    identities: list[str] = field(default_factory=list)  # masked, for listing


@dataclass(frozen=True)
class Identity:
    """A channel identity: (channel, sender as that channel gives it), and a masked form."""

    keys: list[tuple[str, str]]
    masked: str
    phone: str | None = None


def ensure(db: Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS person (id INTEGER PRIMARY KEY, role TEXT NOT NULL, "
        "name TEXT, program TEXT, contact TEXT, pin TEXT, created TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS person_identity (key TEXT PRIMARY KEY, "
        "person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE, masked TEXT)"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS person_service (person_id INTEGER NOT NULL "
        "REFERENCES person(id) ON DELETE CASCADE, service_id TEXT NOT NULL, "
        "PRIMARY KEY (person_id, service_id))"
    )


def identity(text: str, region: str = "US") -> Identity:
    """A phone number in any common format, or `telegram:USER_ID`.

    Raises:
        PeopleError: neither a valid phone number nor a Telegram id.
    """
    text = text.strip()
    if text.lower().startswith("telegram:"):
        user = text.split(":", 1)[1].strip()
        if not user.lstrip("-").isdigit():
            raise PeopleError(f"{text!r}: a Telegram id is a number, like telegram:123456789.")
        return Identity([("telegram", user)], f"telegram:…{user[-3:]}")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise PeopleError(f"{text!r} is not a phone number ({error}).") from error
    if not phonenumbers.is_valid_number(number):
        raise PeopleError(f"{text!r} is not a valid phone number.")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    keys = [("sms", e164), ("sms", f"whatsapp:{e164}"), ("cli", e164)]
    return Identity(keys, f"{e164[:2]}…{e164[-4:]}", e164)


def _hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"{salt.hex()}${digest.hex()}"


def _check_pin(pin: str, stored: str) -> bool:
    salt, _, digest = stored.partition("$")
    return hmac.compare_digest(_hash_pin(pin, bytes.fromhex(salt)).split("$")[1], digest)


def _valid_pin(pin: str) -> str:
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise PeopleError("A PIN is 4 to 8 digits.")
    return pin


def add(
    db: Database,
    who: str,
    role: str,
    key: bytes,
    *,
    services: Sequence[str] = (),
    program: str | None = None,
    name: str | None = None,
    pin: str | None = None,
) -> int:
    """Register a person (or add an identity to no one yet known). Returns the person id.

    Raises:
        PeopleError: bad role, identity, PIN, unknown service, or already registered.
    """
    if role not in REGISTERED:
        raise PeopleError(f"Role must be one of {', '.join(REGISTERED)}.")
    if role == "staff" and not services:
        raise PeopleError("Staff need at least one --service (the service whose beds they keep).")
    found = identity(who)
    ensure(db)
    with write_transaction(db):
        for service in services:
            if not db.execute("SELECT 1 FROM service WHERE id = ?", [service]).fetchone():
                raise PeopleError(f"No service has the id {service!r}.")
        hashes = [sender_key(channel, sender, key) for channel, sender in found.keys]
        marks = ",".join("?" * len(hashes))
        if db.execute(f"SELECT 1 FROM person_identity WHERE key IN ({marks})", hashes).fetchone():
            raise PeopleError(f"{found.masked} is already registered: remove it first.")
        contact = found.phone if role in ("staff", "admin") else None
        (person_id,) = db.execute(
            "INSERT INTO person (role, name, program, contact, pin, created) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [role, name, program, contact, _hash_pin(_valid_pin(pin)) if pin else None,
             datetime.now(UTC).isoformat(timespec="seconds")],
        ).fetchone()  # fmt: skip
        db.conn.executemany(
            "INSERT INTO person_identity (key, person_id, masked) VALUES (?, ?, ?)",
            [(h, person_id, found.masked) for h in hashes],
        )
        db.conn.executemany(
            "INSERT INTO person_service (person_id, service_id) VALUES (?, ?)",
            [(person_id, s) for s in dict.fromkeys(services)],
        )
    return int(person_id)


def _person_id(db: Database, who: str, key: bytes) -> int:
    ensure(db)
    found = identity(who)
    hashes = [sender_key(channel, sender, key) for channel, sender in found.keys]
    marks = ",".join("?" * len(hashes))
    row = db.execute(
        f"SELECT person_id FROM person_identity WHERE key IN ({marks})", hashes
    ).fetchone()
    if row is None:
        raise PeopleError(f"{found.masked} is not registered.")
    return int(row[0])


def remove(db: Database, who: str, key: bytes) -> None:
    person_id = _person_id(db, who, key)
    with write_transaction(db):
        for table in ("person_identity", "person_service"):
            db.execute(f"DELETE FROM {table} WHERE person_id = ?", [person_id])
        db.execute("DELETE FROM person WHERE id = ?", [person_id])


def set_pin(db: Database, who: str, pin: str, key: bytes) -> None:
    person_id = _person_id(db, who, key)
    with write_transaction(db):
        db.execute(
            "UPDATE person SET pin = ? WHERE id = ?", [_hash_pin(_valid_pin(pin)), person_id]
        )


def check_pin(db: Database, person_id: int, pin: str) -> bool:
    row = db.execute("SELECT pin FROM person WHERE id = ?", [person_id]).fetchone()
    return bool(row and row[0] and _check_pin(pin, row[0]))


def _load(db: Database, person_id: int) -> Person:
    row = db.execute(
        "SELECT id, role, name, program, contact, pin FROM person WHERE id = ?", [person_id]
    ).fetchone()
    services = [
        r[0] for r in db.execute(
            "SELECT service_id FROM person_service WHERE person_id = ? "
            f"ORDER BY {engine.insertion_order(db)}",
            [person_id],
        )
    ]  # fmt: skip
    masked = sorted(
        {r[0] for r in db.execute(
            "SELECT masked FROM person_identity WHERE person_id = ?", [person_id])}
    )  # fmt: skip
    return Person(row[0], row[1], services, row[3], row[2], row[4], bool(row[5]), masked)


def lookup(db: Database, sender_hash: str) -> Person:
    """The person behind a hashed sender id; unknown senders are community members.
    Called on every message: the tables must exist (`ensure`)."""
    row = db.execute(
        "SELECT person_id FROM person_identity WHERE key = ?", [sender_hash]
    ).fetchone()
    return _load(db, int(row[0])) if row else Person()


def everyone(db: Database) -> list[Person]:
    ensure(db)
    return [_load(db, int(r[0])) for r in db.execute("SELECT id FROM person ORDER BY id")]


def mark(db: Database, sender_hash: str, role: str, services: Sequence[str] = ()) -> int:
    """Register whoever sends under `sender_hash` (tests and tools that only have the
    hash). Returns the person id."""
    if role not in ROLES:
        raise PeopleError(f"Unknown role {role!r}: one of {', '.join(ROLES)}.")
    ensure(db)
    with write_transaction(db):
        (person_id,) = db.execute(
            "INSERT INTO person (role, created) VALUES (?, ?) RETURNING id",
            [role, datetime.now(UTC).isoformat(timespec="seconds")],
        ).fetchone()
        db.execute(
            "INSERT INTO person_identity (key, person_id, masked) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET person_id = excluded.person_id, "
            "masked = excluded.masked",
            [sender_hash, person_id, "(hash)"],
        )
        db.conn.executemany(
            "INSERT INTO person_service (person_id, service_id) VALUES (?, ?)",
            [(person_id, s) for s in services],
        )
    return int(person_id)


def as_json(person: Person) -> dict[str, object]:
    return asdict(person)
