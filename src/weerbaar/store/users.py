"""Queries for accounts, their organisations and server-side web sessions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from weerbaar.store.db import row_dict, row_dicts
from weerbaar.store.schema import user_organisations, users, web_sessions


def insert_user(
    conn: Connection, *, name: str, password_hash: str, role: str, created_at: str
) -> int:
    return int(
        conn.execute(
            users.insert().values(
                name=name,
                password_hash=password_hash,
                role=role,
                active=True,
                created_at=created_at,
            )
        ).inserted_primary_key[0]
    )


def update_user(conn: Connection, user_id: int, **values: Any) -> None:
    conn.execute(users.update().where(users.c.id == user_id).values(**values))


def get_user(
    conn: Connection, *, name: str | None = None, user_id: int | None = None
) -> dict[str, Any] | None:
    q = select(users)
    q = q.where(users.c.name == name) if name is not None else q.where(users.c.id == user_id)
    r = conn.execute(q).first()
    return row_dict(r) if r else None


def list_users(conn: Connection) -> list[dict[str, Any]]:
    return row_dicts(conn.execute(select(users).order_by(users.c.name)))


def set_user_organisations(conn: Connection, user_id: int, codes: Sequence[str]) -> None:
    conn.execute(user_organisations.delete().where(user_organisations.c.user_id == user_id))
    if codes:
        conn.execute(
            user_organisations.insert(),
            [{"user_id": user_id, "organisation_code": c} for c in sorted(set(codes))],
        )


def user_organisation_codes(conn: Connection, user_id: int) -> list[str]:
    rows = conn.execute(
        select(user_organisations.c.organisation_code)
        .where(user_organisations.c.user_id == user_id)
        .order_by(user_organisations.c.organisation_code)
    )
    return [r[0] for r in rows]


def insert_session(
    conn: Connection,
    *,
    token_hash: str,
    user_id: int,
    csrf_token: str,
    created_at: str,
    expires_at: str,
) -> None:
    conn.execute(
        web_sessions.insert().values(
            token_hash=token_hash,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=created_at,
            expires_at=expires_at,
            revoked=False,
        )
    )


def get_session(conn: Connection, token_hash: str) -> dict[str, Any] | None:
    """The session with its user's name, role and active flag."""
    r = conn.execute(
        select(
            web_sessions,
            users.c.name.label("user_name"),
            users.c.role,
            users.c.active,
        )
        .select_from(web_sessions.join(users, users.c.id == web_sessions.c.user_id))
        .where(web_sessions.c.token_hash == token_hash)
    ).first()
    return row_dict(r) if r else None


def revoke_session(conn: Connection, token_hash: str) -> None:
    conn.execute(
        web_sessions.update().where(web_sessions.c.token_hash == token_hash).values(revoked=True)
    )


def revoke_user_sessions(conn: Connection, user_id: int) -> int:
    res = conn.execute(
        web_sessions.update()
        .where(web_sessions.c.user_id == user_id, web_sessions.c.revoked.is_(False))
        .values(revoked=True)
    )
    return int(res.rowcount or 0)


def delete_expired_sessions(conn: Connection, now: str) -> None:
    conn.execute(web_sessions.delete().where(web_sessions.c.expires_at < now))
