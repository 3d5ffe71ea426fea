"""Questions about the service just shown: "are they open now", "what time do they open
tomorrow", "whats the number", "address?", "directions", "do they take walk-ins", "do i
need a referral", "do they take medicaid", "how much", "any beds?".

Answered from that service's own data, never from a guess: when the directory does not
say, the reply says so and gives the number to call. A bed count keeps its age ("last
reported … call to confirm" when old), as everywhere else.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import replies
from bot.actions.base import WayfinderAction
from bot.actions.search import _language, _role
from directory.details import service_details
from directory.types import ServiceDetails

# The topic of a question about one service, by its words (folded text).
TOPICS: list[tuple[str, re.Pattern[str]]] = [
    (
        "walk_in",
        re.compile(
            r"\bwalk[- ]?ins?\b|\bwalk in\b|\bwithout (?:an? )?appointment\b|"
            r"\bsin cita\b|\bjust show up\b|\bdrop[- ]?in\b",
            re.I,
        ),
    ),
    ("referral", re.compile(r"\breferr?al\b|\breferido\b|\breferencia\b", re.I)),
    (
        "payment",
        re.compile(
            r"\b(?:medicaid|medicare|insurance|seguro|cost|costs|pay|fee|fees|"
            r"free|price|how much|cuanto cuesta|cuánto cuesta|gratis)\b",
            re.I,
        ),
    ),
    ("beds", re.compile(r"\b(?:beds?|camas?|room|space|spots?|openings?|vacanc(?:y|ies))\b", re.I)),
    (
        "hours",
        re.compile(
            r"\b(?:hours|horario|what time|when do they|when does it|a qu[eé] "
            r"hora|tomorrow|mañana|manana|close|closes|closing)\b",
            re.I,
        ),
    ),
    ("open", re.compile(r"\b(?:open|abiert[oa]s?|abren?)\b", re.I)),
    ("phone", re.compile(r"\b(?:number|phone|call them|call|#|tel[eé]fono|n[uú]mero)\b", re.I)),
    (
        "address",
        re.compile(
            r"\b(?:address|directions?|where is it|where are they|how do i get|"
            r"get there|located|location|map|direcci[oó]n|d[oó]nde est[aá])\b",
            re.I,
        ),
    ),
    (
        "who",
        re.compile(
            r"\b(?:who can|do they take (?:kids|women|men|minors|teens)|age|ages|"
            r"eligib\w*|qualify|requirements?)\b",
            re.I,
        ),
    ),
    ("pets", re.compile(r"\b(?:dogs?|cats?|pets?|perros?|mascotas?)\b", re.I)),
]
# A question about "it", "they", "them": not a new search.
_ABOUT_IT = re.compile(
    r"\b(?:they|them|their|it|its|there|that place|this place|ellos|"
    r"ahí|ahi|alli|allí)\b|\?\s*$",
    re.I,
)
SHORT = 5  # words: "whats the number", "address?", "directions" ask about the one shown

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


def topic_of(text: str) -> str | None:
    """The topic of a question about the service shown, or None."""
    for topic, pattern in TOPICS:
        if pattern.search(text):
            return topic
    return None


def asks_about_it(text: str) -> bool:
    return bool(_ABOUT_IT.search(text)) or len(text.split()) <= SHORT


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


def answer(details: ServiceDetails, topic: str, language: str, role: str, now: object) -> str:
    w = replies.words(language)
    says = _SAYS.get(language, _SAYS["en"])
    phone = details.phones[0][0] if details.phones else says["no_phone"]
    name = details.name

    def not_said(what: str) -> str:
        return says["no_say"].format(what=says.get(what, ""), name=name, phone=phone)

    status = replies._status(details, language, False, now)  # type: ignore[arg-type]
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
