"""The tamper-evident audit trail: a SHA-256 hash chain over the decision log and the
audit events (organisation moves, imports).

Every row stores ``row_hash = sha256(previous row_hash + canonical JSON of the row)``,
rows in id order, per table. Database triggers refuse UPDATE, DELETE and (on SQLite)
``INSERT OR REPLACE`` of an existing row; someone with direct access to the database file
can still drop the triggers, but then :func:`verify` (``weerbaar werkruimte controleer``)
shows the first row whose content or order no longer matches the chain. The chain has no
secret: a rewrite of a row *and every row after it* is detected only against a head hash
noted elsewhere (the check prints it, so an administrator can keep it outside the
workspace).

Appends are serialised: SQLite's ``BEGIN IMMEDIATE`` (``ws.write()``) already allows one
writer; on PostgreSQL a transaction-scoped advisory lock is taken before the last hash is
read, so two writers can never chain onto the same row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, select, text

from weerbaar.store.db import row_dict, row_dicts
from weerbaar.store.schema import audit_events, decision_log

GENESIS = "0" * 64
_LOCK_KEY = 0x77656572  # "weer": the advisory lock of the audit chain (PostgreSQL)

# the columns covered by the hash, per table (id order gives the sequence)
_DECISION_LOG_FIELDS = (
    "decision_id",
    "passage_id",
    "measure_id",
    "reviewer",
    "actor",
    "action",
    "before",
    "after",
    "at",
)
_EVENT_FIELDS = ("at", "actor", "action", "subject", "details")
CHAINS: dict[str, tuple[Table, tuple[str, ...]]] = {
    "decision_log": (decision_log, _DECISION_LOG_FIELDS),
    "audit_events": (audit_events, _EVENT_FIELDS),
}


def row_hash(previous: str, table: str, values: dict[str, Any]) -> str:
    """The chain hash of one row given the previous row's hash."""
    fields = CHAINS[table][1]
    body = json.dumps(
        [table, *[values.get(f) for f in fields]],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256((previous + body).encode("utf-8")).hexdigest()


def lock_chain(conn: Connection) -> None:
    """Serialise appends to the chain for the rest of this transaction."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def last_hash(conn: Connection, table: str) -> str:
    t = CHAINS[table][0]
    r = conn.execute(select(t.c.row_hash).order_by(t.c.id.desc()).limit(1)).first()
    return (r[0] if r else None) or GENESIS


def append_chained(conn: Connection, table: str, values: dict[str, Any]) -> int:
    """Insert one row into ``table`` with its chain hash; returns its id."""
    lock_chain(conn)
    t = CHAINS[table][0]
    digest = row_hash(last_hash(conn, table), table, values)
    return int(conn.execute(t.insert().values(**values, row_hash=digest)).inserted_primary_key[0])


def append_event(
    conn: Connection,
    *,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any] | None,
    at: str,
) -> int:
    """Record one audit event (an organisation move, an import) in the chain."""
    return append_chained(
        conn,
        "audit_events",
        {"at": at, "actor": actor, "action": action, "subject": subject, "details": details},
    )


def list_events(conn: Connection, action: str | None = None) -> list[dict[str, Any]]:
    q = select(audit_events).order_by(audit_events.c.id)
    if action:
        q = q.where(audit_events.c.action == action)
    return row_dicts(conn.execute(q))


@dataclass
class ChainReport:
    """The outcome of :func:`verify` for one table."""

    table: str
    rows: int
    head: str
    broken_at: int | None  # id of the first row that does not match, None when intact


def verify(conn: Connection) -> list[ChainReport]:
    """Recompute every chain; report the first mismatching row of each table."""
    out = []
    for name, (t, fields) in CHAINS.items():
        previous = GENESIS
        broken: int | None = None
        n = 0
        for r in conn.execute(select(t).order_by(t.c.id)):
            n += 1
            row = row_dict(r)
            expected = row_hash(previous, name, {f: row.get(f) for f in fields})
            if broken is None and row.get("row_hash") != expected:
                broken = int(row["id"])
            previous = row.get("row_hash") or ""
        out.append(ChainReport(name, n, previous if n else GENESIS, broken))
    return out
