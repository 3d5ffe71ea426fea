"""A service asked for by its name: "is welton street withdrawal open", "number for
tallgrass crisis", "tell me about cheesman commons".

One service stands out → its details (hours and whether it is open now, phone, address,
who it takes), as if picked from a list. Several could be meant → a short numbered list
of them, to pick from. A name asked about that the directory does not hold → say so, and
how to search instead. No place is needed: the name says which.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import replies
from bot.actions.base import WayfinderAction
from bot.actions.search import _language, _role
from directory import geo
from directory.details import service_details
from directory.sql import rows_in
from directory.types import Place, Point

LIST_SIZE = 5

_WORDS = {
    "en": {"several": "I found {count} services by that name:",
           "pick": "Reply 1-{count} for details.",
           "none": "I couldn't find \"{name}\" in the directory. Tell me what you need and "
                   "where, for example \"detox 80204\", and I'll search nearby."},
    "es": {"several": "Encontré {count} servicios con ese nombre:",
           "pick": "Responda 1-{count} para detalles.",
           "none": "No encontré \"{name}\" en el directorio. Dígame qué necesita y dónde, por "
                   "ejemplo \"refugio 80204\", y buscaré cerca."},
}  # fmt: skip


class ActionFindService(WayfinderAction):
    def name(self) -> str:
        return "action_find_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        latest: dict[str, Any] = tracker.latest_message or {}
        found = latest.get("services") or []
        language = _language(tracker)
        words = _WORDS.get(language, _WORDS["en"])
        if not found:
            asked = latest.get("asked_name") or latest.get("text", "")
            dispatcher.utter_message(text=words["none"].format(name=asked.strip()))
            return []
        chosen = latest.get("chosen_service")
        if not chosen and len(found) > 1:
            found = self._in_area(tracker, found)
            chosen = found[0]["id"] if len(found) == 1 else None
        if chosen:
            details = service_details(
                self.context.db, chosen, self.context.now(), self.context.settings
            )
            if details is not None:
                dispatcher.utter_message(
                    text=replies.details_text(
                        details, language, _role(tracker), False, self.context.now()
                    )
                )
                return [SlotSet("results", [chosen]), SlotSet("shown", [chosen]),
                        SlotSet("page", 0), SlotSet("focus", chosen)]  # fmt: skip
        listed = found[:LIST_SIZE]
        lines = [words["several"].format(count=len(listed))]
        for number, match in enumerate(listed, 1):
            details = service_details(
                self.context.db, match["id"], self.context.now(), self.context.settings
            )
            phone = f" - {details.phones[0][0]}" if details is not None and details.phones else ""
            lines.append(f"{number}. {match['name']}{phone}")
        lines.append(words["pick"].format(count=len(listed)))
        ids = [m["id"] for m in listed]
        dispatcher.utter_message(text="\n".join(lines))
        return [SlotSet("results", ids), SlotSet("shown", ids), SlotSet("page", 0)]

    def _in_area(self, tracker: Tracker, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Where the sender is known (a place this conversation gave), the services of that
        name within the search radius of it, nearest first; all of them when none is (a
        name asked about far away is still answered)."""
        stored = tracker.get_slot("place")
        if not isinstance(stored, dict):
            return found
        here = Place(**stored).point
        radius = self.context.settings.radius_km
        points = {
            row[0]: Point(row[1], row[2])
            for row in rows_in(
                self.context.db,
                "SELECT service_id, lat, lon FROM search_point WHERE service_id IN ({marks})",
                [m["id"] for m in found],
            )
        }
        near = sorted(
            ((geo.haversine_km(here, points[m["id"]]), m) for m in found if m["id"] in points),
            key=lambda pair: pair[0],
        )
        return [m for km, m in near if km <= radius] or found
