from __future__ import annotations

import pytest
import sqlite_utils

from directory import Point, UnknownPlace, add_place, haversine_km, resolve
from directory.geo import geometry_contains, parse_geojson


def test_zip_resolves_to_its_centroid_city_and_time_zone(db: sqlite_utils.Database) -> None:
    place = resolve(db, "85705")
    assert (place.kind, place.city, place.state, place.timezone) == (
        "zip", "Tucson", "AZ", "America/Phoenix",
    )  # fmt: skip
    assert place.lat == pytest.approx(32.27, abs=0.05)


def test_zip_plus_four_is_the_same_place_as_the_zip(db: sqlite_utils.Database) -> None:
    assert resolve(db, "80204-1234").point == resolve(db, "80204").point


@pytest.mark.parametrize("text", ["Aurora, CO", "aurora co", "Aurora, Colorado", "AURORA CO"])
def test_city_with_state_in_any_common_spelling(db: sqlite_utils.Database, text: str) -> None:
    place = resolve(db, text)
    assert (place.kind, place.city, place.state) == ("city", "Aurora", "CO")
    assert place.timezone == "America/Denver"


def test_bare_city_name_prefers_the_deployments_state(db: sqlite_utils.Database) -> None:
    assert resolve(db, "Aurora", default_state="CO").state == "CO"
    assert resolve(db, "Aurora", default_state="IL").state == "IL"


def test_coordinates_are_taken_as_written(db: sqlite_utils.Database) -> None:
    place = resolve(db, "39.7392, -104.9903")
    assert (place.kind, place.lat, place.lon) == ("coordinates", 39.7392, -104.9903)


def test_coordinates_out_of_range_are_not_a_place(db: sqlite_utils.Database) -> None:
    with pytest.raises(UnknownPlace):
        resolve(db, "100, 200")


def test_local_place_by_name_or_alias(db: sqlite_utils.Database) -> None:
    add_place(db, "Civic Center Park", 39.7372, -104.9890, ["civic center", "the park"])
    assert resolve(db, "civic center").kind == "place"
    assert resolve(db, "Civic Center Park").lat == 39.7372
    assert resolve(db, "civc center park").label == "Civic Center Park"


def test_misspelt_city_is_corrected_when_the_match_is_clear(db: sqlite_utils.Database) -> None:
    place = resolve(db, "Denvr, CO")
    assert (place.city, place.state) == ("Denver", "CO")


def test_unknown_place_says_what_to_send(db: sqlite_utils.Database) -> None:
    with pytest.raises(UnknownPlace) as caught:
        resolve(db, "Qwxyz Flats, CO")
    assert "Give a ZIP code, 'City, ST', 'lat,lon' or a local place." in str(caught.value)


def test_unknown_zip_is_not_a_place(db: sqlite_utils.Database) -> None:
    with pytest.raises(UnknownPlace):
        resolve(db, "00000")


def test_every_us_zip_is_in_the_gazetteer(db: sqlite_utils.Database) -> None:
    assert db.execute("SELECT count(*) FROM zip").fetchone()[0] > 40_000
    assert db.execute("SELECT count(DISTINCT state) FROM city").fetchone()[0] >= 51


def test_haversine_denver_to_boulder_is_about_39_km() -> None:
    assert haversine_km(Point(39.7392, -104.9903), Point(40.0150, -105.2705)) == pytest.approx(
        38.9, abs=0.5
    )


def test_polygon_contains_points_inside_but_not_in_its_hole() -> None:
    square = parse_geojson(
        '{"type": "Polygon", "coordinates": ['
        "[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],"
        "[[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]]}"
    )
    assert geometry_contains(square, Point(2, 2))
    assert not geometry_contains(square, Point(5, 5))
    assert not geometry_contains(square, Point(11, 5))


def test_geojson_feature_wrapping_is_accepted_and_other_shapes_are_not() -> None:
    feature = (
        '{"type": "Feature", "geometry": '
        '{"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}}'
    )
    assert parse_geojson(feature)["type"] == "Polygon"
    with pytest.raises(ValueError, match="Polygon or MultiPolygon"):
        parse_geojson('{"type": "Point", "coordinates": [0, 0]}')
