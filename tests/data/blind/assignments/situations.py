"""Writes a blind writer's assignment: one line per conversation, a patient situation and a style.

    python tests/data/blind/assignments/situations.py SEED COUNT PREFIX [--focus] > assign-PREFIX.txt

`--focus` draws the situations from FOCUS only (the last four training writers); `--body` from BODY
only (the fresh warning-sign set).

The lines name life circumstances, never the assistant's topics or labels (tests/data/blind/README.md).
The assignment files here were made with the seeds listed in that README.
"""

import random
import sys

WHO = [
    "the patient",
    "the patient",
    "the patient",
    "the patient",
    "the patient",
    "the patient",
    "the patient's wife",
    "the patient's husband",
    "the patient's partner",
    "the patient's adult daughter (the patient is her elderly parent)",
    "the patient's adult son (writing for his mother)",
    "a parent writing for their 20-something child",
    "a friend or neighbour helping out",
    "the patient, who works as a nurse",
    "the patient, who is a physiotherapist's assistant",
    "a paid home carer looking after the patient",
]
PERSON = [
    "24, warehouse picker",
    "27, university student with exams soon",
    "29, five-a-side footballer and plumber",
    "31, software developer working from home",
    "33, army reservist",
    "35, call-centre worker",
    "36, mother of two toddlers",
    "38, hairdresser on her feet all day",
    "39, yoga teacher",
    "41, delivery driver",
    "43, single dad",
    "44, chef",
    "46, primary school teacher",
    "48, ICU nurse",
    "50, drummer in a covers band",
    "52, accountant",
    "54, farmer",
    "55, bus driver",
    "57, airline pilot",
    "58, cleaner",
    "60, builder close to retirement",
    "62, choir singer and church volunteer",
    "63, retired police officer",
    "65, caring for a disabled spouse",
    "67, keen golfer",
    "69, allotment gardener",
    "71, widow living alone",
    "73, dog owner with a big dog",
    "75, grandmother who babysits",
    "79, retired engineer",
    "82, uses a walking frame",
    "47, runs a small shop",
    "34, nurse in a care home",
    "59, lorry driver",
    "40, personal trainer",
    "66, recently retired, planning travel",
    "30, new father",
    "53, office manager",
    "45, self-employed electrician",
    "70, keen swimmer",
]
OPERATION = [
    "a microdiscectomy",
    "a decompression",
    "a minimally invasive spinal fusion",
    "an L4-L5 fusion",
    "a fusion at another level (e.g. L5-S1 or in the neck)",
    "'keyhole back surgery' (doesn't know the exact name)",
    "'an operation on a slipped disc' (doesn't know the name)",
    "an operation they call by a name the guides may not use",
    "'the nerve op' (vague)",
    "a laminectomy",
    "a disc replacement",
    "a fusion done from the front or the side",
    "not decided yet: surgeon suggested surgery",
    "several procedures at once, unsure which",
]
WHEN = [
    "surgery is a few weeks away",
    "surgery is tomorrow",
    "had surgery today and is still in hospital",
    "1-2 days after surgery, just home",
    "4-6 days after surgery",
    "about 10 days after surgery",
    "2-3 weeks after surgery",
    "about a month after surgery",
    "5-7 weeks after surgery",
    "about 2 months after surgery",
    "about 10 weeks after surgery",
    "3-4 months after surgery",
    "about 6 months after surgery",
    "more than a year after surgery",
    "doesn't say when",
]
SITUATION = [
    "feels better than expected and is getting restless",
    "is anxious and had a bad night",
    "has to plan around work, a boss or money",
    "has a family event or a trip coming up",
    "has something at home that needs doing (children, pets, garden, moving house)",
    "misses a hobby or sport",
    "noticed something new about their body today that worries them",
    "had a worrying symptom that has since gone away",
    "is doing fine and wants to be sure nothing is wrong",
    "is confused by a word the surgeon or the discharge letter used",
    "compares with a relative's or friend's operation",
    "is deciding whether to have the operation at all",
    "wants to know something about the clinic itself",
    "is curious about what was actually done inside their back",
    "is frustrated that recovery feels slow",
    "just opened the chat and isn't sure what it can do",
    "would rather talk to a real person",
    "asks about something practical in everyday life",
    "is caring for the patient and wants to help properly",
    "has a symptom that has been getting worse over hours or days",
    "something alarming has just happened",
    "read something online and wants it checked",
    "is mostly chatting, polite or a bit bored",
    "wants reassurance about a sensation they were told might happen",
]
STYLE = [
    "SMS style: lower case, abbreviations (u, r, pls, b4, tmrw), little punctuation",
    "ALL CAPITALS, worried",
    "non-native English (a Spanish speaker): grammar mistakes, literal phrasing",
    "non-native English (a Polish or Russian speaker): no articles, odd word order",
    "non-native English (a Hindi or Chinese speaker): formal but unusual phrasing",
    "long story: four to six sentences of history, the actual question only at the very end",
    "clinical shorthand as healthcare staff write (post-op day 3, d/c, mobilising, PT, s/p, abx, POD, wnl)",
    "very short and blunt, a few words",
    "polite and formal, an older person, full sentences",
    "British English and slang (fortnight, off sick, physio, GP, mum, knackered)",
    "casual American",
    "casual Australian",
    "many typos from typing on a phone",
    "voice-to-text: no punctuation, a misheard word or two",
    "emoji and exclamation marks",
    "rambling, several things in one message",
    "apologetic ('sorry to bother you')",
    "plain and clear",
    "plain and clear",
    "plain and clear",
]
TURNS = [1] * 60 + [2] * 22 + [3] * 14 + [4] * 4


# The situations the development set's errors came from (still no topics).
FOCUS = [
    "had a worrying symptom that has since gone away",
    "is doing fine and wants to be sure nothing is wrong",
    "wants reassurance about a sensation they were told might happen",
    "asks about something practical in everyday life",
    "has to plan around work, a boss or money",
    "misses a hobby or sport",
    "is confused by a word the surgeon or the discharge letter used",
    "is curious about what was actually done inside their back",
    "is deciding whether to have the operation at all",
    "has something at home that needs doing (children, pets, garden, moving house)",
]


# Situations about the body (the fresh warning-sign set, seeds 501-502): still no topics or signs named.
BODY = [
    "noticed something new about their body today that worries them",
    "has a symptom that has been getting worse over hours or days",
    "something alarming has just happened",
    "had a worrying symptom that has since gone away",
    "wants reassurance about a sensation they were told might happen",
    "is anxious and had a bad night",
    "is doing fine and wants to be sure nothing is wrong",
]
FOCUSES = {"--focus": FOCUS, "--body": BODY}


def lines(seed: int, count: int, prefix: str, situations=SITUATION):
    rng = random.Random(seed)
    for i in range(1, count + 1):
        turns = rng.choice(TURNS)
        yield (
            f"{prefix}-{i:03d} | writer: {rng.choice(WHO)} | patient: {rng.choice(PERSON)} | operation: "
            f"{rng.choice(OPERATION)} | when: {rng.choice(WHEN)} | situation: {rng.choice(situations)} | style: "
            f"{rng.choice(STYLE)} | patient turns: {turns}"
        )


if __name__ == "__main__":
    seed, count, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    focus = next((FOCUSES[flag] for flag in sys.argv[4:] if flag in FOCUSES), SITUATION)
    print("\n".join(lines(seed, count, prefix, focus)))
