"""rasa-sdk custom actions, served by `python -m rasa_sdk --actions bot.actions`.

Every action class is listed here so that `ACTIONS` can build them in-process too.
"""

from __future__ import annotations

from bot.actions.availability import ActionUpdateAvailability
from bot.actions.base import WayfinderAction
from bot.actions.context import Context
from bot.actions.follow_up import ActionAnswerAboutService
from bot.actions.handoff import ActionCrisisHandoff, ActionEmergencyHandoff
from bot.actions.help import ActionHelp
from bot.actions.search import (
    ActionCheckAvailability,
    ActionMoreResults,
    ActionSearchResources,
    ActionShowDetails,
    ValidateSearchForm,
)
from bot.actions.services import ActionFindService

ACTIONS: tuple[type[WayfinderAction] | type[ValidateSearchForm], ...] = (
    ActionSearchResources,
    ActionShowDetails,
    ActionMoreResults,
    ActionCheckAvailability,
    ActionUpdateAvailability,
    ActionCrisisHandoff,
    ActionEmergencyHandoff,
    ActionHelp,
    ActionFindService,
    ActionAnswerAboutService,
    ValidateSearchForm,
)

__all__ = ["ACTIONS", "Context"]
