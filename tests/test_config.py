from __future__ import annotations

import pytest

from directory import ConfigError, DirectorySettings


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
