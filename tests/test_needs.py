from __future__ import annotations

import pytest

from directory import UnknownNeed, load_needs, need_keys
from directory.needs import check_needs, freshness_limit_hours, needs_for_terms, needs_for_text

STABLE_KEYS = [
    "detox", "shelter", "crisis_stabilization", "mental_health", "substance_use_treatment",
    "sobering", "harm_reduction", "food", "medical", "domestic_violence", "housing",
    "mobile_crisis", "peer_support",
]  # fmt: skip


def test_the_thirteen_stable_need_keys_are_all_there() -> None:
    assert need_keys()[: len(STABLE_KEYS)] == STABLE_KEYS


@pytest.mark.parametrize("key", STABLE_KEYS)
def test_every_need_has_labels_synonyms_in_two_languages_and_terms(key: str) -> None:
    need = load_needs()[key]
    assert need.label and need.label_es
    assert len(need.synonyms) >= 5 and len(need.synonyms_es) >= 2
    assert need.terms and need.keywords


@pytest.mark.parametrize(
    ("term", "need"),
    [
        ("Detox", "detox"),
        ("Emergency Shelter", "shelter"),
        ("Psychiatric Emergency Services", "crisis_stabilization"),
        ("Domestic Violence Shelter", "domestic_violence"),
        ("Syringe Services Program", "harm_reduction"),
        ("food pantry", "food"),
        ("Mobile Crisis Team", "mobile_crisis"),
        ("Emergancy Shelter", "shelter"),  # a publisher's typo
        ("Withdrawl Management", "detox"),
    ],
)
def test_taxonomy_terms_map_to_needs(term: str, need: str) -> None:
    assert needs_for_terms([term]) == {need}


def test_unrelated_terms_map_to_nothing() -> None:
    assert needs_for_terms(["Tax Preparation", "Legal Aid", ""]) == set()


@pytest.mark.parametrize(
    ("name", "description", "need"),
    [
        ("Saguaro House", "Medically supervised detoxification for adults.", "detox"),
        ("Eastside Kitchen", "Hot meals every evening, no questions asked.", "food"),
        ("Bridges", "Peer specialists with lived experience of recovery.", "peer_support"),
        ("Harbour Detoxx Unit", "", "detox"),
    ],
)
def test_a_service_without_terms_gets_its_need_from_its_own_words(
    name: str, description: str, need: str
) -> None:
    assert need in needs_for_text(name, description)


def test_crisis_detox_sobering_and_shelter_counts_go_stale_after_a_day() -> None:
    for key in ("crisis_stabilization", "detox", "sobering", "shelter"):
        assert freshness_limit_hours([key]) == 24
    assert freshness_limit_hours(["substance_use_treatment"]) == 24 * 7
    assert freshness_limit_hours(["shelter", "housing"]) == 24  # the strictest wins
    assert freshness_limit_hours(["detox"], {"detox": 6}) == 6


def test_unknown_need_key_names_the_closest_one() -> None:
    with pytest.raises(UnknownNeed, match="Did you mean 'detox'"):
        check_needs(["detx"])


@pytest.mark.parametrize("key", need_keys())
def test_what_a_need_offers_when_closed_is_other_known_needs_and_a_hand_off_line(
    key: str,
) -> None:
    need = load_needs()[key]
    assert set(need.after_hours) <= set(need_keys()) - {key}
    assert need.after_hours_line in ("crisis", "emergency", "information")


def test_behavioural_health_needs_offer_988_at_night_and_medical_needs_911() -> None:
    needs = load_needs()
    for key in ("mental_health", "substance_use_treatment", "detox", "peer_support"):
        assert needs[key].after_hours_line == "crisis"
        assert needs[key].after_hours, f"{key} offers no open service of another kind"
    assert needs["medical"].after_hours_line == "emergency"
