"""Whether a patient's message only tells something or asks something, from its words alone.

Used after an escalation (bot/rasa/policies.py): details that ask nothing ("He is 54. He was
lifting the feed bags.") are still about the sign; a question is answered.
"""

import re
from typing import List

# a clause opening with one of these asks something, with or without its question mark
QUESTION_OPENINGS = {"what", "when", "where", "why", "who", "which", "how"}
CLAUSE_END = re.compile(r"[.!,;\n]+")
# what follows a question word that opens a question ("when can", "how long", "what if"), not
# a statement ("when my husband stood up", "what happened was", "where they took the disc out")
QUESTION_NEXT = {
    "do",
    "does",
    "did",
    "can",
    "could",
    "should",
    "shall",
    "will",
    "would",
    "is",
    "are",
    "am",
    "was",
    "were",
    "may",
    "might",
    "must",
    "has",
    "have",
    "had",
    "long",
    "much",
    "many",
    "often",
    "soon",
    "far",
    "to",
    "about",
    "if",
    "else",
    "bad",
    "serious",
    "one",
    "'s",
    "’s",
}
# a verb before its subject asks something, also inside a message typed without stops ("... we
# are leaving now can i give him something")
INVERTED = re.compile(
    r"\b(can|could|should|shall|will|would|do|does|did|is|are|am|may|must|might|have|has) (i|we|he|she|they|you|u|it)\b"
)
# "he also wants to know when he can drive", "kindly tell when he can teach", "tell me...": asked
# all the same (not "I don't know what it was called", "they didn't tell us anything")
_NOT = r"(?<!n't )(?<!not )(?<!dont )(?<!didnt )(?<!doesnt )(?<!never )"
ASKING_WORDS = re.compile(
    r"\b(whether|wonder|wondering|inform|advise|asking|asks)\b"
    r"|\bkindly (tell|inform|advise|let|explain|suggest|guide|help|reply|answer|confirm)\b"
    r"|\b(need|needs|want|wants|like) to know\b"
    rf"|{_NOT}\bknow (if|whether|when|how|what|where|why|which|who|about)\b|{_NOT}\btell (me|us)\b"
)
THANKS = re.compile(r"\b(thank|thanks|thankyou|thx|cheers|ta)\b")


def tells_only(text: str) -> bool:
    """Whether a message only tells something: it asks nothing (no question mark, no clause opening
    with a question word, no verb before its subject as in "can i", no asking word as in "wants
    to know") and thanks nobody."""
    lowered = text.lower().replace("’", "'")
    if "?" in text or INVERTED.search(lowered) or ASKING_WORDS.search(lowered) or THANKS.search(lowered):
        return False
    clauses = (part.split() for part in CLAUSE_END.split(lowered))
    return not any(_opens_question(words) for words in clauses if words)


def _opens_question(words: List[str]) -> bool:
    """Whether a clause opens with a question word and what asks: "where do i go", "how long",
    not "where they took the disc out" or "when my husband stood up"."""
    return words[0] in QUESTION_OPENINGS and (len(words) == 1 or words[1] in QUESTION_NEXT)
