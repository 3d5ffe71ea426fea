"""Directory settings, read once from an injectable mapping (the environment by default)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from directory import geo, hours, needs
from directory.engine import Database
from directory.errors import UnknownNeed, UnknownPlace
from directory.types import Point


class ConfigError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class DirectorySettings:
    """How searches behave in this deployment.

    default_state resolves a bare city name ("Aurora") to the deployment's state;
    default_timezone is used for hours when a location's own zone is unknown, and for the
    time of a place whose zone is unknown ("tonight" in Aurora); unset, it is the zone most
    of the directory's locations are in;
    freshness_hours overrides the per-need limits of data/needs.toml;
    home_area is where the program works (a ZIP, "City, ST" or "lat,lon"): when the same
    two streets meet in two towns, the corner inside it is the one meant.
    """

    default_state: str | None = None
    default_timezone: str | None = None
    radius_km: float = 40.0
    freshness_hours: dict[str, float] = field(default_factory=dict)
    home_area: str | None = None

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> DirectorySettings:
        """From the WAYFINDER_* search variables in `env` (see wayfinder.settings).

        Raises:
            ConfigError: a value cannot be used; the message names its variable.
        """
        state = env.get("WAYFINDER_DEFAULT_STATE", "").strip().upper() or None
        if state and state not in geo.STATES:
            raise ConfigError(
                f"WAYFINDER_DEFAULT_STATE={state!r} is not a US state code (CO, AZ…)."
            )
        zone = env.get("WAYFINDER_TIMEZONE", "").strip() or None
        if zone and str(hours.zone(zone, "UTC")) != zone:
            raise ConfigError(f"WAYFINDER_TIMEZONE={zone!r} is not an IANA time zone.")
        try:
            radius = float(env.get("WAYFINDER_RADIUS_KM", "40"))
        except ValueError as error:
            raise ConfigError("WAYFINDER_RADIUS_KM must be a number of kilometres.") from error
        freshness: dict[str, float] = {}
        for item in filter(None, env.get("WAYFINDER_FRESHNESS_HOURS", "").split(",")):
            key, _, value = item.partition("=")
            try:
                freshness[needs.check_needs([key.strip()])[0]] = float(value)
            except (ValueError, UnknownNeed) as error:
                raise ConfigError(
                    f"WAYFINDER_FRESHNESS_HOURS: {item!r} is not NEED=HOURS ({error})."
                ) from error
        home = env.get("WAYFINDER_HOME_AREA", "").strip() or None
        return cls(state, zone, radius, freshness, home)

    def for_directory(self, db: Database) -> DirectorySettings:
        """These settings, with the directory's own state and centre as defaults when none
        is set.

        Raises:
            ConfigError: WAYFINDER_HOME_AREA names no place this directory knows.
        """
        settings = self if self.default_state else replace(self, default_state=geo.home_state(db))
        if not settings.default_timezone:
            settings = replace(settings, default_timezone=geo.directory_timezone(db))
        if settings.home_area:
            try:
                point = geo.resolve(db, settings.home_area, settings.default_state).point
            except UnknownPlace as error:
                raise ConfigError(
                    f"WAYFINDER_HOME_AREA={settings.home_area!r} is not a ZIP, 'City, ST' or "
                    "'lat,lon' this directory knows."
                ) from error
            # Resolved once, here: `home` is asked on every search.
            return replace(settings, home_area=f"{point.lat:.5f},{point.lon:.5f}")
        centre = geo.directory_centre(db)
        return (
            replace(settings, home_area=f"{centre.lat:.5f},{centre.lon:.5f}")
            if centre
            else settings
        )

    def home(self, db: Database) -> Point | None:
        """The centre of the program's home area, if one is set or found."""
        if not self.home_area:
            return None
        try:
            return geo.resolve(db, self.home_area, self.default_state).point
        except UnknownPlace:
            return None
