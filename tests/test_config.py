from __future__ import annotations

import pytest
import sqlite_utils

from directory import ConfigError, DirectorySettings, geo


def test_settings_come_from_the_given_environment() -> None:
    settings = DirectorySettings.from_environ(
        {
            "WAYFINDER_DEFAULT_STATE": "co",
            "WAYFINDER_TIMEZONE": "America/Denver",
            "WAYFINDER_RADIUS_KM": "25",
            "WAYFINDER_FRESHNESS_HOURS": "detox=12, shelter=6",
        }
    )
    assert settings == DirectorySettings("CO", "America/Denver", 25.0, {"detox": 12, "shelter": 6})


def test_defaults_without_any_variable() -> None:
    assert DirectorySettings.from_environ({}) == DirectorySettings()


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"WAYFINDER_DEFAULT_STATE": "Colorado"}, "WAYFINDER_DEFAULT_STATE"),
        ({"WAYFINDER_TIMEZONE": "Mars/Olympus"}, "WAYFINDER_TIMEZONE"),
        ({"WAYFINDER_RADIUS_KM": "far"}, "WAYFINDER_RADIUS_KM"),
        ({"WAYFINDER_FRESHNESS_HOURS": "beds=3"}, "WAYFINDER_FRESHNESS_HOURS"),
    ],
)
def test_a_bad_setting_names_its_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        DirectorySettings.from_environ(env)


def test_a_one_state_directory_resolves_bare_city_names_to_its_own_state(
    demo_db: sqlite_utils.Database,
) -> None:
    assert DirectorySettings().for_directory(demo_db).default_state == "CO"
    thornton = geo.resolve(
        demo_db, "Thornton", DirectorySettings().for_directory(demo_db).default_state
    )
    assert thornton.state == "CO"


def test_the_configured_state_wins_over_the_directory_s_own(demo_db: sqlite_utils.Database) -> None:
    assert DirectorySettings("AZ").for_directory(demo_db).default_state == "AZ"


def test_a_directory_spread_over_states_gets_no_guessed_state(
    db: sqlite_utils.Database,
) -> None:
    addresses = [("a1", "Tucson", "AZ"), ("a2", "Phoenix", "AZ"), ("a3", "Denver", "CO")]
    db["address"].insert_all(
        {"id": id, "city": city, "state_province": state} for id, city, state in addresses
    )
    assert DirectorySettings().for_directory(db).default_state == "AZ"
    db["address"].insert({"id": "a4", "city": "Aurora", "state_province": "CO"})
    assert DirectorySettings().for_directory(db).default_state is None


def test_an_empty_directory_gets_no_guessed_state(db: sqlite_utils.Database) -> None:
    assert DirectorySettings().for_directory(db).default_state is None
