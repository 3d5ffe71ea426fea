"""Finding services: the search form's validation, the search, more results, details and
the availability check."""

from __future__ import annotations

from dataclasses import asdict, fields, replace
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from bot import replies
from bot.actions import after_hours
from bot.actions.base import UsesContext, WayfinderAction
from bot.actions.context import Context
from bot.nlu import when
from directory import SearchResult, geo, hours, search
from directory.details import service_details
from directory.eligibility import Person
from directory.errors import AmbiguousPlace, UnknownPlace
from directory.needs import need_keys
from directory.search import CLOSED_THEN
from directory.types import Place

PERSON_FACTS = {f.name for f in fields(Person)}

WIDEN = 2.5  # nothing found: look once more, this many times as far
FETCH = 40  # results ranked per search; pages are cut from these


def _person(tracker: Tracker) -> tuple[dict[str, Any], Person]:
    """What is known of the person: the conversation's facts, this message's on top."""
    facts = {**(tracker.get_slot("person") or {}), **(tracker.latest_message.get("person") or {})}
    return facts, Person(**{k: v for k, v in facts.items() if k in PERSON_FACTS})


def page_size(tracker: Tracker) -> int:
    return 3 if tracker.get_latest_input_channel() in (None, "sms", "twilio") else 5


def _language(tracker: Tracker) -> str:
    return str(tracker.get_slot("language") or "en")


def _role(tracker: Tracker) -> str:
    return str(tracker.get_slot("role") or "community")


def place_from_parse(context: Context, location: dict[str, Any]) -> Place | None:
    """The place of a parse's location when it has coordinates (ZIP, city, local place,
    coordinates); None for a street place (resolved from the street data) or "near me"."""
    if location.get("lat") is None or location.get("lon") is None:
        return None
    if location.get("kind") == "address":
        return None  # the lat/lon there is of the ZIP or city named beside the streets
    zip_code = location.get("zip")
    label = location.get("text") or ""
    if location.get("kind") == "city" and location.get("city"):
        label = f"{location['city']}, {location.get('state')}"
    elif location.get("kind") == "zip" and location.get("city"):
        label = f"{zip_code} ({location['city']}, {location.get('state')})"
    elif location.get("kind") == "coordinates":
        label = "your location"
    return Place(
        kind=str(location.get("kind")),
        text=str(location.get("text")),
        lat=float(location["lat"]),
        lon=float(location["lon"]),
        label=str(label),
        zip=zip_code,
        city=location.get("city"),
        state=location.get("state"),
        timezone=geo.zip_timezone(context.db, zip_code) if zip_code else None,
    )


class ValidateSearchForm(UsesContext, FormValidationAction):
    """Checks the search form's slots: known need keys, and a place that can be searched
    near (a street address or "near me" without coordinates is asked for again)."""

    def name(self) -> str:
        return "validate_search_form"

    def validate_needs(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        values = value if isinstance(value, list) else [value]
        known = [v for v in dict.fromkeys(values) if v in need_keys()]
        if known != tracker.get_slot("needs"):
            return {"needs": known or None, "page": 0, "shown": []}
        return {"needs": known or None}

    def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "").strip()
        if not text:
            return {"location": None, "place": None}
        parsed = tracker.latest_message.get("location") or {}
        role = next(
            (e.get("role") for e in tracker.latest_message.get("entities", [])
             if e.get("entity") == "location" and e.get("value") == text),
            parsed.get("kind"),
        )  # fmt: skip
        if chosen := _chosen_option(tracker, parsed):
            return {"location": chosen.text, "place": asdict(chosen), "place_options": None,
                    "page": 0, "shown": []}  # fmt: skip
        place = place_from_parse(self.context, parsed) if parsed.get("text") == text else None
        if place is None and role == "near_me":
            dispatcher.utter_message(response="utter_ask_zip_for_near_me")
            return {"location": None, "place": None}
        if place is None:
            settings = self.context.settings
            hints = parsed if parsed.get("text") == text else {}
            last = tracker.get_slot("place")
            try:
                place = geo.resolve(
                    self.context.db, text, settings.default_state,
                    zip_code=hints.get("zip"), city=hints.get("city"),
                    near=Place(**last).point if isinstance(last, dict) else None,
                    home=settings.home(self.context.db),
                )  # fmt: skip
            except AmbiguousPlace as error:
                options = error.options[:OPTIONS]
                dispatcher.utter_message(
                    response="utter_ask_which_place", location=text,
                    options="; ".join(_option_label(o) for o in options),
                )  # fmt: skip
                return {"location": None, "place": None,
                        "place_options": [asdict(o) for o in options]}  # fmt: skip
            except UnknownPlace:
                if role == "address":
                    dispatcher.utter_message(response="utter_ask_zip_for_address", location=text)
                else:
                    dispatcher.utter_message(response="utter_unknown_place", location=text)
                return {"location": None, "place": None}
        return {"location": text, "place": asdict(place), "place_options": None, "page": 0,
                "shown": []}  # fmt: skip


OPTIONS = 4  # places offered when a street place is ambiguous


def _option_label(place: Place) -> str:
    where = ", ".join(p for p in (place.city, place.zip) if p)
    return f"{place.label} ({where})" if where else place.label


def _chosen_option(tracker: Tracker, parsed: dict[str, Any]) -> Place | None:
    """The answer to "which one?": the offered place in the ZIP or city now named."""
    options = tracker.get_slot("place_options") or []
    if not options or parsed.get("kind") not in ("zip", "city"):
        return None
    places = [Place(**o) for o in options]
    wanted_zip, wanted_city = parsed.get("zip"), str(parsed.get("city") or "").casefold()
    fitting = [
        p for p in places
        if (wanted_zip and p.zip == wanted_zip)
        or (not wanted_zip and wanted_city and (p.city or "").casefold() == wanted_city)
    ]  # fmt: skip
    return fitting[0] if len(fitting) == 1 else None


def _place(context: Context, tracker: Tracker) -> Place | None:
    stored = tracker.get_slot("place")
    if isinstance(stored, dict):
        return Place(**stored)
    location = tracker.get_slot("location")
    if location:
        try:
            return geo.resolve(context.db, str(location), context.settings.default_state)
        except UnknownPlace:
            return None
    return None


def _room_first(results: list[SearchResult]) -> list[SearchResult]:
    """For "any beds open?": fresh counts with room, then unknown or stale, then full."""

    def key(r: SearchResult) -> tuple[int, float]:
        group = 1 if r.available is None or r.stale else 0 if r.available > 0 else 2
        return group, r.distance_km if r.distance_km is not None else 0.0

    return sorted(results, key=key)


def _show(
    context: Context,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    results: list[SearchResult],
    first_number: int,
    header: str,
    remaining: int,
    size: int | None = None,
) -> list[SearchResult]:
    budget = replies.SMS_BUDGET if page_size(tracker) == 3 else None
    page = results[: size or page_size(tracker)]
    text, count = replies.results_text(
        header, page, first_number, _language(tracker), _role(tracker),
        more=remaining > len(page), budget=budget, now=context.now(),
    )  # fmt: skip
    shown = page[:count]
    payload = {"results": [r.as_json() for r in shown]} if context.engine else None
    dispatcher.utter_message(text=text, json_message=payload)
    return shown


def _show_after_hours(
    context: Context,
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    needs: list[str],
    place: Place,
    who: Person,
    radius: float,
    window: tuple[datetime, datetime] | None,
    results: list[SearchResult],
    intro: str,
    instead_header: str,
    time_of_need: str | None,
) -> list[SearchResult]:
    """Nothing of the kind is open (bot/actions/after_hours.py): what is open instead and
    the hand-off line first, then what opens soonest. Returns what it shows, in order."""
    language = _language(tracker)
    instead = after_hours.open_instead(context, needs, place, who, radius, window)
    # The intro says they are closed then: "may not take this person (closed then)" would
    # say it again, wrongly.
    if window is not None:
        # Closed through the span asked for, so all of them rank alike: what opens soonest
        # is read from now, as on a night with no span named.
        results = search(context.db, needs, place, radius_km=radius, at=context.now(),
                         limit=FETCH, settings=context.settings, person=who) or results  # fmt: skip
    soonest = [replace(r, excludes=None) if r.excludes == CLOSED_THEN else r
               for r in results[: max(page_size(tracker) - len(instead), 1)]]  # fmt: skip
    words = replies.words(language)
    labels = replies.need_labels(needs, language)
    header = (
        words["open_not_then"].format(needs=labels, when=words.get(str(time_of_need), ""))
        if any(r.open_now for r in soonest)
        else words["soonest"].format(needs=labels)
    )
    line = after_hours.line_text(needs, language, context.line_values())
    text, n_instead, n_soonest = replies.after_hours_text(
        intro, instead_header, instead, line,
        header, soonest, language, _role(tracker), more=len(results) > len(soonest),
        budget=replies.SMS_BUDGET if page_size(tracker) == 3 else None, now=context.now(),
    )  # fmt: skip
    shown = [*instead[:n_instead], *soonest[:n_soonest]]
    payload = {"results": [r.as_json() for r in shown]} if context.engine else None
    dispatcher.utter_message(text=text, json_message=payload)
    return shown


def _where(place: Place, words: dict[str, str]) -> str:
    """Where distances are measured from: the corner or address itself, or — for a ZIP or
    a city — its centre, said so, since the person may be kilometres from it."""
    if place.kind == "address":
        return f"{words['from']} {place.label}"
    if place.kind in ("zip", "city"):
        return f"{words['near']} {place.label}, {words['centre']}"
    return f"{words['near']} {place.label}"


def run_search(
    context: Context, dispatcher: CollectingDispatcher, tracker: Tracker, *, room_first: bool
) -> list[EventType]:
    """Search, widen once when nothing is near, and never end without a next step."""
    needs = list(tracker.get_slot("needs") or [])
    place = _place(context, tracker)
    language = _language(tracker)
    if place is None:
        dispatcher.utter_message(response="utter_ask_location")
        return [SlotSet("requested_slot", "location")]
    radius = context.settings.radius_km
    facts, who = _person(tracker)
    now = context.now()
    local_now = now.astimezone(hours.zone(place.timezone, context.settings.default_timezone))
    time_of_need = tracker.latest_message.get("when")
    window = when.window(time_of_need, local_now)
    kwargs = {"at": now, "limit": FETCH, "settings": context.settings, "person": who,
              "window": window}  # fmt: skip
    results = search(context.db, needs, place, radius_km=radius, **kwargs)  # type: ignore[arg-type]
    words = replies.words(language)
    notes = []
    if not results:
        wider = radius * WIDEN
        results = search(context.db, needs, place, radius_km=wider, **kwargs)  # type: ignore[arg-type]
        notes.append(words["widened"].format(small=replies.miles(radius), big=replies.miles(wider)))
        radius = wider
    labels = replies.need_labels(needs, language)
    if not results:
        values = context.line_values()
        text = " ".join(
            [
                words["none"].format(needs=labels.lower(), radius=replies.miles(radius),
                                     place=place.label),
                words["other"].format(information=values["information_number"]),
                *([words["local"].format(local=values["local_crisis"])]
                  if "local_crisis" in values else []),
                "In a crisis call or text 988." if language != "es"
                else "En una crisis llame o envíe un mensaje al 988.",
            ]
        )  # fmt: skip
        payload: dict[str, Any] | None = {"results": []} if context.engine else None
        dispatcher.utter_message(text=text, json_message=payload)
        return [SlotSet("results", []), SlotSet("shown", []), SlotSet("page", 0),
                SlotSet("radius_km", radius)]  # fmt: skip
    if room_first:
        results = _room_first(results)
    elif after_hours.nothing_open(results):
        intro, instead = after_hours.intro_text(
            labels.lower(), f"{words['near']} {place.label}", time_of_need, local_now, language
        )
        shown = _show_after_hours(context, dispatcher, tracker, needs, place, who, radius,
                                  window, results, " ".join([*notes, intro]), instead,
                                  time_of_need)  # fmt: skip
        ids = [r.id for r in shown]
        return [SlotSet("results", ids), SlotSet("shown", ids), SlotSet("page", 0),
                SlotSet("radius_km", radius), SlotSet("requested_slot", None),
                SlotSet("person", facts or None), SlotSet("focus", None)]  # fmt: skip
    header = f"{labels} {_where(place, words)}:"
    if room_first:
        header = f"{labels} {_where(place, words)}, {words['room_first'].lower()}:"
    if notes:
        header = " ".join(notes) + "\n" + header
    shown = _show(context, dispatcher, tracker, results, 1, header, len(results))
    ids = [r.id for r in shown]
    return [SlotSet("results", ids), SlotSet("shown", ids), SlotSet("page", 0),
            SlotSet("radius_km", radius), SlotSet("requested_slot", None),
            SlotSet("person", facts or None), SlotSet("focus", None)]  # fmt: skip


class ActionSearchResources(WayfinderAction):
    def name(self) -> str:
        return "action_search_resources"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return run_search(self.context, dispatcher, tracker, room_first=False)


# Needs whose services hold beds; "any beds open?" with no need named asks about all.
BED_NEEDS = ["crisis_stabilization", "detox", "sobering", "shelter", "substance_use_treatment"]
BOARD_SIZE = 20  # services a bed board lists on a screen (SMS: as many as fit)


class ActionCheckAvailability(WayfinderAction):
    """The bed board: every service of the need in the area that reports beds, fresh open
    beds first, each count with its age, and the totals; a count too old to trust is
    shown as unknown, never as a fact."""

    def name(self) -> str:
        return "action_check_availability"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        context = self.context
        place = _place(context, tracker)
        if place is None:
            dispatcher.utter_message(response="utter_ask_location")
            return [SlotSet("requested_slot", "location")]
        needs = list(tracker.get_slot("needs") or []) or BED_NEEDS
        _, who = _person(tracker)
        radius = context.settings.radius_km
        found = search(
            context.db, needs, place, radius_km=radius, at=context.now(), limit=500,
            settings=context.settings, person=who,
        )  # fmt: skip
        board = [r for r in found if r.available is not None and set(r.needs) & set(needs)]
        if not board:
            return run_search(context, dispatcher, tracker, room_first=True)
        board.sort(key=lambda r: (bool(r.stale), r.available == 0, r.distance_km or 0.0))
        language = _language(tracker)
        words = replies.words(language)
        fresh = [r for r in board if not r.stale]
        stale = len(board) - len(fresh)
        totals = words["board"].format(units=len(board), beds=sum(r.available or 0 for r in fresh))
        if stale:
            totals += "; " + words["board_stale"].format(count=stale)
        labels = replies.need_labels(needs if tracker.get_slot("needs") else [], language)
        title = labels if tracker.get_slot("needs") else words["all_beds"]
        header = f"{title} {_where(place, words)}: {totals}."
        shown = _show(context, dispatcher, tracker, board, 1, header, len(board),
                      size=BOARD_SIZE if page_size(tracker) != 3 else 3)  # fmt: skip
        ids = [r.id for r in shown]
        return [SlotSet("results", ids), SlotSet("shown", ids), SlotSet("page", 0),
                SlotSet("radius_km", radius), SlotSet("requested_slot", None)]  # fmt: skip


class ActionMoreResults(WayfinderAction):
    """The next page of the same search, never repeating a service already shown."""

    def name(self) -> str:
        return "action_more_results"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        context = self.context
        place = _place(context, tracker)
        if place is None or tracker.get_slot("results") is None:
            dispatcher.utter_message(response="utter_nothing_to_select")
            return []
        needs = list(tracker.get_slot("needs") or [])
        radius = float(tracker.get_slot("radius_km") or context.settings.radius_km)
        shown = list(tracker.get_slot("shown") or [])
        _, who = _person(tracker)
        results = search(
            context.db, needs, place, radius_km=radius, at=context.now(), limit=FETCH,
            settings=context.settings, person=who,
        )  # fmt: skip
        fresh = [r for r in results if r.id not in shown]
        language = _language(tracker)
        words = replies.words(language)
        if not fresh:
            values = context.line_values()
            dispatcher.utter_message(
                text=words["no_more"].format(radius=replies.miles(radius), place=place.label)
                + " " + words["other"].format(information=values["information_number"])
            )  # fmt: skip
            return []
        header = f"{replies.need_labels(needs, language)} {_where(place, words)}:"
        page = int(tracker.get_slot("page") or 0) + 1
        first = len(shown) + 1
        new = _show(context, dispatcher, tracker, fresh, first, header, len(fresh))
        ids = [r.id for r in new]
        return [SlotSet("results", ids), SlotSet("shown", shown + ids), SlotSet("page", page)]


class ActionShowDetails(WayfinderAction):
    """ "2", "the second one": address, hours, who it serves, phone and a map link;
    "call 2": the phone number alone."""

    def name(self) -> str:
        return "action_show_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        results = list(tracker.get_slot("results") or [])
        shown = list(tracker.get_slot("shown") or results)
        if not results:
            dispatcher.utter_message(response="utter_nothing_to_select")
            return []
        entity = next(
            (e for e in tracker.latest_message.get("entities", []) if e.get("entity") == "number"),
            None,
        )
        number = int(entity["value"]) if entity else 0
        first = len(shown) - len(results) + 1  # results of a later page keep their numbers
        if number == -1:
            number = first + len(results) - 1
        index = number - first
        if not 0 <= index < len(results):
            last = first + len(results) - 1
            dispatcher.utter_message(response="utter_pick_in_range", first=first, last=last)
            return []
        details = service_details(
            self.context.db, results[index], self.context.now(), self.context.settings
        )
        if details is None:
            dispatcher.utter_message(response="utter_nothing_to_select")
            return []
        phone_only = bool(entity and entity.get("role") == "call")
        dispatcher.utter_message(
            text=replies.details_text(
                details, _language(tracker), _role(tracker), phone_only, self.context.now()
            )
        )
        return [SlotSet("focus", results[index])]  # "are they open now?" asks about it
