import pytest

from bot.durations import to_iso
from bot.language.time_expressions import SPANS_KEY

SINCE, DATE = "time_since_surgery", "surgery_date"


def spans(nlp, text):
    doc = nlp(text.lower())
    return [(s.label_, s.kb_id_) for s in doc.spans[SPANS_KEY]]


@pytest.mark.parametrize(
    "text, label, value",
    [
        ("I had surgery 5 weeks ago", SINCE, "P5W"),
        ("i'm two weeks post-op", SINCE, "P2W"),
        ("10 days out from my fusion", SINCE, "P10D"),
        ("it's been 3 months since my decompression", SINCE, "P3M"),
        ("can i swim at 5 weeks?", SINCE, "P5W"),
        ("5wks post op", SINCE, "P5W"),
        ("a week ago", SINCE, "P1W"),
        ("day 10 after surgery", SINCE, "P10D"),
        ("3 weeks", SINCE, "P3W"),
        ("surgery was yesterday", SINCE, "P1D"),
        ("a couple of weeks ago", SINCE, "P2W"),
        ("I had surgery on October 3", DATE, "--10-03"),
        ("op was on the 3rd of oct", DATE, "--10-03"),
        ("surgery on 10/3", DATE, "--10-03"),
        ("october 3rd, 2025", DATE, "2025-10-03"),
        ("12/24/2025", DATE, "2025-12-24"),
    ],
)
def test_time_since_surgery_and_surgery_dates(nlp, text, label, value):
    assert spans(nlp, text) == [(label, value)]


@pytest.mark.parametrize(
    "text",
    [
        "can I go back to work in 2 to 3 weeks?",
        "most patients recover within 2 to 4 weeks",
        "what happens in weeks 4 to 8",
        "may i swim",
    ],
)
def test_durations_that_are_not_time_since_surgery_are_ignored(nlp, text):
    assert spans(nlp, text) == []


def test_fractional_durations_become_days():
    assert to_iso(1.5, "W") == "P10D"
    assert to_iso(2, "M") == "P2M"


@pytest.mark.parametrize("number", ["inf", "nan", "1e999", "-5", "99999999999"])
def test_numbers_that_are_no_amount_are_not_durations(nlp, number):
    assert spans(nlp, f"my incision has been leaking for {number} days") == []


def test_absurd_durations_are_kept_for_the_actions_to_reject(nlp):
    assert spans(nlp, "my fusion was 3000 years ago") == [("time_since_surgery", "P3000Y")]
