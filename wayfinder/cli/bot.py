"""`wayfinder ask` (one turn) and `wayfinder chat` (a terminal conversation)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from bot import people, privacy
from bot.privacy import hmac_key
from bot.turn import CHANNELS, SharedLocation, Turn
from directory import ConfigError
from directory.demo import is_demo
from wayfinder.cli.options import (
    db_option,
    json_option,
    open_assistant,
    open_directory,
    settings,
)

_SHARE = re.compile(r"^/(?:loc|location)\s+(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)\s*$")


def _configured_key() -> str | None:
    key = settings().hmac_key
    return key.value if key else None


def _at(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 date-time.") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _print(turn: Turn, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(turn.as_json(), ensure_ascii=False))
    else:
        click.echo("\n\n".join(turn.replies))


@click.command("ask")
@click.argument("text")
@click.option("--sender", required=True, help="Who is asking (any id; stored only hashed).")
@click.option(
    "--channel", type=click.Choice(CHANNELS), default="cli", show_default=True,
    help="Reply as for this channel (sms: plain GSM-7 text within SMS limits).",
)  # fmt: skip
@click.option("--at", "at_text", help="Answer as at this moment (ISO 8601), e.g. for tests.")
@db_option
@json_option
def ask_command(
    text: str, sender: str, channel: str, at_text: str | None, db_path: str, as_json: bool
) -> None:
    """One conversational turn. The conversation continues across calls with the same
    --sender (for an hour of silence, by default). "/loc LAT,LON" shares a position.

    Example:

        wayfinder ask --sender me "detox"
        wayfinder ask --sender me 80204
    """
    turn = open_assistant(db_path).handle(sender, _message(text), channel, _at(at_text))
    _print(turn, as_json)


def _message(text: str) -> str | SharedLocation:
    """The text, or the position that "/loc 39.74,-104.99" shares."""
    shared = _SHARE.match(text.strip())
    return SharedLocation(float(shared.group(1)), float(shared.group(2))) if shared else text


@click.command("chat")
@click.option("--sender", default="terminal", show_default=True, help="Conversation id.")
@click.option("--at", "at_text", help="Answer as at this moment (ISO 8601).")
@db_option
def chat_command(sender: str, at_text: str | None, db_path: str) -> None:
    """Talk to the assistant in the terminal. Share a position with
    "/loc LAT,LON"; leave with Ctrl-D.

    Example:

        wayfinder chat --db wayfinder-demo.db
    """
    assistant = open_assistant(db_path)
    today = datetime.now(UTC).date()
    for line in settings().bot.lines.stale(today):
        click.echo(f"Warning: the {line.name} number was last verified {line.last_verified}.")
    click.echo(
        "Wayfinder (automated). In a crisis call or text 988; if a life is in danger call 911.\n"
        'Try "detox 80204", then a number for details or MORE. "/loc 39.74,-104.99" shares a '
        "position. Ctrl-D to leave."
    )
    while True:
        try:
            text = click.prompt("you", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            click.echo()
            return
        if not text.strip():
            continue
        turn = assistant.handle(sender, _message(text), "cli", _at(at_text))
        for reply in turn.replies:
            click.echo(reply + "\n")


@click.group("people")
def people_group() -> None:
    """Facility staff, responders and admins: who may update beds and who gets the
    responder replies. Community members are never registered."""


def _people_db(db_path: str) -> tuple[Any, bytes]:
    try:
        db = open_directory(db_path)
        return db, hmac_key(db_path, _configured_key(), demo=is_demo(db))
    except (RuntimeError, ConfigError) as error:
        raise click.ClickException(str(error)) from error


@people_group.command("add")
@click.argument("identity")
@click.option("--role", type=click.Choice(people.REGISTERED), required=True)
@click.option("--service", "services", multiple=True, help="A service this person keeps (staff).")
@click.option("--program", help="The program a responder belongs to.")
@click.option("--name", help="A name to recognise the entry by.")
@click.option("--pin", help="4-8 digits, asked for once per SMS conversation before updates.")
@db_option
@json_option
def people_add(
    identity: str, role: str, services: tuple[str, ...], program: str | None,
    name: str | None, pin: str | None, db_path: str, as_json: bool,
) -> None:  # fmt: skip
    """Register a person. IDENTITY is a phone number (any common format) or
    telegram:USER_ID.

    Example:

        wayfinder people add "(720) 555-0100" --role staff --service SERVICE_ID --pin 4321
    """
    db, key = _people_db(db_path)
    try:
        person_id = people.add(db, identity, role, key, services=services, program=program,
                               name=name, pin=pin)  # fmt: skip
    except people.PeopleError as error:
        raise click.ClickException(f"{error} Nothing was changed.") from error
    if as_json:
        click.echo(json.dumps({"id": person_id}))
    else:
        click.echo(f"Registered person {person_id} as {role}.")


@people_group.command("list")
@db_option
@json_option
def people_list(db_path: str, as_json: bool) -> None:
    """Everyone registered, with masked identities.

    Example:

        wayfinder people list
    """
    db, _ = _people_db(db_path)
    everyone = people.everyone(db)
    if as_json:
        click.echo(json.dumps([people.as_json(p) for p in everyone]))
        return
    if not everyone:
        click.echo("No one is registered.")
    for p in everyone:
        extra = f" services={','.join(p.services)}" if p.services else ""
        extra += f" program={p.program}" if p.program else ""
        pin = " PIN set" if p.has_pin else ""
        click.echo(f"{p.id}\t{p.role}\t{', '.join(p.identities)}\t{p.name or ''}{extra}{pin}")


@people_group.command("remove")
@click.argument("identity")
@db_option
def people_remove(identity: str, db_path: str) -> None:
    """Remove a person and all their identities.

    Example:

        wayfinder people remove +17205550100
    """
    db, key = _people_db(db_path)
    try:
        people.remove(db, identity, key)
    except people.PeopleError as error:
        raise click.ClickException(str(error)) from error
    click.echo("Removed.")


@people_group.command("set-pin")
@click.argument("identity")
@click.argument("pin")
@db_option
def people_set_pin(identity: str, pin: str, db_path: str) -> None:
    """Set (or change) a person's PIN.

    Example:

        wayfinder people set-pin +17205550100 2468
    """
    db, key = _people_db(db_path)
    try:
        people.set_pin(db, identity, pin, key)
    except people.PeopleError as error:
        raise click.ClickException(f"{error} Nothing was changed.") from error
    click.echo("PIN set.")


@click.group("privacy")
def privacy_group() -> None:
    """Retention of what the assistant stores."""


def _duration(text: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+)\s*([hdw])\s*", text.lower())
    if not match:
        raise click.BadParameter(f"{text!r}: give a number and h, d or w, like 30d.")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(hours=amount * {"h": 1, "d": 24, "w": 168}[unit])


@privacy_group.command("purge")
@click.option("--older-than", "older_than", required=True, help="Like 30d, 12w or 48h.")
@db_option
@json_option
def privacy_purge(older_than: str, db_path: str, as_json: bool) -> None:
    """Delete conversations, anonymous events and replay ids older than the limit. The
    change log (an audit trail) is kept.

    Example:

        wayfinder privacy purge --older-than 30d
    """
    removed = privacy.purge(open_directory(db_path), _duration(older_than), datetime.now(UTC))
    if as_json:
        click.echo(json.dumps(removed))
        return
    click.echo(", ".join(f"{table}: {count} removed" for table, count in removed.items()))
