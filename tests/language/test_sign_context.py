"""Warning signs the patient reports, denies or only asks about (medspaCy ConText, bot/language/sign_context.py).

Multi-turn conversations (a sign reported in a later turn) are in tests/test_server.py.
"""

import pytest

from bot.language.sign_context import DENIED_SPANS_KEY
from bot.language.warning_signs import MENTIONS_KEY, SPANS_KEY


def labels(nlp, text, key):
    doc = nlp(text.lower())
    return {s.label_ for s in doc.spans[key]}


def reported(nlp, text):
    return labels(nlp, text, SPANS_KEY)


def denied(nlp, text):
    return labels(nlp, text, DENIED_SPANS_KEY)


@pytest.mark.parametrize(
    "text, sign",
    [
        ("my incision is leaking yellow stuff", "wound"),
        ("i have a fever of 39", "fever"),
        ("my husband has a fever tonight", "fever"),  # reported by a family member
        ("mum's wound is oozing and smells", "wound"),
        ("probably nothing but there's a bit of pus on the wound", "wound"),  # understated
        ("not a big deal, slight temp of 38.1 today", "fever"),
        ("no biggie, my toes are a little numb", "numbness_weakness"),
        ("the meds don't help and the pain keeps getting worse", "increasing_pain"),  # its own negation
        ("i can't walk more than a few steps", "walking_standing"),
        ("i cant catch my breath", "emergency"),
        ("no fever, but my incision is red and swollen", "wound"),  # a new clause after a denial
        ("i have no fever and my wound is leaking", "wound"),
        ("will my fever go away on its own?", "fever"),  # fever is never put off as "the future"
        ("she say her legs are numb since the morning", "numbness_weakness"),
        ("i twisted, felt a pop and went down, now the leg is numb", "fall"),
        ("no he didn't fall or anything his leg is numb", "numbness_weakness"),  # the denial ends there
        ("her would is getting more painful every day", "increasing_pain"),  # "would" typed for "wound"
        ("she didn't sleep at all last night she says the pain was way worse", "increasing_pain"),
    ],
)
def test_reported_signs_stay_warning_signs(nlp, text, sign):
    assert sign in reported(nlp, text)


@pytest.mark.parametrize(
    "text, sign",
    [
        ("no fever, incision looks fine, when can I swim?", "fever"),
        ("i'm not numb or weak, when can i go back to work", "numbness_weakness"),
        ("i don't have a fever", "fever"),
        ("haven't had any chills", "fever"),
        ("no redness or pus, and no fever", "fever"),
        ("my pain isn't getting worse", "increasing_pain"),
        ("my husband has no fever and his wound is healing", "fever"),  # denied for a family member
        ("no loss of bladder control or anything like that", "bladder_bowel"),
        ("wound healed, nil erythema", "wound"),
        ("I don't think she said the pain is worse", "increasing_pain"),
    ],
)
def test_denied_signs_are_not_warning_signs(nlp, text, sign):
    assert sign not in reported(nlp, text)
    assert sign in denied(nlp, text)


@pytest.mark.parametrize(
    "text, sign",
    [
        ("what if I get a fever?", "fever"),
        ("if the wound starts oozing who do i contact", "wound"),
        ("in case my pain gets worse, what should i do", "increasing_pain"),
        ("suppose i get the chills one night, do i call?", "fever"),
        ("if i lose control of my bladder what do i do", "bladder_bowel"),
        ("will my pain get worse when i start physio?", "increasing_pain"),  # the future, a softer sign
        ("Pain would got worse if I walk more than 1 hour?", "increasing_pain"),
        ("what if she says her legs are numb? who do I call then?", "numbness_weakness"),
    ],
)
def test_hypothetical_signs_are_only_asked_about(nlp, text, sign):
    assert sign not in reported(nlp, text)
    assert sign in denied(nlp, text)


def test_a_resolution_in_the_past_does_not_end_the_sign_of_now(nlp):
    assert "increasing_pain" in reported(nlp, "the pain gets worse each day. before this it had gone completely")
    assert "numbness_weakness" not in reported(nlp, "my foot was numb for an hour before it went away")


def test_words_pointing_back_at_a_symptom_are_mentions(nlp):
    texts = (
        "could that be it?",
        "she lifts the twins all day, could that have caused it",
        "in her condition can she fly?",
        "he was back on the building site, could that have done it?",
        "is this the reason?",
    )
    for text in texts:
        assert len(nlp(text).spans[MENTIONS_KEY]), text


def test_symptom_words_are_mentions_until_denied(nlp):
    doc = nlp("is some redness normal?")
    assert [s.text for s in doc.spans[MENTIONS_KEY]] == ["redness"] and not len(doc.spans[SPANS_KEY])
    doc = nlp("wound's dry, no redness, no swelling. how do i keep it that way?")
    assert not len(doc.spans[MENTIONS_KEY])
    assert {"redness", "swelling"} <= {s.text for s in doc.spans[DENIED_SPANS_KEY]}


@pytest.mark.parametrize(
    "text",
    [
        "the tingling I had on day one has gone",
        "I had tingling on day one but it went away. when can i drive?",
        "Last week I had two or three days of tingling down my right foot, which has now gone completely.",
        "a numb patch on my thigh last week, gone now. should i worry",
        "weakness in my right leg, to the point where I stumbled on the stairs, but this has since resolved",
        "his temperature was 38.2. We gave him paracetamol and by the evening it was back to normal",
        "no he didn't have a temperature",
        "the nurse said i might feel some tingling for a while",
        "the surgeon said my foot might still tingle for a while",
        "she lost the feeling in her toes for an hour, then the feeling came back",
        "the heavy legs I used to get are pretty much gone",
        "he felt hot and shaky and had the shivers, then overnight it was back to normal",
        "last night she couldn't feel her foot, but after ten minutes everything came back",
        "pins and needles in his feet for an hour last night, then it just went.",
        "her foot felt weak for a morning and then it went back to normal",
        "his toes were numb, maybe one hour, now is gone",
        "tingling in my calf after the walk, lasted ten minutes and then wore off",
        "my leg was numb on Sunday, and by Monday it was pretty much gone",
        "my foot went numb on the drive home, hopefully it's gone for good",
        "some fluid came through the dressing on monday, it has stopped and the wound is dry",
    ],
)
def test_signs_that_are_over_or_only_expected_are_set_aside(nlp, text):
    assert not reported(nlp, text)


@pytest.mark.parametrize(
    "text, sign",
    [
        ("the numbness never went away", "numbness_weakness"),
        ("the numbness hasn't gone away", "numbness_weakness"),
        ("the painkillers helped but it has stopped working and the pain is worse", "increasing_pain"),
        ("the dressing is leaking fluid and it hasn't stopped", "wound"),
        ("my leg is numb and the fever has gone", "numbness_weakness"),
        ("the redness went away but now the wound is leaking", "wound"),
        ("my calf has gone swollen", "calf"),
        ("her calf's gone sore and puffy", "calf"),
        ("the wound has gone all swollen", "wound"),
        ("the scar's gone a bit pink and puffy", "wound"),
        ("a numb patch on my thigh on the side they went in", "numbness_weakness"),
        ("i can't feel my toes when i wiggle them", "numbness_weakness"),
        ("i can't feel my left foot, and the physio has gone home", "numbness_weakness"),
        ("my son is here, my thigh is numb and the doctor has gone", "numbness_weakness"),
        ("my foot went numb and went down on the floor", "numbness_weakness"),
        (
            "my leg pain gets worse every day. before the op i had the same pain and it was gone",
            "increasing_pain",
        ),
        ("no numbness just the tingling in my toes", "numbness_weakness"),
        ("he's nil by mouth and his leg is numb", "numbness_weakness"),
        ("my toes are numb, as if they had gone to sleep", "numbness_weakness"),
        ("pins and needles in my heel. it's settled a bit since this morning", "numbness_weakness"),
        ("her thigh is numb. it has gone a tad weird", "numbness_weakness"),
        ("ugh 😩 they say it'll pass, anyway my leg is getting weaker", "numbness_weakness"),
        ("the numbness has eased a bit", "numbness_weakness"),
        ("my foot is numb, it has eased a little", "numbness_weakness"),
        ("my foot is numb, it's settled down a bit", "numbness_weakness"),
        ("the numbness has spread, it's gone to both legs now", "numbness_weakness"),
        ("the tingling has gone down into my foot now", "numbness_weakness"),
        ("the tingling has got worse and it's gone right down my leg now", "increasing_pain"),
        ("the numbness has gone right down my leg", "numbness_weakness"),
        ("the tingling has gone all the way down my leg", "numbness_weakness"),
        ("my calf is still numb. is that normal or should it have gone by now?", "numbness_weakness"),
        ("my calf is still numb, shouldn't it have gone by now?", "numbness_weakness"),
        ("my leg is still numb, how long until it's gone?", "numbness_weakness"),
        ("now he's on the floor in agony saying his back's gone", "increasing_pain"),
    ],
)
def test_a_sign_that_is_not_over_still_escalates(nlp, text, sign):
    assert sign in reported(nlp, text)


@pytest.mark.parametrize(
    "text, sign",
    [
        ("they told me my thigh might feel numb for a while, and it's still there", "numbness_weakness"),
        ("the nurse said i might get tingling in my foot and i still have it", "numbness_weakness"),
        ("i was warned i might experience numbness and weakness, and i am experiencing both", "numbness_weakness"),
        ("the surgeon said my toes might tingle for a bit and it's been doing that all week", "numbness_weakness"),
        ("bad night, couldnt sleep n woke up with my arm tingling", "numbness_weakness"),
        ("they said my thigh might feel numb and it really does.", "numbness_weakness"),
        ("they said i might get some tingling in my feet, and i've been getting that", "numbness_weakness"),
        ("the physio said my calf might go numb at times well i've got numbness in my shin", "numbness_weakness"),
        ("they said i might get a bit of tingling in my foot for a while n i do esp at nite", "numbness_weakness"),
        ("the surgeon said his leg might feel numb for a while and now it's mostly at night", "numbness_weakness"),
        ("they said i might have some numbness, & now its in both legs", "numbness_weakness"),
        ("the nurse said she might get some tingling but its been pretty much constant today", "numbness_weakness"),
        ("the surgeon said I might have some numbness, but now it's there all the time", "numbness_weakness"),
        ("they said I might get some numbness but it hasn't gone away", "numbness_weakness"),
        (
            "they told me I might get numbness in my toes for a few months and I have got a bit in my right foot",
            "numbness_weakness",
        ),
        ("was told i might have numbness and i have now, right foot and toes", "numbness_weakness"),
        ("said to watch out for numbness in the saddle area, I think I have got some", "numbness_weakness"),
    ],
)
def test_an_expected_sign_that_is_there_now_escalates(nlp, text, sign):
    assert sign in reported(nlp, text)


@pytest.mark.parametrize(
    "text",
    [
        "i don't have any numbness, the tiredness is still there though",
        "i was told i might get tingling, it has gone now though",
        "what if he's got a fever tonight",
        "i don't think i've got any numbness",
        "they said I might get numbness, and I do wonder if that's normal",
        "they said I might get some numbness but now its mostly back to normal",
        "they said I might get a fever and I do have a thermometer ready",
        "they said I might get some tingling, but it's been getting better",
        "the surgeon said I might get some numbness but it's been there less today",
        "they said I might get numbness for a while. I get a bit anxious about it",
        "they said I might get numbness. will I get a bit in my foot?",
        "the swelling in the front of my neck has gone down a lot",
        "the pain in my back's gone completely",
    ],
)
def test_a_confirmation_does_not_undo_a_denial_or_a_resolution(nlp, text):
    assert not reported(nlp, text)
