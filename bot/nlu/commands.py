"""Whole-message commands a person may send at any point of a conversation, on any
channel: the carrier keywords (STOP, START, HELP), DELETE (forget me), UNDO (take back
a bed update) and a staff member's PIN ("1234", "beds 4 PIN 1234"). All are read from
the normalized message, so that "Stop.", "S T O P", "ＳＴＯＰ" or "undo" with an invisible
character pasted in count, and only as the whole message: "I want to stop drinking" is
not an opt-out (and "I want to stop living" is a crisis, answered with 988).
"""

from __future__ import annotations

import re

from bot.nlu.message import Message

DELETE_WORDS = ("delete", "delete my data", "delete me", "borrar", "borrar mis datos")
UNDO_WORDS = ("undo", "deshacer")
# Carrier keywords: the CTIA/Twilio opt-out and opt-in words, and the usual Spanish ones
# (a Spanish-speaking sender who texts ALTO means it as much as STOP).
OPT_OUT = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout",
           "stop all", "opt out", "please stop", "stop please", "stop texting me",
           "stop messaging me", "unsubscribe me", "alto", "parar", "baja", "cancelar"}  # fmt: skip
OPT_IN = {"start", "yes", "unstop", "start again", "subscribe"}
# Not "ayuda": alone, it may be a person asking for help, and the conversation (with its
# safety check) answers it, not a fixed notice.
HELP = {"help", "info"}
PIN = re.compile(r"\bpin\s*[:#]?\s*(\d{4,8})\b")
_BARE_PIN = re.compile(r"^(?:pin\s*)?(\d{4,8})$")


def _whole(message: Message) -> str:
    return " ".join(message.folded.replace("!", " ").replace(".", " ").split())


def carrier_keyword(message: Message) -> str:
    """ "stop", "start" or "help" when the whole message is one of their words, else "".

    Letters spelled apart ("S T O P", "s.t.o.p") are read as one word."""
    words = _whole(message).replace("-", " ").replace(",", " ").replace("?", " ").split()
    if len(words) > 1 and all(len(w) == 1 for w in words):
        words = ["".join(words)]
    elif len(words) == 1 and "." in message.folded and len(words[0]) <= 10:
        words = [words[0].replace(".", "")]
    whole = " ".join(w.strip("'\"") for w in words)
    if whole in OPT_OUT:
        return "stop"
    if whole in OPT_IN:
        return "start"
    if whole in HELP:
        return "help"
    return ""


def is_delete(message: Message) -> bool:
    """The message asks to delete everything stored about the sender."""
    return _whole(message) in DELETE_WORDS


def is_undo(message: Message) -> bool:
    """The message asks to undo the last bed update."""
    return _whole(message) in UNDO_WORDS


def pin(message: Message) -> str | None:
    """A PIN given within a message ("beds 4 PIN 1234")."""
    match = PIN.search(message.folded)
    return match.group(1) if match else None


def pin_reply(message: Message) -> str | None:
    """A PIN sent in answer to "Reply with your PIN": "1234", "pin 1234", or within a
    longer update ("beds 4 PIN 1234")."""
    match = _BARE_PIN.match(message.folded.strip(" .!"))
    return match.group(1) if match else pin(message)
