"""Training data generalises: enough varied phrasings, and no evaluation message is trained on."""

import re

import yaml

from bot import settings
from bot.evaluation.cases import read_set
from bot.training_data import read_nlu_examples

TRAINING = read_nlu_examples(sorted(settings.NLU_DIR.rglob("*.yml")))
MANIFEST = settings.PROJECT_ROOT / "tests" / "data" / "evaluation.yml"
EVALUATION_SETS = {
    s["name"]: read_set(MANIFEST.parent, s["files"]) for s in yaml.safe_load(MANIFEST.read_text())["sets"]
}


def key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def test_at_least_15_training_phrasings_per_faq():
    for intent, examples in TRAINING.items():
        if intent.startswith("faq/"):
            assert len(set(examples)) >= 15, intent


def test_every_faq_is_evaluated_with_at_least_5_messages():
    labels = [label for cases in EVALUATION_SETS.values() for case in cases for label in case.labels]
    for intent in TRAINING:
        if intent.startswith("faq/"):
            assert labels.count(intent.replace("/", ":")) >= 5, intent


def test_the_blind_sets_hold_400_conversations_a_quarter_of_them_with_follow_ups():
    for name in ("dev", "test"):
        cases = EVALUATION_SETS[name]
        conversations = {case.conversation_id for case in cases}
        with_follow_ups = {case.conversation_id for case in cases if len(case.turns) > 1}
        assert len(conversations) >= 400, name
        assert len(with_follow_ups) >= 0.25 * len(conversations), name
        categories = {case.category for case in cases}
        assert {"denied_sign", "hypothetical_sign", "followup", "red_flag", "not_covered", "faq"} <= categories, name


def test_no_evaluation_message_is_trained_on():
    """A judged message is never a training example. Common messages ("thanks") stay in the
    training data; in a blind set they are context only (a turn without `expect`)."""
    trained = {key(e) for examples in TRAINING.values() for e in examples}
    for name, cases in EVALUATION_SETS.items():
        leaked = [case.turns[-1] for case in cases if key(case.turns[-1]) in trained]
        assert not leaked, name


def test_no_example_is_trained_under_two_intents():
    seen = {}
    for intent, examples in TRAINING.items():
        for example in examples:
            assert seen.setdefault(key(example), intent) == intent, example
