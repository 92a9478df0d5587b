"""Debian's headless Chromium for the browser tests, waiting in it, and the browser's own
emulation of downloads, a lost network and zoom (the DevTools protocol)."""

import contextlib
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from bot import settings

SCREENSHOTS = settings.PROJECT_ROOT / "build" / "screenshots"
DOC_IMAGES = settings.PROJECT_ROOT / "docs" / "images"  # the screenshots the documentation shows
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


def allow_downloads(driver: WebDriver, directory: Path) -> None:
    """Downloads are saved to `directory`, without asking."""
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(directory)})


def set_offline(driver: WebDriver, offline: bool) -> None:
    """Chromium's network emulation: while offline, no new request or connection leaves the page."""
    driver.execute_cdp_cmd("Network.enable", {})
    conditions = {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", conditions)


def zoom(driver: WebDriver, percent: int) -> None:
    """What the browser's zoom at `percent` makes of the window: a viewport of fewer CSS pixels,
    each drawn with more device pixels."""
    scale = percent / 100
    width, height = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    metrics = {"width": round(width / scale), "height": round(height / scale), "deviceScaleFactor": scale}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "mobile": False})
