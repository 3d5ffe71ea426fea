"""Greetings, help, thanks, goodbye and anything out of scope: short, kind, and always
saying what the assistant can do."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.base import WayfinderAction

RESPONSES = {
    "greet": "utter_greet",
    "thanks": "utter_thanks",
    "goodbye": "utter_goodbye",
    "out_of_scope": "utter_out_of_scope",
}


class ActionHelp(WayfinderAction):
    def name(self) -> str:
        return "action_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(response=RESPONSES.get(str(intent), "utter_help"))
        return []
