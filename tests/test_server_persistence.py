"""Conversations survive a restart of the Rasa server, on SQLite (the default) and PostgreSQL."""

import pytest

from bot.runtime.services import Services, isolated_environment, isolated_settings, running_services, start_process

STAGE_QUESTION = "what stage of recovery am i in?"


def restart_rasa(services: Services, log_name: str) -> None:
    rasa = services.processes["rasa"]
    rasa.terminate()
    rasa.wait(timeout=30)
    start_process(services, "rasa", services.log_files[0].parent / log_name)
    services.client().wait_until_ready(240)


def remembered_after_restart(services: Services, sender: str) -> None:
    client = services.client()
    client.send(sender, "i had a microdiscectomy 3 weeks ago")
    before = len(client.tracker(sender)["events"])
    restart_rasa(services, f"rasa-restarted-{sender}.log")
    tracker = client.tracker(sender)
    assert len(tracker["events"]) >= before and tracker["slots"]["procedure"] == "microdiscectomy"
    reply = client.ask(sender, STAGE_QUESTION)[0]
    assert reply.utter_action == "utter_timeline_stage" and reply.text.startswith("It is 3 weeks after your surgery.")


def test_conversations_survive_a_restart_on_sqlite(assistant, sender):
    remembered_after_restart(assistant, sender)


@pytest.fixture
def assistant_on_postgres(postgres, tmp_path):
    environment = {**isolated_environment(tmp_path), "TRACKER_DATABASE_URL": postgres.url}
    with running_services(isolated_settings(), tmp_path, environment) as services:
        yield services


def test_conversations_survive_a_restart_on_postgresql(assistant_on_postgres, sender):
    remembered_after_restart(assistant_on_postgres, sender)
