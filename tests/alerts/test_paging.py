"""Paging the escalation list (bot/alerts/paging.py): one person at a time, the next when nobody
acknowledged in time, each page claimed by one server only, never the patient's words."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot import alerts
from bot.alerts import paging
from bot.alerts.paging import Person
from bot.database import database
from bot.settings import ConfigurationError
from tests.alerts.test_alerts import NOW, escalation

PEOPLE = [Person(("nurse@clinic.test",), ("+15550001111",)), Person(("lead@clinic.test",))]
MINUTES = 10


@pytest.fixture
def engine(tmp_path):
    return database(f"sqlite:///{tmp_path / 'alerts.db'}")


def test_the_escalation_list_is_read_in_order():
    people = paging.escalation_list(["mailto:nurse@clinic.test sms:+15550001111", "mailto:lead@clinic.test"])
    assert people == PEOPLE
    assert str(people[0]) == "mailto:nurse@clinic.test sms:+15550001111"


@pytest.mark.parametrize("entry", ["nurse@clinic.test", "sms:555-CALL", "mailto:", "tel:+15550001111"])
def test_a_wrong_entry_is_refused_with_the_fix(entry):
    with pytest.raises(ConfigurationError, match="ALERT_ESCALATION_LIST.*mailto:nurse@clinic.org"):
        paging.escalation_list([entry])


def test_a_new_alert_is_paged_to_the_first_person_then_the_next_until_acknowledged(engine):
    alert_id = alerts.raise_alert(engine, escalation(), paging=True, now=NOW)
    [page] = paging.claim_due(engine, PEOPLE, MINUTES, now=NOW)
    assert (page.alert_id, page.person, page.number, page.sign) == (alert_id, PEOPLE[0], 1, "fever")
    assert paging.claim_due(engine, PEOPLE, MINUTES, now=NOW + MINUTES * 60 - 1) == []
    [second] = paging.claim_due(engine, PEOPLE, MINUTES, now=NOW + MINUTES * 60)
    assert (second.person, second.number) == (PEOPLE[1], 2)
    [third] = paging.claim_due(engine, PEOPLE, MINUTES, now=NOW + 2 * MINUTES * 60)
    assert third.person == PEOPLE[0]  # after the last, the first again
    alerts.acknowledge(engine, alert_id, "nurse-ann")
    assert paging.claim_due(engine, PEOPLE, MINUTES, now=NOW + 9 * MINUTES * 60) == []


def test_nobody_is_paged_without_a_list_or_for_test_traffic(engine):
    alerts.raise_alert(engine, escalation(), paging=False, now=NOW)
    alerts.raise_alert(engine, escalation("rest:eval", test=True), paging=True, now=NOW)
    assert paging.claim_due(engine, PEOPLE, MINUTES, now=NOW + 3600) == []
    assert paging.claim_due(engine, [], MINUTES, now=NOW + 3600) == []


def test_two_servers_never_send_the_same_page(engine):
    for number in range(20):
        alerts.raise_alert(engine, escalation(f"socketio:{number}"), paging=True, now=NOW)
    with ThreadPoolExecutor(4) as pool:
        claims = list(pool.map(lambda _: paging.claim_due(engine, PEOPLE, MINUTES, now=NOW), range(4)))
    pages = [page.alert_id for claimed in claims for page in claimed]
    assert sorted(pages) == sorted(set(pages)) and len(pages) == 20


def test_a_page_that_reached_nobody_goes_to_the_next_person_sooner(engine):
    alert_id = alerts.raise_alert(engine, escalation(), paging=True, now=NOW)
    paging.claim_due(engine, PEOPLE, MINUTES, now=NOW)
    paging.try_sooner(engine, alert_id, 60, now=NOW)
    [page] = paging.claim_due(engine, PEOPLE, MINUTES, now=NOW + 60)
    assert page.person == PEOPLE[1]


def test_a_notification_names_the_sign_and_links_the_alert_never_the_patients_words(engine):
    alerts.raise_alert(engine, escalation(sign="bladder_bowel", urgency=alerts.EMERGENCY), paging=True, now=NOW)
    [page] = paging.claim_due(engine, PEOPLE, MINUTES, now=NOW)
    subject, text = paging.notification(page, "https://console.clinic.test/", MINUTES)
    assert subject == f"EMERGENCY warning sign: bladder bowel (spine assistant alert {page.alert_id})"
    assert f"https://console.clinic.test/#alerts/{page.alert_id}" in text and "twilio" in text
    assert "message at" not in subject + text
