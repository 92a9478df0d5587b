"""`rasa train` that first says how many components it will train, for the console's progress bar.

    python -m bot.rasa.training <rasa train arguments>

prints ``Components to train: N`` (counted from config.yml's recipe, as Rasa's own training hook
decides which nodes train), then runs ``rasa train`` with the same arguments in this process.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List

ANNOUNCEMENT = "Components to train: {count}"  # the console reads it: this module imports Rasa lazily


def components_to_train(config: Path) -> int:
    """How many graph nodes a full training of `config` trains (Rasa logs "Starting to train
    component" once for each)."""
    from rasa.engine.recipes.recipe import Recipe
    from rasa.shared.data import TrainingType
    from rasa.shared.utils.io import read_config_file

    raw = read_config_file(str(config))
    schema = Recipe.recipe_for_name(raw.get("recipe")).graph_config_for_recipe(raw, {}, TrainingType.BOTH)
    return sum(1 for node in schema.train_schema.nodes.values() if node.is_target and not node.is_input)


def main(arguments: List[str]) -> None:
    config = arguments[arguments.index("--config") + 1] if "--config" in arguments else "config.yml"
    print(ANNOUNCEMENT.format(count=components_to_train(Path(config))), flush=True)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", "train", *arguments]
    rasa_main()


if __name__ == "__main__":
    main(sys.argv[1:])
