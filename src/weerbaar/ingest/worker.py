"""Parsing in a child process with a wall-clock and a memory limit.

:class:`ParsePool` keeps one worker process (a fresh interpreter, ``python -m
weerbaar.ingest._child``, talking over two pipes, so it inherits no memory, threads or
``__main__`` of the caller) and sends it one file at a time. The worker sets ``RLIMIT_AS``
to ``parse_memory_mb``, dies with its parent (``PR_SET_PDEATHSIG`` on Linux) and reports
progress per page. When a file
takes longer than ``parse_timeout_s`` the worker is killed and the file gets ``timeout``;
when the worker crashes on the file (segfault, abort, out of memory) the file gets
``corrupt``; when it is stopped from outside (SIGKILL by the OOM killer or an
administrator, SIGTERM) the file gets ``interrupted`` and is tried again on the next run.
Either way a fresh worker takes the next file. Workers are also replaced after a number of files,
so memory stays flat over a long batch.
"""

from __future__ import annotations

import dataclasses
import gc
import importlib
import operator
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from weerbaar.errors import IngestError
from weerbaar.ingest.status import REASONS, Status
from weerbaar.nl import plural
from weerbaar.settings import Settings
from weerbaar.store.constants import PAGE_SEPARATOR

if TYPE_CHECKING:
    from weerbaar.ingest.readers.result import ReadResult

PAGES = "pagina's"

DEFAULT_TARGET = "weerbaar.ingest.worker:parse_file"
RECYCLE_AFTER = 200  # files per worker process
# signals that a parser raises itself when it fails on a file (the file is to blame)
CRASH_SIGNALS = frozenset(
    {signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS, signal.SIGFPE, signal.SIGILL}
)


def parse_file(
    path: str, media_type: str, settings: Settings, progress: Callable[[int], None]
) -> dict[str, Any]:
    """Read one stored file into pages and passages (runs inside the worker).

    The cyclic garbage collector is paused while the file is read: reading makes many
    small objects (lines, blocks, spans) that reference counting frees, and the
    collector's passes over them cost about 2.5 % of the parse on the real PDFs."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return parse_staged(path, media_type, settings, progress)()
    finally:
        if enabled:
            gc.enable()


def parse_staged(
    path: str, media_type: str, settings: Settings, progress: Callable[[int], None]
) -> Callable[[], dict[str, Any]]:
    """:func:`parse_file` in two steps: reading with the native libraries now (pdfium,
    tesseract), the rest in the returned function (layout, Woo cleaning, passages: plain
    Python). The worker runs that second step in a thread while it reads the next file:
    pdfium releases the interpreter lock, so the two overlap."""
    from weerbaar.ingest.readers import read_file_staged

    try:
        layout = read_file_staged(Path(path), media_type, settings, progress)
    except IngestError as exc:
        failed = {"status": str(exc.status), "reason": exc.reason}
        return lambda: failed
    return lambda: _parse_result(layout(), settings)


def _parse_result(rr: ReadResult, settings: Settings) -> dict[str, Any]:
    from weerbaar.ingest.bundles import mark_parts
    from weerbaar.ingest.passages import PassageData, assemble_page, build_passages
    from weerbaar.ingest.woo import clean_pages

    rr.notes.update(clean_pages(rr.pages))  # Woo redaction codes, e-mail headers
    if "email_parts" not in rr.notes:
        rr.notes.update(mark_parts(rr.pages))  # a bundle of letters, memos, decisions
    assembled = [assemble_page(blocks) for blocks in rr.pages]
    fields = PassageData.__slots__
    values = operator.attrgetter(*fields)  # a passage's fields in one call
    del rr.pages
    doc_text, passages = build_passages(
        assembled, min_words=settings.passage_min_words, max_words=settings.passage_max_words
    )
    page_rows = []
    pos = 0
    for (text, _), method in zip(assembled, rr.methods, strict=True):
        page_rows.append(
            {"page_no": len(page_rows) + 1, "doc_start": pos, "text": text, "method": method}
        )
        pos += len(text) + len(PAGE_SEPARATOR)
    notes = dict(rr.notes)
    has_text = any(r["text"] for r in page_rows)
    not_read = notes.get("pages_not_read") or []
    if not has_text:
        if not_read:
            status = Status.no_text_layer
            reason = unread_reason(notes, rr.pages_total or len(page_rows), nothing=True)
        else:
            status, reason = Status.empty, REASONS[Status.empty]
        passages = []
    elif rr.truncated:
        status = Status.truncated
        total = rr.pages_total
        read = len(page_rows)
        notes["truncated_at_page"] = read
        reason = (
            f"Alleen de eerste {read} van {total} pagina's zijn gelezen (grens max_pages of max_chars)."
            if total and total > read
            else "Alleen het begin van het document is gelezen (grens max_chars)."
        )
        if not_read:
            reason += " " + unread_reason(notes, read)
    elif not_read:
        # never "ingelezen" when pages with content could not be read
        status = Status.truncated
        reason = unread_reason(notes, len(page_rows))
    else:
        status, reason = Status.ok, None
    return {
        "status": str(status),
        "reason": reason,
        "title": rr.title,
        "cover_title": rr.cover_title,
        "mail_subject": next(
            (p["subject"] for p in notes.get("email_parts", []) if p.get("subject")), None
        ),
        "notes": notes,
        "pages_total": rr.pages_total or len(page_rows),
        "pages": page_rows,
        "passages": [dict(zip(fields, values(p), strict=True)) for p in passages],
        "first_text": doc_text[:4000],
    }


def unread_reason(notes: dict[str, Any], total: int, *, nothing: bool = False) -> str:
    """Dutch reason for pages that could not be read: how many, which, and why."""
    pages = notes.get("pages_not_read") or []
    unusable = set(notes.get("pages_unusable_text_layer") or [])
    why = notes.get("page_notes") or {}
    reasons: dict[str, int] = {}
    for p in pages:
        text = why.get(str(p), "")
        reason = text.split(";", 1)[-1].strip() if ";" in text else text
        reasons[reason] = reasons.get(reason, 0) + 1
    kinds = []
    if unusable & set(pages):
        kinds.append("onbruikbare tekstlaag")
    if set(pages) - unusable:
        kinds.append("geen tekstlaag")
    shown = ", ".join(map(str, pages[:10])) + (" ..." if len(pages) > 10 else "")
    causes = "; ".join(f"{r} ({plural(n, 'pagina', PAGES)})" for r, n in reasons.items() if r)
    lead = (
        "Geen enkele pagina kon worden gelezen"
        if nothing
        else (f"{len(pages)} van {total} pagina's niet gelezen")
    )
    return f"{lead} ({' en '.join(kinds)}: pagina {shown}); {causes}."


def warm_up() -> None:
    """Import what :func:`parse_file` needs (PDF library, readers, layout, passages), in a
    fresh worker before its first job: the parent hashes and queues the first file
    meanwhile, so the first parse does not pay for the imports."""
    import weerbaar.ingest.bundles
    import weerbaar.ingest.passages
    import weerbaar.ingest.readers.pdf
    import weerbaar.ingest.woo  # noqa: F401


def _resolve(target: str) -> Callable[..., dict[str, Any]]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def _staged(target: str) -> Callable[..., Callable[[], dict[str, Any]]]:
    """The parse target in two steps (see :func:`parse_staged`); a target without a
    staged form does all its work in the first step."""
    if target == DEFAULT_TARGET:
        return parse_staged
    fn = _resolve(target)

    def whole(*args: Any) -> Callable[[], dict[str, Any]]:
        result = fn(*args)
        return lambda: result

    return whole


def _failure(exc: BaseException) -> dict[str, Any]:
    """The result of a file whose parse raised ``exc``."""
    if isinstance(exc, MemoryError):
        return {
            "status": str(Status.too_large),
            "reason": "Het lezen vroeg meer geheugen dan de ingestelde grens (parse_memory_mb).",
        }
    if isinstance(exc, RecursionError):
        return {
            "status": str(Status.corrupt),
            "reason": f"{REASONS[Status.corrupt]} (te diep genest)",
        }
    return {  # the library's (English) text only in the notes, as a detail
        "status": str(Status.corrupt),
        "reason": REASONS[Status.corrupt],
        "notes": {"detail": f"{type(exc).__name__}: {str(exc)[:200]}"},
        "traceback": traceback.format_exc(limit=5),
    }


class _Progress:
    """Page progress of one job, sent at most five times a second; ``extend`` asks the
    parent for more time (OCR)."""

    def __init__(self, send: Callable[[tuple[Any, ...]], None], job_id: int) -> None:
        self.send, self.job_id = send, job_id
        self.last, self.pending = time.monotonic(), 0

    def __call__(self, n: int) -> None:
        self.pending += n
        now = time.monotonic()
        if now - self.last >= 0.2:
            self.send(("progress", self.job_id, self.pending))
            self.last, self.pending = now, 0

    def flush(self) -> None:
        if self.pending:
            self.send(("progress", self.job_id, self.pending))
            self.pending = 0

    def extend(self, seconds: float) -> None:
        self.send(("extend", self.job_id, float(seconds)))


def _worker_main(inbox: Connection, conn: Connection, memory_mb: int, target: str) -> None:
    """Loop of the worker process: receive a job, read it, and finish it (layout,
    passages) in a thread while the next job is read when the machine has a core to
    spare (else inline); results go back in job order.

    The parent is told which job is being read (``reading``/``read``): a crash of the
    native libraries is then blamed on that file, not on the one being finished."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    try:  # die with the parent, even when hanging in native code (Linux)
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:
            return
    except (OSError, AttributeError):
        pass
    try:
        import resource

        limit = int(memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass
    staged = _staged(target)
    if target == DEFAULT_TARGET:
        warm_up()
    # reading makes many small objects that reference counting frees; the collector's
    # passes over them cost time (see parse_file): it runs between jobs now and then
    gc.freeze()
    gc.disable()
    # the thread that waits for pdfium gets the interpreter back within half a millisecond
    # when the finishing thread holds it (instead of 5 ms, several times per page)
    sys.setswitchinterval(0.0005)
    lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with lock:
            conn.send(message)

    finishing: threading.Thread | None = None
    jobs = 0
    while True:
        try:
            job = inbox.recv()
        except (EOFError, OSError):
            break
        if job is None:
            break
        job_id, path, media_type, settings_kw = job
        progress = _Progress(send, job_id)
        try:
            send(("reading", job_id, None))
            finish = _read_job(staged, path, media_type, Settings(**settings_kw), progress)
            send(("read", job_id, None))
        except (BrokenPipeError, OSError):
            break
        if finishing is not None:
            finishing.join()  # results in job order, at most two files in memory
            finishing = None
        if _spare_core():
            finishing = threading.Thread(target=_finish_job, args=(send, job_id, finish, progress))
            finishing.start()
        else:
            _finish_job(send, job_id, finish, progress)
        jobs += 1
        if jobs % 16 == 0:
            gc.collect()
    if finishing is not None:
        finishing.join()


def _spare_core() -> bool:
    """Whether finishing a file in a second thread can have a core of its own: the
    machine's one-minute load (this ingest counts in it, with one to two) is below the
    cores this process may use plus a half. On a full machine the thread only adds
    switching (measured on two cores at load 7: 4 to 10 % slower than finishing inline)."""
    try:
        cores = len(os.sched_getaffinity(0))
        return cores >= 2 and os.getloadavg()[0] < cores + 0.5
    except (AttributeError, OSError):
        return False


def _read_job(
    staged: Callable[..., Callable[[], dict[str, Any]]],
    path: str,
    media_type: str,
    settings: Settings,
    progress: _Progress,
) -> Callable[[], dict[str, Any]]:
    """The first step of a job; a failure becomes the job's result."""
    try:
        return staged(path, media_type, settings, progress)
    except Exception as exc:  # a reader bug must cost one file only
        failed = _failure(exc)
        return lambda: failed


def _finish_job(
    send: Callable[[tuple[Any, ...]], None],
    job_id: int,
    finish: Callable[[], dict[str, Any]],
    progress: _Progress,
) -> None:
    """The second step of a job (in a thread of the worker) and its result to the parent."""
    try:
        result = finish()
    except Exception as exc:  # MemoryError and RecursionError included
        result = _failure(exc)
    try:
        import resource

        result["worker_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except (ImportError, OSError):
        pass
    try:
        progress.flush()
        try:
            send(("done", job_id, result))
        except MemoryError:
            send(
                ("done", job_id, {"status": str(Status.too_large), "reason": "Resultaat te groot."})
            )
    except (BrokenPipeError, OSError):
        return


class ParsePool:
    """One worker process, replaced after a crash, a timeout or ``RECYCLE_AFTER`` files.

    Jobs are queued in the worker's pipe in order (:meth:`submit`), so the parent can
    store one document while the worker reads the next; :meth:`result` waits for one
    job. The time limit of a job runs from the moment it is first in line."""

    def __init__(self, settings: Settings, *, target: str = DEFAULT_TARGET) -> None:
        self.settings = settings
        self.target = target
        self._proc: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None  # worker -> parent
        self._send: Connection | None = None  # parent -> worker
        self._jobs = 0  # jobs sent to the current worker
        self._next_id = 0
        self._queue: list[int] = []  # jobs sent to the current worker, not finished
        self._info: dict[int, tuple[str, str, Callable[[int], None] | None]] = {}
        self._results: dict[int, dict[str, Any]] = {}
        self._deadline: float | None = None
        self._started = 0.0  # when the job in line started (for the OCR extension cap)
        self._settings_kw = dataclasses.asdict(settings)
        self.children_started = 0
        self.peak_rss_kb = 0  # highest resident set size a worker reported
        self._reading: int | None = None  # the job the worker's native libraries are on

    # ------------------------------------------------------------------ process
    def _start(self) -> None:
        # A fresh interpreter (not fork): no inherited threads, locks or memory, and no
        # re-import of the caller's __main__ (which multiprocessing's spawn would do).
        to_child_r, to_child_w = os.pipe()
        to_parent_r, to_parent_w = os.pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        env["OMP_THREAD_LIMIT"] = "1"
        try:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "weerbaar.ingest._child",
                    str(to_child_r),
                    str(to_parent_w),
                    str(self.settings.parse_memory_mb),
                    self.target,
                ],
                pass_fds=(to_child_r, to_parent_w),
                stdin=subprocess.DEVNULL,
                env=env,
                close_fds=True,
            )
        finally:
            os.close(to_child_r)
            os.close(to_parent_w)
        self._proc = proc
        self._send = Connection(to_child_w, readable=False)
        self._conn = Connection(to_parent_r, writable=False)
        self._jobs = 0
        self._reading = None
        self.children_started += 1

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _kill(self) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        for conn in (self._send, self._conn):
            if conn is not None:
                conn.close()
        self._proc = self._conn = self._send = None

    def start(self, n: int = 1) -> None:
        """Start the worker now (it imports the readers while the caller prepares the
        first file) instead of at the first :meth:`submit`; ``n`` 0: not yet."""
        if n > 0 and not self._alive():
            self._start()

    def close(self) -> None:
        """Stop the worker. It holds nothing between jobs (results are sent, OCR
        temporaries removed), so it is killed rather than waited for while its
        interpreter shuts down."""
        self._kill()

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _dispatch(self, job_id: int) -> None:
        path, media_type, _ = self._info[job_id]
        assert self._send is not None
        if not self._queue:
            self._deadline = time.monotonic() + self.settings.parse_timeout_s
            self._started = time.monotonic()
        self._queue.append(job_id)
        self._jobs += 1
        self._send.send((job_id, path, media_type, self._settings_kw))

    def _restart(self) -> None:
        """A new worker for the jobs still in line (after a crash or a timeout)."""
        waiting = list(self._queue)
        self._kill()
        self._queue = []
        self._deadline = None
        self._start()
        for job_id in waiting:
            self._dispatch(job_id)

    def _finish(self, job_id: int, result: dict[str, Any]) -> None:
        self._results[job_id] = result
        if self._queue and self._queue[0] == job_id:
            self._queue.pop(0)
        self._info.pop(job_id, None)
        self._deadline = time.monotonic() + self.settings.parse_timeout_s if self._queue else None
        self._started = time.monotonic()

    def _death_result(self, code: int | None) -> dict[str, Any]:
        """The status of a file whose worker died: a crash of the parser on this file
        (segfault, abort, out of memory) is ``corrupt``; a stop from outside (SIGKILL from
        the OOM killer or an administrator, SIGTERM, SIGINT, SIGHUP) says nothing about the
        file and is ``interrupted``, retried on the next run."""
        if isinstance(code, int) and code < 0:
            try:
                sig = signal.Signals(-code)
                name = sig.name
            except ValueError:
                sig, name = None, f"signaal {-code}"
            if sig not in CRASH_SIGNALS:
                return {
                    "status": str(Status.interrupted),
                    "reason": f"{REASONS[Status.interrupted]} (signaal {name})",
                }
            detail = f"signaal {name}"
        else:
            detail = f"code {code}"
        return {
            "status": str(Status.corrupt),
            "reason": f"De lezer stopte onverwacht bij dit bestand ({detail}); het bestand "
            "is beschadigd of vraagt meer geheugen dan de grens van "
            f"{self.settings.parse_memory_mb} MB.",
        }

    # ------------------------------------------------------------------ jobs
    def submit(
        self, path: Path, media_type: str, on_pages: Callable[[int], None] | None = None
    ) -> int:
        """Queue one file for the worker; returns the job id for :meth:`result`."""
        while self._queue and self._proc is not None and not self._alive():
            self._pump()  # the worker died with jobs in line: the one it was on is told why
        if self._alive() and self._jobs >= RECYCLE_AFTER:
            while self._queue:  # the worker finishes what it has, then a fresh one comes
                self._pump()
        if not self._alive() or self._jobs >= RECYCLE_AFTER:
            self._restart()
        self._next_id += 1
        job_id = self._next_id
        self._info[job_id] = (str(path), media_type, on_pages)
        try:
            self._dispatch(job_id)
        except OSError:
            self._restart()  # the worker died meanwhile; its jobs go to a new one
        return job_id

    def result(self, job_id: int) -> dict[str, Any]:
        """Wait for the result of a job; always a dict with a status."""
        while job_id not in self._results:
            if job_id not in self._info:
                raise KeyError(job_id)
            self._pump()
        return self._results.pop(job_id)

    def parse(
        self, path: Path, media_type: str, on_pages: Callable[[int], None] | None = None
    ) -> dict[str, Any]:
        """Parse one file in the worker and wait for it."""
        return self.result(self.submit(path, media_type, on_pages))

    def _pump(self) -> None:
        """Handle one message from the worker, a crash, or the time limit of the job in line."""
        assert self._queue and self._conn is not None and self._proc is not None
        head = self._queue[0]
        remaining = (self._deadline or time.monotonic()) - time.monotonic()
        if remaining <= 0:
            self._queue.pop(0)
            self._finish(
                head,
                {
                    "status": str(Status.timeout),
                    "reason": f"{REASONS[Status.timeout]} (grens {self.settings.parse_timeout_s} s)",
                },
            )
            self._restart()
            return
        try:
            if not self._conn.poll(min(remaining, 0.25)):
                if self._proc.poll() is not None:
                    raise EOFError
                return
            kind, jid, payload = self._conn.recv()
        except (EOFError, OSError):
            try:
                code = self._proc.wait(2)
            except subprocess.TimeoutExpired:
                code = None
            # a native crash happens while a file is read: blame that one; a file being
            # finished meanwhile goes to the new worker with the rest of the line
            victim = self._reading if self._reading in self._queue else head
            self._queue.remove(victim)
            self._finish(victim, self._death_result(code))
            self._restart()
            return
        if kind in ("reading", "read"):
            self._reading = jid if kind == "reading" else None
            return
        if kind == "extend":
            # slow but steady work (OCR, page by page) may run past the time limit, up to
            # the OCR time budget of the file
            if jid == head and self._deadline is not None:
                cap = self._started + self.settings.parse_timeout_s + self.settings.ocr_budget_s
                self._deadline = min(max(self._deadline, time.monotonic() + payload), cap)
            return
        if kind == "progress":
            info = self._info.get(jid)
            if info is not None and info[2] is not None:
                info[2](int(payload))
            return
        self.peak_rss_kb = max(self.peak_rss_kb, int(payload.pop("worker_maxrss_kb", 0)))
        self._finish(jid, payload)


class ParsePools:
    """``n`` :class:`ParsePool` workers side by side (``weerbaar inlezen --werkers N``),
    with the interface of one pool. A job goes to the worker with the fewest jobs in line;
    while the caller waits for one job, the other workers' messages are handled too, so
    their progress is reported and their time limits are kept on time."""

    def __init__(self, settings: Settings, n: int, *, target: str = DEFAULT_TARGET) -> None:
        self.pools = [ParsePool(settings, target=target) for _ in range(max(1, n))]
        self._owner: dict[int, tuple[ParsePool, int]] = {}
        self._next_id = 0

    def __enter__(self) -> ParsePools:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for pool in self.pools:
            pool.close()

    def start(self, n: int) -> None:
        """Start the first ``n`` workers now (see :meth:`ParsePool.start`)."""
        for pool in self.pools[:n]:
            pool.start()

    @property
    def peak_rss_kb(self) -> int:
        return max(p.peak_rss_kb for p in self.pools)

    @property
    def children_started(self) -> int:
        return sum(p.children_started for p in self.pools)

    def submit(
        self, path: Path, media_type: str, on_pages: Callable[[int], None] | None = None
    ) -> int:
        pool = min(self.pools, key=lambda p: len(p._info))
        local = pool.submit(path, media_type, on_pages)
        self._next_id += 1
        self._owner[self._next_id] = (pool, local)
        return self._next_id

    def result(self, job_id: int) -> dict[str, Any]:
        pool, local = self._owner.pop(job_id)
        while local not in pool._results:
            for other in self.pools:
                if other is not pool and other._queue and other._conn is not None:
                    late = other._deadline is not None and other._deadline <= time.monotonic()
                    if late or other._conn.poll(0):
                        other._pump()
            pool._pump()
        return pool._results.pop(local)

    def parse(
        self, path: Path, media_type: str, on_pages: Callable[[int], None] | None = None
    ) -> dict[str, Any]:
        return self.result(self.submit(path, media_type, on_pages))
