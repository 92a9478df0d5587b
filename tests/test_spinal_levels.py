import pytest

from bot.spinal_levels import canonical_level, special_cases


@pytest.mark.parametrize(
    "text, level",
    [
        ("L4-L5", "L4-L5"),
        ("l4/5", "L4-L5"),
        ("l4 l5", "L4-L5"),
        ("L5-S1", "L5-S1"),
        ("l5s1", "L5-S1"),
        ("C5–C6", "C5-C6"),
        ("l5", "L5"),
        ("L4 to L5", "L4-L5"),
    ],
)
def test_levels_are_canonical(text, level):
    assert canonical_level(text) == level


@pytest.mark.parametrize("text", ["L6", "x4-5", "l4-l9", "fusion"])
def test_non_levels_are_rejected(text):
    assert canonical_level(text) is None


def test_special_cases_keep_levels_in_one_token(nlp):
    assert {"L4-L5", "l4-l5", "l4/5", "L5-S1"} <= set(special_cases())
    assert [t.text for t in nlp("after my l4-l5 fusion?")] == ["after", "my", "l4-l5", "fusion", "?"]
    assert [t.norm_ for t in nlp("l4/5")] == ["L4-L5"]
