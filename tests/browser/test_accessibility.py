"""axe-core's WCAG 2.1 A and AA rules (tests/browser/axe.py) on every state of the chat widget and
every page of the staff console, in Chromium against the session's assistant: no violation."""

from __future__ import annotations

import json
import secrets
import time
from datetime import date, timedelta
from typing import Callable, Dict, Iterator

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select
from sqlalchemy import insert

from bot.console.accounts import save_user
from bot.console.gate import TITLES, load_gate, verdict
from bot.database import MODELS
from bot.runtime.services import Services
from tests.browser.axe import assert_accessible
from tests.browser.chromium import demo_page, set_offline, wait
from tests.browser.test_console import PASSWORD, QUESTION, log_in, open_tab
from tests.browser.test_widget import ask, open_chat
from tests.console.staff import Staff, console_engine
from tests.console.test_lost_replies import lose_an_escalation
from tests.rasa.channels.test_deliveries import new_sender


def test_the_widget_closed_and_open(desktop):
    wait(desktop, lambda d: d.find_elements(By.CSS_SELECTOR, ".spc-bubble"))
    assert_accessible(desktop, "with the widget closed")
    open_chat(desktop)
    assert_accessible(desktop, "with the widget open")


def test_the_widget_with_answers_suggestions_and_feedback(desktop):
    open_chat(desktop)
    answer = ask(desktop, "can i climb stairs after surgery?", "slowly and carefully")
    assert answer.find_element(By.CSS_SELECTOR, ".spc-source").is_displayed()
    assert answer.find_element(By.CSS_SELECTOR, ".spc-feedback button").is_displayed()
    assert_accessible(desktop, "with an FAQ answer, its sources and its feedback buttons")
    ask(desktop, "how long does recovery take?", "Which procedure")
    wait(desktop, lambda d: d.find_elements(By.CSS_SELECTOR, ".spc-choice"))
    assert_accessible(desktop, "with suggestion buttons")
    ask(desktop, "I had a fusion 5 weeks ago, what now?", "Your recovery stage: weeks 4 to 8")
    assert_accessible(desktop, "with a timeline answer")
    answer.find_element(By.CSS_SELECTOR, '.spc-feedback [data-rating="up"]').click()
    wait(desktop, lambda d: "Thanks for your feedback" in answer.text)
    assert_accessible(desktop, "with the feedback thanked")


def test_the_widget_with_an_escalation(desktop):
    open_chat(desktop)
    ask(desktop, "my incision is red and swollen", "contact your surgeon now")
    assert desktop.find_element(By.CSS_SELECTOR, ".spc-urgent [role='alert']").is_displayed()
    assert_accessible(desktop, "with a warning-sign escalation")


def test_the_widget_with_the_staff_and_the_call_back_form(desktop):
    open_chat(desktop)
    ask(desktop, "i want to speak to a human", "asked the clinic's staff")
    wait(desktop, lambda d: d.find_element(By.CSS_SELECTOR, ".spc-staff-bar").is_displayed())
    desktop.find_element(By.CSS_SELECTOR, ".spc-staff-bar .spc-link").click()
    wait(desktop, lambda d: d.find_element(By.ID, "spc-callback-number").is_displayed())
    assert_accessible(desktop, "with the staff bar and its call-back form")


def test_the_widget_with_the_reconnect_notice(desktop):
    wait(desktop, lambda d: d.find_elements(By.CSS_SELECTOR, ".spc-bubble"))
    set_offline(desktop, True)  # the assistant can't be reached
    open_chat(desktop)
    status = desktop.find_element(By.CSS_SELECTOR, ".spc-status")
    wait(desktop, lambda d: status.is_displayed() and "Retrying" in status.text)
    assert_accessible(desktop, "with the reconnect notice")
    set_offline(desktop, False)
    wait(desktop, lambda d: not status.is_displayed())


def test_the_widget_at_every_text_size_on_a_phone(phone):
    open_chat(phone)
    ask(phone, "is fusion the same as a disc replacement?", "Spinal fusion stops motion")
    for size in ("150", "200"):
        phone.find_element(By.CSS_SELECTOR, f'.spc-text-size-choice[data-size="{size}"]').click()
        assert_accessible(phone, f"at {size}% text on a 360 px phone")


def test_the_console_sign_in_page(assistant):
    with demo_page(assistant.console_url, 1400, 1000) as driver:
        wait(driver, lambda d: d.find_element(By.ID, "username").is_displayed())
        assert_accessible(driver, "on the sign-in page")
        driver.find_element(By.ID, "username").send_keys("nobody-here")
        driver.find_element(By.ID, "password").send_keys("not the password at all")
        driver.find_element(By.ID, "login").click()
        wait(driver, lambda d: d.find_element(By.ID, "message").is_displayed())
        assert_accessible(driver, "on the sign-in page with its error")


def reported_model(services: Services) -> str:
    """A candidate model whose gate report (from the gate's own verdict) refused it: one answer
    changed and one metric worse than production's."""
    answer = {"set": "faq", "text": "can I swim?", "outcome": "answered"}
    production = {
        "fingerprint": "accessibility",
        "metrics": {key: {"value": 0.9} for key in TITLES},
        "answers": {"case-1": {**answer, "answers": ["utter_faq/swimming"]}},
    }
    candidate = {
        **production,
        "metrics": {key: {"value": 0.8} for key in TITLES},
        "answers": {"case-1": {**answer, "answers": ["utter_activity_timing"]}},
    }
    report = {**candidate, "verdict": verdict(candidate, production, load_gate()), "production_id": "production"}
    model_id = f"accessibility-{secrets.token_hex(4)}"
    with console_engine(services).begin() as connection:
        connection.execute(
            insert(MODELS).values(
                model_id=model_id,
                path=f"{model_id}.tar.gz",
                created_at=time.time(),
                created_by="test",
                source="console",
                report=json.dumps(report),
                gate_passed=False,
            )
        )
    return model_id


@pytest.fixture(scope="module")
def console(assistant, provider_api) -> Iterator[Dict[str, str]]:
    """Something on every page of the console: a declined question for the inbox, a lost
    escalation (an alert too), a patient enrolled in check-ins and a model with its gate report."""
    admin = Staff(assistant, "admin")
    assistant.client().send(f"patient-{secrets.token_hex(6)}", QUESTION)
    chat = lose_an_escalation(assistant, provider_api)
    admin.lost_replies(f"telegram:{chat}")
    enrolment = {
        "channel": "twilio",
        "address": new_sender("twilio"),
        "procedure": "fusion",
        "surgery_date": (date.today() + timedelta(days=1)).isoformat(),
        "timezone": "America/Los_Angeles",
        "hour": 17,
        "consent": True,
    }
    assert admin.call("POST", "/api/enrolments", json=enrolment).status_code == 201
    yield {"model": reported_model(assistant)}


@pytest.fixture(scope="module")
def admin_console(assistant) -> Iterator[WebDriver]:
    """The console in Chromium, signed in as an admin (every tab and button shown)."""
    admin = f"admin-{secrets.token_hex(3)}"
    save_user(console_engine(assistant), admin, PASSWORD, "admin")
    with demo_page(assistant.console_url, 1400, 1000) as driver:
        log_in(driver, admin)
        yield driver


def shown(selector: str) -> Callable[[WebDriver], bool]:
    """Whether an element `selector` finds is displayed (a list the page re-renders meanwhile: not yet)."""

    def condition(driver: WebDriver) -> bool:
        try:
            return any(found.is_displayed() for found in driver.find_elements(By.CSS_SELECTOR, selector))
        except StaleElementReferenceException:
            return False

    return condition


def clicked(selector: str) -> Callable[[WebDriver], bool]:
    """Clicks the first element `selector` finds (again if the page re-rendered it meanwhile)."""

    def condition(driver: WebDriver) -> bool:
        try:
            driver.find_element(By.CSS_SELECTOR, selector).click()
        except StaleElementReferenceException:
            return False
        return True

    return condition


def labelled(item: str, kind: str, faq: str) -> Callable[[WebDriver], bool]:
    """Chooses the label's kind and FAQ topic in the inbox item `item` (again if the page
    re-rendered the inbox meanwhile)."""

    def condition(driver: WebDriver) -> bool:
        try:
            Select(driver.find_element(By.CSS_SELECTOR, f"{item} .label-kind")).select_by_value(kind)
            Select(driver.find_element(By.CSS_SELECTOR, f"{item} .label-faq")).select_by_value(faq)
        except StaleElementReferenceException:
            return False
        return True

    return condition


def open_page(driver: WebDriver, tab: str, loaded: str) -> None:
    open_tab(driver, tab)
    wait(driver, shown(loaded))


def open_transcript(driver: WebDriver, _: Dict[str, str]) -> None:
    open_page(driver, "conversations", ".conversation-row button")
    wait(driver, clicked(".conversation-row button"))
    wait(driver, shown("#turns .turn-bot"))


def label_a_question(driver: WebDriver, _: Dict[str, str]) -> None:
    """The inbox's label form with the FAQ topics open, then the label saved."""
    item = f'.inbox-item[data-text="{QUESTION}"]'
    open_page(driver, "inbox", item)
    wait(driver, labelled(item, "faq", "hospital_stay"))
    assert_accessible(driver, "in the inbox's label form")
    wait(driver, clicked(f"{item} .label-save"))
    wait(driver, shown(f"{item} .inbox-label"))


def open_report(driver: WebDriver, console: Dict[str, str]) -> None:
    open_page(driver, "models", f'.model-row[data-model-id="{console["model"]}"]')
    driver.find_element(By.CSS_SELECTOR, f'.model-row[data-model-id="{console["model"]}"] .show-report').click()
    wait(driver, shown("#changed .changed-answer"))


# What each page needs opened and loaded before axe looks at it.
PAGES: Dict[str, Callable[[WebDriver, Dict[str, str]], None]] = {
    "dashboard": lambda driver, _: open_page(driver, "dashboard", "#top-unanswered li"),
    "alerts": lambda driver, _: open_page(driver, "alerts", "#alerts .alert-row"),
    "check-ins": lambda driver, _: open_page(driver, "checkins", "#enrolments .enrolment-row"),
    "inbox": lambda driver, _: open_page(driver, "inbox", ".inbox-item"),
    "labels": label_a_question,
    "conversations": lambda driver, _: open_page(driver, "conversations", ".conversation-row"),
    "transcript": open_transcript,
    "lost replies": lambda driver, _: open_page(driver, "lost", "#lost-replies .lost-row"),
    "models": lambda driver, _: open_page(driver, "models", ".model-row"),
    "gate report": open_report,
    "audit log": lambda driver, _: open_page(driver, "audit", ".audit-row"),
}


@pytest.mark.parametrize("page", PAGES)
def test_every_console_page_as_an_admin(admin_console, console, page):
    PAGES[page](admin_console, console)
    assert_accessible(admin_console, f"on the console's {page}")


def test_every_console_tab_is_in_pages(admin_console):
    """A tab added to the console is added to PAGES too."""
    tabs = {button.get_attribute("data-tab") for button in admin_console.find_elements(By.CSS_SELECTOR, "[data-tab]")}
    assert tabs == {"dashboard", "alerts", "checkins", "inbox", "conversations", "lost", "models", "audit"}
