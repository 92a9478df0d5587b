import pytest

from bot.language.warning_signs import CARE_KEY, SPANS_KEY, temperature_reading


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
        ("he hasn't passed urine since this morning", "bladder_bowel", "emergency"),
        ("the paracetamol just isn't cutting it", "increasing_pain", "urgent"),
        ("her pain has been steadily increasing all week", "increasing_pain", "urgent"),
        ("the ache is worse every day", "increasing_pain", "urgent"),
        ("the tablets no longer seem to help", "increasing_pain", "urgent"),
        ("nothing's helping my back", "increasing_pain", "urgent"),
        ("new paraesthesia in my left hand", "numbness_weakness", "urgent"),
        ("clear liquid coming from the incision", "wound", "urgent"),
        ("some redness around the edges of the dressing", "wound", "urgent"),
        ("the skin there feels hotter than the rest", "wound", "urgent"),
        ("she wet the bed without knowing", "bladder_bowel", "emergency"),
        ("i can't go even though my bladder is full", "bladder_bowel", "emergency"),
        ("there's blood all over the sheets", "emergency", "emergency"),
        ("the pad is soaked through", "wound", "urgent"),
        ("his back is getting more painful by the hour", "increasing_pain", "urgent"),
        ("the ache every day is worse", "increasing_pain", "urgent"),
        ("yellowish fluid on his shirt", "wound", "urgent"),
        ("a hard little ball under the scar", "wound", "urgent"),
        ("the left side feels weaker", "numbness_weakness", "urgent"),
        ("my heel feels like it's asleep", "numbness_weakness", "urgent"),
        ("he can't get up off the sofa", "walking_standing", "urgent"),
        ("her calf has gone puffy", "calf", "urgent"),
        ("his ankle keeps giving way", "sudden_weakness", "emergency"),
        ("we're ringing 999", "emergency", "emergency"),
        ("the ache has become worse", "increasing_pain", "urgent"),
        ("the pain is increasing day by day", "increasing_pain", "urgent"),
        ("the scar has gone purple", "wound", "urgent"),
        ("it's red and swollen near where they cut", "wound", "urgent"),
        ("he can't feel the tip of his toe", "numbness_weakness", "urgent"),
        ("reduced sensation in my heel", "numbness_weakness", "urgent"),
        ("my soles feel like cotton wool", "numbness_weakness", "urgent"),
        ("a patch that feels dead", "numbness_weakness", "urgent"),
        ("she is unable to weight bear", "walking_standing", "urgent"),
        ("i felt a sudden click in my back", "fall", "urgent"),
        ("she slipped getting out of bed and sat down hard", "fall", "urgent"),
        ("when i wipe after the loo i can't feel it", "bladder_bowel", "emergency"),
        ("he keeps having accidents", "bladder_bowel", "emergency"),
        ("feeling hot and cold since lunch", "fever", "urgent"),
        ("both legs just went", "sudden_weakness", "emergency"),
        ("the skin by the stitches is warm to the touch", "wound", "urgent"),
        ("she feels hot to touch", "fever", "urgent"),
        ("clear hole in the scar and liquid green out of it", "wound", "urgent"),
        ("his back ache is more and more strong", "increasing_pain", "urgent"),
        ("the pills do not make any difference", "increasing_pain", "urgent"),
        ("the tablets no make nothing", "increasing_pain", "urgent"),
        ("she was crying w the pain all night", "increasing_pain", "urgent"),
        ("a burning pain in my calf that wasn't there before", "increasing_pain", "urgent"),
        ("my chest feels tight when i breathe", "emergency", "emergency"),
        ("she couldnt tell whether anything came out when she went", "bladder_bowel", "emergency"),
        ("the scar is ok, a little red at one end", "wound", "urgent"),
        ("new onset sob this evening", "emergency", "emergency"),
        ("her back pain is more and more", "increasing_pain", "urgent"),
        ("the fall jolted him and his back aches much worse now", "increasing_pain", "urgent"),
        ("there's a soft lump under the scarf", "wound", "urgent"),  # voice typing for "scar"
        ("a dead patch of skin beside the cut", "numbness_weakness", "urgent"),
        ("less push in my right foot on the stairs", "numbness_weakness", "urgent"),
        ("his bum feels numb", "bladder_bowel", "emergency"),
        ("felt like something broke in my back when i lifted the crate", "fall", "urgent"),
        ("heard a crack sound in my neck and now it really hurts", "fall", "urgent"),
        ("progressive ↑ lbp since tuesday", "increasing_pain", "urgent"),
        ("codeine has had minimal effect", "increasing_pain", "urgent"),
        ("the oxy hardly takes the edge off", "increasing_pain", "urgent"),
        ("my leg pain is worse than before the op", "increasing_pain", "urgent"),
        ("her leg went dead under her in the kitchen", "sudden_weakness", "emergency"),
        ("there is blood on the pad, far more than before", "emergency", "emergency"),
        ("i felt something pull in my back lifting him", "fall", "urgent"),
        ("a blood spot coming through the dressing", "wound", "urgent"),
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
        "what's the clinic numbr",
        "he walks every day and is off the strong painkillers",
        "how does the small-cut approach compare with open surgery",
        "is it normal to feel a bit of clicking when i turn",
        "getting better day by day",
        "can she shower and get the dressing wet?",
        "his throat is a bit sore after the tube, is that normal?",
        "my legs ache a little when sleeping on my side",
        "i was in a white dressing gown all day",
        "we're in a bit of a muddle with the appointments",
        "I can't tell if I'm doing the exercises right",
        "physio is progressing well and the pain is much less",
        "the dressing has fallen on the floor",
        "I don't know who I am supposed to call",
        "i'm a bit shaky, can i use frozen peas on my back?",
        "the dressing had a little bit of old dried blood on it",
        "if the tablets don't make any difference, what then?",
        "driving a tractor means a lot of jolting",
        "the pain is less and i'm walking more and more",
        "my calf looks thinner than the other one",
        "a clicking noise in my neck when i turn my head",
        "the painkillers take the edge off",
        "she's still sleeping six hours after the operation",
        "my tummy felt bloated and tight the day after",
        "my foot went floppy for an hour but it's come right back",
        "touch wood i don't feel any numbness",
        "the nurses are so busy they hardly help",
        "my ankles are swollen and tight after the flight",
        "he's struggling to get up to pee at night",
        "is it normal for my calves to ache after walking?",
        "feeding the calves is hurting my back",
        "my teeth make a noise when i chew",
        "i heard a huge rip when i bent down, my trousers split",
        "my phone screen dims, it goes to sleep after a minute",
        "can i drive to ed's house next week",
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


@pytest.mark.parametrize(
    "text",
    ["38.6", "it's 39 now", "just checked, 38.4", "101.2", "temp 38", "38.1 on the thermometer"],
)
def test_a_bare_reading_at_the_fever_threshold_is_a_fever(nlp, text):
    assert ("fever", "urgent") in signs(nlp, text)


@pytest.mark.parametrize(
    "text",
    ["temp 37.9", "I'm 39", "he is 39 and had a fusion", "38 weeks pregnant", "I weigh 100.5 kg", "my dad is 84"],
)
def test_below_the_threshold_ages_and_other_units_are_no_fever(nlp, text):
    assert ("fever", "urgent") not in signs(nlp, text)


def test_the_fever_threshold_is_the_clinics_setting(nlp):
    from bot.language.vocabulary import load_fever_threshold

    assert load_fever_threshold() == 38.0
    assert nlp.get_pipe("spine_warning_signs").fever_celsius == 38.0


@pytest.mark.parametrize(
    "text, sign",
    [
        ("JUST FELL DOWN THE LAST 3 STAIRS. BACK HURTS LIKE HELL", "fall"),
        ("lifted a box in the shop, felt a crack. sharp pain now", "fall"),
        ("my left calf has gone swollen and tight", "calf"),
        ("I noticed a small hard lump under my scar", "wound"),
        ("the incision was fine but today it started leaking and the skin around it is hot", "wound"),
        ("I CANT FEEL THE TOP OF MY FOOT", "numbness_weakness"),
        ("her foot kind of slaps on the ground when she walks", "numbness_weakness"),
        ("the pain has been going up not down, meds barely touching it", "increasing_pain"),
        ("sciatica worse past 3 days", "increasing_pain"),
        ("bent over the sink and felt something give in my lower back", "fall"),
        ("i felt something like a snap when i lifted the bag", "fall"),
        ("her leg has got more and more painful since lunch", "increasing_pain"),
        ("the shooting pain down my leg is back again like before the surgery", "increasing_pain"),
        ("there's pinkish watery fluid on the dressing", "wound"),
        ("his dressing is damp again this morning", "wound"),
        ("the area is swollen and a bit hot", "wound"),
        ("my foot is a little bit sleeping since yesterday", "numbness_weakness"),
        ("a strange change in sensation down my shin", "numbness_weakness"),
        ("a change of sensation in the groin", "bladder_bowel"),
        ("his toes look pale and blue and feel cold", "circulation"),
        ("swallowing is getting harder every hour since the neck op", "swallowing"),
        ("her throat looks swollen tonight", "swallowing"),
        ("should we take him to a&e or wait?", "seeking_care"),
        ("we're calling an ambo now", "emergency"),
        ("the painkillers aren't giving any relief", "increasing_pain"),
        ("every day it gets worse", "increasing_pain"),
        ("sudden severe pain in my lower back after a cough", "increasing_pain"),
        ("my back is getting sorer", "increasing_pain"),
        ("her legs feel heavier today", "numbness_weakness"),
        ("my big toe i can't lift", "numbness_weakness"),
        ("his left leg looks bigger than the right", "calf"),
        ("a bruise spreading down from the dressing", "wound"),
        ("her right hand feels colder than the other", "circulation"),
        ("a nosebleed that won't stop", "emergency"),
        ("my dad has thrown up again and again since lunch", "vomiting"),
        ("she can't keep any water down", "vomiting"),
        ("he feels shaky and hot", "fever"),
        ("the ache is getting more intense since friday", "increasing_pain"),
        ("the ache has moved further down towards my knee", "increasing_pain"),
        ("his shoulder is achier every morning", "increasing_pain"),
        ("the sciatica in my calf is exactly like before the op", "increasing_pain"),
        ("it's the same burning pain in my shin that i had before surgery", "increasing_pain"),
        ("some bruising and swelling near the scar on my side", "wound"),
        ("next to the incision there is a soft bulge when i cough", "wound"),
        ("my neck scar feels a little lumpy", "wound"),
        ("her tummy is very distended", "wound"),
        ("i haven't done a wee since this morning", "bladder_bowel"),
        ("my mum fall down in kitchen today", "fall"),
        ("i felt something kind of 'pop' in my back", "fall"),
        ("pins n needles in both hands", "numbness_weakness"),
        ("his toes are sort of buzzing at night", "numbness_weakness"),
        ("the left foot is more cold than the right one", "circulation"),
        ("she says her back is burning even with the painkillers", "increasing_pain"),
        ("a green wet patch on his dressing, bigger than this morning", "wound"),
        ("the skin around the stitches looks pinkish", "wound"),
        ("my bladder feels full but i haven't managed to go", "bladder_bowel"),
        ("i have to strain to pee", "bladder_bowel"),
        ("her feet feel like pins, like little needles", "numbness_weakness"),
        ("my shin feels sort of dead", "numbness_weakness"),
        ("swollen right leg since the weekend", "calf"),
        ("toast keeps sticking in my throat when i swallow", "swallowing"),
        ("the incision is turning pinker every day", "wound"),
        ("a bit pink and sore round the edges of the cut", "wound"),
        ("his bandage is a bit damp again", "wound"),
        ("she can't feel anything on the inner thighs", "bladder_bowel"),
        ("i cannot feel nothing when i touch there", "numbness_weakness"),
        ("my right and call feels tight and puffy", "calf"),
        ("he can't straighten up since he picked up the box", "walking_standing"),
        ("some redness along the sutures this morning", "wound"),
        ("there's a tiny hole in the middle of her scar now", "wound"),
        ("when I pressed it, came out a bit of fluid", "wound"),
        ("his sciatica is back, as bad as before the operation", "increasing_pain"),
        ("before the op I had the same feeling in my calf and now it's back", "increasing_pain"),
        ("my arms feel sort of heavy since lunch", "numbness_weakness"),
        ("her right foot isn't lifting when she walks", "numbness_weakness"),
        ("his foot is dropping and slapping on the stairs", "numbness_weakness"),
        ("i can hardly lift my left leg onto the bed", "numbness_weakness"),
        ("he didn't make it to the loo this morning", "bladder_bowel"),
        ("i don't really feel when i need to pee any more", "bladder_bowel"),
        ("she can't feel the insides of both thighs", "bladder_bowel"),
        ("when I wipe myself it is sort of numb", "bladder_bowel"),
        ("he's not sure he completely emptied his bladder", "bladder_bowel"),
        ("she finds it difficult to breathe lying down", "emergency"),
        ("the ache is worse this evening than yesterday", "increasing_pain"),
        ("pt reports progressive LBP since the weekend", "increasing_pain"),
        ("a small red patch near the top of the wound", "wound"),
        ("the dressing had a spot of blood on it this morning", "wound"),
        ("he's shaking all over and says he is freezing", "fever"),
        ("my left leg feels a bit wobbly on the stairs", "numbness_weakness"),
        ("grandad has fallen in the garden", "fall"),
        ("she couldn't tell whether she'd finished weeing", "bladder_bowel"),
        ("he's gone numb between his legs", "bladder_bowel"),
        ("now both his legs are weak", "sudden_weakness"),
        ("he's gone delirious since the op", "confusion"),
        ("mum doesn't know where she is this evening", "confusion"),
        ("the drain bag is filling with blood", "emergency"),
        ("now i feel difficult for breathe", "emergency"),
        ("her right big toe isn't able to lift", "numbness_weakness"),
        ("i can't stand up on my tiptoes on the left", "numbness_weakness"),
        ("pins and noodles in my foot", "numbness_weakness"),
        ("mild erythema at the top of the incision", "wound"),
        ("his right ankle is really swollen today", "calf"),
        ("felt a sharp pop in my back lifting the shopping", "fall"),
        ("the tablets help in the day but at night they barely touch it", "increasing_pain"),
        ("grandma fall on the stairs this morning", "fall"),
        ("he knocked his head on the cupboard door when he stood up", "fall"),
        ("she can't properly feel her bottom on the toilet seat", "bladder_bowel"),
        ("he couldn't really feel the tissue when he wiped", "bladder_bowel"),
        ("she can't remember when she last did a wee", "bladder_bowel"),
        ("the dressing's bleeding, it's soaked through a bath towel", "emergency"),
        ("he can't feel the hot water from the shower on his shin", "numbness_weakness"),
        ("when i touch my thigh i can't feel it properly", "numbness_weakness"),
        ("the outside of my calf stays asleep all day", "numbness_weakness"),
        ("her foot is kind of floppy when she walks", "numbness_weakness"),
        ("a soft swelling has come up at the site of the operation", "wound"),
        ("there's a bump near the bottom end of the scar", "wound"),
        ("her tummy on the right side is bulging and feels firm", "wound"),
        ("he strained to pass a wee all afternoon", "bladder_bowel"),
        ("she's struggling to wee since lunch", "bladder_bowel"),
        ("it felt numb down below when i wiped", "bladder_bowel"),
        ("my bottom keeps going to sleep", "bladder_bowel"),
        ("we can't wake him up properly", "emergency"),
        ("tripped on the dog and landed on my tailbone", "fall"),
        ("slipped in the garden this morning", "fall"),
        ("his stepladder tipped over while he was painting", "fall"),
        ("mum fell backwards off the kitchen chair", "fall"),
        ("i felt a horrible crunch when i twisted", "fall"),
        ("this pain is worse than before they operated", "increasing_pain"),
        ("i went woozy and slid down onto the floor", "fall"),
        ("he is shivering from cold under two blankets", "fever"),
        ("her teeth keep chattering", "fever"),
        ("i've found a little knot by the top end of the cut", "wound"),
        ("she can't lift her toes off the floor", "numbness_weakness"),
        ("his foot had gone to sleep and still is", "numbness_weakness"),
        ("my right calf is sore and twice the size", "calf"),
        ("should we drive him to the ED", "seeking_care"),
        ("do i go to ED now", "seeking_care"),
    ],
)
def test_signs_in_patients_words(nlp, text, sign):
    assert sign in {label for label, _ in signs(nlp, text)}


@pytest.mark.parametrize(
    "text",
    [
        "my other half had an op on a slipped disc yesterday",
        "my hair fell out lol",
        "what if i fall?",
        "say i fall down, what then?",
        "he has fallen asleep in his chair",
        "i fall asleep on the sofa every afternoon",
        "when can i work from a ladder again",
        "he has gone to sleep at last",
        "is it ok to use the ladder my dad gave me",
        "the drip came from the roof",
        "the plane landed heavily and my back was fine",
        "i was so tired i crashed on my side for three hours",
        "my temperature fell again after paracetamol",
    ],
)
def test_no_fall_where_there_is_none(nlp, text):
    assert "fall" not in {label for label, _ in signs(nlp, text)}


def test_a_numb_hand_while_wiping_a_table_is_numbness_not_a_bladder_emergency(nlp):
    assert {label for label, _ in signs(nlp, "my hand went numb while wiping the kitchen table")} == {
        "numbness_weakness"
    }


def test_questions_whether_or_when_to_get_care_are_found_but_escalate_nothing(nlp):
    for text in (
        "should we head in now or wait",
        "is it ok to wait until monday?",
        "can i just mention it at my next appointment",
        "take him in tonight or ring the ward?",
        "we're waiting for my brother to drive us",
        "should it go through the gp or straight to the spinal team",
        "do we need to go in tonight",
    ):
        doc = nlp(text)
        assert len(doc.spans[CARE_KEY]) and not len(doc.spans[SPANS_KEY]), text
    assert not len(nlp("when can i go back to the gym?").spans[CARE_KEY])
