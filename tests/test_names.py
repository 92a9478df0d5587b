"""Every name the YAML files and the widget use is declared in bot/names.py, and every name
declared there is used: adding an intent, response or slot to domain.yml without declaring it
fails here."""

import re
from typing import Any, Dict, Iterator, Set

import yaml

from bot import names, settings
from bot.names import (
    FAQ_PREFIX,
    Action,
    Channel,
    Entity,
    Intent,
    Metadata,
    Response,
    Severity,
    Slot,
    SocketEvent,
    declared,
)
from bot.rasa.meaning import MeaningResolver

ROOT = settings.PROJECT_ROOT
WIDGET_BUILD = ROOT / "web" / "dist" / "spine-chat.js"


def load(path: str) -> Any:
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


DOMAIN = load("domain.yml")
CONFIG = load("config.yml")
RULES = load("data/dialogue/rules.yml")


def steps(key: str) -> Iterator[str]:
    for rule in RULES["rules"]:
        for step in (rule.get("steps") or []) + (rule.get("condition") or []):
            if key in step and isinstance(step[key], str):
                yield step[key]


def nlu_intents() -> Set[str]:
    intents = set()
    for path in sorted((ROOT / "data" / "nlu").rglob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                intents.add(block["intent"].split("/")[0])
    return intents


def policy(name: str) -> Dict[str, Any]:
    return next(p for p in CONFIG["policies"] if p["name"].endswith(name))


def response_metadata_keys() -> Set[str]:
    return {key for variations in DOMAIN["responses"].values() for v in variations for key in (v.get("metadata") or {})}


def slot_mapping_names(key: str) -> Set[str]:
    return {m[key] for slot in DOMAIN["slots"].values() for m in slot.get("mappings", []) if key in m}


def non_faq_responses() -> Set[str]:
    return {name for name in DOMAIN["responses"] if not name.startswith(FAQ_PREFIX)}


def widget_build() -> str:
    assert WIDGET_BUILD.is_file(), "web/dist/spine-chat.js is missing: run `make widget`"
    return WIDGET_BUILD.read_text(encoding="utf-8")


def test_intents():
    first_message = set(policy("ActionFailurePolicy")["first_message"]) - {"default"}
    used = set(DOMAIN["intents"]) | nlu_intents() | set(steps("intent")) | first_message
    assert used == declared(Intent)
    assert set(DOMAIN["intents"]) == declared(Intent) - {Intent.NLU_FALLBACK}


def test_entities_and_slots():
    assert set(DOMAIN["entities"]) == declared(Entity)
    assert slot_mapping_names("entity") <= declared(Entity)
    assert set(DOMAIN["slots"]) == declared(Slot)


def test_actions():
    fallbacks = set(policy("ActionFailurePolicy")["fallbacks"])
    custom_actions = set(DOMAIN["actions"])
    used = (
        custom_actions | fallbacks | {s for s in steps("action") if s.startswith("action_")} | set(steps("active_loop"))
    )
    assert used - {"action_deactivate_loop"} == declared(Action)


def test_responses():
    policy_replies = set(policy("ActionFailurePolicy")["fallbacks"].values()) | set(
        policy("ActionFailurePolicy")["first_message"].values()
    )
    rule_responses = {s for s in steps("action") if s.startswith("utter_")}
    assert policy_replies | rule_responses <= declared(Response)
    assert non_faq_responses() | {Response.FAQ} == declared(Response)
    assert all(name.startswith(FAQ_PREFIX) for name in set(DOMAIN["responses"]) - non_faq_responses())


def test_severities_and_metadata():
    signs = load("data/warning_signs.yml")["signs"]
    assert {sign["severity"] for sign in signs.values()} == declared(Severity)
    urgencies = {(v.get("metadata") or {}).get(Metadata.URGENCY) for vs in DOMAIN["responses"].values() for v in vs} - {
        None
    }
    assert urgencies == declared(Severity)
    conditions = {c["value"] for vs in DOMAIN["responses"].values() for v in vs for c in v.get("condition", [])}
    assert conditions <= set(signs), "a response condition names a warning sign data/warning_signs.yml lacks"
    # what the channels add to a reply (the widget's source line and rating, the staff's part),
    # and the numbers the clinic profile's values add
    added = {Metadata.SOURCE, Metadata.RATEABLE, Metadata.STAFF, Metadata.WITH_STAFF, Metadata.CALL}
    assert response_metadata_keys() | added == declared(Metadata)


def test_the_widget_and_its_channel_use_the_declared_events_and_keys():
    build = widget_build()
    for event in declared(SocketEvent):
        assert f'"{event}"' in build, event
    for key in (Metadata.SOURCE, Metadata.URGENCY, Metadata.RATEABLE, Metadata.CALL):
        assert re.search(rf"metadata\.{key}\b", build), key
    channel = load("credentials.yml")["bot.rasa.channels.socketio.WidgetInput"]
    assert {channel["user_message_evt"], channel["bot_message_evt"]} <= declared(SocketEvent)


def test_the_meaning_extractor_name_is_the_components():
    assert names.BY_MEANING_EXTRACTOR == MeaningResolver.__name__


def test_channels():
    from rasa.shared.utils.common import class_from_module_path

    classes = [class_from_module_path(path) for path in load("credentials.yml")]
    assert {cls.name() for cls in classes} == declared(Channel)
