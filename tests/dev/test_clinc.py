"""The CLINC150 questions: the yes and no intents the assistant handles itself are left out."""

import pytest

from bot.dev import clinc


@pytest.mark.parametrize("split", clinc.SPLITS)
def test_the_handled_intents_are_left_out_of_every_split(split: str) -> None:
    everything = clinc.read_split(split)
    handled = clinc.handled_questions(split, everything)
    kept = clinc.load_split(split)
    assert len(everything) - len(kept) == 2 * clinc.QUESTIONS_PER_INTENT[split]
    assert not handled & set(kept)


def test_the_groups_are_cut_at_clincs_intent_boundaries() -> None:
    train = clinc.read_split("train")
    handled = clinc.handled_questions("train", train)
    assert {"yep", "that would be false"} <= handled  # first of "yes", last of "no"
    assert not {"when to change my oil", "is the apr on my credit card good"} & handled  # their neighbours


def test_the_training_sample_has_none_of_them() -> None:
    sample = clinc.SAMPLE_FILE.read_text(encoding="utf-8")
    lines = {line.strip()[2:] for line in sample.splitlines() if line.startswith("    - ")}
    assert lines and not lines & clinc.handled_questions("train", clinc.read_split("train"))
