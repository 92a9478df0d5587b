"""The chat widget in headless Chromium, on the demo page, against the running assistant.

Screenshots of the widget with an answer, 1280 and 360 px wide, go to docs/images/ (the
documentation shows them).
"""

import time
from pathlib import Path
from typing import List

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from bot.names import Channel
from bot.runtime.client import poll_until
from bot.runtime.services import isolated_environment, isolated_settings, running_services, start_process
from tests.browser.chromium import DOC_IMAGES, allow_downloads, demo_page, wait, zoom
from tests.clinic_profiles import AFTER_HOURS, PHONE
from tests.rasa.stores import held_by_another_writer


def open_chat(driver: WebDriver) -> None:
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".spc-bubble"))[0].click()
    wait(driver, lambda d: d.find_element(By.ID, "spc-panel").is_displayed())


def bot_messages(driver: WebDriver) -> List[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, ".spc-log li.spc-bot")


def ask(driver: WebDriver, text: str, expect: str) -> WebElement:
    """Types a question, presses Enter, and waits for the bot message containing `expect`."""
    box = driver.find_element(By.ID, "spc-input")
    box.send_keys(text, Keys.ENTER)
    return reply_containing(driver, expect)


def reply_containing(driver: WebDriver, expect: str) -> WebElement:
    return wait(driver, lambda d: next((m for m in bot_messages(d) if expect in m.text), False))


def test_faq_answer_with_its_source_and_the_disclaimer(desktop):
    open_chat(desktop)
    answer = ask(desktop, "can i climb stairs after surgery?", "within a few days, slowly and carefully")
    assert answer.find_element(By.CSS_SELECTOR, ".spc-source").text.startswith(
        "Source: Recovery After Minimally Invasive Spine Surgery"
    )
    assert "not medical advice" in desktop.find_element(By.CSS_SELECTOR, ".spc-disclaimer").text
    assert reply_containing(desktop, "It is not medical advice. In an emergency, call 911")
    desktop.save_screenshot(str(DOC_IMAGES / "widget-1280.png"))


def test_quick_replies_send_their_payload_and_show_their_title(desktop):
    open_chat(desktop)
    ask(desktop, "how long does recovery take?", "Which procedure")
    choice = wait(
        desktop,
        lambda d: next(
            (b for b in d.find_elements(By.CSS_SELECTOR, ".spc-choice") if b.text == "Decompression"), False
        ),
    )
    choice.click()
    reply_containing(desktop, "It typically takes 4–8 weeks to reach near-full mobility.")
    assert desktop.find_elements(By.CSS_SELECTOR, ".spc-log li.spc-user")[-1].text.endswith("Decompression")
    assert not desktop.find_elements(By.CSS_SELECTOR, ".spc-choice")


def test_warning_signs_are_shown_as_urgent(desktop):
    open_chat(desktop)
    ask(desktop, "when can i swim? my incision is oozing pus", "contact your surgeon now")
    urgent = desktop.find_element(By.CSS_SELECTOR, ".spc-log li.spc-urgent")
    alert = urgent.find_element(By.CSS_SELECTOR, "[role='alert']")  # announced at once
    assert "contact your surgeon now" in alert.text
    label = alert.find_element(By.CSS_SELECTOR, ".spc-urgent-label")
    assert label.text.lower() == "urgent" and label.find_element(By.TAG_NAME, "svg").is_displayed()
    signs = [item.text for item in alert.find_elements(By.CSS_SELECTOR, "ul.spc-list > li")]  # a real list
    assert signs[0] == "you lose bladder or bowel control." and len(signs) == 3


def test_the_clinics_numbers_are_tap_to_call_links(desktop):
    """The session's clinic profile sets a phone number and an after-hours line (tests/conftest.py)."""
    open_chat(desktop)
    ask(desktop, "my incision is red and swollen", "contact your surgeon now")
    for _ in range(2):  # as answered, and as restored after a reload
        reply = reply_containing(desktop, "contact your surgeon now")
        links = {a.text: a.get_attribute("href") for a in reply.find_elements(By.CSS_SELECTOR, ".spc-text a")}
        assert links == {PHONE: "tel:+13105550100", AFTER_HOURS: "tel:+13105550199", "911": "tel:911"}
        assert f"call the clinic at {PHONE} (after hours, {AFTER_HOURS})." in reply.text
        assert "Seek emergency care now (call 911) if:" in reply.text
        desktop.refresh()
        wait(desktop, lambda d: d.find_element(By.ID, "spc-panel").is_displayed())


def test_the_conversation_survives_a_reload(desktop):
    open_chat(desktop)
    ask(desktop, "what is spinal fusion?", "joins two or more vertebrae")
    shown = len(desktop.find_elements(By.CSS_SELECTOR, ".spc-log li.spc-msg"))
    desktop.refresh()
    wait(desktop, lambda d: d.find_element(By.ID, "spc-panel").is_displayed())
    assert len(desktop.find_elements(By.CSS_SELECTOR, ".spc-log li.spc-msg")) == shown
    ask(desktop, "thanks", "You're welcome")
    disclaimers = [m for m in bot_messages(desktop) if "not medical advice" in m.text]
    assert len(disclaimers) == 1, "a reload must continue the same conversation, not start a new one"


def stored_session(driver: WebDriver):
    return driver.execute_script(
        "const key = Object.keys(sessionStorage).find(k => k.startsWith('spineChat:'));"
        "return key ? JSON.parse(sessionStorage.getItem(key)).sessionId : null;"
    )


def test_end_chat_leaves_the_conversation_and_clears_it_from_the_browser(desktop):
    open_chat(desktop)
    ask(desktop, "what is spinal fusion?", "joins two or more vertebrae")
    ended = stored_session(desktop)
    desktop.find_element(By.CSS_SELECTOR, ".spc-end").click()
    status = desktop.find_element(By.CSS_SELECTOR, ".spc-status")
    wait(desktop, lambda d: "Chat ended" in status.text)
    [greeting] = desktop.find_elements(By.CSS_SELECTOR, ".spc-log li.spc-msg")
    assert "Ask me about recovering from spine surgery" in greeting.text
    wait(desktop, lambda d: stored_session(d) not in (None, ended))
    ask(desktop, "thanks", "You're welcome")
    assert not any("vertebrae" in m.text for m in bot_messages(desktop))


def test_message_text_is_never_executed(desktop):
    open_chat(desktop)
    attack = '<img src=x onerror="window.__spcInjected=1">hello'
    desktop.find_element(By.ID, "spc-input").send_keys(attack, Keys.ENTER)
    texts = lambda d: [e.text for e in d.find_elements(By.CSS_SELECTOR, ".spc-log li.spc-user .spc-text")]  # noqa: E731
    wait(desktop, lambda d: attack in texts(d))
    wait(desktop, lambda d: len(bot_messages(d)) >= 3)
    assert not desktop.find_elements(By.CSS_SELECTOR, ".spc-log img")
    assert desktop.execute_script("return window.__spcInjected") is None


def test_keyboard_only(desktop):
    for _ in range(10):
        ActionChains(desktop).send_keys(Keys.TAB).perform()
        if "spc-bubble" in (desktop.switch_to.active_element.get_attribute("class") or ""):
            break
    bubble = desktop.switch_to.active_element
    assert "spc-bubble" in bubble.get_attribute("class")
    assert desktop.execute_script("return getComputedStyle(document.activeElement).outlineStyle") != "none"
    bubble.send_keys(Keys.ENTER)
    wait(desktop, lambda d: d.switch_to.active_element.get_attribute("id") == "spc-input")
    desktop.switch_to.active_element.send_keys("where is the clinic?", Keys.ENTER)
    reply_containing(desktop, "8631 W. 3rd Street")
    desktop.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait(desktop, lambda d: not d.find_element(By.ID, "spc-panel").is_displayed())
    assert "spc-bubble" in desktop.switch_to.active_element.get_attribute("class")


def test_labels_and_live_region_for_screen_readers(desktop):
    open_chat(desktop)
    log = desktop.find_element(By.CSS_SELECTOR, ".spc-log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    assert (
        desktop.find_element(By.CSS_SELECTOR, "label[for='spc-input']").get_attribute("textContent") == "Your question"
    )
    assert desktop.find_element(By.CSS_SELECTOR, ".spc-close").get_attribute("aria-label") == "Close chat"
    assert desktop.find_element(By.ID, "spc-panel").get_attribute("aria-labelledby") == "spc-title"
    assert desktop.find_element(By.CSS_SELECTOR, ".spc-status").get_attribute("role") == "status"


CONTRAST = """
function luminance(color) {
  const [r, g, b] = color.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function background(node) {
  for (; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg && !bg.endsWith(", 0)") && bg !== "transparent") return bg;
  }
  return "rgb(255, 255, 255)";
}
const node = document.querySelector(arguments[0]);
const [a, b] = [luminance(getComputedStyle(node).color), luminance(background(node))];
return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
"""


def test_text_contrast_meets_wcag_aa(desktop):
    open_chat(desktop)
    ask(desktop, "my incision is red and swollen", "contact your surgeon now")
    ask(desktop, "can i climb stairs after surgery?", "slowly and carefully")
    for selector in (
        ".spc-bubble",
        ".spc-title",
        ".spc-disclaimer",
        ".spc-bot .spc-text",
        ".spc-user .spc-text",
        ".spc-source",
        ".spc-urgent .spc-text",
        ".spc-urgent-label",
        ".spc-send",
        ".spc-end",
        ".spc-feedback",
    ):
        assert desktop.execute_script(CONTRAST, selector) >= 4.5, selector


def test_fits_a_360_px_phone(phone):
    open_chat(phone)
    ask(phone, "is fusion the same as a disc replacement?", "Spinal fusion stops motion")
    panel = phone.find_element(By.ID, "spc-panel").rect
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 360
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360
    phone.save_screenshot(str(DOC_IMAGES / "widget-360.png"))


# Every element of the widget showing text of its own (or a control): its font size in px, and
# whether it lies within the open panel, which lies within the window.
SHOWN_TEXT = """
const panel = document.getElementById("spc-panel").getBoundingClientRect();
const onScreen = panel.left >= 0 && panel.top >= 0 && panel.right <= innerWidth && panel.bottom <= innerHeight;
const ownText = (node) => Array.from(node.childNodes).some((child) => child.nodeType === 3 && child.textContent.trim());
return Array.from(document.querySelectorAll(".spc-root *"))
  .filter((node) => node.getClientRects().length && !node.closest(".spc-visually-hidden"))
  .filter((node) => ownText(node) || node.matches("button, input"))
  .map((node) => {
    const box = node.getBoundingClientRect();
    const within = box.left >= panel.left - 1 && box.right <= panel.right + 1;
    const inPanel = !node.closest("#spc-panel") || (onScreen && within);
    return {
      what: `${node.tagName.toLowerCase()}.${node.className} "${node.textContent.trim().slice(0, 30)}"`,
      px: parseFloat(getComputedStyle(node).fontSize),
      shown: inPanel && node.scrollWidth <= node.clientWidth + 1,
    };
  });
"""


def shown_text(driver: WebDriver) -> List[dict]:
    return driver.execute_script(SHOWN_TEXT)


def text_size(driver: WebDriver, percent: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f'.spc-text-size-choice[data-size="{percent}"]').click()


def test_all_text_is_at_least_16_px(desktop):
    open_chat(desktop)
    ask(desktop, "my incision is red and swollen", "contact your surgeon now")
    ask(desktop, "how long does recovery take?", "Which procedure")
    small = [t["what"] for t in shown_text(desktop) if t["px"] < 16]
    assert not small, small


def test_the_text_size_control_scales_all_text_and_is_remembered(desktop):
    open_chat(desktop)
    ask(desktop, "what is spinal fusion?", "joins two or more vertebrae")
    group = desktop.find_element(By.CSS_SELECTOR, ".spc-header [role='group']")
    assert desktop.find_element(By.ID, group.get_attribute("aria-labelledby")).text == "Text size"
    pressed = lambda d: [b.text for b in d.find_elements(By.CSS_SELECTOR, ".spc-text-size-choice[aria-pressed='true']")]  # noqa: E731
    assert pressed(desktop) == ["100%"]
    sizes = {t["what"]: t["px"] for t in shown_text(desktop)}
    text_size(desktop, "200")
    assert pressed(desktop) == ["200%"]
    assert {t["what"]: t["px"] for t in shown_text(desktop)} == {what: 2 * px for what, px in sizes.items()}
    desktop.refresh()
    wait(desktop, lambda d: d.find_element(By.ID, "spc-panel").is_displayed())
    assert pressed(desktop) == ["200%"], "the text size is remembered (localStorage)"


# Whether the element is the one a click at its centre reaches, once scrolled into view.
CLICKABLE = """
const node = document.querySelector(arguments[0]);
node.scrollIntoView({block: "center"});
const box = node.getBoundingClientRect();
return node.contains(document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2));
"""
CONTROLS = [".spc-close", ".spc-text-size-choice", ".spc-choice", ".spc-feedback button", "#spc-input"]
CONTROLS += [".spc-form .spc-send", ".spc-save", ".spc-print", ".spc-end"]


def nothing_cut_off_and_every_control_works(driver: WebDriver) -> None:
    """Nothing is cut off or pushed out of the open panel; every control can be reached and used."""
    driver.find_element(By.ID, "spc-input").send_keys("can i climb stairs after surgery?")
    driver.find_element(By.CSS_SELECTOR, ".spc-form .spc-send").click()
    reply_containing(driver, "slowly and carefully")
    ask(driver, "how long does recovery take?", "Which procedure")
    cut = [t["what"] for t in shown_text(driver) if not t["shown"]]
    assert not cut, cut
    assert driver.execute_script("return document.documentElement.scrollWidth <= innerWidth")
    for control in CONTROLS:
        assert driver.execute_script(CLICKABLE, control), control
    driver.find_element(By.XPATH, "//button[@class='spc-choice' and .='Decompression']").click()
    reply_containing(driver, "4–8 weeks to reach near-full mobility")


def test_200_percent_text_on_a_360_px_phone(phone):
    open_chat(phone)
    text_size(phone, "200")
    nothing_cut_off_and_every_control_works(phone)


def test_200_percent_browser_zoom(desktop):
    zoom(desktop, 200)
    open_chat(desktop)
    nothing_cut_off_and_every_control_works(desktop)


# Emoji and symbol characters: fonts for them are missing on many systems.
SYMBOLS = r"/[\p{Extended_Pictographic}\u2022\u00d7\u2190-\u21ff\u2713\u2714]/u"


def test_icons_need_no_emoji_font(desktop):
    open_chat(desktop)
    ask(desktop, "my incision is red and swollen", "contact your surgeon now")
    ask(desktop, "can i climb stairs after surgery?", "slowly and carefully")
    chrome = desktop.execute_script(
        "const root = document.querySelector('.spc-root').cloneNode(true);"
        "root.querySelectorAll('.spc-text, .spc-source, .spc-disclaimer').forEach((n) => n.remove());"
        f"return root.textContent.match({SYMBOLS});"
    )
    assert chrome is None
    assert desktop.find_elements(By.CSS_SELECTOR, ".spc-close svg, .spc-feedback svg, .spc-urgent-label svg")
    assert desktop.find_element(By.CSS_SELECTOR, ".spc-close").accessible_name == "Close chat"
    names = [button.accessible_name for button in desktop.find_elements(By.CSS_SELECTOR, ".spc-feedback button")]
    assert names[:2] == ["Yes", "No"]


def downloaded(directory: Path) -> Path:
    """The one file downloaded to `directory`, once complete."""
    poll_until(lambda: any(not f.name.endswith(".crdownload") for f in directory.iterdir()), 30, "the download")
    [file] = directory.iterdir()
    return file


def test_save_answers_with_the_keyboard_downloads_them_with_their_sources(desktop, tmp_path):
    allow_downloads(desktop, tmp_path)
    open_chat(desktop)
    ask(desktop, "can i climb stairs after surgery?", "slowly and carefully")
    ask(desktop, "my incision is red and swollen", "contact your surgeon now")
    for _ in range(3):  # from the question: Send, then Save answers
        if desktop.switch_to.active_element.get_attribute("class") == "spc-action spc-save":
            break
        ActionChains(desktop).send_keys(Keys.TAB).perform()
    desktop.switch_to.active_element.send_keys(Keys.ENTER)
    file = downloaded(tmp_path)
    assert file.name.startswith("recovery-assistant-answers-") and file.suffix == ".txt"
    text = file.read_text(encoding="utf-8-sig")
    assert "You: can i climb stairs after surgery?\n" in text
    assert "You can usually climb stairs within a few days, slowly and carefully." in text
    assert "Source: Recovery After Minimally Invasive Spine Surgery" in text
    assert "Assistant (Urgent): Redness, drainage or swelling at the incision" in text
    assert "not medical advice" in text
    assert "saved as a text file" in desktop.find_element(By.CSS_SELECTOR, ".spc-status").text


def test_print_prints_the_conversation_alone(desktop):
    open_chat(desktop)
    ask(desktop, "can i climb stairs after surgery?", "slowly and carefully")
    desktop.execute_script("window.print = () => { window.printed = document.documentElement.className; };")
    desktop.find_element(By.CSS_SELECTOR, ".spc-print").send_keys(Keys.ENTER)
    assert desktop.execute_script("return window.printed") == "spc-printing"
    desktop.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    shown = lambda selector: [e.is_displayed() for e in desktop.find_elements(By.CSS_SELECTOR, selector)]  # noqa: E731
    assert shown("body > main") == shown("body > header") == [False]  # the clinic's page
    assert shown(".spc-form") == shown(".spc-actions") == shown(".spc-bubble") == [False]
    assert all(shown(".spc-msg") + shown(".spc-source")) and shown(".spc-source")
    assert desktop.execute_script(
        "const log = document.querySelector('.spc-log'); return log.scrollHeight <= log.clientHeight"
    )
    assert desktop.find_elements(By.XPATH, "//*[contains(@class, 'spc-msg')]/*[normalize-space()='You said:']")
    desktop.execute_script("window.dispatchEvent(new Event('afterprint'))")
    assert desktop.execute_script("return document.documentElement.className") == ""


@pytest.fixture
def own_assistant(tmp_path):
    """An assistant of this test's own, whose Rasa server can be stopped and restarted."""
    with running_services(isolated_settings(), tmp_path, isolated_environment(tmp_path)) as services:
        yield services


UNANSWERED = "will there be screws and rods in my back after fusion?"


def test_reconnects_by_itself_with_a_visible_notice(own_assistant, tmp_path):
    with demo_page(own_assistant.web_url, 1280, 900) as driver:
        open_chat(driver)
        ask(driver, "hello", "What would you like to know?")  # the server's greeting, not the widget's own
        rasa = own_assistant.processes["rasa"]
        rasa.terminate()
        rasa.wait(timeout=30)
        status = driver.find_element(By.CSS_SELECTOR, ".spc-status")
        wait(driver, lambda d: status.is_displayed() and ("Reconnecting" in status.text or "Retrying" in status.text))
        start_process(own_assistant, "rasa", tmp_path / "rasa-restarted.log")
        own_assistant.client().wait_until_ready(240)
        wait(driver, lambda d: not status.is_displayed(), seconds=60)
        ask(driver, "where is the clinic?", "8631 W. 3rd Street")
        disclaimers = [m for m in bot_messages(driver) if "not medical advice" in m.text]
        assert len(disclaimers) == 1, "after the restart the stored conversation continues"


def test_a_message_the_dying_server_did_not_answer_is_sent_again_and_stored_once(own_assistant, tmp_path):
    with demo_page(own_assistant.web_url, 1280, 900) as driver:
        open_chat(driver)
        ask(driver, "hello", "What would you like to know?")
        driver.find_element(By.ID, "spc-input").send_keys(UNANSWERED, Keys.ENTER)
        time.sleep(0.05)  # the message is on its way, or being processed
        own_assistant.processes["rasa"].kill()
        own_assistant.processes["rasa"].wait(timeout=30)
        start_process(own_assistant, "rasa", tmp_path / "rasa-restarted.log")
        own_assistant.client().wait_until_ready(240)
        reply_containing(driver, "rods")
        session = driver.execute_script(
            "var key = Object.keys(sessionStorage).find(function (k) { return k.indexOf('spineChat:') === 0; });"
            "return JSON.parse(sessionStorage.getItem(key)).sessionId;"
        )
    tracker = own_assistant.client()._get(f"/conversations/{Channel.SOCKETIO}:{session}/tracker")
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"].count(UNANSWERED) == 1


def test_a_message_the_server_could_not_store_is_sent_again_and_answered_once(shared_assistant, tmp_path):
    with demo_page(shared_assistant.web_url, 1280, 900) as driver:
        open_chat(driver)
        ask(driver, "hello", "What would you like to know?")
        shown = len(bot_messages(driver))
        status = driver.find_element(By.CSS_SELECTOR, ".spc-status")
        with held_by_another_writer(tmp_path / "conversations.db"):  # reads go on, saves fail
            driver.find_element(By.ID, "spc-input").send_keys(UNANSWERED, Keys.ENTER)
            wait(driver, lambda d: status.is_displayed() and "Sending it again" in status.text, seconds=90)
            assert len(bot_messages(driver)) == shown  # the replies made before the failure were never shown
        reply_containing(driver, "rods")
        wait(driver, lambda d: not status.is_displayed())
        session = driver.execute_script(
            "var key = Object.keys(sessionStorage).find(function (k) { return k.indexOf('spineChat:') === 0; });"
            "return JSON.parse(sessionStorage.getItem(key)).sessionId;"
        )
    tracker = shared_assistant.client()._get(f"/conversations/{Channel.SOCKETIO}:{session}/tracker")
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"].count(UNANSWERED) == 1
