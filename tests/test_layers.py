"""The layers: nothing the running product imports stands on the developer tools, and lower floors
do not import the ones above them."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, Tuple

import pytest

from bot import settings

LIVE_FOLDERS = ("bot", "actions")
DEVELOPER_ONLY = ("bot.dev",)
# (a package, what it must not import): the language pipeline builds on the timeline records, so
# the records stand on nothing of the pipeline's.
LOWER_FLOORS = (("bot/timelines/", "bot.language"), ("bot/database/", "bot.console"), ("bot/database/", "bot.rasa"))


def imports(path: Path) -> Iterator[Tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
            yield from ((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)


def named(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def live_modules() -> Iterator[Path]:
    for folder in LIVE_FOLDERS:
        for path in sorted((settings.PROJECT_ROOT / folder).rglob("*.py")):
            if not path.relative_to(settings.PROJECT_ROOT).as_posix().startswith("bot/dev/"):
                yield path


@pytest.mark.parametrize("path", list(live_modules()), ids=lambda p: p.relative_to(settings.PROJECT_ROOT).as_posix())
def test_no_live_module_imports_the_developer_tools(path: Path):
    wrong = [
        f"line {line}: {name}" for line, name in imports(path) if any(named(name, prefix) for prefix in DEVELOPER_ONLY)
    ]
    assert not wrong, f"move what it needs out of bot/dev (to bot/runtime or its own layer): {wrong}"


@pytest.mark.parametrize("package, above", LOWER_FLOORS)
def test_a_lower_floor_does_not_import_the_one_above(package: str, above: str):
    wrong = [
        f"{path.relative_to(settings.PROJECT_ROOT)} line {line}: {name}"
        for path in sorted((settings.PROJECT_ROOT / package).rglob("*.py"))
        for line, name in imports(path)
        if named(name, above)
    ]
    assert not wrong, f"{package} must not stand on {above}: {wrong}"
