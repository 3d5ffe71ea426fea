"""The base of our actions: a rasa-sdk Action that knows its context."""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import Action

from bot.actions.context import Context, from_environ


class UsesContext:
    """rasa-sdk builds actions without arguments (they then read the environment); our
    engine passes its context."""

    def __init__(self, context: Context | None = None) -> None:
        self._context = context

    @property
    def context(self) -> Context:
        return self._context or from_environ()


class WayfinderAction(UsesContext, Action, ABC):
    @abstractmethod
    def name(self) -> str: ...
