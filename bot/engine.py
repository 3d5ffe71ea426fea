"""The assistant: one message in, the replies out.

    parse (safety first) → policy → rasa-sdk actions run in-process → replies for the channel

The policy is small and readable on purpose: a crisis or emergency is answered first,
whatever else is going on; then the search form asks for what is missing (a need or a
place), one question at a time; then follow-ups (a number, MORE). Actions get a real
`Tracker` built from the stored conversation, and their events are applied as Rasa would.

Conversations are stored under a keyed hash of the sender, without message text, and
are forgotten after an idle hour (configurable).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from bot import events, people, responses
from bot.actions import ACTIONS, Context
from bot.config import BotSettings
from bot.gsm7 import MAX_BODY, to_gsm7
from bot.nlu import commands, numbers, safety
from bot.nlu.commands import is_delete, is_undo
from bot.nlu.message import Message
from bot.nlu.parser import MAX_CHARS, Parser, trained_model
from bot.nlu.questions import asks_about_it
from bot.nlu.service_names import clear_choice
from bot.nlu.training import load as load_training
from bot.nlu.types import Location, Parse
from bot.privacy import forget, hmac_key, sender_key
from bot.store import Conversation, ConversationStore, DatabaseStore
from bot.turn import LIMITS, SharedLocation, Turn
from directory import DirectorySettings, open_db
from directory.demo import is_demo
from directory.engine import Database
from directory.transaction import write_transaction

log = logging.getLogger(__name__)

SEARCH_INTENTS = ("find_resource", "check_availability", "provide_location")
SMALL_TALK_ENDS = ("goodbye", "thanks", "deny")
_STANDARD_KEYS = {"text", "buttons", "elements", "custom", "template", "response", "image",
                  "attachment"}  # fmt: skip
TRAINING = Path(__file__).parent / "nlu" / "data" / "nlu.yml"
ACTION_CLASSES = {cls().name(): cls for cls in ACTIONS}


class Assistant:
    """The conversation: one message in, the replies out, for any channel.

    One per process (or worker): it holds the parser, the directory connection and the
    conversation store, and is safe to call from one thread at a time (the gate runs it
    in one worker thread). Build it with `Assistant.open`; tests give a clock.
    """

    def __init__(
        self,
        db: Database,
        parser: Parser | None,
        *,
        key: bytes,
        settings: DirectorySettings | None = None,
        bot_settings: BotSettings | None = None,
        store: ConversationStore | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.parser = parser
        self.key = key
        self.settings = settings or DirectorySettings().for_directory(db)
        self.bot_settings = bot_settings or BotSettings.defaults()
        ttl = timedelta(minutes=self.bot_settings.session_minutes)
        self.store = store or DatabaseStore(db, ttl)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.domain = responses.load_domain()
        self.initial_slots = {
            name: spec.get("initial_value") for name, spec in self.domain["slots"].items()
        }
        self._loops = threading.local()
        # Tables written on every turn are made once here, not per message.
        people.ensure(db)
        events.ensure(db)

    @staticmethod
    def prepare(db_path: str | Path, *, model: str | Path | None, key: str | None) -> None:
        """What every worker of a server needs, made once before they start: the schema
        brought up to date, the demo's key file written (two workers writing it at once
        could hash one sender two ways), the model trained.

        Raises:
            ModelMissing: the language model has not been trained.
            ConfigError: no usable key.
        """
        db = open_db(db_path)
        try:
            hmac_key(db_path, key, demo=is_demo(db))
        finally:
            db.close()
        trained_model(model)

    @classmethod
    def open(
        cls,
        db_path: str | Path,
        *,
        model: str | Path | None = None,
        key: str | None = None,
        settings: DirectorySettings | None = None,
        bot_settings: BotSettings | None = None,
    ) -> Assistant:
        """The assistant on a directory file.

        Args:
            db_path: the SQLite file or a postgresql:// URL.
            model: the trained models' folder (default bot/nlu/model).
            key: the secret sender ids are hashed with; may be None only for the demo.
            settings, bot_settings: the directory's and the bot's settings (defaults when
                None).

        Raises:
            ModelMissing: the language model has not been trained.
            ConfigError: a setting cannot be used.
        """
        db = open_db(db_path)
        try:
            settings = (settings or DirectorySettings()).for_directory(db)
            bot_settings = bot_settings or BotSettings.defaults()
            parser = Parser.load(
                db, model, default_state=settings.default_state, training=load_training(TRAINING),
                lexicon_file=bot_settings.lexicon_file,
            )  # fmt: skip
            return cls(
                db, parser, key=hmac_key(db_path, key, demo=is_demo(db)), settings=settings,
                bot_settings=bot_settings,
            )  # fmt: skip
        except BaseException:
            db.close()
            raise

    def handle(
        self,
        sender: str,
        message: str | Message | SharedLocation,
        channel: str = "cli",
        at: datetime | None = None,
        verdict: safety.Safety | None = None,
    ) -> Turn:
        """Answer one message from synchronous code (servers await `ahandle`).

        The coroutine runs on this thread's own event loop, made once and reused: a new
        loop per message (asyncio.run) cost a loop's set-up and tear-down on every turn.
        """
        loop = getattr(self._loops, "loop", None)
        if loop is None or loop.is_closed():
            loop = self._loops.loop = asyncio.new_event_loop()
            weakref.finalize(self, loop.close)  # closed with the assistant
        return loop.run_until_complete(self.ahandle(sender, message, channel, at, verdict))

    async def ahandle(
        self,
        sender: str,
        message: str | Message | SharedLocation,
        channel: str = "cli",
        at: datetime | None = None,
        verdict: safety.Safety | None = None,
    ) -> Turn:
        """Answer one message: a hand-off first when it shows risk, then the search
        form, follow-ups or help.

        Args:
            sender: the channel's id of the sender (stored only as a keyed hash).
            message: the text, best built once at the channel edge (`Message.of`), or a
                shared location.
            channel: "sms", "telegram", "web" or "cli": the replies' length and wording.
            at: the moment of the message (default: the assistant's clock).
            verdict: the safety check's answer if the channel already asked it, so that no
                message is assessed twice.

        Returns:
            The replies, the intent, the results shown and any hand-off ("988", "911").
        """
        started = time.perf_counter()
        now = at or self.clock()
        key = sender_key(channel, sender, self.key)
        if isinstance(message, str):
            message = Message.of(message, min(LIMITS.get(channel, MAX_CHARS), MAX_CHARS))
        parse = self._understand(message, verdict)
        if parse.safety == safety.NONE and is_delete(parse.message):
            try:
                forget(self.db, key)
                reply = DELETED
            except Exception:
                log.exception("could not delete a sender's data")
                reply = "Sorry, I could not delete your data just now. Please try again."
            return Turn([for_channel(reply, channel)], "delete")
        with contextlib.ExitStack() as held:
            try:
                held.enter_context(self.store.hold(key))  # two workers, one sender: in turn
                conversation = self.store.load(key, now)
                role = people.lookup(self.db, key).role
            except Exception:  # the database is failing: hand-offs must still go out
                log.exception("conversation store failed")
                conversation, role = Conversation(), "community"
            turn = _TurnState(self, key, channel, now, parse, conversation, role)
            await turn.run()
            result = turn.result()
            try:
                with write_transaction(self.db):  # one write: saved, logged, released
                    self.store.save(key, turn.conversation(), now)
                    events.record(self.db, turn.event((time.perf_counter() - started) * 1000))
            except Exception:
                log.exception("could not save the conversation")
        return result

    def assess(self, message: Message) -> safety.Safety:
        """The safety check of the loaded model (rules and model), or the rules alone
        when no model is loaded or it fails."""
        try:
            if self.parser is not None:
                return self.parser.safety.assess(message)
        except Exception:
            log.exception("safety model failed; the rules alone decide")
        return safety.by_rules(message)

    def _understand(
        self, message: Message | SharedLocation, verdict: safety.Safety | None
    ) -> Parse:
        """The parse of a message; when the model fails, the safety rules alone."""
        if isinstance(message, SharedLocation):
            text = f"{message.lat:.5f},{message.lon:.5f}"
            location = Location(kind="coordinates", text=text, start=0, end=len(text),
                                lat=message.lat, lon=message.lon)  # fmt: skip
            return Parse(text, "en", "provide_location", 1.0, [("provide_location", 1.0)], [],
                         location, safety.NONE, Message.of(text))  # fmt: skip
        try:
            if self.parser is None:
                raise RuntimeError("no language model loaded")
            return self.parser.parse(message, verdict)
        except Exception:
            log.exception("parser failed; answering with the safety rules alone")
            verdict = verdict or safety.by_rules(message)
            intent = verdict.level if verdict.level != safety.NONE else "nlu_fallback"
            return Parse(message.text, message.language, intent, 1.0, [(intent, 1.0)], [],
                         None, verdict.level, message, safety_rule=verdict.rule)  # fmt: skip


def plan(parse: Parse, conversation: Conversation) -> list[str]:
    """What to do with a message, in order. `search_form` fills needs and place and then
    searches; the rest are action names or responses."""
    steps: list[str] = []
    if parse.safety == safety.EMERGENCY:
        steps.append("action_emergency_handoff")
    elif parse.safety == safety.CRISIS:
        steps.append("action_crisis_handoff")
    wants_search = bool(parse.needs) or parse.location is not None
    if steps:
        # Hand-off first; a request for services in the same message is still answered.
        return [*steps, "search_form" if wants_search else "utter_continue_after_handoff"]
    intent = parse.intent
    if _continues_update(parse, conversation):
        return ["action_update_availability"]
    if intent == "nlu_fallback":
        return ["utter_directory_down"]
    about_it = (
        conversation.slots.get("focus")
        and intent not in ("more_results", "update_availability")
        and not numbers.is_pick(parse.message.folded)
        and not parse.needs and parse.location is None and not parse.services
        and parse.follow_up and asks_about_it(parse.text)
    )  # fmt: skip
    if about_it:
        return ["action_answer_about_service"]  # about the service just shown
    if intent not in ("select_result", "more_results", "update_availability"):
        asked = parse.asked_name
        if parse.services and (parse.location is None or asked):
            return ["action_find_service"]  # a place by its name: no search, no place needed
        if asked and not parse.needs and parse.location is None:
            return ["action_find_service"]  # a name the directory does not hold: say so
    if intent == "select_result":
        return ["action_show_details"]
    if intent == "more_results":
        return ["action_more_results"]
    if intent == "update_availability":
        return ["action_update_availability"]
    if intent in SEARCH_INTENTS or wants_search:
        return ["search_form"]
    if parse.person and conversation.slots.get("needs") and conversation.slots.get("place"):
        # "it's for my daughter, she's 16" after a search: the same search, for her.
        return ["search_form"]
    if conversation.active_loop and intent not in SMALL_TALK_ENDS:
        return ["action_help", "search_form"]  # answer, then ask again for what is missing
    return ["action_help"]


def _continues_update(parse: Parse, conversation: Conversation) -> bool:
    """A PIN or a service number answering a pending bed update, or UNDO after one."""
    slots = conversation.slots
    if slots.get("last_update") and is_undo(parse.message):
        return True
    pending = slots.get("pending_update")
    if not pending:
        return False
    if pending.get("choosing"):
        return numbers.is_pick(parse.message.folded)
    return commands.pin_reply(parse.message) is not None


class _TurnState:
    """One turn in progress: slots, the messages the actions sent, what they showed."""

    def __init__(
        self,
        assistant: Assistant,
        key: str,
        channel: str,
        now: datetime,
        parse: Parse,
        conversation: Conversation,
        role: str,
    ) -> None:
        self.assistant = assistant
        self.key = key
        self.channel = channel
        self.now = now
        self.parse = parse
        self.stored = conversation
        self.active_loop = conversation.active_loop
        self.then = conversation.then
        self.slots = assistant.initial_slots | conversation.slots
        self.slots["role"] = role
        if parse.person:
            # Facts about the person last for the conversation; a restated one replaces it.
            self.slots["person"] = {**(self.slots.get("person") or {}), **parse.person}
        if parse.language == "es":
            self.slots["language"] = "es"
        elif len([w for w in parse.text.split() if w.isalpha() and len(w) > 2]) >= 2:
            self.slots["language"] = "en"
        self.messages: list[dict[str, Any]] = []
        self.results: list[dict[str, Any]] | None = None
        self.handoff: str | None = None
        self.context = Context(
            assistant.db, assistant.settings, assistant.bot_settings.lines, now, engine=True
        )
        # Beyond the stable parse shape: facts about the person and the time of need,
        # read by the search actions (a Rasa NLU pipeline would leave them out).
        chosen = clear_choice(parse.services)
        self.latest = {**parse.as_json(), "person": parse.person, "when": parse.when,
                       "chosen_service": chosen.service_id if chosen else None,
                       "asked_name": parse.asked_name, "follow_up": parse.follow_up,
                       "metadata": {"engine": "wayfinder"}}  # fmt: skip
        self.user_event = {
            "event": "user", "text": parse.text, "parse_data": self.latest,
            "input_channel": channel, "timestamp": now.timestamp(),
        }  # fmt: skip

    async def run(self) -> None:
        follow_up = self.parse.intent in ("select_result", "more_results")
        if self.stored.expired and follow_up and self.parse.safety == safety.NONE:
            self.utter("utter_expired")
            return
        for step in plan(self.parse, self.stored):
            if step == "search_form":
                await self.search_form()
            elif step.startswith("utter_"):
                self.utter(step)
            else:
                await self.act(step)

    def utter(self, response: str) -> None:
        self.messages.append({"response": response, **self.context.line_values()})

    async def search_form(self) -> None:
        """Fill needs and place from the message, validate them with the form's
        validation action, then ask for what is missing or run the search."""
        candidates: list[dict[str, Any]] = []
        if self.parse.needs:
            candidates.append({"event": "slot", "name": "needs", "value": self.parse.needs})
        if self.parse.location is not None:
            candidates.append(
                {"event": "slot", "name": "location", "value": self.parse.location.text}
            )
        if self.parse.intent == "check_availability":
            self.then = "action_check_availability"
        elif self.parse.intent == "find_resource":
            self.then = None
        asked_before = len(self.messages)
        if candidates:
            await self.act("validate_search_form", extra_events=candidates)
        validation_spoke = len(self.messages) > asked_before
        for slot in ("needs", "location"):
            if slot == "needs" and self.then == "action_check_availability":
                continue  # "any beds open near 80204?": the bed board of every bed need
            if not self.slots.get(slot):
                self.active_loop = "search_form"
                self.slots["requested_slot"] = slot
                if not (validation_spoke and slot == "location"):
                    self.utter(f"utter_ask_{slot}")
                return
        self.active_loop = None
        self.slots["requested_slot"] = None
        await self.act(self.then or "action_search_resources")
        self.then = None

    def tracker(self, extra_events: list[dict[str, Any]]) -> Tracker:
        """The conversation as rasa-sdk's own `Tracker.from_dict` reads a Rasa server's dump."""
        return Tracker.from_dict(
            {
                "sender_id": self.key,
                "slots": dict(self.slots),
                "latest_message": dict(self.latest),
                "events": [self.user_event, *extra_events],
                "paused": False,
                "followup_action": None,
                "active_loop": {"name": self.active_loop} if self.active_loop else {},
                "latest_action_name": "action_listen",
            }
        )

    async def act(self, name: str, extra_events: list[dict[str, Any]] | None = None) -> None:
        """Run one rasa-sdk action in-process and apply the events it returns."""
        action = ACTION_CLASSES[name](self.context)
        dispatcher = CollectingDispatcher()
        tracker = self.tracker(extra_events or [])
        try:
            returned = await action.run(dispatcher, tracker, self.assistant.domain)
        except Exception:
            log.exception("action %s failed", name)
            if name == "action_crisis_handoff":
                self.messages.append({"text": _CRISIS_FALLBACK})
            elif name == "action_emergency_handoff":
                self.messages.append({"text": _EMERGENCY_FALLBACK})
            else:
                self.utter("utter_directory_down")
            returned = []
        if name == "action_crisis_handoff" and self.handoff is None:
            self.handoff = "988"
        if name == "action_emergency_handoff":
            self.handoff = "911"
        self.messages.extend(dispatcher.messages)
        # As rasa-sdk's action server does: events without an `event` key are dropped.
        for event in ActionExecutor.validate_events(list(returned or []), name):
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
            elif event.get("event") == "active_loop":
                self.active_loop = event.get("name")

    def replies(self) -> list[str]:
        texts = []
        for message in self.messages:
            custom = message.get("custom") or {}
            if "results" in custom:
                self.results = custom["results"]
            text = message.get("text")
            if not text and message.get("response"):
                variant = responses.pick(
                    self.assistant.domain, message["response"], self.slots, self.channel
                )
                values = self.slots | {k: v for k, v in message.items() if k not in _STANDARD_KEYS}
                text = responses.fill(variant["text"], values) if variant else None
            if text:
                texts.append(for_channel(str(text), self.channel))
        return texts

    def result(self) -> Turn:
        texts = self.replies()
        return Turn(texts, self.parse.intent, self.results or [], self.handoff)

    def conversation(self) -> Conversation:
        slots = {k: v for k, v in self.slots.items() if k != "role"}
        return Conversation(slots, self.active_loop, slots.get("requested_slot"), then=self.then)

    def event(self, ms: float) -> events.Event:
        place = self.slots.get("place") or {}
        results = self.results
        first = results[0] if results else {}
        return events.Event(
            hour=events.hour_of(self.now),
            channel=self.channel,
            role=str(self.slots.get("role")),
            intent=self.parse.intent,
            # A search's needs may come from earlier messages ("detox", then "80204").
            needs=list(
                (self.slots.get("needs") if results is not None else self.parse.needs) or []
            ),
            place=(place.get("zip") or place.get("city")) if self.parse.location else None,
            results=len(results) if results is not None else None,
            first_km=first.get("distance_km"),
            room=bool(first.get("available")) and not first.get("stale") if first else None,
            handoff=self.handoff,
            ms=round(ms, 2),
        )


def for_channel(text: str, channel: str) -> str:
    """SMS gets GSM-7 characters where possible; every channel gets its length limit."""
    if channel == "sms":
        text = to_gsm7(text)
    limit = LIMITS.get(channel, MAX_BODY)
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


DELETED = (
    "Done: I deleted everything stored about this conversation. In a crisis you can always "
    "call or text 988."
)

# Used only if the hand-off action itself fails: the same words, no configuration needed.
_CRISIS_FALLBACK = (
    "If you or someone with you is thinking about suicide or self-harm, call or text 988 now. "
    "Spanish: text AYUDA to 988 or call and press 2. Veterans: press 1 or text 838255. "
    "If a life is in danger right now, call 911."
)
_EMERGENCY_FALLBACK = "Call 911 now: a life may be in danger. I'm an automated directory."
