"""Training data generalises: enough varied phrasings, and a held-out set never trained on."""
import re

from bot import settings
from bot.training_data import read_nlu_examples

TRAINING = read_nlu_examples(sorted(settings.DATA_DIR.glob("nlu/*.yml")))
HELDOUT = read_nlu_examples([settings.PROJECT_ROOT / "tests" / "data" / "heldout_nlu.yml"])


def key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def test_at_least_15_training_phrasings_per_faq():
    for intent, examples in TRAINING.items():
        if intent.startswith("faq/"):
            assert len(set(examples)) >= 15, intent


def test_at_least_5_heldout_phrasings_per_faq():
    faqs = {i for i in TRAINING if i.startswith("faq/")}
    for intent in faqs:
        assert len(HELDOUT.get(intent, [])) >= 5, intent


def test_heldout_examples_are_never_trained_on():
    trained = {key(e) for examples in TRAINING.values() for e in examples}
    leaked = [e for examples in HELDOUT.values() for e in examples if key(e) in trained]
    assert not leaked


def test_no_example_is_trained_under_two_intents():
    seen = {}
    for intent, examples in TRAINING.items():
        for example in examples:
            assert seen.setdefault(key(example), intent) == intent, example
