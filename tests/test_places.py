"""Finding the place in a message, the way officers and community members write it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlite_utils

from bot.nlu.places import Gazetteer, find_location
from directory import add_place, open_db


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory, empty_db_template: Path) -> Gazetteer:
    path = tmp_path_factory.mktemp("places") / "places.db"
    shutil.copyfile(empty_db_template, path)
    db = open_db(path)
    add_place(db, "Union Station", 39.7527, -105.0002)
    add_place(db, "Civic Center Park", 39.7372, -104.9890, ["civic center"])
    return Gazetteer.from_db(db, default_state="CO")


@pytest.mark.parametrize(
    ("text", "kind", "span"),
    [
        ("detox 85705", "zip", "85705"),
        ("shelter 80204-1234", "zip", "80204-1234"),
        ("csu near 1600 Pearl St", "address", "1600 Pearl St"),
        ("need beds at #3-224 E 10th Ave", "address", "#3-224 E 10th Ave"),
        ("Colfax and Broadway", "address", "Colfax and Broadway"),
        ("main & 49th", "address", "main & 49th"),
        ("guy down at 14th and market", "address", "14th and market"),
        ("sobering ctr aurora co", "city", "aurora co"),
        ("shelter in Tucson, AZ", "city", "Tucson, AZ"),
        ("food in Denver, Colorado", "city", "Denver, Colorado"),
        ("detox in colorado springs", "city", "colorado springs"),
        ("shelter in denvr", "city", "denvr"),
        ("im at union station", "place", "union station"),
        ("anything near civic center", "place", "civic center"),
        ("39.7392,-104.9903", "coordinates", "39.7392,-104.9903"),
        ("food bank near me", "near_me", "near me"),
        ("necesito un refugio cerca de mi", "near_me", "cerca de mi"),
    ],
)
def test_places_are_found_as_written(gazetteer: Gazetteer, text: str, kind: str, span: str) -> None:
    location = find_location(text, gazetteer)
    assert location is not None
    assert (location.kind, location.text) == (kind, span)
    assert text[location.start : location.end] == span


@pytest.mark.parametrize(
    "text",
    [
        "call me at 303-555-0142",
        "(720) 555-0199",
        "beds 4 of 16",
        "we have 12 beds",
        "10-96 need crisis bed",
        "detox or shelter",
        "help me",
        "case 54321 closed",  # not a US ZIP
    ],
)
def test_numbers_and_words_that_are_not_places(gazetteer: Gazetteer, text: str) -> None:
    assert find_location(text, gazetteer) is None


def test_a_zip_comes_with_its_city_and_coordinates(gazetteer: Gazetteer) -> None:
    location = find_location("detox 85705", gazetteer)
    assert location is not None
    assert (location.zip, location.city, location.state) == ("85705", "Tucson", "AZ")
    assert location.lat == pytest.approx(32.27, abs=0.05)


def test_a_bare_city_name_resolves_in_the_default_state(db: sqlite_utils.Database) -> None:
    assert find_location("shelter aurora", Gazetteer.from_db(db, "CO")).state == "CO"  # type: ignore[union-attr]
    assert find_location("shelter aurora", Gazetteer.from_db(db, "IL")).state == "IL"  # type: ignore[union-attr]
