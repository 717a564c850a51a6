"""Sharing work between processes and machines: a queue of items per job (table
``work_items``) that workers claim one at a time.

PostgreSQL: a worker claims an item with ``SELECT ... FOR UPDATE SKIP LOCKED`` and keeps
the row lock in an open transaction while it works; the results and the item's ``done``
are written and committed in that same transaction. Other workers skip locked items, so no
item is done twice. A worker that dies (SIGKILL, power cut, lost network) holds no lock
any more the moment the server notices (at once on a socket, within about a minute over
TCP with keepalives), its transaction is rolled back and the item is claimed again by the
next worker.

SQLite: one writer at a time anyway, so a claim is a lease: the item is marked with the
worker (``host:pid``) in one short write transaction and marked done with the results. A
lease of a process that no longer runs on this machine is taken over (a SQLite workspace
lives on one machine).

Usage::

    queue = WorkQueue(ws, "scan:12")
    queue.fill(["GM0363", "GM0518"])           # once, by whoever creates the job
    for claim in queue.claims():
        with claim:                            # released again if the body raises
            result = work(claim.item)
            with claim.write() as conn:        # results and 'done' in one transaction
                store_result(conn, result)
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, func, select, text, update

from weerbaar.store.db import WRITE_LOCK_KEY, Workspace, utcnow
from weerbaar.store.schema import work_items

OPEN = "open"
CLAIMED = "bezig"  # SQLite leases only
DONE = "klaar"


def worker_name() -> str:
    """``host:pid`` of this process (shown in progress and stored with a claim)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _lease_alive(worker: str | None) -> bool:
    """Whether the process holding a SQLite lease still runs (same machine)."""
    if not worker or ":" not in worker:
        return False
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname():
        return True  # cannot check another machine: assume it still works
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


class Claim:
    """One claimed item. Use as a context manager; write results with :meth:`write`."""

    def __init__(self, queue: WorkQueue, item_id: int, item: str, conn: Connection | None):
        self.queue = queue
        self.id = item_id
        self.item = item
        self._conn = conn  # PostgreSQL: the open transaction holding the row lock
        self.done = False

    def __enter__(self) -> Claim:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """The write transaction for this item's results; commits them together with
        the item's ``done`` (or nothing, when the body raises)."""
        ws = self.queue.ws
        values = {"state": DONE, "worker": worker_name(), "updated_at": utcnow()}
        if self._conn is None:
            with ws.write() as conn:
                yield conn
                conn.execute(update(work_items).where(work_items.c.id == self.id).values(values))
            self.done = True
            return
        conn = self._conn
        try:
            # The same single-writer rule as ws.write(), taken only now: the claim
            # itself holds no workspace-wide lock while the work runs.
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})
            yield conn
            conn.execute(update(work_items).where(work_items.c.id == self.id).values(values))
            conn.commit()
            self.done = True
        finally:
            self.release()

    def release(self) -> None:
        """Give the item back when it was not done (a later claim takes it)."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                if not self.done:
                    conn.rollback()
            finally:
                conn.close()
        elif not self.done and self.queue.ws.is_sqlite:
            with self.queue.ws.write() as conn:
                conn.execute(
                    update(work_items)
                    .where(work_items.c.id == self.id, work_items.c.state == CLAIMED)
                    .values(state=OPEN, updated_at=utcnow())
                )
            self.done = True  # released: nothing more to do


class WorkQueue:
    """The items of one job (``queue``), shared by every worker that joins it."""

    def __init__(self, ws: Workspace, queue: str) -> None:
        self.ws = ws
        self.queue = queue

    def fill(self, items: Iterable[str], conn: Connection | None = None) -> None:
        """Add items (once each; items already there keep their state)."""
        if conn is None:
            with self.ws.write() as conn:
                self.fill(items, conn)
            return
        have = set(
            conn.execute(
                select(work_items.c.item).where(work_items.c.queue == self.queue)
            ).scalars()
        )
        now = utcnow()
        rows = [
            {"queue": self.queue, "item": i, "state": OPEN, "attempts": 0, "updated_at": now}
            for i in dict.fromkeys(items)
            if i not in have
        ]
        if rows:
            conn.execute(work_items.insert(), rows)

    def counts(self) -> dict[str, int]:
        """Items per state (``open``, ``bezig``, ``klaar``)."""
        with self.ws.read() as conn:
            rows = conn.execute(
                select(work_items.c.state, func.count())
                .where(work_items.c.queue == self.queue)
                .group_by(work_items.c.state)
            ).all()
        return {str(s): int(n) for s, n in rows}

    def remaining(self) -> int:
        """Items not done yet (including those other workers are busy with)."""
        c = self.counts()
        return c.get(OPEN, 0) + c.get(CLAIMED, 0)

    def claim(self) -> Claim | None:
        """Claim the next free item, or ``None`` when every item left is taken."""
        if self.ws.is_sqlite:
            return self._lease()
        locked = _lock_row(
            self.ws,
            select(work_items.c.id, work_items.c.item)
            .where(work_items.c.queue == self.queue, work_items.c.state == OPEN)
            .order_by(work_items.c.id)
            .limit(1)
            .with_for_update(skip_locked=True),
        )
        if locked is None:
            return None
        conn, row = locked
        return Claim(self, int(row.id), str(row.item), conn)

    def _lease(self) -> Claim | None:
        me = worker_name()
        with self.ws.write() as conn:
            rows = conn.execute(
                select(work_items.c.id, work_items.c.item, work_items.c.state, work_items.c.worker)
                .where(work_items.c.queue == self.queue, work_items.c.state != DONE)
                .order_by(work_items.c.id)
            ).all()
            for row in rows:
                if row.state == CLAIMED and _lease_alive(row.worker):
                    continue
                conn.execute(
                    update(work_items)
                    .where(work_items.c.id == row.id)
                    .values(
                        state=CLAIMED,
                        worker=me,
                        attempts=work_items.c.attempts + 1,
                        updated_at=utcnow(),
                    )
                )
                return Claim(self, int(row.id), str(row.item), None)
        return None

    def claims(self, *, wait: bool = True, poll_s: float = 0.5) -> Iterator[Claim]:
        """Claim items until none is left. With ``wait``, a worker that finds only items
        other workers are busy with waits for them: when such a worker dies, this one
        takes its item over, so the job ends complete while any worker is left."""
        while True:
            claim = self.claim()
            if claim is not None:
                yield claim
                continue
            if not wait or self.remaining() == 0:
                return
            time.sleep(poll_s)


def _lock_row(ws: Workspace, query: Any, **values: Any) -> tuple[Connection, Any] | None:
    """Run ``query`` (a ``SELECT ... FOR UPDATE`` of one work item) on a connection of its
    own and count an attempt on the row it finds (with ``values``); the row stays locked
    until that connection commits or closes. ``None`` when no row was found (or free)."""
    conn = ws.engine.connect()
    try:
        row = conn.execute(query).first()
        if row is None:
            conn.rollback()
            conn.close()
            return None
        conn.execute(
            update(work_items)
            .where(work_items.c.id == row.id)
            .values(attempts=work_items.c.attempts + 1, **values)
        )
    except BaseException:
        conn.close()
        raise
    return conn, row


class ItemLock:
    """Hold one item (``queue``, ``item``) so that no other process on the same
    PostgreSQL database works on it at the same time, e.g. one document's content while
    it is parsed and stored. :meth:`acquire` takes it without waiting (``SKIP LOCKED``)
    or waits for the process holding it; :meth:`release` lets it go. The lock dies with
    the process. On SQLite (one machine, one writer) it is always free."""

    def __init__(self, ws: Workspace, queue: str, item: str) -> None:
        self.ws = ws
        self.queue = queue
        self.item = item
        self._conn: Connection | None = None

    def acquire(self, *, wait: bool = False) -> bool:
        if self.ws.is_sqlite or self._conn is not None:
            return True
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        with self.ws.engine.begin() as conn:
            conn.execute(
                pg_insert(work_items)
                .values(
                    queue=self.queue, item=self.item, state=OPEN, attempts=0, updated_at=utcnow()
                )
                .on_conflict_do_nothing(index_elements=["queue", "item"])
            )
        locked = _lock_row(
            self.ws,
            select(work_items.c.id)
            .where(work_items.c.queue == self.queue, work_items.c.item == self.item)
            .with_for_update(skip_locked=not wait),
            worker=worker_name(),
            updated_at=utcnow(),
        )
        if locked is None:
            return False
        self._conn = locked[0]
        return True

    def release(self, *, done: bool = True) -> None:
        """Let go; with ``done`` the item is marked done (for the record)."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if done:
                conn.execute(
                    update(work_items)
                    .where(work_items.c.queue == self.queue, work_items.c.item == self.item)
                    .values(state=DONE)
                )
                conn.commit()
            else:
                conn.rollback()
        finally:
            conn.close()


@contextmanager
def exclusive(ws: Workspace, queue: str, item: str, *, wait: bool = False) -> Iterator[bool]:
    """:class:`ItemLock` as a context manager: yields whether this process holds it."""
    lock = ItemLock(ws, queue, item)
    held = lock.acquire(wait=wait)
    try:
        yield held
    except BaseException:
        lock.release(done=False)
        raise
    lock.release()
