"""Accounts, roles and server-side sessions of the web app.

Passwords are hashed with Argon2 (pwdlib). A session is a random token in an HttpOnly
cookie; the database keeps only its SHA-256, the user, a CSRF token and the expiry, so
logout and deactivation revoke it at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from weerbaar.errors import AccessDenied, WeerbaarError
from weerbaar.settings import load_settings
from weerbaar.store import Workspace, utcnow
from weerbaar.store import users as q

ROLES = ("beheerder", "beoordelaar", "lezer")
MIN_PASSWORD = 10
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
    out = []
    for code in codes:
        try:
            from weerbaar.store.organisations import resolve_organisation

            out.append(resolve_organisation(ws, code).code)
        except ImportError:  # pragma: no cover
            out.append(code.strip().upper())
    return out


def create_user(
    ws: Workspace,
    name: str,
    *,
    role: str,
    password: str,
    organisations: list[str] | None = None,
) -> User:
    """Make an account. ``organisations`` limits what the user sees (None/empty = all)."""
    name = name.strip()
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise AccountError("Een gebruikersnaam is 1 tot 100 tekens, zonder spaties.")
    if role not in ROLES:
        raise AccountError(f"Onbekende rol {role!r}: kies uit {', '.join(ROLES)}.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Een wachtwoord heeft minstens {MIN_PASSWORD} tekens.")
    codes = _check_organisations(ws, organisations or [])
    hashed = _hasher.hash(password)
    with ws.write() as conn:
        if q.get_user(conn, name=name) is not None:
            raise AccountError(f"Gebruiker {name!r} bestaat al.")
        user_id = q.insert_user(
            conn, name=name, password_hash=hashed, role=role, created_at=utcnow()
        )
        q.set_user_organisations(conn, user_id, codes)
    return User(id=user_id, name=name, role=role, organisations=tuple(codes) or None)


def set_password(ws: Workspace, name: str, password: str) -> None:
    """Set a new password; every open session of the user is revoked."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Een wachtwoord heeft minstens {MIN_PASSWORD} tekens.")
    with ws.write() as conn:
        row = q.get_user(conn, name=name)
        if row is None:
            raise AccountError(f"Gebruiker {name!r} bestaat niet.")
        q.update_user(conn, row["id"], password_hash=_hasher.hash(password))
        q.revoke_user_sessions(conn, row["id"])


def deactivate_user(ws: Workspace, name: str) -> int:
    """Deactivate an account and revoke its sessions; returns the sessions revoked."""
    with ws.write() as conn:
        row = q.get_user(conn, name=name)
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
        row = q.get_user(conn, name=name.strip())
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
MAX_FAILED_LOGINS = 5
FAILED_LOGIN_WINDOW_S = 15 * 60


def too_many_failures(ws: Workspace, name: str) -> bool:
    """True after ``MAX_FAILED_LOGINS`` wrong passwords for ``name`` within the window.
    Kept in the database, so it holds across the worker processes of one workspace."""
    import time

    from weerbaar.store import review_work

    with ws.write() as conn:
        n = review_work.count_login_failures(
            conn, name_key=name, since=time.time() - FAILED_LOGIN_WINDOW_S
        )
    return n >= MAX_FAILED_LOGINS


def record_failure(ws: Workspace, name: str) -> None:
    import time

    from weerbaar.store import review_work

    with ws.write() as conn:
        review_work.record_login_failure(conn, name_key=name, at=time.time())
