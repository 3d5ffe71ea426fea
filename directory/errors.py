"""Exceptions the directory raises; the CLI and the bot turn them into user messages.

DirectoryError
 ├── InvalidData        an import or validation found problems (nothing was written)
 ├── UnknownPlace       a place could not be found in the gazetteer
 │    └── AmbiguousPlace  more than one place fits (the same streets in two towns)
 ├── UnknownNeed        a need key is not one of the known keys
 ├── UnknownService     no service has that id
 └── InvalidCapacity    a bed count is negative or above the maximum
"""

from __future__ import annotations

from directory.types import Place, Problem


class DirectoryError(Exception):
    """Base class of every error the directory reports to a user."""


class InvalidData(DirectoryError):
    """The data cannot be imported; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = sum(not p.warning for p in problems)
        super().__init__(f"{errors} problem(s) found. Nothing was imported.")


class UnknownPlace(DirectoryError):
    """The place is not a ZIP, a known city, coordinates or a local place."""

    def __init__(self, text: str, suggestions: list[str] | None = None) -> None:
        self.text = text
        self.suggestions = suggestions or []
        hint = f" Did you mean {' or '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(
            f"Cannot find the place {text!r}. Give a ZIP code, 'City, ST', "
            f"'lat,lon' or a local place.{hint}"
        )


class AmbiguousPlace(UnknownPlace):
    """More than one place fits ("Main & 1st" in two towns); `options` are the places."""

    def __init__(self, text: str, options: list[Place]) -> None:
        self.options = options
        super().__init__(text, [option.label for option in options])


class UnknownNeed(DirectoryError):
    """The need key is not in the taxonomy."""


class UnknownService(DirectoryError):
    """No service has the given id."""


class InvalidCapacity(DirectoryError):
    """A bed count that cannot be true: negative, or more than the maximum."""
