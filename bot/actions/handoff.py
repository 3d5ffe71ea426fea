"""The hand-offs: 988 for a crisis, 911 when a life is in danger.

They use only the reviewed responses and the configured numbers (no directory, no
model), so they work when everything else has failed.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.base import WayfinderAction


class ActionCrisisHandoff(WayfinderAction):
    def name(self) -> str:
        return "action_crisis_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_crisis_handoff", **self.context.line_values())
        return []


class ActionEmergencyHandoff(WayfinderAction):
    def name(self) -> str:
        return "action_emergency_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_emergency_handoff", **self.context.line_values())
        return []
