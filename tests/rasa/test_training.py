"""The components a training of config.yml trains, counted from its recipe (bot/rasa/training.py)."""

from __future__ import annotations

import yaml

from bot import settings
from bot.rasa.training import components_to_train

CONFIG = settings.PROJECT_ROOT / "config.yml"


def test_every_trainable_component_and_policy_of_config_yml_is_counted(tmp_path):
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    policies = len(config["policies"])
    config["policies"] = config["policies"][:1]
    fewer = tmp_path / "config.yml"
    fewer.write_text(yaml.safe_dump(config), encoding="utf-8")
    assert components_to_train(CONFIG) - components_to_train(fewer) == policies - 1
    assert components_to_train(fewer) == 3  # the nearest-example classifier, the meaning resolver, one policy
