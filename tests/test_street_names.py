"""Street names as people write them and as street files spell them."""

from __future__ import annotations

import pytest

from directory.street_names import closest, prefix_index, split

KEYS = ["colfax", "colorado", "evans", "federal", "broadway", "santa fe", "speer", "elk",
        "16th", "i-25", "stone"]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "key", "direction", "kind"),
    [
        ("E Colfax Ave", "colfax", "E", "ave"),
        ("East Colfax Avenue", "colfax", "E", "ave"),
        ("N Stone Ave", "stone", "N", "ave"),
        ("Broadway", "broadway", None, None),
        ("South Santa Fe Drive", "santa fe", "S", "dr"),
        ("I- 25", "i-25", None, None),
        ("Interstate 25", "i-25", None, None),
        ("I-25 Ramp", "i-25", None, None),
        ("16th St Mall", "16th", None, "st"),
        ("Sixteenth Street", "16th", None, "st"),
        ("State Rte 77", "hwy 77", None, None),
        ("Court", "court", None, None),
    ],
)
def test_names_reduce_to_one_key(
    name: str, key: str, direction: str | None, kind: str | None
) -> None:
    parts = split(name)
    assert (parts.key, parts.direction, parts.kind) == (key, direction, kind)


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("colfx", "colfax"),
        ("evens", "evans"),
        ("colorodo", "colorado"),
        ("braodway", "broadway"),
        ("sante fe", "santa fe"),
        ("fed", "federal"),
        ("bway", "broadway"),
        ("bdwy", "broadway"),
        ("col", None),  # colfax or colorado: never a guess
        ("elm", None),  # too short to correct ("elk")
        ("spear", "speer"),
        ("are", None),
    ],
)
def test_misspelt_and_short_names_find_the_one_street_meant(
    written: str, meant: str | None
) -> None:
    assert closest(written, KEYS, prefix_index(KEYS)) == meant
