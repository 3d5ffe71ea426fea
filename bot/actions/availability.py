"""Bed counts sent by facility staff ("beds 4", "4 of 16", "full")."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import people
from bot.actions.base import WayfinderAction
from directory import set_capacity
from directory.errors import DirectoryError


class ActionUpdateAvailability(WayfinderAction):
    """Records the count for the sender's service. Only registered staff and admins may;
    anyone else is refused and nothing changes."""

    def name(self) -> str:
        return "action_update_availability"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        context = self.context
        person = people.lookup(context.db, tracker.sender_id)
        if person.role not in ("staff", "admin") or not person.services:
            dispatcher.utter_message(response="utter_update_refused")
            return []
        values = {
            e.get("entity"): e.get("value") for e in tracker.latest_message.get("entities", [])
        }
        if values.get("available") is None:
            dispatcher.utter_message(
                text='Send the number of open beds, like "beds 4" or "4 of 16".'
            )
            return []
        if len(person.services) > 1:
            dispatcher.utter_message(
                text="You keep counts for several services; choosing one by text is not "
                "available yet. Nothing was changed."
            )
            return []
        maximum = values.get("maximum")
        try:
            change = set_capacity(
                context.db,
                person.services[0],
                int(str(values["available"])),
                int(str(maximum)) if maximum is not None else None,
                who=f"sender:{tracker.sender_id[:16]}",
                channel=str(tracker.get_latest_input_channel() or "chat"),
                at=context.now(),
            )
        except DirectoryError as error:
            dispatcher.utter_message(text=f"{error}")
            return []
        of = f" of {change.maximum}" if change.maximum is not None else ""
        dispatcher.utter_message(
            text=f"{change.service_name}: {change.available}{of} beds open, updated just now."
        )
        return []
