"""The warning-sign net over a text of any length, in time linear in its length.

Loads only the pipeline components the net needs (up to bot/language/sign_context.py) and reads
the text in overlapping pieces, so every spaCy call is short and a warning sign's phrase is
whole in at least one piece. Runs in a worker process of the Rasa server
(bot/rasa/channels/bounded.py), for messages too long for the assistant to read.
"""

from __future__ import annotations

import functools
from typing import Iterator, Optional, Tuple

import spacy
from spacy.language import Language

from bot import settings
from bot.language.warning_signs import SEVERITY_RANK, primary_sign

NOT_NEEDED = ("spine_time_expressions", "spine_sentence_vectors")
PIECE_CHARACTERS = 2000
PIECE_OVERLAP = 300


@functools.lru_cache(maxsize=1)
def warning_sign_net() -> Language:
    return spacy.load(settings.SPACY_MODEL_DIR, exclude=list(NOT_NEEDED))


def pieces(text: str, size: int = PIECE_CHARACTERS, overlap: int = PIECE_OVERLAP) -> Iterator[str]:
    """Overlapping pieces of the text, cut at spaces where there are any."""
    start = 0
    while start < len(text):
        end = len(text) if len(text) - start <= size else text.rfind(" ", start + overlap + 1, start + size)
        end = start + size if end <= start else end
        yield text[start:end]
        if end >= len(text):
            return
        start = end - overlap


def most_severe_sign(text: str) -> Optional[Tuple[str, str]]:
    """(sign id, severity) of the most severe warning sign the patient does not deny, if any."""
    found = [sign for doc in warning_sign_net().pipe(pieces(text.lower())) if (sign := primary_sign(doc)) is not None]
    if not found:
        return None
    sign = min(found, key=lambda s: SEVERITY_RANK[s.kb_id_])
    return sign.label_, sign.kb_id_
