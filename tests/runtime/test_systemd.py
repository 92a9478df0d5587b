"""The systemd units of deploy/systemd/ and their environment files (bot/runtime/systemd.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Dict, List

import pytest

from bot import settings
from bot.runtime.services import COMMANDS
from bot.runtime.systemd import ENV_DIR, INSTALL_DIR, SET_BY_THE_UNIT, UNITS, UNITS_DIR, env_files

TARGET = "spine-faq.target"
MAX_EXPOSURE = 20  # systemd-analyze security's score times 10: 0 shut off from everything, 100 open to all


def directives(unit: str) -> Dict[str, List[str]]:
    """The unit file's settings: name -> every value given to it."""
    found: Dict[str, List[str]] = {}
    for line in (UNITS_DIR / unit).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            name, _, value = line.partition("=")
            found.setdefault(name, []).append(value)
    return found


def test_the_environment_files_are_the_ones_the_settings_table_writes():
    assert {path.name for path in ENV_DIR.iterdir()} == {path.name for path in env_files()}
    for path, text in env_files().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run python -m bot.runtime.systemd"


def test_every_variable_a_process_reads_is_in_its_environment_file():
    for process in UNITS:
        text = (ENV_DIR / f"{process}.env").read_text(encoding="utf-8")
        for setting in settings.read_by(process):
            assert f"{setting.name}=" in text or setting.name in SET_BY_THE_UNIT.get(process, {}), setting.name


@pytest.mark.parametrize("process", UNITS)
def test_each_unit_starts_its_process_as_make_run_does_under_its_own_user(process):
    unit = directives(UNITS[process])
    assert unit["ExecStart"] == [f"{INSTALL_DIR}/.venv/bin/python -m {COMMANDS[process]}"]
    assert unit["WorkingDirectory"] == [INSTALL_DIR]
    assert unit["EnvironmentFile"] == [f"/etc/spine-faq/{process}.env"]
    assert unit["User"] == ["spine-faq"] and unit["Restart"] == ["on-failure"]
    for name, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes"}.items():
        assert unit[name] == [value]
    assert unit["ProtectHome"] == ["yes"] and unit["WantedBy"] == [TARGET]
    assert "network-online.target" in unit["After"][0].split()
    writable = unit.get("ReadWritePaths", [])
    assert writable in ([], [f"{INSTALL_DIR}/var"]), "only var/ (with the default model store) is written"
    environment = " ".join(unit.get("Environment", [])).split()
    for name in SET_BY_THE_UNIT.get(process, {}):
        assert f"{name}=%i" in environment


def test_the_units_wait_for_the_databases_they_use():
    assert {"postgresql.service", "redis-server.service"} <= set(directives(UNITS["rasa"])["After"][0].split())
    assert "postgresql.service" in directives(UNITS["console"])["After"][0].split()


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    """The units as they are, but expecting the project here instead of in INSTALL_DIR (systemd checks
    that the programs they start exist)."""
    for unit in (*UNITS.values(), TARGET):
        text = (UNITS_DIR / unit).read_text(encoding="utf-8")
        (tmp_path / unit).write_text(text.replace(INSTALL_DIR, str(settings.PROJECT_ROOT)), encoding="utf-8")
    return tmp_path


def unit_paths(directory: Path) -> List[str]:
    """Each unit's file, the template's as an instance (a replica on port 5005)."""
    return [str(directory / unit.replace("@.", "@5005.")) for unit in (*UNITS.values(), TARGET)]


@pytest.mark.servers  # Debian's systemd (its systemd-analyze), which make test installs
def test_systemd_accepts_the_units(installed):
    check = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *unit_paths(installed)], capture_output=True, text=True
    )
    assert check.returncode == 0 and not check.stderr.strip(), check.stderr  # unknown keys are only warned of


@pytest.mark.servers
def test_the_units_are_shut_off_from_what_they_do_not_need(installed):
    for path in unit_paths(installed)[:-1]:
        check = subprocess.run(
            ["systemd-analyze", "security", "--offline=yes", "--no-pager", f"--threshold={MAX_EXPOSURE}", path],
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, (check.stdout.splitlines() or [check.stderr])[-1]
