import pytest

from bot.language.warning_signs import SPANS_KEY, temperature_reading


def signs(nlp, text):
    doc = nlp(text.lower())
    return {(s.label_, s.kb_id_) for s in doc.spans[SPANS_KEY]}


@pytest.mark.parametrize(
    "text, sign, severity",
    [
        ("I peed myself this morning", "bladder_bowel", "emergency"),
        ("i can't control my bladder", "bladder_bowel", "emergency"),
        ("my legs suddenly went weak", "sudden_weakness", "emergency"),
        ("my incision is oozing", "wound", "urgent"),
        ("the wound looks red and swollen", "wound", "urgent"),
        ("I have a fever", "fever", "urgent"),
        ("temp of 39", "fever", "urgent"),
        ("running 101 since last night", "fever", "urgent"),
        ("fevr and chills", "fever", "urgent"),
        ("numbness in my left foot", "numbness_weakness", "urgent"),
        ("pins and needles down my leg", "numbness_weakness", "urgent"),
        ("the pain keeps getting worse and the meds don't help", "increasing_pain", "urgent"),
        ("I still can't stand up straight", "walking_standing", "urgent"),
        ("chest pain and short of breath", "emergency", "emergency"),
        ("the blood keeps soaking into my bandage", "emergency", "emergency"),
    ],
)
def test_warning_signs_are_found(nlp, text, sign, severity):
    assert (sign, severity) in signs(nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "can i climb stairs after surgery",
        "what are the warning signs after surgery?",
        "when will the swelling go down",
        "i'm chilling at home",
        "i've been running 40 minutes a day",
        "temp of 37",
        "how do I keep the incision clean and dry",
        "when can I walk the dog",
        "is it normal to be a bit sore?",
    ],
)
def test_ordinary_questions_are_not_warning_signs(nlp, text):
    assert signs(nlp, text) == set()


@pytest.mark.parametrize(
    "token, celsius",
    [
        ("39", 39.0),
        ("38.5c", 38.5),
        ("101f", pytest.approx(38.33, 0.01)),
        ("101", pytest.approx(38.33, 0.01)),
        ("30", None),
        ("200", None),
        ("abc", None),
    ],
)
def test_temperature_readings(token, celsius):
    assert temperature_reading(token) == celsius
