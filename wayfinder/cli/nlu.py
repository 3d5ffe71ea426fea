"""`wayfinder parse` and `wayfinder nlu train|test`."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from bot.nlu import place_eval, responder_eval, safety_corpus, safety_eval
from bot.nlu.build import build
from bot.nlu.evaluate import evaluate
from bot.nlu.parser import ModelMissing, Parser, model_path
from bot.nlu.places import Gazetteer
from bot.nlu.safety import by_rules
from bot.nlu.training import TrainingDataError, load
from directory import ConfigError, open_db
from wayfinder.cli.options import db_option, json_option, settings

DATA = Path(__file__).parents[2] / "bot" / "nlu" / "data"
RESPONDER_SET = Path(__file__).parents[2] / "tests" / "data" / "responder_blind" / "parses.jsonl"


def _parser(db_path: str) -> Parser:
    try:
        db = open_db(db_path)
        found = settings().directory.for_directory(db)
        return Parser.load(
            db, settings().nlu_model, default_state=found.default_state,
            training=load(DATA / "nlu.yml"), lexicon_file=settings().bot.lexicon_file,
        )  # fmt: skip
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
    if result.person:
        click.echo(f"person:   {', '.join(f'{k}={v}' for k, v in result.person.items())}")
    for match in result.lexicon:
        needs = ", ".join(match.entry.needs) or "-"
        click.echo(f"lexicon:  {match.text!r} = {match.phrase!r} ({match.entry.source}): "
                   f"{needs}; {match.entry.means}")  # fmt: skip


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
    """Train the intent classifier from Rasa-format data and the safety model from the
    safety corpora (data/safety/train.jsonl, thresholds set on dev-1.jsonl);
    deterministic.

    Example:

        wayfinder nlu train
    """
    try:
        data = load(data_path)
    except TrainingDataError as error:
        raise click.ClickException(str(error)) from error
    target = Path(out) if out else model_path(settings().nlu_model)
    started = time.perf_counter()
    db = open_db(db_path)
    found = settings().directory.for_directory(db)
    try:
        built = build(data, target, Gazetteer.from_db(db, found.default_state))
    except safety_corpus.SafetyCorpusError as error:
        raise click.ClickException(str(error)) from error
    thresholds = built.safety.thresholds
    click.echo(
        f"Trained on {built.intent_examples} examples ({built.intents} intents) and "
        f"{built.safety_examples} safety messages in {time.perf_counter() - started:.1f} s "
        f"(safety thresholds: risk {thresholds.risk:.3f}, emergency "
        f"{thresholds.emergency:.3f}): {target}"
    )


@nlu_group.command("test")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--misses", is_flag=True, help="List every wrong answer.")
@click.option(
    "--safety", is_flag=True,
    help="Score the safety layer on a safety corpus (default: the frozen blind set), "
    "with the leave-one-category-out table.",
)  # fmt: skip
@click.option(
    "--places",
    is_flag=True,
    help="Score needs and places on a labelled place set (default: data/places/blind-1.jsonl).",
)
@click.option(
    "--responder",
    is_flag=True,
    help="Score needs, person facts and hand-offs on responders' and families' words "
    "(default: tests/data/responder_blind/parses.jsonl).",
)
@click.option(
    "--skip-unseen", is_flag=True,
    help="With --safety: no leave-one-category-out table (it retrains once per category).",
)  # fmt: skip
@db_option
@json_option
def test_command(
    file: str | None,
    misses: bool,
    safety: bool,
    places: bool,
    responder: bool,
    skip_unseen: bool,
    db_path: str,
    as_json: bool,
) -> None:
    """Score the model on held-out Rasa-format data (default bot/nlu/data/test.yml), with
    --safety the safety layer on a safety corpus (default data/safety/blind-1.jsonl), or
    with --places needs and street places on a place set (default data/places/blind-1.jsonl).

    Example:

        wayfinder nlu test
        wayfinder nlu test --safety
        wayfinder nlu test --places
        wayfinder nlu test --responder --misses
    """
    parser = _parser(db_path)
    if responder:
        _responder_test(parser, file, misses, as_json)
        return
    if places:
        _places_test(parser, db_path, file, misses, as_json)
        return
    if safety:
        _safety_test(parser, file, misses, skip_unseen, as_json)
        return
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


def _responder_test(parser: Parser, file: str | None, misses: bool, as_json: bool) -> None:
    path = Path(file) if file else RESPONDER_SET
    try:
        rows = responder_eval.load(path)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"Cannot read {path}: {error}") from error
    scores = responder_eval.score(parser.parse, rows)
    if as_json:
        click.echo(json.dumps({kind: s.as_json() for kind, s in scores.items()}, indent=2))
        return
    click.echo(f"{'kind':<22}{'messages':>9}{'needs':>8}{'facts':>8}{'hand-offs':>11}"
               f"{'false alarms':>14}")  # fmt: skip
    for kind in [*sorted(k for k in scores if k != "all"), "all"]:
        row = scores[kind].as_json()
        cells = [f"{row[k]:.1%}" if row[k] is not None else "-"
                 for k in ("needs", "facts", "handoff_recall")]  # fmt: skip
        click.echo(f"{kind:<22}{row['messages']:>9}{cells[0]:>8}{cells[1]:>8}{cells[2]:>11}"
                   f"{row['false_alarms']:>14}")  # fmt: skip
    if misses:
        click.echo("\n".join(["", *scores["all"].misses]))


def _places_test(
    parser: Parser, db_path: str, file: str | None, misses: bool, as_json: bool
) -> None:
    db = open_db(db_path)
    found = settings().directory.for_directory(db)
    try:
        rows = place_eval.load(file or place_eval.DATA / "blind-1.jsonl")
    except (ValueError, KeyError) as error:
        raise click.ClickException(str(error)) from error
    report = place_eval.score(parser, db, rows, found.home(db))
    summary = report.as_json()
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return

    def line(label: str, value: float | None, detail: str = "") -> None:
        shown = "—" if value is None else f"{value:.1%}"
        click.echo(f"{label:<30}{shown:>7}  {detail}".rstrip())

    click.echo(f"{Path(file).name if file else 'blind-1.jsonl'}: {report.messages} messages")
    line("needs exactly right", summary["needs_exact"], f"of {report.needs_labels}")
    line("labelled needs all found", summary["needs_found"], f"of {report.needs_labelled}")
    line("street places found", summary["street_spans_found"], f"of {report.street_spans}")
    line("measured from the right point", summary["right_point"],
         f"of {report.mapped} on the street map; {report.asked_which} asked which, "
         f"{report.unresolved} not placed")  # fmt: skip
    line("no place where none is named", summary["no_place_right"], f"of {report.no_place}")
    for kind, share in sorted(summary["place_kind_right"].items()):
        line(f"  place kind {kind}", share, f"of {report.kinds[kind]}")
    if misses:
        click.echo("\n".join(["", *report.misses]))


def _safety_test(
    parser: Parser, file: str | None, misses: bool, skip_unseen: bool, as_json: bool
) -> None:
    try:
        corpus = safety_corpus.load(file or safety_corpus.DATA / "blind-1.jsonl")
        train_set = safety_corpus.load(safety_corpus.DATA / "train.jsonl")
    except safety_corpus.SafetyCorpusError as error:
        raise click.ClickException(str(error)) from error
    report = safety_eval.score(parser.safety.assess, corpus)
    rules_only = safety_eval.score(by_rules, corpus)
    unseen: list[safety_eval.Unseen] = []
    if not skip_unseen and parser.safety.model is not None:
        with click.progressbar(
            length=len(safety_corpus.CATEGORIES), label="Leaving one category out",
            file=sys.stderr,
        ) as bar:  # fmt: skip
            unseen = safety_eval.leave_one_out(
                train_set + safety_corpus.ordinary_traffic(load(DATA / "nlu.yml")),
                parser.safety.model.thresholds,
                progress=lambda _: bar.update(1),
            )
    summary = report.as_json()
    if as_json:
        summary["rules_only"] = {k: v for k, v in rules_only.as_json().items()
                                 if k != "by_category"}  # fmt: skip
        summary["unseen_categories"] = [vars(row) for row in unseen]
        click.echo(json.dumps(summary, indent=2))
        return
    name = Path(file).name if file else "blind-1.jsonl"
    click.echo(
        f"{name}: {report.risk.total} risky ({report.risk_es.total} Spanish or mixed), "
        f"{report.emergency_911.total} emergencies, {report.false_alarms.total} safe"
    )
    click.echo(f"{'':<24}{'rules+model':>12}{'rules only':>12}")
    for label, ours, theirs in (
        ("risk recall", report.risk, rules_only.risk),
        ("  Spanish or mixed", report.risk_es, rules_only.risk_es),
        ("emergencies to 911", report.emergency_911, rules_only.emergency_911),
        ("false alarms", report.false_alarms, rules_only.false_alarms),
    ):
        click.echo(f"{label:<24}{ours.rate:>12.1%}{theirs.rate:>12.1%}")
    click.echo(f"hand-offs by a rule: {report.fired_by.get('rule', 0)}, by the model only: "
               f"{report.fired_by.get('model', 0)}")  # fmt: skip
    click.echo(f"\n{'category':<22}{'messages':>9}{'rate':>8}  (recall; false alarms for safe)")
    for category, row in summary["by_category"].items():  # type: ignore[attr-defined]
        click.echo(f"{category:<22}{row['messages']:>9}{row['rate']:>8.1%}")
    if unseen:
        click.echo(f"\nnever seen in training{'messages':>9}{'model':>8}{'+rules':>8}"
                   "  (recall; false alarms for safe)")  # fmt: skip
        for row in unseen:
            click.echo(f"{row.category:<22}{row.messages:>9}{row.model:>8.1%}{row.combined:>8.1%}")
    if misses:
        click.echo("\n".join(["", *report.misses]))
