"""The demo page in Chromium, on a desktop and on a phone, against the session's assistant."""

from typing import Iterator

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from tests.browser.chromium import demo_page


@pytest.fixture
def desktop(assistant) -> Iterator[WebDriver]:
    with demo_page(assistant.web_url, 1280, 900) as driver:
        yield driver


@pytest.fixture
def phone(assistant) -> Iterator[WebDriver]:
    with demo_page(assistant.web_url, 360, 740, phone=True) as driver:
        yield driver
