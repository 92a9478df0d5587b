"""spaCy component: which warning signs the patient denies or only asks about (NegEx / ConText).

Runs medspacy's ConText (Harkema et al., 2009; Chapman et al.'s NegEx trigger lists as curated
by medspaCy) over the warning signs found by bot/language/warning_signs.py, with the project's own
rules for patients' wording (data/warning_signs.yml, `context`). A sign that is negated ("no
fever"), hypothetical ("what if I get a fever?") or, for the softer signs, about the future
("will my pain get worse when I start physio?") moves from ``doc.spans["warning_signs"]`` to
``doc.spans["denied_warning_signs"]``. Everything else stays a warning sign: reported by a family
member, understated ("probably nothing, but..."), or with no clear cue. When in doubt, escalate.

The symptom words of ``doc.spans["symptom_mentions"]`` go through the same rules: denied ones
join the denied signs, the others stay.

A negation inside a sign's own phrase ("the meds don't help") is part of the sign, not a denial.

A sign followed closely by a phrase that says it is over ("tingling in my foot, which has now
gone completely") is set aside too: ConText stops a cue at every comma, these may cross commas
(`resolutions` in data/warning_signs.yml), but never another kind of sign, nor the same sign said
again in a later sentence ("...worse every day. Before the op I had the same pain and it was
gone": what was gone is the pain before the op). A phrase followed by words saying the sign is not
over ("it has gone to sleep", "it's eased a bit", `unfinished`) ends nothing. A sign only asked
about or expected ("the surgeon said my thigh might feel numb") followed as closely by a phrase
saying it is there now ("and it's still there", `confirmations`) stays a warning sign.

ConText compares every cue with every sign of a sentence, so it reads one sentence at a time, and
a sentence longer than WINDOW_TOKENS in windows of that size: the work grows linearly with the
message. A cue cut off from its sign by a window's edge takes nothing away: the sign escalates.
"""

from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from medspacy.context import ConText, ConTextRule
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from bot.language.phrases import NEG_NORMS
from bot.language.saved_settings import read_settings, save_settings
from bot.language.warning_signs import MENTIONS_KEY, OWN_NEGATION, SPANS_KEY

DENIED_SPANS_KEY = "denied_warning_signs"
NEGATED = "NEGATED_EXISTENCE"
# Categories that take a sign away; POSSIBLE_EXISTENCE, FAMILY and HISTORICAL do not.
DENYING = {NEGATED, "HYPOTHETICAL", "FUTURE"}
RULES_FILE = "rules.json"
RESOLUTIONS_KEY = "resolutions"
CONFIRMATIONS_KEY = "confirmations"
EARLIER_KEY = "earlier_states"
UNFINISHED_KEY = "unfinished"
# the token-pattern lists, in the order set_rules takes them
PHRASE_KEYS = (RESOLUTIONS_KEY, CONFIRMATIONS_KEY, EARLIER_KEY, UNFINISHED_KEY)
# Categories a confirmation overrides: a sign expected or asked about, not one denied.
EXPECTED = {"HYPOTHETICAL", "FUTURE"}
WINDOW_TOKENS = 80


def _inside(modifier: Any, span: Span) -> bool:
    start, end = modifier.modifier_span
    return span.start <= start and end <= span.end


# Negations right before a sign ("didn't have a temperature"): ConText passes over a cue that
# overlaps the sign's own words, so these are read here.
NEGATIONS = {"not", "n't", "nt", "no", "never", "doesnt", "didnt", "dont", "hasnt", "havent", "isnt", "wasnt"}
NEGATION_REACH = 2


def negated_just_before(span: Span) -> bool:
    """Whether a negation is among the two words before the sign (and the sign has none of its own)."""
    if span._.own_negation:
        return False
    before = span.doc[max(0, span.start - NEGATION_REACH) : span.start]
    return any(t.lower_ in NEGATIONS or t.norm_ == "not" for t in before)


def clause_break_between(modifier: Any, span: Span) -> bool:
    """Whether a clause break (a TERMINATE cue) lies between the cue and the sign. ConText stops a
    cue at the first break it compares the cue with, which for a cue after the sign is the one
    farthest away (medspaCy's tuple_overlaps misses a scope inside another): "I can't feel my foot,
    and the nurse has gone off" would deny the foot."""
    start, end = modifier.modifier_span
    low, high = (end, span.start) if end <= span.start else (span.end, start)
    return any(
        other.direction.upper() == "TERMINATE" and low <= other.modifier_span[0] and other.modifier_span[1] <= high
        for other in span.doc._.context_graph.modifiers
    )


def after_negation(modifier: Any, span: Span) -> bool:
    """Whether the cue comes after the negation of the sign's own phrase: part of that phrase ("couldn't
    tell whether she'd finished weeing"), unlike one before it ("more tablets if they don't help?")."""
    negations = [t.i for t in span if t.lower_ in NEGATIONS or t.norm_ in NEG_NORMS]
    return bool(negations) and modifier.modifier_span[0] > negations[0]


def denial(span: Span) -> Optional[str]:
    """The ConText category that takes the sign away (its own negation, and a cue after it inside
    the sign's phrase, do not), or None."""
    if negated_just_before(span):
        return NEGATED
    for modifier in span._.modifiers:
        if modifier.category not in DENYING or clause_break_between(modifier, span):
            continue
        if (
            span._.own_negation
            and _inside(modifier, span)
            and (modifier.category == NEGATED or after_negation(modifier, span))
        ):
            continue
        return str(modifier.category)
    return None


def windows(doc: Doc, spans: Sequence[Span]) -> Iterator[Tuple[Span, List[Span]]]:
    """The sentences (or windows of at most WINDOW_TOKENS of a longer one, never cutting a span)
    that contain spans, each with its spans."""
    ordered = sorted(spans, key=lambda s: s.start)
    index = 0
    for sentence in doc.sents:
        start = sentence.start
        while start < sentence.end and index < len(ordered):
            end = min(start + WINDOW_TOKENS, sentence.end)
            inside = []
            while index < len(ordered) and ordered[index].start < end:
                end = max(end, ordered[index].end)
                inside.append(ordered[index])
                index += 1
            if inside:
                yield doc[start:end], inside
            start = end


def _in_window(window: Doc, offset: int, span: Span) -> Span:
    copy = Span(window, span.start - offset, span.end - offset, label=span.label_, kb_id=span.kb_id_)
    copy._.set(OWN_NEGATION, span._.get(OWN_NEGATION))
    return copy


def chain_end(span: Span, others: Sequence[Span], reach: int) -> int:
    """Where the sign's mentions end: the same sign said again within `reach` words in the same
    sentence ("hot and flushed and had the shivers") extends it. Said again in a later sentence, it
    is a report of its own ("...every day more strong. Before the operation I had the same pain and
    it was gone": what was gone is the pain before the operation)."""
    end = span.end
    sentence_end = span.sent.end
    for other in sorted(others, key=lambda o: o.start):
        if other.label_ == span.label_ and span.start <= other.start <= end + reach and other.end <= sentence_end:
            end = max(end, other.end)
    return end


def followed_by(span: Span, phrases: Sequence[Tuple[int, int]], reach: int, others: Sequence[Span] = ()) -> bool:
    """Whether one of the phrases starts within `reach` words after the sign or its repetition, with
    no other sign of `others` between: the same sign said again counts only outside the sign's
    chain (said again in a later sentence, it takes the phrase for itself)."""
    end = chain_end(span, others, reach)
    for start, _ in phrases:
        between = [o for o in others if span.end <= o.start < start and not (o.label_ == span.label_ and o.end <= end)]
        if span.end <= start <= end + reach and not between:
            return True
    return False


class SignContext:
    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.nlp = nlp
        self.set_rules([])

    def _context(self, group: str) -> ConText:
        context = ConText(self.nlp, name=f"{self.name}_{group}", input_span_type="group", span_group_name=group)
        context.add([ConTextRule(**rule) for rule in self.rules])
        return context

    def set_rules(
        self,
        rules: List[Dict[str, Any]],
        reach: int = 0,
        resolutions: Sequence[List[Dict[str, Any]]] = (),
        confirmations: Sequence[List[Dict[str, Any]]] = (),
        earlier: Sequence[List[Dict[str, Any]]] = (),
        unfinished: Sequence[List[Dict[str, Any]]] = (),
    ) -> None:
        """The project's rules, added to medspaCy's (keys of ConTextRule: literal, category,
        direction, pattern, allowed_types...), the phrases that say a sign is over, those that say
        an expected one is there, those that put a resolution right after them in the past and
        those that say the resolution right before them is not over ("it has gone to sleep")."""
        self.rules = rules
        self.contexts = {group: self._context(group) for group in (SPANS_KEY, MENTIONS_KEY)}
        self.reach = reach
        self.patterns = {
            key: list(patterns) for key, patterns in zip(PHRASE_KEYS, (resolutions, confirmations, earlier, unfinished))
        }
        self.matcher = Matcher(self.nlp.vocab)
        for key, patterns in self.patterns.items():
            if patterns:
                self.matcher.add(key, patterns)

    def verdicts(self, doc: Doc, group: str) -> List[Tuple[Span, Optional[str]]]:
        """Each span of the group with the category that takes it away (None: reported), window by
        window."""
        found: List[Tuple[Span, Optional[str]]] = []
        for window, spans in windows(doc, list(doc.spans.get(group, []))):
            part = window.as_doc()
            part.spans[group] = [_in_window(part, window.start, span) for span in spans]
            self.contexts[group](part)
            found += [(span, denial(copy)) for span, copy in zip(spans, part.spans[group])]
        return found

    def __call__(self, doc: Doc) -> Doc:
        denials: List[Span] = []
        phrases: Dict[str, List[Tuple[int, int]]] = {key: [] for key in PHRASE_KEYS}
        for match_id, start, end in self.matcher(doc):
            phrases[self.nlp.vocab.strings[match_id]].append((start, end))
        earlier_ends = {end for _, end in phrases[EARLIER_KEY]}
        unfinished_starts = {start for start, _ in phrases[UNFINISHED_KEY]}
        phrases[RESOLUTIONS_KEY] = [
            (start, end)
            for start, end in phrases[RESOLUTIONS_KEY]
            if start not in earlier_ends and end not in unfinished_starts
        ]
        for group in self.contexts:
            found = self.verdicts(doc, group)
            spans = [span for span, _ in found]
            verdicts = [(span, self.denied(span, category, spans, phrases)) for span, category in found]
            denials += [span for span, is_denied in verdicts if is_denied]
            doc.spans[group] = [span for span, is_denied in verdicts if not is_denied]
        doc.spans[DENIED_SPANS_KEY] = denials
        return doc

    def denied(
        self, span: Span, category: Optional[str], spans: Sequence[Span], phrases: Dict[str, List[Tuple[int, int]]]
    ) -> bool:
        """Whether the sign is taken away: said to be over, or denied, or expected or asked about
        with no confirmation after it (which may cross other signs: "I might get numbness and
        tingling, and I have both")."""
        if followed_by(span, phrases[RESOLUTIONS_KEY], self.reach, spans):
            return True
        if category in EXPECTED:
            return not followed_by(span, phrases[CONFIRMATIONS_KEY], self.reach)
        return category is not None

    def to_disk(self, path: Path, exclude: Iterable[str] = ()) -> None:
        save_settings(path, RULES_FILE, {"rules": self.rules, "reach": self.reach, **self.patterns})

    def from_disk(self, path: Path, exclude: Iterable[str] = ()) -> "SignContext":
        content = read_settings(path, RULES_FILE)
        self.set_rules(content["rules"], content["reach"], *(content[key] for key in PHRASE_KEYS))
        return self


@Language.factory("spine_sign_context")
def make_sign_context(nlp: Language, name: str) -> SignContext:
    return SignContext(nlp, name)
