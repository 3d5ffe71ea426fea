"""The domain's responses, picked and filled the way Rasa does it.

A response has variants. A variant whose `condition` (slot values) all match wins, then a
variant for the channel, then the plain one. `{name}` is filled from the values given
(the action's keyword arguments, then the slots); an unknown name stays as written.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

DOMAIN_FILE = Path(__file__).parent / "domain.yml"


@functools.cache
def load_domain(path: str | Path = DOMAIN_FILE) -> dict[str, Any]:
    """The domain as the dict rasa-sdk actions receive (`DomainDict`)."""
    with open(path, encoding="utf-8") as file:
        data: dict[str, Any] = yaml.safe_load(file)
    return data


def pick(
    domain: Mapping[str, Any], name: str, slots: Mapping[str, Any], channel: str | None
) -> dict[str, Any] | None:
    """The variant of response `name` for these slots and this channel, or None."""
    variants: list[dict[str, Any]] = domain.get("responses", {}).get(name) or []

    def matches(variant: dict[str, Any]) -> bool:
        return all(
            slots.get(c.get("name")) == c.get("value")
            for c in variant.get("condition", [])
            if c.get("type") == "slot"
        )

    conditional = [v for v in variants if v.get("condition") and matches(v)]
    plain = [v for v in variants if not v.get("condition")]
    for group in (conditional, plain):
        for wanted in (channel, None):
            found = [v for v in group if v.get("channel") == wanted]
            if found:
                return found[0]
    return None


class _Keep(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(text: str, values: Mapping[str, Any]) -> str:
    """`text` with each {name} replaced by its value; unknown names are left alone."""
    known = _Keep({k: "" if v is None else v for k, v in values.items()})
    try:
        return string.Formatter().vformat(text, (), known)
    except (ValueError, IndexError):  # a stray brace: show the text as written
        return text
