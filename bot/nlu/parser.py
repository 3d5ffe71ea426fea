"""One message in, one parse out: safety first, then needs, place and intent.

The safety layer runs before and independently of the classifier and overrides it: a
crisis or emergency parse has that intent whatever the classifier thought. A few
follow-up forms that need no model ("2", "#3", a bare ZIP) are read by rule, because a
wrong guess there sends an officer to the wrong door.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from bot.nlu import commands, lexicon, numbers, person, questions, safety, when
from bot.nlu.classifier import IntentClassifier, Marks
from bot.nlu.lexicon import Lexicon
from bot.nlu.message import MAX_CHARS, Message
from bot.nlu.needs import NeedFinder, NeedMatch
from bot.nlu.normalize import fold
from bot.nlu.places import PREPOSITIONS, Gazetteer, find_location
from bot.nlu.safety_model import SafetyModel, SafetyModelMissing
from bot.nlu.service_names import NameMatch, ServiceNames
from bot.nlu.training import TrainingData
from bot.nlu.types import Entity, Location, Parse
from directory.engine import Database

__all__ = ["MAX_CHARS", "ModelMissing", "Parser", "annotate", "model_path", "trained_model"]

HANDOFF_INTENTS = ("crisis", "emergency")
SMALL_TALK = ("greet", "goodbye", "thanks", "help", "affirm", "deny", "out_of_scope")
_FILLER = {
    "im", "i", "am", "at", "in", "near", "by", "the", "on", "its", "it", "is", "were", "we",
    "are", "here", "currently", "now", "right", "location", "my", "zip", "code", "address",
    "around", "city", "of", "estoy", "en", "cerca", "de", "mi", "la", "el", "ok", "so",
    "area", "try", "what", "about", "how", "instead", "and", "or", "please", "pls",
}  # fmt: skip
DEFAULT_MODEL = Path(__file__).parent / "model"


def model_path(configured: str | Path | None = None) -> Path:
    """Where the trained models live: the configured path (WAYFINDER_NLU_MODEL), else
    bot/nlu/model."""
    return Path(configured) if configured else DEFAULT_MODEL


class ModelMissing(RuntimeError):
    """No trained model at the path: run `wayfinder nlu train`."""


def trained_model(model: str | Path | None) -> Path:
    """The model's folder, when a model has been trained there.

    Raises:
        ModelMissing: it has not.
    """
    path = model_path(model)
    if not (path / "meta.json").exists():
        raise ModelMissing(f"No language model at {path}. Train it with: wayfinder nlu train")
    return path


class Parser:
    """Holds the loaded models, gazetteer and need lexicon; `parse` is cheap."""

    def __init__(
        self,
        classifier: IntentClassifier,
        gazetteer: Gazetteer,
        needs: NeedFinder | None = None,
        safety_check: safety.SafetyCheck | None = None,
        words: Lexicon | None = None,
        service_names: ServiceNames | None = None,
    ) -> None:
        self.classifier = classifier
        self.gazetteer = gazetteer
        self.needs = needs or NeedFinder()
        self.safety = safety_check or safety.SafetyCheck()
        self.lexicon = words or Lexicon.load()
        self.service_names = service_names or ServiceNames.none()

    @classmethod
    def load(
        cls,
        db: Database,
        model: str | Path | None = None,
        *,
        default_state: str | None = None,
        training: TrainingData | None = None,
        lexicon_file: str | Path | None = None,
    ) -> Parser:
        """Load the trained classifier, the directory's gazetteer and the responder
        lexicon (ours, then a program's own file).

        Raises:
            ModelMissing: the model has not been trained yet.
            ConfigError: the lexicon file cannot be used.
        """
        path = trained_model(model)
        try:
            safety_model = SafetyModel.load(path)
        except SafetyModelMissing as error:
            raise ModelMissing(str(error)) from error
        synonyms = _synonyms_by_need(training) if training else None
        gazetteer = Gazetteer.from_db(db, default_state)
        finder = NeedFinder(synonyms)
        # A town or a need word is no service's own name ("Aurora", "Detox").
        common = {*finder.known_words,
                  *(w for name in gazetteer.state_city_names for w in name.split()),
                  *(w for name in gazetteer.places for w in name.split())}  # fmt: skip
        return cls(
            IntentClassifier(path),
            gazetteer,
            finder,
            safety.SafetyCheck(safety_model),
            Lexicon.load(lexicon_file),
            ServiceNames.from_db(db, common),
        )

    def parse(self, message: Message | str, verdict: safety.Safety | None = None) -> Parse:
        """What one message says: safety first, then needs, place, intent and facts.

        Args:
            message: the message (best built once at the channel edge with `Message.of`).
            verdict: the safety check's answer when the channel already asked it for this
                message (it is asked once per message).

        Returns:
            The parse: intent and ranking, needs, place, safety level, entities, language,
            facts about the person and the time asked about.
        """
        if isinstance(message, str):
            message = Message.of(message, MAX_CHARS)
        text = message.text
        verdict = verdict or self.safety.assess(message)
        location = find_location(text, self.gazetteer)
        services = self.service_names.find(text) if text else []
        if location is not None and _inside_a_name(text, location, self.service_names, services):
            location = None  # "aspen hollow detox", "lodestar lawrence st": a name, no town
        words = self.lexicon.find(text, (location.start, location.end) if location else None)
        # "5150'd a lady, need a bed": the bed is the hold's, not a shelter's.
        needs = self.needs.find(text, also=lexicon.firm_needs(words))
        # The longer phrase reads the words: "won't sleep" is a sign, not a shelter's bed.
        # A phrase that holds a need's words names its own needs, whatever `alone` says.
        readers = {id(c): c for n in needs if (c := lexicon.covering(words, n.start, n.end))}
        needs = [n for n in needs if not lexicon.covering(words, n.start, n.end)]
        needs += [NeedMatch(need, m.start, m.end, m.text) for m in readers.values()
                  for need in m.entry.needs]  # fmt: skip
        needs = [m for i, m in enumerate(needs) if m.need not in {n.need for n in needs[:i]}]
        named = [m.need for m in needs]
        rest = [m for m in words if id(m) not in readers]
        for need in lexicon.needs_of(rest, named):  # each at the words that asked for it
            m = next(m for m in words if need in m.entry.needs)
            needs.append(NeedMatch(need, m.start, m.end, m.text))
        needs.sort(key=lambda m: m.start)
        marks = _marks(needs, location)
        ranking = self.classifier.rank(text, marks) if text else [("out_of_scope", 1.0)]
        if verdict.level == safety.NONE and ranking[0][0] in HANDOFF_INTENTS:
            # Hand-offs are the safety check's to decide, not the intent classifier's.
            ranking = [*ranking[1:], ranking[0]]
        intent, confidence = ranking[0]
        if needs and intent in (*SMALL_TALK, "select_result", "more_results"):
            # A message that names a need asks for it ("pt denies SI, requesting detox",
            # "thanks, shelter 80204", "more detox"): not small talk, not a follow-up.
            intent = "find_resource"
            confidence = dict(ranking).get(intent, confidence)
        if (needs and intent == "check_availability" and _OPEN_WORD.search(text)
                and not _BED_WORD.search(text)):  # fmt: skip
            # "rehab boulder open tonight?", "psychiatrist, anything open": "open" asks
            # about hours; only a word for beds makes it the bed board.
            intent = "find_resource"
            confidence = dict(ranking).get(intent, confidence)
        ruled = _by_rule(message, bool(needs), location is not None and _is_only(text, location))
        if ruled:
            intent, confidence = ruled, 1.0
        elif (intent == "out_of_scope" and not needs and not location
              and len(message.tokens) <= 8 and _GREETING.search(text)):  # fmt: skip
            intent = "greet"  # a longer message asks for something: the usual answer
        if verdict.level != safety.NONE:
            intent, confidence = verdict.level, 1.0
        if intent != ranking[0][0]:
            ranking = [(intent, confidence), *[r for r in ranking if r[0] != intent]]
        entities = [Entity("need", m.need, m.start, m.end) for m in needs]
        if location:
            entities.append(
                Entity("location", location.text, location.start, location.end, location.kind)
            )
        entities.extend(_numbers(message, intent))
        return Parse(
            text=text,
            language=message.language,
            intent=intent,
            confidence=confidence,
            intent_ranking=ranking[:5],
            needs=[m.need for m in needs],
            location=location,
            safety=verdict.level,
            entities=sorted(entities, key=lambda e: e.start),
            message=message,
            safety_rule=verdict.rule,
            person=lexicon.person_of(words) | person.facts(text),
            when=when.of(text),
            lexicon=words,
            services=services,
            asked_name=questions.asked_name(text),
            follow_up=questions.topic_of(text),
        )


_WORDS = re.compile(r"[\w'’]+")


def _inside_a_name(
    text: str, location: Location, names: ServiceNames, services: list[NameMatch]
) -> bool:
    """Whether a town named bare is a word of a service's name the message says with the
    word beside it ("Aspen" of "Aspen Hollow Detox", "Lawrence" of "Lodestar Lawrence
    Street"); after "in" or "near" it is the town."""
    if location.kind != "city" or not services:
        return False
    before = _WORDS.findall(text[: location.start].lower())
    if before and before[-1] in PREPOSITIONS:
        return False
    after = _WORDS.findall(text[location.end :].lower())
    phrases = [f"{before[-1]} {location.text}"] if before else []
    phrases += [f"{location.text} {after[0]}"] if after else []
    return names.say_any(services, phrases)


def _numbers(message: Message, intent: str) -> list[Entity]:
    """The numbers a follow-up or a bed update carries, as entities over the whole text:
    `number` (role `call` for "call 2"), `available`, `maximum`, `pin`."""
    found: list[Entity] = []
    end = len(message.text)
    if intent == "select_result" and (picked := numbers.selection(message.folded)):
        found.append(Entity("number", str(picked[0]), 0, end, "call" if picked[1] else None))
    if intent == "update_availability" and (count := numbers.bed_count(message.folded)):
        found.append(Entity("available", str(count[0]), 0, end))
        if count[1] is not None:
            found.append(Entity("maximum", str(count[1]), 0, end))
    if intent == "update_availability" and (code := commands.pin(message)):
        found.append(Entity("pin", code, 0, end))
    return found


def annotate(needs: NeedFinder, gazetteer: Gazetteer) -> Callable[[str], Marks]:
    """The same placeholders for training as for parsing."""

    def marks(text: str) -> Marks:
        cleaned = Message.of(text).text
        return _marks(needs.find(cleaned), find_location(cleaned, gazetteer))

    return marks


def _marks(needs: list[NeedMatch], location: Location | None) -> Marks:
    marks = [(m.start, m.end, "needword") for m in needs]
    if location and not any(s < location.end and location.start < e for s, e, _ in marks):
        marks.append((location.start, location.end, f"{location.kind.replace('_', '')}place"))
    return marks


def _is_only(text: str, location: Location) -> bool:
    """The message is the place and filler ("80204", "im at union station")."""
    rest = fold(text[: location.start] + " " + text[location.end :])
    return all(word in _FILLER for word in re.findall(r"[a-z0-9#]+", rest))


# "any crisis beds open?", "who has detox beds near 80204", "¿hay camas disponibles?":
# a question about beds is the bed board, whatever else the classifier guesses.
# A message that opens with a greeting or says who is writing, and asks for nothing: a
# greeting. The classifier has never seen the person's name ("hi, my name is Maria"), and
# unknown words pushed such messages to out_of_scope ("Sorry, I can only find…").
_GREETING = re.compile(
    r"^\W*(?:hi+|hello+|hey+|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening|day)|"
    r"hola|buen[oa]s(?: d[ií]as| tardes| noches)?|saludos|qu[eé] tal)\b"
    r"|\b(?:my name is|my name's|me llamo|mi nombre es)\b",
    re.IGNORECASE,
)
_BED_QUESTION = re.compile(
    r"\b(?:beds?|camas?|openings?|vacanc(?:y|ies)|space|spots?|cupos?|lugares)\b.*\b(?:open|"
    r"available|avail|free|left|anyone|disponibles?|libres?)\b|"
    r"\b(?:any|who has|how many|"
    r"cuantas|cuántas|hay|quien tiene|quién tiene)\b.{0,30}\b(?:beds?|camas?|openings?)\b|"
    r"^\W*(?:beds?|camas?)\b(?:\s+(?:in|near|en|cerca)\b|\W*$)",
    re.I,
)
_BED_WORD = re.compile(
    r"\b(?:beds?|camas?|openings?|vacanc(?:y|ies)|space|spots?|cupos?|lugares|room|capacity|"
    r"cots?|availability|available|disponibles?|full|llen[oa]s?|take|taking|accepting|wait)\b",
    re.I,
)
_OPEN_WORD = re.compile(r"\b(?:open|abiert[oa]s?)\b", re.I)
_STAFF_COUNT = re.compile(
    r"^\W*(?:we|we've|we have|tenemos|have|got)\b|"
    r"\b\d+\s+(?:beds?|camas?)\s+(?:open|left|free|available)\W*$|"
    r"^\W*(?:beds?|camas?)\s*:?\s*\d+\b",
    re.I,
)


# "ok what opens first", "what's open in the morning", "¿qué abre primero?": after a list
# of what is closed, the next of them in the order they open, not the first one's details.
_OPENS_FIRST = re.compile(
    r"\b(?:what|which(?: one| place)?|anything|whats|what's|what is)\s+(?:opens|open|is open|"
    r"will open|opens up)\b.{0,20}\b(?:first|soonest|earliest|next|early|in the morning|"
    r"tomorrow)\b|"
    r"\bwhen does (?:the )?(?:first|next) (?:one|place) open\b|"
    r"\b(?:que|qué|cual|cuál)\s+(?:abre|abren|está abierto|esta abierto)\b.{0,20}"
    r"\b(?:primero|antes|temprano|en la mañana|en la manana|mañana|manana)\b",
    re.I,
)


def _by_rule(message: Message, has_needs: bool, only_place: bool) -> str | None:
    if not has_needs and not only_place and _OPENS_FIRST.search(message.text):
        return "more_results"
    if numbers.is_pick(message.folded):
        return "select_result"
    if _BED_QUESTION.search(message.text) and not _STAFF_COUNT.search(message.text):
        return "check_availability"
    if only_place and not has_needs:
        return "provide_location"
    return None


def _synonyms_by_need(training: TrainingData) -> dict[str, list[str]]:
    return dict(training.synonyms)
