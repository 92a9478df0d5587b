"""axe-core, Deque's accessibility rules engine, run in the page: WCAG 2.1 A and AA.

The script comes from web/node_modules (web/package.json pins it; `make widget` installs it) and
is injected with selenium, so nothing is fetched when the tests run.
"""

from typing import Any, Dict, List

from selenium.webdriver.remote.webdriver import WebDriver

from bot import settings

AXE_SCRIPT = settings.PROJECT_ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_SECONDS = 120

RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
  .then((results) => done(results.violations), (error) => done(String(error)));
"""


def violations(driver: WebDriver) -> List[Dict[str, Any]]:
    """What axe finds against WCAG 2.1 AA in the page as it is now."""
    if not driver.execute_script("return Boolean(window.axe)"):
        driver.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
    driver.set_script_timeout(RUN_SECONDS)
    found = driver.execute_async_script(RUN, WCAG_21_AA)
    if isinstance(found, str):
        raise RuntimeError(f"axe-core failed: {found}")
    return found


def described(found: List[Dict[str, Any]]) -> str:
    """Each violation's rule, what it asks and the elements breaking it."""
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines += [f"    {node['target']}: {node['failureSummary']}" for node in violation["nodes"]]
    return "\n".join(lines)


def assert_accessible(driver: WebDriver, state: str) -> None:
    found = violations(driver)
    assert not found, f"WCAG 2.1 AA violations {state}:\n{described(found)}"
