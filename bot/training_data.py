"""Reads Rasa NLU YAML files (training data and the held-out set) as {intent: [examples]}."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Iterable, List

import yaml


def read_nlu_examples(paths: Iterable[Path]) -> Dict[str, List[str]]:
    """Examples per intent ("faq/stairs" for retrieval intents), in file order."""
    examples: Dict[str, List[str]] = {}
    for path in paths:
        with Path(path).open(encoding="utf-8") as handle:
            content = yaml.safe_load(handle) or {}
        for block in content.get("nlu", []):
            if "intent" not in block:
                continue
            lines = block.get("examples", "").splitlines()
            examples.setdefault(block["intent"], []).extend(
                line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")
            )
    return examples
