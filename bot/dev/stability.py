"""How far one added training example moves the model's other answers (`make evaluate`).

Staff label messages from the console's inbox and retrain. A retrain must change the answers near
the new example, not answers everywhere: otherwise the release gate refuses models for noise and
staff cannot predict what a correction does. This trains the NLU model alone (no servers) on the
training data, then on the training data plus each example of tests/data/stability.yml alone,
and compares what the models make of the release gate's messages (the intent, the FAQ answer,
whether it escalates). Per example it counts the gate messages whose labels do not include the
example's and whose prediction changed, and the red flags whose escalation changed (never any).

    python -m bot.dev.stability tests/data/stability.yml [--config config.yml]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import yaml

from bot import settings
from bot.console.gate import gate_cases, load_gate
from bot.evaluation.cases import SMALLTALK_INTENTS, Case
from bot.names import RED_FLAG_INTENTS, TIMELINE_INTENTS, Intent

Prediction = Tuple[str, str]  # (intent, FAQ answer key or "")
DECLINING_INTENTS = {Intent.NOT_COVERED, Intent.OUT_OF_SCOPE, Intent.NLU_FALLBACK}


def intents_for(label: str) -> Set[str]:
    """The NLU results that lead to the reply an evaluation label names ("faq/<key>" for FAQs)."""
    kind, _, value = label.partition(":")
    if kind == "faq":
        return {f"{Intent.FAQ}/{value}"}
    if kind in ("recovery", "phase", "activity", "timeline"):
        return set(TIMELINE_INTENTS)
    if kind == "red_flag":
        return set(RED_FLAG_INTENTS)
    if kind == "smalltalk":
        return {SMALLTALK_INTENTS.get(value, value)}
    if kind in ("not_covered", "out_of_scope", "unclear"):
        return DECLINING_INTENTS | {Intent.ASK_ACTIVITY}
    return set()


def label_of(prediction: Prediction) -> str:
    intent, key = prediction
    return f"{intent}/{key}" if key else intent


def changed_outside(
    before: Sequence[Prediction], after: Sequence[Prediction], cases: Sequence[Case], added_intent: str
) -> Dict[str, int]:
    """Gate messages not labelled like the added example whose prediction changed; red flags
    whose escalation changed."""
    outside = changed = red_flags = 0
    for old, new, case in zip(before, after, cases):
        expected = set().union(*(intents_for(label) for label in case.labels))
        if added_intent in expected:
            continue
        outside += 1
        changed += old != new
        if case.kind == "red_flag" and (old[0] in RED_FLAG_INTENTS) != (new[0] in RED_FLAG_INTENTS):
            red_flags += 1
    return {"messages": outside, "changed": changed, "red_flags_changed": red_flags}


def predictions(model: Path, texts: Sequence[str]) -> List[Prediction]:
    """(intent, FAQ key) for each text, from the NLU model at `model`."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse_all() -> List[Prediction]:
        found = []
        for text in texts:
            parsed = await agent.parse_message(text)
            intent = str((parsed.get("intent") or {}).get("name"))
            selection = ((parsed.get("response_selector") or {}).get(Intent.FAQ) or {}).get("response") or {}
            key = str(selection.get("intent_response_key") or "").partition("/")[2] if intent == Intent.FAQ else ""
            found.append((intent, key))
        return found

    return asyncio.run(parse_all())


def train_nlu(config: Path, data: Path, output: Path, name: str) -> Path:
    from rasa.model_training import train_nlu as rasa_train_nlu

    path = rasa_train_nlu(str(config), str(data), str(output), fixed_model_name=name, domain=str(settings.DOMAIN_FILE))
    if not path:
        raise RuntimeError(f"training the NLU model {name} failed")
    return Path(path)


def added_example_file(directory: Path, text: str, intent: str) -> None:
    block = {"version": "3.1", "nlu": [{"intent": intent, "examples": f"- {text}\n"}]}
    (directory / "added_example.yml").write_text(yaml.safe_dump(block, sort_keys=False), encoding="utf-8")


def measure(examples_file: Path, config: Path = settings.PROJECT_ROOT / "config.yml") -> Dict[str, Any]:
    """The stability report: per added example, what changed on the gate's messages."""
    examples = yaml.safe_load(examples_file.read_text(encoding="utf-8"))["examples"]
    cases = [case for _, case in gate_cases(load_gate())]
    texts = [case.turns[-1] for case in cases]
    results = []
    with tempfile.TemporaryDirectory() as work:
        base_data = Path(work) / "nlu"
        shutil.copytree(settings.NLU_DIR, base_data)
        baseline = predictions(train_nlu(config, base_data, Path(work), "baseline"), texts)
        for index, example in enumerate(examples):
            data = Path(work) / f"nlu-{index}"
            shutil.copytree(settings.NLU_DIR, data)
            added_example_file(data, example["text"], example["intent"])
            after = predictions(train_nlu(config, data, Path(work), f"added-{index}"), texts)
            counts = changed_outside(baseline, after, cases, example["intent"])
            changes = [
                {"text": text, "before": label_of(old), "after": label_of(new)}
                for text, old, new in zip(texts, baseline, after)
                if old != new
            ]
            results.append({"text": example["text"], "intent": example["intent"], **counts, "changes": changes})
    average = sum(int(r["changed"]) for r in results) / len(results) if results else 0.0
    return {
        "examples": results,
        "average_changed": round(average, 2),
        "red_flags_changed": sum(int(r["red_flags_changed"]) for r in results),
    }


def quiet_rasa() -> None:
    """Rasa logs every parsed message at debug level: only warnings and errors here."""
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger("rasa").setLevel(logging.WARNING)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.dev.stability", description=__doc__.split("\n\n")[0])
    parser.add_argument("examples", type=Path, help="the added examples, e.g. tests/data/stability.yml")
    parser.add_argument("--config", type=Path, default=settings.PROJECT_ROOT / "config.yml")
    parser.add_argument("--report", type=Path, default=settings.PROJECT_ROOT / "reports" / "stability.json")
    args = parser.parse_args(argv)
    quiet_rasa()
    report = measure(args.examples, args.config)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    for example in report["examples"]:
        print(f"{example['changed']:3d} of {example['messages']} changed: {example['intent']}: {example['text']}")
    print(f"average {report['average_changed']}, red flags changed {report['red_flags_changed']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
