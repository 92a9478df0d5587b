"""The source passages are the articles' own words, with page furniture and marketing left out."""

import hashlib
import re

import pytest

from bot import settings
from bot.sources import load_sources, passages_by_id

SOURCE_FILES = {"miss": "miss-recovery.txt", "fusion": "spinal-fusion-guide.txt"}
MARKETING = [
    "7,500",
    "Real Patient Stories",
    "Show Full Review",
    "preeminent",
    "Copyright",
    "Why should you have your surgery",
]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("•", " ")).strip()


def test_passage_ids_are_unique_and_sources_described():
    ids = [p.id for s in load_sources() for p in s.passages]
    assert len(ids) == len(set(ids))
    for source in load_sources():
        assert source.title and source.publisher and source.origin


@pytest.mark.parametrize("source_id, file_name", SOURCE_FILES.items())
def test_article_passages_are_verbatim(source_id, file_name):
    path = settings.SHARED_DIR.get() / "sources" / file_name
    if not path.is_file():
        pytest.skip(f"{path} not present: set SHARED_DIR to check passages against the captured articles")
    raw = path.read_bytes()
    source = next(s for s in load_sources() if s.id == source_id)
    assert hashlib.sha256(raw).hexdigest() == source.sha256, "the captured article changed: review the passages"
    article = normalise(raw.decode("utf-8"))
    for passage in source.passages:
        assert normalise(passage.text) in article, passage.id


def test_no_marketing_or_page_furniture():
    for passage in passages_by_id().values():
        for phrase in MARKETING:
            assert phrase not in passage.text, (passage.id, phrase)
