"""Debian's headless Chromium for the browser tests, and waiting in it."""

import contextlib
import shutil
import tempfile
from typing import Iterator

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from bot import settings

SCREENSHOTS = settings.PROJECT_ROOT / "build" / "screenshots"
WAIT_SECONDS = 30
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium(width: int, height: int, phone: bool) -> WebDriver:
    """Debian's chromium through Debian's chromedriver (no browser download).

    Phones are emulated (touch, device pixel ratio 2): a headless window cannot be made 360 px wide.
    """
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in CHROME_FLAGS + [
        f"--window-size={width},{height}",
        f"--user-data-dir={tempfile.mkdtemp(prefix='spc-chrome-')}",
    ]:
        options.add_argument(flag)
    if phone:
        options.add_experimental_option(
            "mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "touch": True}}
        )
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


@contextlib.contextmanager
def demo_page(url: str, width: int, height: int, phone: bool = False) -> Iterator[WebDriver]:
    driver = chromium(width, height, phone)
    try:
        driver.get(url)
        yield driver
    finally:
        driver.quit()


def wait(driver: WebDriver, condition, seconds: float = WAIT_SECONDS):
    return WebDriverWait(driver, seconds, poll_frequency=0.2).until(condition)
