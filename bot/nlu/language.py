"""English or Spanish? A word-list vote: short texting needs no statistical model, and a
wrong guess only changes the language of the reply, never whether 988 is offered."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.nlu.normalize import fold

_SPANISH = {
    "hola", "necesito", "donde", "puedo", "dormir", "esta", "noche", "refugio", "albergue",
    "comida", "ayuda", "gracias", "quiero", "tengo", "estoy", "mi", "hijo", "hija", "para",
    "una", "un", "el", "la", "los", "las", "en", "de", "que", "por", "favor", "hay", "cerca",
    "aqui", "buenos", "dias", "buenas", "tardes", "adios", "si", "morir", "vivir", "mas",
    "tambien", "con", "sin", "casa", "calle", "cual", "cuantas", "camas", "abierto",
    "desintoxicacion", "salud", "mental", "medico", "clinica", "violencia", "domestica",
    "vivienda", "necesita", "busco", "buscando", "otro", "otra", "siguiente", "segundo",
    "primero", "llamar", "se", "tomo", "pastillas", "no", "respira", "ya", "nada", "muy",
    "llamo", "nombre", "soy", "tal", "usted",
}  # fmt: skip
_ENGLISH = {
    "i", "need", "the", "a", "where", "can", "is", "are", "to", "for", "my", "help", "near",
    "me", "any", "open", "beds", "bed", "tonight", "sleep", "what", "how", "please", "we",
    "have", "he", "she", "it", "in", "of", "and", "you", "this", "that", "with", "at", "on",
    "want", "im", "get", "find", "food", "shelter", "detox", "more", "next", "yes", "thanks",
}  # fmt: skip
# Words that only Spanish uses, worth more than shared short words like "no" or "mental".
_STRONG = {"necesito", "donde", "refugio", "albergue", "comida", "ayuda", "gracias",
           "quiero", "hola", "tengo", "estoy", "noche", "dormir", "desintoxicacion",
           "necesita", "busco", "vivir", "morir", "pastillas", "respira", "cerca",
           "llamo", "nombre", "usted"}  # fmt: skip


def detect(text: str) -> str:
    """ "es" when the message reads as Spanish, else "en"."""
    return detect_words(re.findall(r"[a-z]+", fold(text)))


def detect_words(words: Sequence[str]) -> str:
    """ "es" when these folded words read as Spanish, else "en"."""
    spanish = sum(2 if w in _STRONG else 1 for w in words if w in _SPANISH)
    english = sum(1 for w in words if w in _ENGLISH and w not in _SPANISH)
    return "es" if spanish >= 2 and spanish > english else "en"
