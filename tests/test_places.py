"""Finding the place in a message, the way officers and community members write it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlite_utils

from bot.nlu.places import Gazetteer, find_location
from directory import add_place, open_db
from directory.demo_streets import demo_file
from directory.streets import import_streets


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory, empty_db_template: Path) -> Gazetteer:
    path = tmp_path_factory.mktemp("places") / "places.db"
    shutil.copyfile(empty_db_template, path)
    db = open_db(path)
    add_place(db, "Union Station", 39.7527, -105.0002)
    add_place(db, "Civic Center Park", 39.7372, -104.9890, ["civic center"])
    import_streets(db, [demo_file()])
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
        # Corners with every joiner, typos and short forms of known streets.
        ("officer here, csu near colfax and broadway", "address", "colfax and broadway"),
        ("colfx/braodway 2 males intox", "address", "colfx/braodway"),
        ("bway + evans 22M", "address", "bway + evans"),
        ("fed & colfax - pt", "address", "fed & colfax"),
        ("speer blv @ lincoln need crisis bed", "address", "speer blv @ lincoln"),
        ("comida cerca de colfax y federal", "address", "colfax y federal"),
        ("tent camp alameda off of santa fe", "address", "alameda off of santa fe"),
        ("I-25 ramp at Broadway, pt w/ wound", "address", "I-25 ramp at Broadway"),
        ("at 16th st mall & broadway", "address", "16th st mall & broadway"),
        # Streets nobody here knows, when the shape leaves no doubt.
        ("bed near 5th and pine", "address", "5th and pine"),
        ("hungry at elm & main", "address", "elm & main"),
        ("fountain near hastings and columbia", "address", "hastings and columbia"),
        ("food Dunbar and Davie", "address", "Dunbar and Davie"),
        ("#12-300 E Aurora", "address", "#12-300 E Aurora"),
        ("nearest bathroom to 500 granville", "address", "500 granville"),
        # Addresses with their units, and blocks.
        ("1800 Larimer bed", "address", "1800 Larimer"),
        ("300 S Broadway apt 4 - elderly pt", "address", "300 S Broadway apt 4"),
        ("apt 210, 1400 Lincoln St - pt", "address", "apt 210, 1400 Lincoln St"),
        ("#4 - 1620 Federal Blvd need shelter", "address", "#4 - 1620 Federal Blvd"),
        ("2800 S Santa Fe Dr lot 7, out of meds", "address", "2800 S Santa Fe Dr lot 7"),
        ("1500 block of N Stone", "address", "1500 block of N Stone"),
        ("15 hundred block of s federal, F 60", "address", "15 hundred block of s federal"),
        ("estamos en el bloque 2400 de S Federal", "address", "bloque 2400 de S Federal"),
        # A number before a corner is a call sign, not a house.
        ("unit 314 fedral and alameda pt needs narcan", "address", "fedral and alameda"),
        ("fire 22 federal blvd & evans ave, pt", "address", "federal blvd & evans ave"),
        ("colfax and broadway 80203", "address", "colfax and broadway"),
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
        "me and my kids need food and shelter",
        "coffee and donuts",
        "Mom and Dad kicked me out",
        "worked to death and cant afford groceries",
        "we are at capacity",
        "2 beds open",
        "x3 campers need narcan",
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


def test_a_street_place_keeps_the_zip_or_city_named_beside_it(gazetteer: Gazetteer) -> None:
    location = find_location("colfax and broadway 80203", gazetteer)
    assert location is not None and (location.zip, location.city) == ("80203", "Denver")
