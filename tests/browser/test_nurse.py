"""A nurse in the loop, end to end in two Chromiums against the session's assistant: a patient in
the widget reports a warning sign; a nurse signed in to the console sees the alert appear without
reloading and acknowledges it; the on-call person gets the e-mail; the nurse takes the conversation
over and replies in the patient's widget; the assistant stays quiet, also after a reload; the
nurse hands back and the assistant answers again. Screenshots go to build/screenshots/."""

from __future__ import annotations

import secrets
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from bot.console.accounts import save_user
from tests.browser.chromium import SCREENSHOTS, demo_page, wait
from tests.browser.test_console import PASSWORD, log_in, open_tab
from tests.browser.test_widget import ask, bot_messages, open_chat, reply_containing
from tests.conftest import ON_CALL
from tests.console.staff import console_engine

WARNING_SIGN = "since yesterday I have a fever and my wound is leaking"
STAFF_REPLY = "Hello, this is the nurse on duty. Is the leaking clear or cloudy?"


def staff_messages(driver: WebDriver):
    return driver.find_elements(By.CSS_SELECTOR, ".spc-log li.spc-staff")


def alert_row(console: WebDriver):
    """The alert's row, once listed (the live queue re-renders the table: a row may go stale)."""
    try:
        rows = console.find_elements(By.CSS_SELECTOR, "#alerts tr.alert-row")
        return next((row for row in rows if WARNING_SIGN in row.text), False)
    except StaleElementReferenceException:
        return False


def press_in_alert_row(console: WebDriver, button: str) -> bool:
    """Presses a button of the alert's row; False while the row is not there (or re-rendered)."""
    try:
        row = alert_row(console)
        if not row:
            return False
        row.find_element(By.CSS_SELECTOR, button).click()
        return True
    except StaleElementReferenceException:
        return False


def alert_id(console: WebDriver) -> str:
    """The listed alert's id; "" while it is not there (or re-rendered)."""
    try:
        row = alert_row(console)
        return str(row.get_attribute("data-id")) if row else ""
    except StaleElementReferenceException:
        return ""


def text_of(driver: WebDriver, selector: str) -> str:
    """An element's text; "" while the page re-renders it."""
    try:
        return driver.find_element(By.CSS_SELECTOR, selector).text
    except StaleElementReferenceException:
        return ""


def alert_row_says(console: WebDriver, text: str) -> bool:
    try:
        row = alert_row(console)
        return bool(row) and text in row.text
    except StaleElementReferenceException:
        return False


def test_a_nurse_sees_the_alert_live_takes_over_replies_and_hands_back(assistant, desktop, on_call_mailbox):
    nurse = f"nurse-{secrets.token_hex(3)}"
    save_user(console_engine(assistant), nurse, PASSWORD, "nurse")
    with demo_page(assistant.console_url, 1400, 1000) as console:
        log_in(console, nurse)
        open_tab(console, "alerts")
        mark = on_call_mailbox.mark()

        open_chat(desktop)
        ask(desktop, WARNING_SIGN, "contact your surgeon now")

        wait(console, lambda d: alert_row_says(d, "Fever") or alert_row_says(d, "Wound"))  # no reload: live
        assert console.find_element(By.ID, "alerts-badge").is_displayed()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        console.save_screenshot(str(SCREENSHOTS / "console-alerts.png"))
        link = f"#alerts/{wait(console, alert_id)} "
        [page] = on_call_mailbox.wait_for(mark, to=ON_CALL[0], containing=link)  # paged within seconds
        assert "#alerts/" in page.get_content() and WARNING_SIGN not in page.get_content()
        wait(console, lambda d: press_in_alert_row(d, "button.acknowledge"))
        wait(console, lambda d: alert_row_says(d, "acknowledged by " + nurse))

        wait(console, lambda d: press_in_alert_row(d, "button.open-conversation"))
        wait(console, lambda d: d.find_element(By.ID, "take-over").is_displayed())
        console.find_element(By.ID, "take-over").click()
        reply_containing(desktop, "joined this conversation")
        assert desktop.find_element(By.CSS_SELECTOR, ".spc-staff-bar").is_displayed()

        console.find_element(By.ID, "staff-reply").send_keys(STAFF_REPLY)
        console.find_element(By.ID, "staff-reply-send").click()
        wait(desktop, lambda d: any(STAFF_REPLY in m.text for m in staff_messages(d)))
        desktop.save_screenshot(str(SCREENSHOTS / "widget-staff.png"))

        answered = len(bot_messages(desktop))
        desktop.find_element(By.ID, "spc-input").send_keys("it is a bit cloudy", Keys.ENTER)
        wait(console, lambda d: "it is a bit cloudy" in text_of(d, "#turns"))
        time.sleep(2)  # the patient's message reached the staff; the assistant must not have answered it
        assert len(bot_messages(desktop)) == answered
        console.save_screenshot(str(SCREENSHOTS / "console-handoff.png"))

        desktop.refresh()  # the handed-off conversation survives a reload, and the staff still reach it
        wait(desktop, lambda d: d.find_element(By.CSS_SELECTOR, ".spc-staff-bar").is_displayed())
        console.find_element(By.ID, "staff-reply").send_keys("Thank you. Please keep the wound dry.")
        console.find_element(By.ID, "staff-reply-send").click()
        wait(desktop, lambda d: any("keep the wound dry" in m.text for m in staff_messages(d)))

        console.find_element(By.ID, "hand-back").click()
        reply_containing(desktop, "handed this conversation back")
        wait(desktop, lambda d: not d.find_element(By.CSS_SELECTOR, ".spc-staff-bar").is_displayed())
        ask(desktop, "thanks", "welcome")  # the assistant answers again


def test_a_patient_who_must_leave_gives_a_call_back_number(assistant, desktop):
    nurse = f"nurse-{secrets.token_hex(3)}"
    save_user(console_engine(assistant), nurse, PASSWORD, "nurse")
    open_chat(desktop)
    ask(desktop, "i want to speak to a human", "asked the clinic's staff")
    wait(desktop, lambda d: d.find_element(By.CSS_SELECTOR, ".spc-staff-bar").is_displayed())
    desktop.find_element(By.CSS_SELECTOR, ".spc-staff-bar .spc-link").click()
    desktop.find_element(By.ID, "spc-callback-number").send_keys("+1 310 555 0100")
    desktop.find_element(By.CSS_SELECTOR, ".spc-consent input").click()
    desktop.find_element(By.CSS_SELECTOR, ".spc-callback .spc-send").click()
    wait(desktop, lambda d: "call you back" in d.find_element(By.CSS_SELECTOR, ".spc-status").text)
    with demo_page(assistant.console_url, 1400, 1000) as console:
        log_in(console, nurse)
        open_tab(console, "alerts")
        wait(console, lambda d: "call back: +1 310 555 0100" in d.find_element(By.ID, "waiting").text)
