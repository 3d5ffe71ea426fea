"""Whole-message commands a person may send at any point of a conversation: DELETE (forget
me) and UNDO (take back a bed update). Read from the normalized message, so that
"Delete!", "borrar mis datos" or "undo" with an invisible character all count.
"""

from __future__ import annotations

from bot.nlu.message import Message

DELETE_WORDS = ("delete", "delete my data", "delete me", "borrar", "borrar mis datos")
UNDO_WORDS = ("undo", "deshacer")


def _whole(message: Message) -> str:
    return " ".join(message.folded.replace("!", " ").replace(".", " ").split())


def is_delete(message: Message) -> bool:
    """The message asks to delete everything stored about the sender."""
    return _whole(message) in DELETE_WORDS


def is_undo(message: Message) -> bool:
    """The message asks to undo the last bed update."""
    return _whole(message) in UNDO_WORDS
