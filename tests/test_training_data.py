"""Training data generalises: enough varied phrasings, and no evaluation message is trained on."""

import re

import yaml

from bot import settings
from bot.dev.training_data import read_nlu_examples
from bot.evaluation.cases import read_set

TRAINING = read_nlu_examples(sorted(settings.DATA_DIR.glob("nlu/*.yml")))
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


def test_the_evaluation_sets_hold_every_kind_of_message():
    assert {"heldout", "dev", "test"} <= set(EVALUATION_SETS)
    assert len(EVALUATION_SETS["dev"]) >= 400 and len(EVALUATION_SETS["test"]) >= 300
    for name in ("dev", "test"):
        categories = {case.category for case in EVALUATION_SETS[name]}
        assert {"denied_sign", "red_flag_family", "multi_turn", "correction", "near_domain"} <= categories, name


def test_no_evaluation_message_is_trained_on():
    trained = {key(e) for examples in TRAINING.values() for e in examples}
    for name, cases in EVALUATION_SETS.items():
        leaked = [turn for case in cases for turn in case.turns if key(turn) in trained]
        assert not leaked, name


def test_no_example_is_trained_under_two_intents():
    seen = {}
    for intent, examples in TRAINING.items():
        for example in examples:
            assert seen.setdefault(key(example), intent) == intent, example
