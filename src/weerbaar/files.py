"""Writing files safely, for every stage: a file is written under a temporary name beside
its final one and renamed over it when complete (readers see the old or the new file,
never half of one; a failure leaves the old file and no temporary one), and an exclusive
lock on a file serialises writers across processes on one machine."""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def part_path(path: Path, *, unique: bool = False) -> Path:
    """The temporary name beside ``path``: ``<name>.part``, or with ``unique`` a hidden
    name of its own per call (``.<name>.<pid>.<random>.part``) for concurrent writers."""
    if unique:
        return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.part")
    return path.with_name(path.name + ".part")


@contextmanager
def atomic_path(path: Path, *, unique: bool = False) -> Iterator[Path]:
    """A temporary path to write ``path`` to; renamed over ``path`` when the block ends
    without an error, removed when it raises."""
    part = part_path(path, unique=unique)
    try:
        yield part
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)


@contextmanager
def atomic_open(
    path: Path,
    mode: str = "wb",
    *,
    fsync: bool = False,
    unique: bool = False,
    **open_args: Any,
) -> Iterator[IO[Any]]:
    """Open a temporary file to write ``path`` (see :func:`atomic_path`); with ``fsync``
    its contents reach the disk before the rename."""
    with atomic_path(path, unique=unique) as part, open(part, mode, **open_args) as fh:
        yield fh
        if fsync:
            fh.flush()
            os.fsync(fh.fileno())


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns ``path``."""
    with atomic_path(path) as part:
        part.write_text(text, encoding="utf-8")
    return path


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (created when missing) while the body
    runs, against every other process on this machine that locks it."""
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
