"""Staff alerts (bot/alerts): one per conversation until resolved, once per patient message,
acknowledged and resolved by staff, every step audited; test traffic pages nobody."""

import pytest
from sqlalchemy import select, update

from bot import alerts, audit
from bot.alerts import ACKNOWLEDGED, EMERGENCY, OPEN, RESOLVED, URGENT, AlertStateError, Escalation
from bot.database import ALERTS, database

NOW = 1_764_900_000.0


@pytest.fixture
def engine(tmp_path):
    return database(f"sqlite:///{tmp_path / 'alerts.db'}")


def escalation(conversation="twilio:+15550001111", sign="fever", urgency=URGENT, at=NOW, test=False):
    return Escalation(conversation, conversation.split(":")[0], sign, urgency, f"message at {at}", at, test)


def test_an_escalation_raises_an_alert_paged_at_once(engine):
    alert_id = alerts.raise_alert(engine, escalation(), paging=True, now=NOW)
    [alert] = alerts.listing(engine)["alerts"]
    assert alert["id"] == alert_id and alert["state"] == OPEN and alert["escalations"] == 1
    assert (alert["conversation_id"], alert["channel"], alert["sign"]) == ("twilio:+15550001111", "twilio", "fever")
    assert alert["text"] == f"message at {NOW}" and alert["acknowledged_by"] is None
    assert alerts.counts(engine)[:2] == (1, 1)
    assert audit.entries(engine)[0]["action"] == "alert_raised"


def test_the_same_message_saved_again_raises_nothing(engine):
    assert alerts.raise_alert(engine, escalation(), paging=True, now=NOW) is not None
    assert alerts.raise_alert(engine, escalation(), paging=True, now=NOW + 1) is None
    assert len(alerts.listing(engine)["alerts"]) == 1


def test_later_escalations_in_a_conversation_add_to_its_alert(engine):
    first = alerts.raise_alert(engine, escalation(), paging=True)
    again = alerts.raise_alert(engine, escalation(sign="bladder_bowel", urgency=EMERGENCY, at=NOW + 60), paging=True)
    calmer = alerts.raise_alert(engine, escalation(sign="wound", at=NOW + 120), paging=True)
    assert first == again == calmer
    [alert] = alerts.listing(engine)["alerts"]
    assert (alert["escalations"], alert["sign"], alert["urgency"]) == (3, "wound", EMERGENCY)  # an emergency stays one
    assert alert["text"] == f"message at {NOW + 120}"


def test_other_conversations_have_their_own_alerts_emergencies_first(engine):
    alerts.raise_alert(engine, escalation("socketio:a"), paging=True, now=NOW)
    alerts.raise_alert(engine, escalation("socketio:b", urgency=EMERGENCY), paging=True, now=NOW + 5)
    assert [a["conversation_id"] for a in alerts.listing(engine)["alerts"]] == ["socketio:b", "socketio:a"]


def test_staff_acknowledge_then_resolve_and_a_new_escalation_raises_a_new_alert(engine):
    alert_id = alerts.raise_alert(engine, escalation(), paging=True)
    acknowledged = alerts.acknowledge(engine, alert_id, "nurse-ann")
    assert (acknowledged["state"], acknowledged["acknowledged_by"]) == (ACKNOWLEDGED, "nurse-ann")
    with pytest.raises(AlertStateError, match="acknowledged already"):
        alerts.acknowledge(engine, alert_id, "nurse-bob")
    assert alerts.counts(engine)[:2] == (0, 1)
    resolved = alerts.resolve(engine, alert_id, "nurse-bob")
    assert (resolved["state"], resolved["resolved_by"], resolved["acknowledged_by"]) == (
        RESOLVED,
        "nurse-bob",
        "nurse-ann",
    )
    with pytest.raises(AlertStateError):
        alerts.resolve(engine, alert_id, "nurse-bob")
    assert [e["action"] for e in audit.entries(engine)] == ["alert_resolved", "alert_acknowledged", "alert_raised"]
    assert [e["user"] for e in audit.entries(engine)] == ["nurse-bob", "nurse-ann", alerts.ASSISTANT]
    assert alerts.raise_alert(engine, escalation(at=NOW + 600), paging=True) != alert_id


def test_an_open_alert_resolved_at_once_counts_as_acknowledged(engine):
    alert_id = alerts.raise_alert(engine, escalation(), paging=True, now=NOW)
    resolved = alerts.resolve(engine, alert_id, "nurse-ann")
    assert resolved["acknowledged_by"] == "nurse-ann" and resolved["acknowledged_at"] is not None


def test_an_unknown_alert_is_a_lookup_error(engine):
    with pytest.raises(LookupError):
        alerts.acknowledge(engine, 424242, "nurse-ann")


def test_test_traffic_is_marked_hidden_by_default_and_never_paged(engine):
    alerts.raise_alert(engine, escalation("rest:gate-1", test=True), paging=True, now=NOW)
    assert alerts.listing(engine)["alerts"] == [] and alerts.counts(engine)[:2] == (0, 0)
    [alert] = alerts.listing(engine, include_test=True)["alerts"]
    assert alert["test_traffic"] is True
    with engine.connect() as connection:
        assert connection.execute(select(ALERTS.c.page_at)).scalar_one() is None


def test_the_dashboard_counts_alerts_per_day_and_the_time_to_acknowledge(engine):
    first = alerts.raise_alert(engine, escalation("socketio:a"), paging=False, now=NOW)
    alerts.raise_alert(engine, escalation("socketio:b"), paging=False, now=NOW + 10)
    alerts.raise_alert(engine, escalation("rest:load", test=True), paging=False, now=NOW)
    with engine.begin() as connection:
        connection.execute(update(ALERTS).where(ALERTS.c.id == first).values(acknowledged_at=NOW + 180))
    assert alerts.daily(engine, None, None) == [
        {"date": "2025-12-05", "alerts": 2, "median_minutes_to_acknowledge": 3.0}
    ]
