"""`wayfinder parse` and `wayfinder nlu train|test`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from bot.nlu.classifier import train
from bot.nlu.evaluate import evaluate
from bot.nlu.needs import NeedFinder
from bot.nlu.parser import ModelMissing, Parser, annotate, model_path
from bot.nlu.places import Gazetteer
from bot.nlu.training import TrainingDataError, load
from directory import ConfigError, DirectorySettings, open_db
from directory.cli import db_option, json_option

DATA = Path(__file__).parent / "data"


def _parser(db_path: str) -> Parser:
    try:
        db = open_db(db_path)
        settings = DirectorySettings.from_environ().for_directory(db)
        return Parser.load(
            db, default_state=settings.default_state, training=load(DATA / "nlu.yml")
        )
    except (ModelMissing, ConfigError, TrainingDataError) as error:
        raise click.ClickException(str(error)) from error


@click.command("parse")
@click.argument("text", required=False)
@click.option(
    "--jsonl", is_flag=True, help='Read {"text": ...} lines on stdin, write one parse per line.'
)
@db_option
@json_option
def parse_command(text: str | None, jsonl: bool, db_path: str, as_json: bool) -> None:
    """What the assistant understands of a message: intent, needs, place, safety.

    Example:

        wayfinder parse "detox 85705" --json
    """
    parser = _parser(db_path)
    if jsonl:
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                message = item["text"] if isinstance(item, dict) else None
                if not isinstance(message, str):
                    raise ValueError
            except (ValueError, KeyError):
                out = {"error": f'line {number}: expected {{"text": "..."}}'}
            else:
                out = parser.parse(message).as_json()
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        return
    if text is None:
        raise click.UsageError("Give a TEXT to parse, or --jsonl to read lines from stdin.")
    result = parser.parse(text)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    place = result.location
    click.echo(f"intent:   {result.intent} ({result.confidence:.2f})")
    click.echo(f"safety:   {result.safety}")
    click.echo(f"needs:    {', '.join(result.needs) or '-'}")
    click.echo(f"location: {f'{place.kind} {place.text!r}' if place else '-'}")
    click.echo(f"language: {result.language}")


@click.group("nlu")
def nlu_group() -> None:
    """Train and evaluate the language model."""


@nlu_group.command("train")
@click.option("--data", "data_path", type=click.Path(exists=True, dir_okay=False),
              default=str(DATA / "nlu.yml"), show_default=True)  # fmt: skip
@click.option(
    "--out", type=click.Path(file_okay=False), help="Model folder (default bot/nlu/model)."
)
@db_option
def train_command(data_path: str, out: str | None, db_path: str) -> None:
    """Train the intent classifier from Rasa-format data (deterministic, seconds).

    Example:

        wayfinder nlu train
    """
    try:
        data = load(data_path)
    except TrainingDataError as error:
        raise click.ClickException(str(error)) from error
    target = Path(out) if out else model_path()
    started = time.perf_counter()
    db = open_db(db_path)
    settings = DirectorySettings.from_environ().for_directory(db)
    gazetteer = Gazetteer.from_db(db, settings.default_state)
    train(data.examples, target, annotate=annotate(NeedFinder(data.synonyms), gazetteer))
    click.echo(
        f"Trained on {len(data.examples)} examples, {len(data.intents)} intents, "
        f"in {time.perf_counter() - started:.1f} s: {target}"
    )


@nlu_group.command("test")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--misses", is_flag=True, help="List every wrong answer.")
@db_option
@json_option
def test_command(file: str | None, misses: bool, db_path: str, as_json: bool) -> None:
    """Score the model on held-out Rasa-format data (default bot/nlu/data/test.yml).

    Example:

        wayfinder nlu test
    """
    parser = _parser(db_path)
    try:
        examples = load(file or DATA / "test.yml").examples
    except TrainingDataError as error:
        raise click.ClickException(str(error)) from error
    report = evaluate(parser, examples)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
        return
    summary = report.as_json()
    click.echo(f"{'intent':<22}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}")
    for intent, s in report.per_intent_scores().items():
        click.echo(f"{intent:<22}{s['precision']:>10.3f}{s['recall']:>8.3f}{s['f1']:>7.3f}"
                   f"{s['support']:>9.0f}")  # fmt: skip
    click.echo("")
    for key in ("intent_accuracy", "needs_exact", "location_exact", "handoff_recall",
                "false_alarm_rate"):  # fmt: skip
        click.echo(f"{key:<20}{summary[key]:.1%}")
    click.echo(f"messages            {report.total}")
    if report.confusion:
        click.echo("most confused: " + "; ".join(
            f"{e}→{g} ×{n}" for (e, g), n in report.confusion.most_common(5)))  # fmt: skip
    if misses:
        click.echo("\n".join(["", *report.misses]))
