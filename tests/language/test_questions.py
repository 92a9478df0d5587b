from bot.language.questions import tells_only


def test_a_message_tells_only_when_it_asks_nothing_and_thanks_nobody():
    for text in (
        "He was lifting the feed bags when it went.",
        "Has been like this since Monday.",
        "Nearest ED 40 min.",
        "Sorry, I don't know what it was called. It was low down, where they removed the disc.",
        "It started when he stood up",
        "He was lifting the sacks, I tell him no but he don't listen",
        "Sorry, I don’t know what it was called.",
        "They didn't tell us anything, he's been lying there 3 hours",
        "When my husband stood up his leg gave way",
        "What happened was he slipped on the step",
        "It's hard to explain, he just went down",
    ):
        assert tells_only(text), text
    for text in (
        "is it bad",
        "ok, how long till he can drive",
        "she wants to know if she can shower",
        "we are leaving now can i give him water",
        "cheers, we're off",
        "kindly tell when he can teach again",
        "kindly advise about driving",
        "pls tell me the visiting times",
        "where",
        "how long till she can lift",
        "I need to know the lifting limit",
        "what if it comes back",
    ):
        assert not tells_only(text), text
