"""The console's Check-ins tab in Chromium against the session's assistant: a nurse enrols an SMS
patient with the form, sees their schedule and stops it; a widget-less reason shows when a field
is wrong; a CSV file enrols many, its refused rows listed; a reviewer sees the list without the
form. Screenshot: build/screenshots/console-check-ins.png."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from bot.console.accounts import save_user
from tests.browser.chromium import demo_page, wait
from tests.browser.test_console import PASSWORD, log_in, open_tab, screenshot
from tests.console.staff import console_engine
from tests.rasa.channels.test_deliveries import new_sender


def fill(driver: WebDriver, field: str, value: str) -> None:
    element = driver.find_element(By.ID, field)
    driver.execute_script("arguments[0].value = arguments[1]", element, value)


def row_of(driver: WebDriver, number: str):
    return next((r for r in driver.find_elements(By.CSS_SELECTOR, "#enrolments tr") if number in r.text), False)


def test_a_nurse_enrols_a_patient_sees_the_schedule_and_stops_it(assistant):
    nurse, reviewer = f"nurse-{secrets.token_hex(3)}", f"reviewer-{secrets.token_hex(3)}"
    save_user(console_engine(assistant), nurse, PASSWORD, "nurse")
    save_user(console_engine(assistant), reviewer, PASSWORD, "reviewer")
    number = new_sender("twilio")
    with demo_page(assistant.console_url, 1400, 1000) as console:
        log_in(console, nurse)
        open_tab(console, "checkins")
        fill(console, "enrol-address", number)
        fill(console, "enrol-procedure", "fusion")
        fill(console, "enrol-date", (date.today() + timedelta(days=1)).isoformat())
        fill(console, "enrol-timezone", "America/Los_Angeles")
        fill(console, "enrol-hour", "22")
        console.find_element(By.ID, "enrol-consent").click()
        console.find_element(By.ID, "enrol").click()
        wait(console, lambda d: "quiet hours" in d.find_element(By.ID, "message").text)

        fill(console, "enrol-hour", "17")
        console.find_element(By.ID, "enrol").click()
        wait(console, lambda d: "7 check-ins scheduled" in d.find_element(By.ID, "message").text)
        row = wait(console, lambda d: row_of(d, number))
        assert "Fusion" in row.text and "0 sent, 0 answered, of 7" in row.text
        assert "Day 1, " in row.text and "5:00" in row.text  # 17:00 on the patient's clock
        assert "Running" in row.text
        screenshot(console, "check-ins")
        row.find_element(By.CSS_SELECTOR, "button.stop-enrolment").click()
        wait(console, lambda d: "Stopped the check-ins" in d.find_element(By.ID, "message").text)
        assert "Stopped (Staff)" in wait(console, lambda d: row_of(d, number)).text

    with demo_page(assistant.console_url, 1400, 1000) as console:
        log_in(console, reviewer)
        open_tab(console, "checkins")
        wait(console, lambda d: row_of(d, number))
        assert not console.find_element(By.ID, "enrol-form").is_displayed()
        assert not console.find_elements(By.CSS_SELECTOR, "button.stop-enrolment")


def test_a_nurse_enrols_the_patients_of_a_csv_file_and_sees_the_rows_refused(assistant, tmp_path):
    nurse = f"nurse-{secrets.token_hex(3)}"
    save_user(console_engine(assistant), nurse, PASSWORD, "nurse")
    number, surgery = new_sender("twilio"), (date.today() + timedelta(days=1)).isoformat()
    exported = tmp_path / "clinic-export.csv"
    exported.write_text(
        "channel,address,procedure,surgery_date,timezone,hour,consent\n"
        f"twilio,{number},decompression,{surgery},America/New_York,10,yes\n"
        f"telegram,{new_sender('twilio')},fusion,{surgery},America/New_York,10,yes\n"
    )
    with demo_page(assistant.console_url, 1400, 1000) as console:
        log_in(console, nurse)
        open_tab(console, "checkins")
        console.find_element(By.ID, "import-file").send_keys(str(exported))
        console.find_element(By.ID, "import").click()
        message = wait(console, lambda d: "Enrolled 1 patient" in d.find_element(By.ID, "message").text)
        assert message
        assert "Line 3: " in console.find_element(By.ID, "message").text  # the Telegram row, with its reason
        assert "Decompression" in wait(console, lambda d: row_of(d, number)).text
