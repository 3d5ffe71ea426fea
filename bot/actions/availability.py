"""Bed counts sent by facility staff: "beds 4", "4 of 16", "full", "we have 3 detox beds".

Only registered staff and admins of a service may change its count. On SMS, whose
sender number can be spoofed, a PIN is asked once per conversation ("beds 4 PIN 1234",
or the bot asks); Telegram user ids are verified by Telegram and trusted. A person with
several services is asked which one. Every attempt — applied, refused or invalid — is in
the append-only change log; an applied one can be undone for 10 minutes with UNDO.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import people
from bot.actions.base import WayfinderAction
from bot.nlu import commands, numbers
from bot.nlu.commands import is_undo
from bot.nlu.message import Message
from directory import set_capacity
from directory.capacity import log_attempt
from directory.errors import DirectoryError

UNDO_MINUTES = 10
TRUSTED_CHANNELS = ("telegram",)


def _channel(tracker: Tracker) -> str:
    return str(tracker.get_latest_input_channel() or "cli")


class ActionUpdateAvailability(WayfinderAction):
    def name(self) -> str:
        return "action_update_availability"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        context = self.context
        # Rasa hands actions the text, not our message: normalize it the same way.
        message = Message.of(str(tracker.latest_message.get("text") or ""))
        person = people.lookup(context.db, tracker.sender_id)
        who = f"person:{person.id}" if person.id else f"sender:{tracker.sender_id[:12]}"
        channel = _channel(tracker)
        pending: dict[str, Any] = dict(tracker.get_slot("pending_update") or {})
        values = {
            e.get("entity"): e.get("value") for e in tracker.latest_message.get("entities", [])
        }

        def refused(service: str | None, asked: dict[str, Any], why: str) -> None:
            log_attempt(context.db, service, _requested(asked), who=who, channel=channel,
                        result=why, at=context.now())  # fmt: skip

        if person.role not in ("staff", "admin") or not person.services:
            refused(None, values, "denied: not registered staff")
            dispatcher.utter_message(response="utter_update_refused")
            return [SlotSet("pending_update", None)]
        if is_undo(message):
            return self.undo(dispatcher, tracker, who, channel)
        if values.get("available") is not None:
            maximum = values.get("maximum")
            pending = {"available": int(str(values["available"])),
                       "maximum": int(str(maximum)) if maximum is not None else None}  # fmt: skip
        if not pending:
            dispatcher.utter_message(
                text='Send the number of open beds, like "beds 4" or "4 of 16".'
            )
            return []
        events: list[EventType] = []
        # Who are you? (once per conversation on channels whose sender can be spoofed)
        if channel not in TRUSTED_CHANNELS and not tracker.get_slot("pin_ok"):
            pin = commands.pin_reply(message)
            if not person.has_pin:
                refused(person.services[0], pending, "denied: no PIN set")
                dispatcher.utter_message(
                    text="Bed updates by text need a PIN. Ask your admin to set one "
                    "(wayfinder people set-pin). Nothing was changed."
                )
                return [SlotSet("pending_update", None)]
            if pin is None:
                dispatcher.utter_message(text="Reply with your PIN to confirm this update.")
                return [SlotSet("pending_update", pending)]
            if person.id is None or not people.check_pin(context.db, person.id, pin):
                refused(person.services[0], pending, "denied: wrong PIN")
                dispatcher.utter_message(text="That PIN is not right. Nothing was changed.")
                return [SlotSet("pending_update", None)]
            events.append(SlotSet("pin_ok", True))
        # Which service?
        service = self.which(person, pending, message)
        if service is None:
            names = _names(context.db, person.services)
            lines = [f"{n}. {name}" for n, name in enumerate(names, 1)]
            dispatcher.utter_message(
                text="Which service is this count for?\n" + "\n".join(lines)
                + "\nReply with its number."
            )  # fmt: skip
            return [*events, SlotSet("pending_update", {**pending, "choosing": True})]
        try:
            change = set_capacity(
                context.db, service, pending["available"], pending.get("maximum"),
                who=who, channel=channel, at=context.now(),
            )  # fmt: skip
        except DirectoryError as error:
            refused(service, pending, f"rejected: {error}")
            dispatcher.utter_message(text=str(error))
            return [*events, SlotSet("pending_update", None)]
        of = f" of {change.maximum}" if change.maximum is not None else ""
        dispatcher.utter_message(
            text=f"{change.service_name}: {change.available}{of} beds open, updated just now. "
            f"Reply UNDO within {UNDO_MINUTES} minutes to revert."
        )
        last = {"service_id": service, "available": change.old_available,
                "maximum": change.old_maximum, "at": context.now().isoformat()}  # fmt: skip
        return [*events, SlotSet("pending_update", None), SlotSet("last_update", last)]

    def which(self, person: people.Person, pending: dict[str, Any], message: Message) -> str | None:
        if len(person.services) == 1:
            return person.services[0]
        if pending.get("choosing") and (picked := numbers.selection(message.folded)):
            number = picked[0] if picked[0] > 0 else len(person.services)
            if 1 <= number <= len(person.services):
                return person.services[number - 1]
        return None

    def undo(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, who: str, channel: str
    ) -> list[EventType]:
        context = self.context
        last = tracker.get_slot("last_update") or {}
        made = datetime.fromisoformat(last["at"]) if last.get("at") else None
        if made is None or context.now() - made > timedelta(minutes=UNDO_MINUTES):
            dispatcher.utter_message(
                text=f"There is no update from the last {UNDO_MINUTES} minutes to undo."
            )
            return [SlotSet("last_update", None)]
        if last.get("available") is None:
            dispatcher.utter_message(
                text="There was no count before that update; send the right count instead."
            )
            return [SlotSet("last_update", None)]
        change = set_capacity(
            context.db, last["service_id"], int(last["available"]), last.get("maximum"),
            who=who, channel=channel, at=context.now(),
        )  # fmt: skip
        of = f" of {change.maximum}" if change.maximum is not None else ""
        dispatcher.utter_message(
            text=f"Undone. {change.service_name}: {change.available}{of} beds open again."
        )
        return [SlotSet("last_update", None)]


def _requested(values: dict[str, Any]) -> str:
    if values.get("available") is not None:
        of = f" of {values['maximum']}" if values.get("maximum") is not None else ""
        return f"{values['available']}{of}"
    return "?"


def _names(db: Any, services: list[str]) -> list[str]:
    names = dict(db.execute(
        f"SELECT id, name FROM service WHERE id IN ({','.join('?' * len(services))})", services
    ).fetchall())  # fmt: skip
    return [str(names.get(s, s)) for s in services]
