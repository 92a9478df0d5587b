"""The spaCy pipeline on generated text (Hypothesis): any text goes through, whatever its
characters, and what it finds is well formed."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.language.sign_context import DENIED_SPANS_KEY
from bot.language.time_expressions import SPANS_KEY as TIME_KEY
from bot.language.warning_signs import MENTIONS_KEY, SPANS_KEY

ISO_VALUE = re.compile(r"^(P\d+[DWMY]|(\d{4}|-)-\d{2}-\d{2})$")
SEVERITIES = {"urgent", "emergency"}
WORDS = st.sampled_from(
    ["5", "weeks", "ago", "inf", "nan", "1e999", "-5", "3000", "years", "no", "fever", "39", "pus", "leaking",
     "10/3", "october", "3rd", "day", "and", "a", "half", "not", "my", "incision", "?", ".", "🙂", "مرحبا"]
)  # fmt: skip
MESSAGES = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=60).map(" ".join))
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(MESSAGES)
def test_any_text_goes_through_and_every_value_is_well_formed(nlp, text):
    doc = nlp(text.lower())
    assert all(ISO_VALUE.match(span.kb_id_) for span in doc.spans[TIME_KEY])
    assert all(span.kb_id_ in SEVERITIES for span in doc.spans[SPANS_KEY])
    for key in (TIME_KEY, SPANS_KEY, MENTIONS_KEY, DENIED_SPANS_KEY):
        assert all(0 <= span.start < span.end <= len(doc) for span in doc.spans[key])


NOISE = st.text(st.characters(categories=["Nd", "P", "S", "Zs", "Cc"]), max_size=40)


@PROPERTY
@given(NOISE, NOISE)
def test_a_warning_sign_is_found_whatever_surrounds_it(nlp, before, after):
    doc = nlp(f"{before} my incision is leaking pus {after}".lower())
    assert [span.label_ for span in doc.spans[SPANS_KEY]]
