"""Search results as text a person can act on, for their channel and role.

Community members get plain words ("3 of 16 beds open, updated 25 min ago"); responders
(officers, clinicians) get a compact line with more numbers. On SMS the usual answer fits
in three segments (480 characters): fewer results rather than a longer text, and never a
count shown as a fact when it is stale ("last reported … call to confirm").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from directory import SearchResult
from directory.needs import load_needs
from directory.types import ServiceDetails

KM_PER_MILE = 1.609344
SMS_BUDGET = 480  # three GSM-7 segments
RESPONDERS = ("responder", "staff", "admin")

_WORDS = {
    "en": {
        "not_for": "may not take this person ({reason})",
        "board": "{units} report beds, {beds} open",
        "board_stale": "{count} counts too old to be current",
        "all_beds": "Beds",
        "near": "near", "from": "from", "centre": "from its centre",
        "open": "open now", "closed": "closed", "opens": "opens",
        "hours?": "hours unknown", "of": "of", "beds": "beds open", "updated": "updated",
        "full": "full", "last": "last reported", "confirm": "call to confirm",
        "area": "serves your area", "call": "Call", "more": "MORE for more",
        "reply": "Reply {span} for details", "min": "min ago", "h": "h ago", "d": "days ago",
        "widened": "Nothing within {small} mi, so I looked up to {big} mi.",
        "none": "I found no {needs} within {radius} mi of {place}.",
        "other": "For other local help call {information}.",
        "local": "Local crisis line: {local}.",
        "no_more": "That's everything I found within {radius} mi of {place}.",
        "room_first": "With room first",
        "address": "Address", "hours": "Hours", "who": "Who", "phone": "Phone",
        "map": "Map", "by_phone": "address given by phone", "fees": "Cost",
        "languages": "Languages", "beds_line": "Beds",
        "none_open": "I know of no {needs} {where} open now ({time}).",
        "none_open_then": "I know of no {needs} {where} open {when}.",
        "open_instead": "Open now instead:", "open_instead_then": "Open {when} instead:",
        "soonest": "{needs}, opening soonest:",
        "open_not_then": "{needs}, open now but not {when}:",
        "line_crisis": "Call or text {crisis_number} any time, day or night.",
        "line_emergency": "If it is an emergency, call {emergency_number}.",
        "line_information": "For other local help call {information_number}.",
        "tonight": "tonight", "tomorrow": "tomorrow", "tomorrow_morning": "tomorrow morning",
        "weekend": "this weekend",
    },
    "es": {
        "not_for": "puede que no acepte a esta persona ({reason})",
        "board": "{units} reportan camas, {beds} libres",
        "board_stale": "{count} conteos demasiado viejos para ser actuales",
        "all_beds": "Camas",
        "near": "cerca de", "from": "desde", "centre": "desde su centro",
        "open": "abierto ahora", "closed": "cerrado", "opens": "abre",
        "hours?": "horario desconocido", "of": "de", "beds": "camas libres",
        "updated": "actualizado", "full": "lleno", "last": "último reporte",
        "confirm": "llame para confirmar", "area": "atiende su zona", "call": "Llame al",
        "more": "MAS para más", "reply": "Responda {span} para detalles",
        "min": "min", "h": "h", "d": "días",
        "widened": "Nada a menos de {small} mi; busqué hasta {big} mi.",
        "none": "No encontré {needs} a menos de {radius} mi de {place}.",
        "other": "Para otra ayuda local llame al {information}.",
        "local": "Línea local de crisis: {local}.",
        "no_more": "Eso es todo lo que encontré a menos de {radius} mi de {place}.",
        "room_first": "Con camas libres primero",
        "address": "Dirección", "hours": "Horario", "who": "Para quién", "phone": "Teléfono",
        "map": "Mapa", "by_phone": "dirección por teléfono", "fees": "Costo",
        "languages": "Idiomas", "beds_line": "Camas",
        "none_open": "No sé de {needs} {where} abierto ahora ({time}).",
        "none_open_then": "No sé de {needs} {where} abierto {when}.",
        "open_instead": "Abierto ahora:", "open_instead_then": "Abierto {when}:",
        "soonest": "{needs}, lo que abre antes:",
        "open_not_then": "{needs}, abierto ahora pero no {when}:",
        "line_crisis": "Llame o envíe un mensaje al {crisis_number} a cualquier hora "
                       "(en español: envíe {spanish_keyword} o llame y marque {spanish_press}).",
        "line_emergency": "Si es una emergencia, llame al {emergency_number}.",
        "line_information": "Para otra ayuda local llame al {information_number}.",
        "tonight": "esta noche", "tomorrow": "mañana", "tomorrow_morning": "mañana en la mañana",
        "weekend": "este fin de semana",
    },
}  # fmt: skip


def words(language: str) -> dict[str, str]:
    return _WORDS.get(language, _WORDS["en"])


def miles(km: float) -> str:
    value = km / KM_PER_MILE
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def need_labels(keys: Sequence[str], language: str) -> str:
    needs = load_needs()
    labels = [
        (needs[k].label_es if language == "es" else needs[k].label).split(" (")[0]
        for k in keys
        if k in needs
    ]
    return " / ".join(labels) or ("services" if language != "es" else "servicios")


def ago(hours: float, language: str, compact: bool = False) -> str:
    w = words(language)
    if hours < 1:
        amount, unit = max(round(hours * 60), 1), "min"
    elif hours < 48:
        amount, unit = round(hours), "h"
    else:
        amount, unit = round(hours / 24), "d"
    if compact:
        return f"{amount}{unit[0] if unit != 'min' else 'm'} ago"
    if language == "es":
        return f"hace {amount} {w[unit]}"
    return f"{amount} {w[unit]}"


def clock(moment: datetime, language: str) -> str:
    """ "6 PM", "7:30 AM" (Spanish: "18:00")."""
    if language == "es":
        return f"{moment.hour}:{moment.minute:02d}"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes} {'AM' if moment.hour < 12 else 'PM'}"


def when(moment: datetime, now: datetime | None, language: str) -> str:
    """An opening time in the service's own zone: "6 PM", "tomorrow 8 AM", "Thu 9 AM"."""
    days = (moment.date() - now.astimezone(moment.tzinfo).date()).days if now else 7
    es = language == "es"
    if days == 0:
        return clock(moment, language)
    if days == 1:
        return f"{'mañana' if es else 'tomorrow'} {clock(moment, language)}"
    names = ("lun", "mar", "mié", "jue", "vie", "sáb", "dom") if es else (
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")  # fmt: skip
    return f"{names[moment.weekday()]} {clock(moment, language)}"


def _status(
    result: SearchResult | ServiceDetails, language: str, compact: bool, now: datetime | None
) -> str:
    w = words(language)
    if result.open_now is True:
        return "open" if compact else w["open"]
    if result.open_now is False:
        nxt = result.next_open
        return f"{w['closed']}, {w['opens']} {when(nxt, now, language)}" if nxt else w["closed"]
    return w["hours?"]


def beds(result: SearchResult | ServiceDetails, language: str, compact: bool = False) -> str:
    """The bed count with its age, or "" when none is reported."""
    w = words(language)
    age = result.capacity_age_hours
    if result.available is None or age is None:
        return ""
    of = f" {w['of']} {result.maximum}" if result.maximum is not None else ""
    if compact:
        of = f"/{result.maximum}" if result.maximum is not None else ""
        if result.stale:
            return f"last rptd {result.available}{of} {ago(age, language, True)}, call to confirm"
        if result.available == 0:
            return f"FULL {ago(age, language, True)}"
        return f"{result.available}{of} beds {ago(age, language, True)}"
    if result.stale:
        return f"{w['last']} {result.available}{of} ({ago(age, language)}), {w['confirm']}"
    if result.available == 0:
        return f"{w['full']} ({w['updated']} {ago(age, language)})"
    return f"{result.available}{of} {w['beds']}, {w['updated']} {ago(age, language)}"


def result_line(
    number: int, result: SearchResult, language: str, role: str, now: datetime | None = None
) -> str:
    """One numbered result: name, distance, open or when it opens, beds, phone."""
    compact = role in RESPONDERS
    w = words(language)
    where = (
        f"{miles(result.distance_km)} mi"
        if result.distance_km is not None
        else (w["area"] if result.address is None else "")
    )
    status = _status(result, language, compact, now)
    parts = [p for p in (where, status, beds(result, language, compact)) if p]
    if result.excludes:
        parts.append(w["not_for"].format(reason=result.excludes))
    elif result.restriction:
        parts.append(result.restriction)
    if compact:
        tail = f" | {result.phone}" if result.phone else ""
        return f"{number}. {result.name} | " + " | ".join(parts) + tail
    tail = f" {w['call']} {result.phone}" if result.phone else ""
    return f"{number}. {result.name} - " + ", ".join(parts) + "." + tail


def _footer(first: int, count: int, more: bool, language: str) -> str:
    """ "Reply 1-3 for details, MORE for more." """
    w = words(language)
    span = f"{first}" if count == 1 else f"{first}-{first + count - 1}"
    return w["reply"].format(span=span) + (f", {w['more']}." if more else ".")


def results_text(
    header: str,
    results: Sequence[SearchResult],
    first_number: int,
    language: str,
    role: str,
    more: bool,
    budget: int | None,
    now: datetime | None = None,
) -> tuple[str, int]:
    """The header, numbered results and what to reply; with a character `budget` (SMS),
    as many results as fit. Returns the text and how many results it shows."""
    for count in range(len(results), 0, -1):
        shown = results[:count]
        footer = _footer(first_number, count, more or count < len(results), language)
        lines = [header]
        lines += [
            result_line(first_number + i, r, language, role, now) for i, r in enumerate(shown)
        ]
        lines.append(footer)
        text = "\n".join(lines)
        if budget is None or len(text) <= budget or count == 1:
            return text, count
    return header, 0


def after_hours_text(
    intro: str,
    instead_header: str,
    instead: Sequence[SearchResult],
    line: str,
    soonest_header: str,
    soonest: Sequence[SearchResult],
    language: str,
    role: str,
    more: bool,
    budget: int | None,
    now: datetime | None = None,
) -> tuple[str, int, int]:
    """Nothing of the kind is open: the intro, what is open now instead (numbered first),
    the hand-off line, then what opens soonest. With a `budget` (SMS) the soonest give way
    first, down to one, then the open ones down to one; the intro and the line always
    stay. Returns the text and how many of each it shows."""

    def text_of(n_instead: int, n_soonest: int) -> str:
        lines = [intro]
        if n_instead:
            lines.append(instead_header)
            lines += [result_line(i + 1, r, language, role, now)
                      for i, r in enumerate(instead[:n_instead])]  # fmt: skip
        lines.append(line)
        if n_soonest:
            lines.append(soonest_header)
            lines += [result_line(n_instead + i + 1, r, language, role, now)
                      for i, r in enumerate(soonest[:n_soonest])]  # fmt: skip
        if n_instead + n_soonest:
            lines.append(_footer(1, n_instead + n_soonest, more or n_soonest < len(soonest),
                                 language))  # fmt: skip
        return "\n".join(lines)

    # What opens soonest is the way back to the help asked for: one of them stays while
    # any open service can give way to it.
    options = [(len(instead), n) for n in range(len(soonest), 0, -1)]
    options += [(n, min(len(soonest), 1)) for n in range(len(instead) - 1, 0, -1)]
    options += [(len(instead), 0)]
    for n_instead, n_soonest in options:
        text = text_of(n_instead, n_soonest)
        if budget is None or len(text) <= budget:
            return text, n_instead, n_soonest
    n_instead = min(len(instead), 1)
    return text_of(n_instead, 0), n_instead, 0


def details_text(
    details: ServiceDetails,
    language: str,
    role: str,
    phone_only: bool,
    now: datetime | None = None,
) -> str:
    """Everything needed to go there: address, hours, who it is for, phone, a map link."""
    w = words(language)
    phone = details.phones[0][0] if details.phones else None
    if phone_only:
        return f"{details.name}: {phone}" if phone else f"{details.name}: -"
    lines = [details.name]
    status = _status(details, language, role in RESPONDERS, now)
    count = beds(details, language, role in RESPONDERS)
    lines.append(status + (f"; {count}" if count else ""))
    lines.append(f"{w['address']}: {details.address or w['by_phone']}")
    if details.hours:
        lines.append(f"{w['hours']}: " + "; ".join(details.hours))
    if details.eligibility:
        lines.append(f"{w['who']}: {details.eligibility}")
    if details.fees:
        lines.append(f"{w['fees']}: {details.fees}")
    if phone:
        lines.append(f"{w['phone']}: {phone}")
    if details.maps_url:
        lines.append(f"{w['map']}: {details.maps_url}")
    return "\n".join(lines)


def place_label(place: dict[str, object] | None, fallback: str) -> str:
    return str(place.get("label")) if place and place.get("label") else fallback
