"""`wayfinder parse` and `wayfinder nlu test` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from wayfinder.cli import cli


@pytest.fixture
def env(nlu_model: Path, demo_db_path: Path) -> dict[str, str]:
    return {"WAYFINDER_NLU_MODEL": str(nlu_model), "WAYFINDER_DB": str(demo_db_path),
            "WAYFINDER_DEFAULT_STATE": "CO"}  # fmt: skip


def test_parse_json_prints_only_json(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["parse", "detx 80204", "--json"], env=env)
    assert result.exit_code == 0
    parsed = json.loads(result.stdout)
    assert (parsed["needs"], parsed["location"]["zip"]) == (["detox"], "80204")


def test_parse_json_location_keeps_the_documented_shape(env: dict[str, str]) -> None:
    """DESIGN.md's `location`: the same seven keys for every kind; coordinates only when
    the words alone say where (a street address is located later, from street data)."""
    shapes = {}
    for text in ("detox 80204", "shelter in denver", "food at 1600 pearl st 80203",
                 "shelter near me", "beds at 39.74,-104.99"):  # fmt: skip
        result = CliRunner().invoke(cli, ["parse", text, "--json"], env=env)
        location = json.loads(result.stdout)["location"]
        assert set(location) == {"kind", "text", "zip", "city", "state", "lat", "lon"}, text
        shapes[location["kind"]] = location["lat"] is not None
    assert shapes == {"zip": True, "city": True, "address": False, "near_me": False,
                      "coordinates": True}  # fmt: skip


def test_parse_jsonl_answers_one_line_per_line_even_for_bad_lines(env: dict[str, str]) -> None:
    lines = '{"text": "shelter near me"}\nnot json\n{"text": "i want to die"}\n'
    result = CliRunner().invoke(cli, ["parse", "--jsonl"], input=lines, env=env)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 3
    assert out[0]["location"]["kind"] == "near_me"
    assert out[1] == {"error": 'line 2: expected {"text": "..."}'}
    assert out[2]["safety"] == "crisis"


def test_parse_without_a_model_says_how_to_train(tmp_path: Path, demo_db_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["parse", "detox"],
        env={"WAYFINDER_NLU_MODEL": str(tmp_path / "none"), "WAYFINDER_DB": str(demo_db_path)},
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Train it with: wayfinder nlu train" in result.stderr


def test_nlu_test_prints_scores_per_intent_and_the_safety_figures(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["nlu", "test"], env=env)
    assert result.exit_code == 0
    for line in ("crisis", "find_resource", "intent_accuracy", "handoff_recall",
                 "false_alarm_rate", "needs_exact", "location_exact"):  # fmt: skip
        assert line in result.stdout
    assert "handoff_recall      100.0%" in result.stdout


def test_nlu_test_safety_scores_the_frozen_blind_set_by_default(env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["nlu", "test", "--safety", "--skip-unseen", "--json"],
                                env=env)  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["risky"], report["safe"]) == (363, 340)
    assert set(report["by_category"]) >= {"ledge", "idiom", "third_party"}
    assert report["rules_only"]["risk_recall"] <= report["risk_recall"]


def test_nlu_test_safety_prints_a_table_and_names_a_bad_corpus_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    corpus = tmp_path / "mine.jsonl"
    lines = [
        {"text": "i want to die", "level": "crisis", "category": "explicit_ideation"},
        {"text": "hi", "level": "none", "category": "ordinary"},
    ]
    corpus.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = CliRunner().invoke(cli, ["nlu", "test", "--safety", str(corpus), "--skip-unseen"],
                                env=env)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "mine.jsonl: 1 risky (0 Spanish or mixed), 0 emergencies, 1 safe" in result.stdout
    assert "risk recall" in result.stdout and "false alarms" in result.stdout
    corpus.write_text('{"text": "hi", "level": "maybe", "category": "ordinary"}\n')
    result = CliRunner().invoke(cli, ["nlu", "test", "--safety", str(corpus)], env=env)
    assert result.exit_code == 1
    assert "mine.jsonl:1: level: 'maybe' is not one of none, crisis, emergency" in result.stderr
