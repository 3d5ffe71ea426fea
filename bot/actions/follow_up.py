"""Questions about the service just shown: "are they open now", "what time do they open
tomorrow", "whats the number", "address?", "directions", "do they take walk-ins", "do i
need a referral", "do they take medicaid", "how much", "any beds?".

Answered from that service's own data, never from a guess: when the directory does not
say, the reply says so and gives the number to call. A bed count keeps its age ("last
reported … call to confirm" when old), as everywhere else.
"""

from __future__ import annotations

import re
from datetime import datetime

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import replies
from bot.actions.base import WayfinderAction
from bot.actions.search import _language, _role
from bot.nlu.questions import TOPICS
from directory.details import service_details
from directory.types import ServiceDetails

_SAYS = {
    "en": {"no_say": "The directory doesn't say{what} for {name}. Call {phone} to ask.",
           "walk_in": " whether it takes walk-ins", "referral": " whether it needs a referral",
           "payment": " what it costs or which insurance it takes", "hours": " its hours",
           "who": " who it takes", "pets": " whether pets are allowed", "beds": " a bed count",
           "no_phone": "the number in its listing"},
    "es": {"no_say": "El directorio no dice{what} de {name}. Llame al {phone} para preguntar.",
           "walk_in": " si atiende sin cita", "referral": " si necesita referencia",
           "payment": " cuánto cuesta ni qué seguro acepta", "hours": " su horario",
           "who": " a quién atiende", "pets": " si acepta mascotas", "beds": " camas",
           "no_phone": "el número de su ficha"},
}  # fmt: skip


class ActionAnswerAboutService(WayfinderAction):
    def name(self) -> str:
        return "action_answer_about_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        focus = tracker.get_slot("focus")
        topic = (tracker.latest_message or {}).get("follow_up")
        now = self.context.now()
        details = service_details(self.context.db, focus, now, self.context.settings) if (
            focus) else None  # fmt: skip
        if details is None or not topic:
            dispatcher.utter_message(response="utter_nothing_to_select")
            return []
        dispatcher.utter_message(text=answer(details, topic, _language(tracker),
                                             _role(tracker), now))  # fmt: skip
        return []


def answer(details: ServiceDetails, topic: str, language: str, role: str, now: datetime) -> str:
    w = replies.words(language)
    says = _SAYS.get(language, _SAYS["en"])
    phone = details.phones[0][0] if details.phones else says["no_phone"]
    name = details.name

    def not_said(what: str) -> str:
        return says["no_say"].format(what=says.get(what, ""), name=name, phone=phone)

    status = replies._status(details, language, False, now)
    hours = f"{w['hours']}: " + "; ".join(details.hours) if details.hours else ""
    if topic == "open":
        return "\n".join(x for x in (f"{name}: {status}", hours, f"{w['phone']}: {phone}") if x)
    if topic == "hours":
        if not details.hours:
            return not_said("hours")
        return "\n".join((f"{name}: {status}", hours))
    if topic == "phone":
        return f"{name}: {phone}"
    if topic == "address":
        where = details.address or w["by_phone"]
        lines = [f"{name}: {where}"]
        if details.maps_url:
            lines.append(f"{w['map']}: {details.maps_url}")
        return "\n".join(lines)
    if topic == "beds":
        count = replies.beds(details, language)
        return f"{name}: {count}. {w['phone']}: {phone}" if count else not_said("beds")
    texts = [t for t in (details.eligibility, details.fees, details.description) if t]
    sentences = [s.strip() for t in texts for s in re.split(r"(?<=[.;])\s+", t) if s.strip()]
    pattern = dict(TOPICS)[topic]
    if topic == "payment" and details.fees:
        return f"{name}: {details.fees}"
    if topic == "who" and details.eligibility:
        return f"{name}: {details.eligibility}"
    found = [s for s in sentences if pattern.search(s)]
    if topic == "walk_in":
        found = [s for s in sentences if re.search(r"walk|drop[- ]in|appointment|same[- ]day",
                                                   s, re.I)]  # fmt: skip
    return f"{name}: " + " ".join(found[:2]) if found else not_said(topic)
