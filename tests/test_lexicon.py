"""The responder lexicon (bot/nlu/rules/responder.yml): every entry's every phrase reads as
its needs and facts, a code never swallows a house number, and a program's own file adds
its codes — or, when it cannot be used, stops the start with the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.nlu.lexicon import DEFAULTS, Lexicon, read
from directory import ConfigError
from wayfinder.cli import cli
from wayfinder.settings import Settings

ENTRIES = read(DEFAULTS, "defaults")


def _cases() -> list[Any]:
    return [pytest.param(entry, phrase, id=phrase) for entry in ENTRIES for phrase in entry.say]


@pytest.mark.parametrize(("entry", "phrase"), _cases())
def test_every_phrase_parses_to_its_needs_and_facts(entry: Any, phrase: str, parser: Any) -> None:
    # A relative's needs join others ("my son is using again"); never alone.
    text = f"{phrase} is using again" if entry.besides else phrase
    parse = parser.parse(text)
    assert any(m.entry.say == entry.say for m in parse.lexicon), [m.phrase for m in parse.lexicon]
    assert set(entry.needs) <= set(parse.needs), (text, parse.needs)
    for key, value in entry.person.items():
        assert parse.person.get(key) == value, (phrase, parse.person)


def test_a_relative_alone_is_not_a_search(parser: Any) -> None:
    """ "my son wants to kill himself" is the 988 hand-off, not a family-support search."""
    parse = parser.parse("my son told me he wants to kill himself")
    assert parse.safety == "crisis" and parse.needs == []


def test_no_phrase_belongs_to_two_entries() -> None:
    seen: dict[str, str] = {}
    for entry in ENTRIES:
        for phrase in entry.say:
            key = phrase.lower()
            assert key not in seen, f"{phrase!r} is in '{seen[key]}' and '{entry.means}'"
            seen[key] = entry.means


@pytest.mark.parametrize(
    ("text", "needs"),
    [
        ("code 10-96 adult male, where can i take him near 80205", ["crisis_stabilization"]),
        ("10 96 at colfax and broadway", ["crisis_stabilization"]),
        ("EDP at union station need placement", ["crisis_stabilization"]),
        ("5150 subj at union station", ["crisis_stabilization"]),
        ("detox placement 80204", ["detox"]),  # the message's own need, not "placement"'s
        ("5150'd a lady, need a bed 80204", ["crisis_stabilization"]),  # the hold's bed
        ("address is 1096 Pearl St", []),
        ("room 5150", []),
        ("case number 2026-1096", []),
        ("invoice 10-96 paid", []),
        ("form M-1 on the lease packet is signed", []),
        ("send me a pic of the place", []),
        ("placement test at school", []),
    ],
)
def test_codes_and_placements_in_context(text: str, needs: list[str], parser: Any) -> None:
    assert parser.parse(text).needs == needs


def test_a_juvenile_in_crisis_is_sixteen_and_needs_crisis_care(parser: Any) -> None:
    parse = parser.parse("need a place for a juvenile in crisis 80220")
    assert parse.person["age"] == 16
    assert "crisis_stabilization" in parse.needs
    assert parse.location is not None and parse.location.zip == "80220"


def test_a_suicide_code_hands_off_to_988(parser: Any) -> None:
    parse = parser.parse("10-56a at 16th and market pt medically clear")
    assert parse.safety == "crisis" and parse.safety_rule == "suicide_code"


def test_a_programs_own_codes_are_read_and_parse_says_where_from(
    tmp_path: Path, nlu_model: Path, demo_db_path: Path
) -> None:
    own = tmp_path / "codes.yml"
    own.write_text(
        "entries:\n"
        "  - say: ['signal 7', 'sig 7']\n"
        "    needs: [crisis_stabilization]\n"
        "    means: 'mental subject (our county)'\n",
        "utf-8",
    )
    env = {"WAYFINDER_NLU_MODEL": str(nlu_model), "WAYFINDER_DB": str(demo_db_path),
           "WAYFINDER_LEXICON_FILE": str(own)}  # fmt: skip
    result = CliRunner().invoke(cli, ["parse", "sig 7 at union station"], env=env)
    assert result.exit_code == 0, result.output
    assert "needs:    crisis_stabilization" in result.output
    assert f"'sig 7' = 'sig 7' ({own}): crisis_stabilization; mental subject (our county)" in (
        result.output
    )
    without = CliRunner().invoke(
        cli, ["parse", "sig 7 at union station"], env={**env, "WAYFINDER_LEXICON_FILE": ""}
    )
    assert "needs:    -" in without.output


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("entries:\n  - say: ['code 9']\n    needs: [psych]\n", "unknown need(s) psych"),
        ("entries:\n  - say: []\n    needs: [detox]\n", "'say' must be a list of phrases"),
        ("entries:\n  - say: ['code 9']\n", "give 'needs' or 'person'"),
        (
            "entries:\n  - say: ['code 9']\n    needs: [detox]\n    when: now\n",
            "unknown field(s) when",
        ),
        ("entries: [", "is not valid YAML"),
        ("- just a list\n", "expected a mapping with a list 'entries'"),
    ],
)
def test_an_unusable_lexicon_file_stops_the_start_naming_the_setting_and_the_entry(
    tmp_path: Path, content: str, says: str
) -> None:
    own = tmp_path / "codes.yml"
    own.write_text(content, "utf-8")
    with pytest.raises(ConfigError) as error:
        Settings.from_environ({"WAYFINDER_LEXICON_FILE": str(own)})
    assert str(error.value).startswith("WAYFINDER_LEXICON_FILE: Lexicon file")
    assert says in str(error.value)


def test_a_missing_lexicon_file_is_named() -> None:
    with pytest.raises(ConfigError, match=r"WAYFINDER_LEXICON_FILE: Lexicon file /nowhere\.yml"):
        Settings.from_environ({"WAYFINDER_LEXICON_FILE": "/nowhere.yml"})


def test_matching_keeps_the_words_as_written() -> None:
    found = Lexicon(ENTRIES).find("Got an E.D.P. at Civic Center")
    assert [(m.text, m.phrase) for m in found] == [("E.D.P.", "e.d.p.")]
