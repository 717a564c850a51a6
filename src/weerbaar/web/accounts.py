"""Accounts, roles and server-side sessions of the web app.

Passwords are hashed with Argon2 (pwdlib). A session is a random token in an HttpOnly
cookie; the database keeps only its SHA-256, the user, a CSRF token and the expiry, so
logout and deactivation revoke it at once.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from weerbaar.errors import AccessDenied, WeerbaarError
from weerbaar.settings import load_settings
from weerbaar.store import Workspace, utcnow
from weerbaar.store import users as q
from weerbaar.store.organisations import resolve_organisation
from weerbaar.web.passwords import (
    PolicyError,
    check_password,
    check_username,
    normalize_username,
)

ROLES = ("beheerder", "beoordelaar", "lezer")
# at most this many Argon2 computations at once (the machine's cores): a burst of
# logins with made-up names waits here instead of taking every thread and core
_argon2_slots = threading.BoundedSemaphore(max(1, min(4, os.cpu_count() or 1)))
_hasher = PasswordHash((Argon2Hasher(),))
# Verifying against this when the user does not exist keeps timing the same.
_DUMMY_HASH = _hasher.hash("weerbaar-dummy-password")


class AccountError(WeerbaarError):
    """An account cannot be made or changed."""


@dataclass(frozen=True)
class User:
    """A logged-in user. ``organisations`` None means all organisations."""

    id: int
    name: str
    role: str
    organisations: tuple[str, ...] | None

    @property
    def can_review(self) -> bool:
        return self.role in ("beheerder", "beoordelaar")

    @property
    def is_admin(self) -> bool:
        return self.role == "beheerder"

    def may_see(self, organisation_code: str | None) -> bool:
        if organisation_code is None:
            return self.organisations is None
        return self.organisations is None or organisation_code in self.organisations


@dataclass(frozen=True)
class Session:
    token: str  # the raw cookie value (only known right after login)
    user: User
    csrf_token: str


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_organisations(ws: Workspace, codes: list[str]) -> list[str]:
    return [resolve_organisation(ws, code).code for code in codes]


def create_user(
    ws: Workspace,
    name: str,
    *,
    role: str,
    password: str,
    organisations: list[str] | None = None,
) -> User:
    """Make an account. ``organisations`` limits what the user sees (None/empty = all)."""
    try:
        name = check_username(name)
        check_password(password, name)
    except PolicyError as exc:
        raise AccountError(str(exc)) from None
    if role not in ROLES:
        raise AccountError(f"Onbekende rol {role!r}: kies uit {', '.join(ROLES)}.")
    codes = _check_organisations(ws, organisations or [])
    with _argon2_slots:
        hashed = _hasher.hash(password)
    with ws.write() as conn:
        if _find_user(conn, name) is not None:  # unique without regard to case
            raise AccountError(f"Gebruiker {name!r} bestaat al.")
        user_id = q.insert_user(
            conn, name=name, password_hash=hashed, role=role, created_at=utcnow()
        )
        q.set_user_organisations(conn, user_id, codes)
    return User(id=user_id, name=name, role=role, organisations=tuple(codes) or None)


def set_password(ws: Workspace, name: str, password: str) -> None:
    """Set a new password; every open session of the user is revoked."""
    try:
        check_password(password, name)
    except PolicyError as exc:
        raise AccountError(str(exc)) from None
    with _argon2_slots:
        hashed = _hasher.hash(password)
    with ws.write() as conn:
        row = _find_user(conn, name)
        if row is None:
            raise AccountError(f"Gebruiker {name!r} bestaat niet.")
        q.update_user(conn, row["id"], password_hash=hashed)
        q.revoke_user_sessions(conn, row["id"])


def deactivate_user(ws: Workspace, name: str) -> int:
    """Deactivate an account and revoke its sessions; returns the sessions revoked."""
    with ws.write() as conn:
        row = _find_user(conn, name)
        if row is None:
            raise AccountError(f"Gebruiker {name!r} bestaat niet.")
        q.update_user(conn, row["id"], active=False)
        return q.revoke_user_sessions(conn, row["id"])


def list_users(ws: Workspace) -> list[dict[str, object]]:
    with ws.read() as conn:
        out = []
        for row in q.list_users(conn):
            out.append(
                {
                    "naam": row["name"],
                    "rol": row["role"],
                    "actief": bool(row["active"]),
                    "organisaties": q.user_organisation_codes(conn, row["id"]) or ["alle"],
                }
            )
        return out


def _find_user(conn: Any, name: str) -> dict[str, Any] | None:
    """The account with this name, compared without case (older accounts may still
    carry capitals)."""
    name = name.strip()
    row = q.get_user(conn, name=name) or q.get_user(conn, name=normalize_username(name))
    if row is None:
        wanted = normalize_username(name)
        for other in q.list_users(conn):
            if normalize_username(str(other["name"])) == wanted:
                return q.get_user(conn, user_id=other["id"])
    return row


def _user(conn: object, row: dict[str, object], user_id: int) -> User:
    codes = q.user_organisation_codes(conn, user_id)  # type: ignore[arg-type]
    return User(
        id=user_id,
        name=str(row["name"] if "name" in row else row["user_name"]),
        role=str(row["role"]),
        organisations=tuple(codes) or None,
    )


def login(ws: Workspace, name: str, password: str, *, hours: int | None = None) -> Session:
    """Check the password and start a new session (always a fresh token)."""
    hours = hours or load_settings().session_hours
    with ws.read() as conn:
        row = _find_user(conn, name) if len(name) <= 100 else None
    with _argon2_slots:  # Argon2 uses a core and 64 MB: only a few at once
        if row is None or not row["active"]:
            _hasher.verify(password, _DUMMY_HASH)
            raise AccessDenied("Onbekende gebruiker of onjuist wachtwoord.")
        valid, new_hash = _hasher.verify_and_update(password, row["password_hash"])
    if not valid:
        raise AccessDenied("Onbekende gebruiker of onjuist wachtwoord.")
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with ws.write() as conn:
        if new_hash:
            q.update_user(conn, row["id"], password_hash=new_hash)
        q.delete_expired_sessions(conn, now.isoformat(timespec="seconds"))
        q.insert_session(
            conn,
            token_hash=_hash_token(token),
            user_id=row["id"],
            csrf_token=csrf,
            created_at=now.isoformat(timespec="seconds"),
            expires_at=(now + timedelta(hours=hours)).isoformat(timespec="seconds"),
        )
        user = _user(conn, row, row["id"])
    return Session(token=token, user=user, csrf_token=csrf)


def load_session(ws: Workspace, token: str | None) -> Session | None:
    """The live session for a cookie value, or None (unknown, revoked, expired, or the
    account deactivated)."""
    if not token or len(token) > 200:
        return None
    with ws.read() as conn:
        row = q.get_session(conn, _hash_token(token))
        if row is None or row["revoked"] or not row["active"]:
            return None
        if row["expires_at"] <= datetime.now(UTC).isoformat(timespec="seconds"):
            return None
        user = _user(conn, row, row["user_id"])
    return Session(token=token, user=user, csrf_token=row["csrf_token"])


def logout(ws: Workspace, token: str) -> None:
    with ws.write() as conn:
        q.revoke_session(conn, _hash_token(token))


# --------------------------------------------------------------------------- throttling
# Wrong passwords are counted per (client, account), per client and per account within
# a sliding window, kept in the database (shared by the worker processes). Nothing locks
# an account for good: the strict limit is per client and account, so someone guessing
# another person's password from their own computer does not lock that person out; the
# per-account limit is high and only stops guessing spread over many clients.
FAILED_LOGIN_WINDOW_S = 15 * 60
MAX_FAILED_PER_CLIENT_ACCOUNT = 5
MAX_FAILED_PER_CLIENT = 20
MAX_FAILED_PER_ACCOUNT = 50
MAX_FAILED_LOGINS = MAX_FAILED_PER_CLIENT_ACCOUNT  # older name


def _throttle_keys(name: str, client: str) -> dict[str, str]:
    name = normalize_username(name)[:60]
    client = (client or "onbekend")[:39]
    return {"paar": f"p:{client}|{name}", "client": f"c:{client}", "account": f"a:{name}"}


def login_throttled(ws: Workspace, name: str, client: str = "") -> str | None:
    """A Dutch reason when this login attempt must wait, else None."""
    import time

    from weerbaar.store import review_work

    keys = _throttle_keys(name, client)
    since = time.time() - FAILED_LOGIN_WINDOW_S
    with ws.write() as conn:
        counts = {
            k: review_work.count_login_failures(conn, name_key=v, since=since)
            for k, v in keys.items()
        }
    if counts["paar"] >= MAX_FAILED_PER_CLIENT_ACCOUNT:
        return (
            "Te vaak een onjuist wachtwoord voor deze gebruiker vanaf deze computer. "
            "Probeer het over een kwartier opnieuw."
        )
    if counts["client"] >= MAX_FAILED_PER_CLIENT:
        return "Te veel mislukte inlogpogingen vanaf deze computer. Probeer het over een kwartier opnieuw."
    if counts["account"] >= MAX_FAILED_PER_ACCOUNT:
        return (
            "Te veel mislukte inlogpogingen voor deze gebruiker vanaf verschillende computers. "
            "Probeer het later opnieuw of neem contact op met de beheerder."
        )
    return None


def too_many_failures(ws: Workspace, name: str, client: str = "") -> bool:
    """True when :func:`login_throttled` gives a reason."""
    return login_throttled(ws, name, client) is not None


def record_failure(ws: Workspace, name: str, client: str = "") -> None:
    import time

    from weerbaar.store import review_work

    now = time.time()
    with ws.write() as conn:
        for key in _throttle_keys(name, client).values():
            review_work.record_login_failure(conn, name_key=key, at=now)
