"""Messages the assistant starts (reminders), behind one small interface so that tests and
dry runs need no network. The SMS channel provides the real one (channels.sms)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Outbound(Protocol):
    def send(self, to: str, body: str) -> str:
        """Send `body` to `to`; returns the provider's message id."""
        ...


class Printed:
    """Writes what would be sent (`--dry-run`)."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo

    def send(self, to: str, body: str) -> str:
        self.echo(f"to {to}: {body}")
        return "dry-run"
