"""Services whose address must stay private.

A domestic-violence shelter gives its address by phone after a safety screening; a data
file may still carry it (the provider's own records, a 211 export). Wherever Wayfinder
publishes a directory — the HSDS API, an export for others — such a service is shown
with its phone and the area it serves, never with a street address or coordinates.
A service counts as confidential when its own words say so.
"""

from __future__ import annotations

import re

_PRIVATE = re.compile(
    r"\b(?:confidential|undisclosed|unlisted|secret|private)\s+"
    r"(?:address|location|shelter|site|safe ?house)\b"
    r"|\b(?:address|location)\b[^.;]{0,40}?\b(?:is\s+|are\s+)?(?:confidential|undisclosed|"
    r"withheld|not (?:published|disclosed|listed)|(?:given|shared|provided|released) "
    r"(?:out\s+)?(?:by|over the|after)\b)",
    re.IGNORECASE,
)


def is_confidential(*texts: str | None) -> bool:
    """Whether any of a service's texts says its address is not public."""
    return any(text and _PRIVATE.search(text) for text in texts)
