"""Intersections, addresses and blocks placed from imported street data, and the bot's
answers measured from them (end to end through `wayfinder ask`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from directory import geo
from directory.errors import AmbiguousPlace, UnknownPlace
from directory.streets import import_streets
from directory.types import Point
from tests.conftest import TUCSON_NOW
from tests.street_data import (
    FLAGSTAFF_MAIN_ELM,
    GRANT,
    ORACLE,
    SPEEDWAY,
    STONE,
    STONE_1500,
    TUCSON_MAIN_ELM,
    write_tiger,
)
from wayfinder.cli import cli

pytestmark = pytest.mark.engines  # each test on SQLite and on PostgreSQL

TUCSON = Point(32.2217, -110.9265)


@pytest.fixture
def streets_db(tucson_db: sqlite_utils.Database, tmp_path: Path) -> sqlite_utils.Database:
    import_streets(tucson_db, write_tiger(tmp_path / "tiger"))
    return tucson_db


def metres(a: Point, b: Point) -> float:
    return geo.haversine_km(a, b) * 1000


def where(db: sqlite_utils.Database, text: str, **hints: object) -> Point:
    return geo.resolve(db, text, "AZ", **hints).point  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "speedway and oracle",
        "Speedway & Oracle",
        "speedway/oracle",
        "speedway @ oracle",
        "speedway at oracle",
        "corner of speedway and oracle",
        "W Speedway Blvd and N Oracle Rd",
        "oracle rd & speedway blvd",
        "speedwy & oracle",
        "state route 77 and speedway",
    ],
)
def test_an_intersection_is_its_corner(streets_db: sqlite_utils.Database, text: str) -> None:
    assert metres(where(streets_db, text), Point(SPEEDWAY, ORACLE)) < 5


def test_a_house_number_is_placed_along_its_block_on_its_side(
    streets_db: sqlite_utils.Database,
) -> None:
    # 1251 is odd: the west side of N Stone Ave going north, halfway up the 1000 block.
    odd = where(streets_db, "1251 N Stone Ave")
    even = where(streets_db, "1250 N Stone Ave")
    halfway = SPEEDWAY + (STONE_1500 - SPEEDWAY) * 251 / 498
    assert abs(odd.lat - halfway) < 0.0002
    assert odd.lon < STONE < even.lon
    assert metres(odd, even) < 25


def test_a_block_is_the_middle_of_its_hundred(streets_db: sqlite_utils.Database) -> None:
    block = where(streets_db, "1500 block of N Stone")
    assert STONE_1500 < block.lat < GRANT
    assert metres(block, where(streets_db, "1550 N Stone Ave")) < 25


def test_a_number_outside_every_range_is_not_guessed(streets_db: sqlite_utils.Database) -> None:
    with pytest.raises(UnknownPlace):
        geo.resolve(streets_db, "5000 N Stone Ave", "AZ")


def test_streets_that_cross_without_a_shared_node_meet_where_they_pass(
    streets_db: sqlite_utils.Database,
) -> None:
    # I-10 passes over Speedway; the crossing is on Speedway, between its ends.
    point = where(streets_db, "speedway and i-10")
    assert abs(point.lat - SPEEDWAY) < 0.0005 and -110.99 < point.lon < ORACLE


def test_streets_that_never_meet_are_not_a_place(streets_db: sqlite_utils.Database) -> None:
    with pytest.raises(UnknownPlace):
        geo.resolve(streets_db, "speedway and grant", "AZ")


def test_unknown_streets_are_not_guessed(streets_db: sqlite_utils.Database) -> None:
    with pytest.raises(UnknownPlace):
        geo.resolve(streets_db, "1800 Larimer St", "AZ")


def test_the_same_corner_in_two_towns_needs_a_hint(streets_db: sqlite_utils.Database) -> None:
    with pytest.raises(AmbiguousPlace) as raised:
        geo.resolve(streets_db, "main & elm", "AZ")
    assert sorted(p.zip or "" for p in raised.value.options) == ["85716", "86001"]
    flagstaff = Point(*FLAGSTAFF_MAIN_ELM)
    tucson = Point(*TUCSON_MAIN_ELM)
    assert metres(where(streets_db, "main & elm", zip_code="86001"), flagstaff) < 5
    assert metres(where(streets_db, "main & elm", city="Flagstaff"), flagstaff) < 5
    # The sender's last place, then the program's home area.
    assert metres(where(streets_db, "main & elm", near=Point(35.2, -111.6)), flagstaff) < 5
    assert metres(where(streets_db, "main & elm", home=TUCSON), tucson) < 5


def test_a_suffix_never_makes_two_streets_alike(streets_db: sqlite_utils.Database) -> None:
    # "Grant Rd" and "Oracle Rd" share "Rd"; a typo is matched on the name alone.
    with pytest.raises(UnknownPlace):
        geo.resolve(streets_db, "graant rd and speedway", "AZ")


# End to end: `wayfinder ask` on the Tucson directory with the county's streets.


@pytest.fixture
def ask_env(streets_db: sqlite_utils.Database, db_path: Path, nlu_model: Path) -> dict[str, str]:
    return {
        "WAYFINDER_DB": str(db_path),
        "WAYFINDER_NLU_MODEL": str(nlu_model),
        "WAYFINDER_HMAC_KEY": "a test key that is long enough to use",
        "WAYFINDER_HOME_AREA": "Tucson, AZ",
    }


def ask(env: dict[str, str], text: str, sender: str = "+15205550100") -> str:
    result = CliRunner().invoke(
        cli, ["ask", "--sender", sender, "--at", TUCSON_NOW.isoformat(), text], env=env
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_an_officer_at_a_corner_gets_distances_from_that_corner(
    ask_env: dict[str, str],
) -> None:
    reply = ask(ask_env, "officer here need a shelter bed near speedway and stone")
    assert "Speedway Blvd & N Stone Ave" in reply.splitlines()[0]  # at 10 AM: none open
    # Night Owl Shelter is at 32.2210, -110.9700: 1.72 km (1.1 mi) due south of the corner.
    assert "Night Owl Shelter - 1.1 mi" in reply


def test_an_address_reply_is_measured_from_the_address(ask_env: dict[str, str]) -> None:
    reply = ask(ask_env, "detox 1900 N Stone Ave")
    assert reply.startswith("Detox from 1900 N Stone Ave:")


def test_a_street_the_map_does_not_know_asks_for_a_cross_street(
    ask_env: dict[str, str],
) -> None:
    reply = ask(ask_env, "shelter near 1800 Larimer St")
    assert "couldn't find 1800 Larimer St" in reply and "cross street" in reply


def test_the_home_area_settles_a_corner_that_is_in_two_towns(ask_env: dict[str, str]) -> None:
    reply = ask(ask_env, "shelter near main and elm")
    # Night Owl Shelter is 5.8 km (3.6 mi) from the Tucson corner, 300 km from Flagstaff's.
    assert "Main St & Elm St" in reply.splitlines()[0]  # at 10 AM: none open
    assert "Night Owl Shelter - 3.6 mi" in reply


def test_without_a_home_area_the_bot_asks_which_and_takes_the_answer(
    ask_env: dict[str, str],
) -> None:
    env = {**ask_env, "WAYFINDER_HOME_AREA": "36.1,-112.1"}  # the Grand Canyon: neither town
    question = ask(env, "shelter near main and elm", sender="+15205550111")
    assert "more than one place" in question and "Flagstaff" in question and "Tucson" in question
    answer = ask(env, "tucson", sender="+15205550111")
    assert "Main St & Elm St" in answer.splitlines()[0]
    assert "Night Owl Shelter - 3.6 mi" in answer
