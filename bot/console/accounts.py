"""Staff accounts, logins and sessions.

Passwords are hashed with Argon2id (argon2-cffi). A login opens a session: a random token in an
HttpOnly cookie (the database keeps only its SHA-256) and a CSRF token the pages send back in a
header. After MAX_FAILURES["user"] failed logins within THROTTLE_SECONDS for one user name (or
MAX_FAILURES["ip"] from one address: staff behind one proxy share it), further attempts are
refused until the oldest failure is older than that.

    python -m bot.console.accounts USER [ROLE]   (make staff-user USER=<name> [ROLE=reviewer|admin])

asks for the password (or reads STAFF_PASSWORD when not run from a terminal).
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import secrets
import sys
import time
from dataclasses import dataclass
from typing import List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine

from bot import settings
from bot.commands import run_command
from bot.database import LOGIN_FAILURES, SESSIONS, USERS, database

REVIEWER, NURSE, ADMIN = "reviewer", "nurse", "admin"
ROLES = (REVIEWER, NURSE, ADMIN)  # reviewer: reads; nurse: also acts on alerts; admin: everything
MIN_PASSWORD_LENGTH = 12
MAX_FAILURES = {"user": 5, "ip": 50}  # by the kind of key: "user:<name>" or "ip:<address>"
THROTTLE_SECONDS = 900
SESSION_SECONDS = 8 * 3600
USERNAME_CHARACTERS = set("abcdefghijklmnopqrstuvwxyz0123456789._-@")
HASHER = PasswordHasher()
# Verified when the user name is unknown, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A user name, role or password that cannot be used; the message says what to change."""


@dataclass(frozen=True)
class StaffSession:
    username: str
    role: str
    csrf_token: str


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not 1 <= len(name) <= 64 or not set(name) <= USERNAME_CHARACTERS:
        raise AccountError("a user name is 1-64 characters: letters, digits, '.', '_', '-' or '@'")
    return name


def save_user(engine: Engine, username: str, password: str, role: str) -> bool:
    """Creates the account or resets its password and role; True if it was created. Resetting
    ends the user's open sessions."""
    name = check_username(username)
    if role not in ROLES:
        raise AccountError(f"ROLE must be one of {', '.join(ROLES)}, not {role!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    values = {"password_hash": HASHER.hash(password), "role": role, "updated_at": time.time()}
    with engine.begin() as connection:
        exists = connection.execute(select(USERS.c.username).where(USERS.c.username == name)).first()
        if exists:
            connection.execute(update(USERS).where(USERS.c.username == name).values(**values))
            connection.execute(delete(SESSIONS).where(SESSIONS.c.username == name))
        else:
            connection.execute(insert(USERS).values(username=name, **values))
    return not exists


def throttled_for(engine: Engine, keys: List[str], now: Optional[float] = None) -> float:
    """Seconds until another login may be tried for these keys (0: now)."""
    now = time.time() if now is None else now
    since = now - THROTTLE_SECONDS
    with engine.connect() as connection:
        wait = 0.0
        for key in keys:
            recent = connection.execute(
                select(func.count(), func.min(LOGIN_FAILURES.c.at)).where(
                    LOGIN_FAILURES.c.key == key, LOGIN_FAILURES.c.at > since
                )
            ).one()
            if recent[0] >= MAX_FAILURES[key.split(":", 1)[0]]:
                wait = max(wait, recent[1] + THROTTLE_SECONDS - now)
    return wait


def login(engine: Engine, username: str, password: str, keys: List[str]) -> Optional[str]:
    """The new session's token if the password is right, else None (the failure counts against
    `keys`: the user name and the address)."""
    name = username.strip().lower()
    with engine.connect() as connection:
        row = connection.execute(select(USERS).where(USERS.c.username == name)).first()
    try:
        HASHER.verify(row.password_hash if row else _DUMMY_HASH, password)
        valid = row is not None
    except (VerificationError, InvalidHashError):
        valid = False
    with engine.begin() as connection:
        if not valid:
            connection.execute(insert(LOGIN_FAILURES), [{"key": key, "at": time.time()} for key in keys])
            return None
        connection.execute(delete(LOGIN_FAILURES).where(LOGIN_FAILURES.c.key == f"user:{name}"))
        connection.execute(delete(SESSIONS).where(SESSIONS.c.expires_at < time.time()))
        token = secrets.token_urlsafe(32)
        connection.execute(
            insert(SESSIONS).values(
                token_hash=_digest(token),
                username=name,
                csrf_token=secrets.token_urlsafe(32),
                expires_at=time.time() + SESSION_SECONDS,
            )
        )
    return token


def session(engine: Engine, token: str) -> Optional[StaffSession]:
    """The open session of a cookie's token, if any."""
    if not token:
        return None
    with engine.connect() as connection:
        row = connection.execute(
            select(SESSIONS.c.username, SESSIONS.c.csrf_token, USERS.c.role)
            .join(USERS, USERS.c.username == SESSIONS.c.username)
            .where(SESSIONS.c.token_hash == _digest(token), SESSIONS.c.expires_at > time.time())
        ).first()
    return StaffSession(row.username, row.role, row.csrf_token) if row else None


def logout(engine: Engine, token: str) -> None:
    with engine.begin() as connection:
        connection.execute(delete(SESSIONS).where(SESSIONS.c.token_hash == _digest(token)))


def csrf_matches(staff: StaffSession, given: str) -> bool:
    return bool(given) and hmac.compare_digest(staff.csrf_token, given)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def read_password() -> str:
    """From a prompt (twice) on a terminal, else from STAFF_PASSWORD."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Repeat it: ") != first:
            raise AccountError("the two passwords differ")
        return first
    given = settings.STAFF_PASSWORD.get()
    if not given:
        raise AccountError("not run from a terminal: give the password in STAFF_PASSWORD")
    return given


def main(argv: List[str]) -> int:
    if not 1 <= len(argv) <= 2:
        print("usage: make staff-user USER=<name> [ROLE=reviewer|admin]", file=sys.stderr)
        return 2
    username, role = argv[0], (argv[1] if len(argv) == 2 and argv[1] else "reviewer")

    def save() -> str:
        if role not in ROLES:  # before asking for the password
            raise AccountError(f"ROLE must be one of {', '.join(ROLES)}, not {role!r}")
        name = check_username(username)
        return f"{'created' if save_user(database(), name, read_password(), role) else 'reset'} {name} ({role})"

    return run_command("staff-user", save, AccountError)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
