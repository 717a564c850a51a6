"""The ingest pipeline: inputs -> stored files -> parse in a child process -> one write
transaction per document. Idempotent: key (sha256, extractor version)."""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import os
import stat
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weerbaar.errors import IngestError, WeerbaarError
from weerbaar.ingest.metadata import DOC_TYPES, Metadata, OrganisationIndex, infer
from weerbaar.ingest.sniff import sniff
from weerbaar.ingest.status import READ_STATUSES, REASONS, RETRY_STATUSES, SKIPPED_STATUSES, Status
from weerbaar.ingest.worker import DEFAULT_TARGET, ParsePool, ParsePools
from weerbaar.settings import Settings, load_settings
from weerbaar.store import Workspace
from weerbaar.store import documents as store
from weerbaar.store.db import utcnow
from weerbaar.store.work import ItemLock

# v2: passages join tiny fragments; table labels and figures are no headings
# v3: text layers judged per page (OCR when unusable), tables as passages of their own,
# headings from font size and weight, metadata from the content
EXTRACTOR_VERSION = "weerbaar.ingest.v3"
_EXT = {
    "application/pdf": ".pdf",
    "text/html": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
}
_CHUNK = 1 << 20
LOOKAHEAD = 1  # files queued for the parse workers beyond one each


@dataclass
class InputResult:
    """The outcome for one input file (exactly one status)."""

    path: str
    status: Status
    reason: str | None = None
    document_id: int | None = None
    pages: int = 0
    passages: int = 0
    duplicate_of: int | None = None
    organisation: str | None = None  # code of the stored document's organisation
    repeated: bool = False  # a failure already recorded for this path in an earlier run

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1] or self.path


@dataclass
class IngestReport:
    """Everything an ingest run did; ``items`` holds one entry per input."""

    run_id: int | None
    items: list[InputResult] = field(default_factory=list)
    seconds: float = 0.0
    pages_parsed: int = 0
    worker_peak_rss_kb: int = 0  # peak memory of the parse worker(s)

    @property
    def read(self) -> list[InputResult]:
        return [i for i in self.items if i.status in READ_STATUSES]

    @property
    def skipped(self) -> list[InputResult]:
        return [i for i in self.items if i.status in SKIPPED_STATUSES]

    @property
    def failed(self) -> list[InputResult]:
        """Inputs that could not be read in this run (new or changed failures)."""
        return [
            i
            for i in self.items
            if i.status not in READ_STATUSES and i.status not in SKIPPED_STATUSES and not i.repeated
        ]

    @property
    def failed_before(self) -> list[InputResult]:
        """Unreadable inputs already recorded, unchanged, in an earlier run."""
        return [i for i in self.items if i.repeated]

    @property
    def without_organisation(self) -> list[InputResult]:
        """Readable documents of this run that have no organisation (they cannot be
        assessed until one is given)."""
        return [i for i in self.read + self.skipped if i.organisation is None and i.passages]

    @property
    def anything_read(self) -> bool:
        """True when at least one input is now readable in the workspace."""
        return bool(self.read or self.skipped)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for item in self.items:
            out[str(item.status)] = out.get(str(item.status), 0) + 1
        return out


@dataclass
class _Input:
    path: Path
    display: str
    given: Metadata
    pre_status: Status | None = None
    pre_reason: str | None = None

    @property
    def name(self) -> str:
        """The file name, storable (undecodable bytes replaced)."""
        return self.display.rsplit("/", 1)[-1]


@dataclass
class _Hashed:
    item: _Input
    tmp: Path
    sha: str
    size: int
    head: bytes


@dataclass
class _Pending:
    item: _Input
    sha: str
    size: int
    doc_id: int | None
    existing: dict[str, Any] | None = None
    media_type: str | None = None
    job: int | None = None
    result: dict[str, Any] | None = None


def _display(path: Path) -> str:
    """A storable form of a path (undecodable bytes become U+FFFD)."""
    raw = os.fsencode(os.path.normpath(Path.cwd() / path))
    return raw.decode("utf-8", errors="replace")


LINK_REASONS = {
    "file": REASONS[Status.link_not_followed],
    "dir": "Symbolische koppeling naar een map; niet gevolgd (geef de map zelf op als "
    "die bedoeld is).",
}


def _inside(folder: str, target: str) -> bool:
    return os.path.commonpath([folder, target]) == folder


def walk(
    root: Path, exclude: Path | None = None
) -> Iterator[tuple[Path, Status | None, str | None, str]]:
    """Files under ``root`` in a stable order, each as (path to open, status, reason,
    display path). Symbolic links to directories are never followed (so loops end) and get
    ``link_not_followed``; links to files are read only when their target lies inside
    ``root`` (then the resolved target is opened), otherwise reported, not read. Hidden
    files and folders are skipped, and so is the folder ``exclude`` (the workspace
    itself, when it lies inside ``root``)."""
    real_root = os.path.realpath(root)
    skip = os.path.realpath(exclude) if exclude else None
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        links = []
        keep = []
        for d in sorted(dirnames):
            full = Path(dirpath) / d
            if d.startswith("."):
                continue
            if full.is_symlink():
                links.append(full)
            elif os.path.realpath(full) != skip:
                keep.append(d)
        dirnames[:] = keep
        for full in links:
            yield full, Status.link_not_followed, LINK_REASONS["dir"], _display(full)
        for name in sorted(filenames):
            if name.startswith((".", "~$")):
                continue
            p = Path(dirpath) / name
            if p.is_symlink():
                target = os.path.realpath(p)
                if not _inside(real_root, target) or (skip and _inside(skip, target)):
                    yield p, Status.link_not_followed, LINK_REASONS["file"], _display(p)
                elif Path(target).is_dir():
                    yield p, Status.link_not_followed, LINK_REASONS["dir"], _display(p)
                else:
                    yield Path(target), None, None, _display(p)
                continue
            yield p, None, None, _display(p)


def read_manifest(path: Path) -> list[tuple[Path, Metadata, bool]]:
    """Rows of a manifest CSV: path/bestand, organisatie, soort, jaar, titel, url. The
    third item is True when the row's path lies outside the manifest's folder (an
    absolute path, ``..``, or a link out): such a row is not read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise WeerbaarError(
            f"Manifest {path} kan niet worden gelezen (bestaat niet of geen leesrechten)."
        ) from exc
    text = raw.decode("utf-8-sig", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.DictReader(text.splitlines(), dialect=dialect))
    out: list[tuple[Path, Metadata, bool]] = []
    for n, row in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        name = row.get("path") or row.get("bestand") or row.get("pad")
        if not name:
            raise WeerbaarError(f"Manifest {path}, regel {n}: kolom 'bestand' (of 'path') is leeg.")
        soort = row.get("soort") or row.get("type") or None
        if soort and soort not in DOC_TYPES:
            raise WeerbaarError(
                f"Manifest {path}, regel {n}: onbekende soort {soort!r} "
                f"(kies uit {', '.join(DOC_TYPES)})."
            )
        jaar = row.get("jaar") or row.get("year") or None
        try:
            year = int(jaar) if jaar else None
        except ValueError:
            raise WeerbaarError(
                f"Manifest {path}, regel {n}: jaar {jaar!r} is geen getal."
            ) from None
        file_path = path.parent / name
        outside = Path(name).is_absolute() or not _inside(
            os.path.realpath(path.parent), os.path.realpath(file_path)
        )
        out.append(
            (
                file_path,
                Metadata(
                    organisation=row.get("organisatie") or row.get("organisation") or None,
                    doc_type=soort,
                    year=year,
                    title=row.get("titel") or row.get("title") or None,
                    source_url=row.get("url") or None,
                ),
                outside,
            )
        )
    return out


def _resolve_org(ws: Workspace, query: str | None) -> str | None:
    if not query:
        return None
    from weerbaar.store.organisations import resolve_organisation

    return resolve_organisation(ws, query).code


def collect_inputs(
    ws: Workspace, paths: Iterable[str | Path], given: Metadata, manifest: Path | None
) -> list[_Input]:
    """Every input file once, with the metadata given for it."""
    # manifest rows first: a file named there and also given (or found in a folder) keeps
    # the manifest's metadata
    sources: list[tuple[Path, Metadata, bool]] = []
    if manifest is not None:
        for p, meta, outside in read_manifest(Path(manifest)):
            merged = Metadata(
                organisation=_resolve_org(ws, meta.organisation) or given.organisation,
                doc_type=meta.doc_type or given.doc_type,
                year=meta.year or given.year,
                title=meta.title,
                source_url=meta.source_url,
            )
            sources.append((p, merged, outside))
    sources += [(Path(p), given, False) for p in paths]
    seen: set[str] = set()
    out: list[_Input] = []

    def add(
        p: Path,
        meta: Metadata,
        status: Status | None = None,
        reason: str | None = None,
        display: str | None = None,
    ) -> None:
        key = display or _display(p)
        if key in seen:
            return
        seen.add(key)
        out.append(_Input(p, key, meta, status, reason))

    for p, meta, outside in sources:
        if outside:
            add(p, meta, Status.outside_folder, REASONS[Status.outside_folder])
            continue
        if p.is_symlink():
            # a link named directly (a shell glob, a manifest row) is followed only to a
            # place inside the folder that holds the link
            target = os.path.realpath(p)
            if not _inside(os.path.realpath(p.parent), target):
                add(p, meta, Status.link_not_followed, REASONS[Status.link_not_followed])
                continue
            if Path(target).is_dir():
                for f, status, reason, display in walk(Path(target), ws.root):
                    add(f, meta, status, reason, display)
            else:
                add(Path(target), meta, display=_display(p))
            continue
        if p.is_dir():
            for f, status, reason, display in walk(p, ws.root):
                add(f, meta, status, reason, display)
        else:
            add(p, meta)
    return out


class _Ingest:
    def __init__(
        self,
        ws: Workspace,
        settings: Settings,
        pool: ParsePool | ParsePools,
        force: bool,
        on_pages: Callable[[int], None],
        move_organisation: bool = False,
        actor: str = "inlezen",
    ) -> None:
        self.move_organisation = move_organisation
        self.actor = actor
        self.ws = ws
        self.settings = settings
        self.pool = pool
        self.force = force
        self.on_pages = on_pages
        self.pages_parsed = 0
        self.seen: set[str] = set()  # content read in this run
        self._index: OrganisationIndex | bool | None = False
        self.warming: threading.Thread | None = None  # builds the index in the background

    def warm_index(self) -> None:
        """Build the organisation index (register + workspace) in the background, while
        the worker reads the first file."""
        warm = threading.Thread(target=lambda: self.index, daemon=True)
        self.warming = warm
        warm.start()

    def prepare(self, items: list[_Input], workers: int, organisation_given: bool) -> None:
        """Before the first file: start the parse workers (they import their readers
        meanwhile) and, when no organisation is given, build the organisation index."""
        if not organisation_given:
            self.warm_index()
        self.pool.start(min(workers, sum(item.pre_status is None for item in items)))

    @property
    def index(self) -> OrganisationIndex | None:
        warm = self.warming
        if warm is not None and warm is not threading.current_thread():
            warm.join()
            self.warming = None
        if self._index is False:
            try:
                self._index = OrganisationIndex(self.ws)
            except Exception:  # the register is optional for inference
                self._index = None
        return self._index  # type: ignore[return-value]

    # ---------------------------------------------------------------- failures
    def _fail_unhashed(
        self, item: _Input, status: Status, reason: str, size: int | None = None
    ) -> InputResult:
        with self.ws.write() as conn:
            doc_id = store.find_unhashed_by_path(conn, item.display)
            if (
                doc_id is not None
                and not self.force
                and store.status_of(conn, doc_id) == (str(status), reason, size)
            ):
                # recorded in an earlier run and nothing changed: not a new error
                return InputResult(item.display, status, reason, doc_id, repeated=True)
            doc_id = store.upsert_document(
                conn,
                doc_id,
                status=str(status),
                reason=reason,
                size_bytes=size,
                title=item.given.title or item.name,
                organisation_code=item.given.organisation,
                doc_type=item.given.doc_type,
                year=item.given.year,
                source_url=item.given.source_url,
                extractor_version=EXTRACTOR_VERSION,
            )
            store.add_name(conn, doc_id, item.display, item.name)
        return InputResult(item.display, status, reason, doc_id)

    # ---------------------------------------------------------------- one input
    def hash_input(self, item: _Input) -> InputResult | _Hashed:
        """Checks that need no parsing, then copy into the workspace while hashing."""
        if item.pre_status is not None:
            return self._fail_unhashed(
                item, item.pre_status, item.pre_reason or REASONS[item.pre_status]
            )
        try:
            st = os.lstat(item.path)  # a link put in place after the walk is not followed
        except FileNotFoundError:
            return self._fail_unhashed(item, Status.missing, REASONS[Status.missing])
        except OSError as exc:
            return self._fail_unhashed(
                item, Status.missing, f"{REASONS[Status.missing]} ({exc.strerror})"
            )
        if stat.S_ISLNK(st.st_mode):
            return self._fail_unhashed(
                item, Status.link_not_followed, REASONS[Status.link_not_followed]
            )
        if not stat.S_ISREG(st.st_mode):
            return self._fail_unhashed(
                item,
                Status.unsupported_type,
                f"{REASONS[Status.unsupported_type]} (geen gewoon bestand)",
            )
        if st.st_size == 0:
            return self._fail_unhashed(item, Status.empty, REASONS[Status.empty], 0)
        if st.st_size > self.settings.max_file_bytes:
            return self._fail_unhashed(
                item,
                Status.too_large,
                f"Het bestand is {st.st_size // 1_000_000} MB; de grens is "
                f"{self.settings.max_file_bytes // 1_000_000} MB (max_file_bytes).",
                st.st_size,
            )
        try:
            tmp, sha, size, head = self._copy_and_hash(item.path)
        except FileNotFoundError:
            return self._fail_unhashed(item, Status.missing, REASONS[Status.missing])
        except PermissionError:
            return self._fail_unhashed(
                item, Status.missing, f"{REASONS[Status.missing]} (geen leesrechten)"
            )
        except IngestError as exc:
            return self._fail_unhashed(item, Status(exc.status), exc.reason)
        return _Hashed(item, tmp, sha, size, head)

    def _copy_and_hash(self, path: Path) -> tuple[Path, str, int, bytes]:
        """Copy into the workspace (temporary name) while hashing; the copy is what gets
        parsed, so a file changed mid-batch cannot mix two versions."""
        tmp = self.ws.files_dir / f".tmp-{uuid.uuid4().hex}.part"
        h = hashlib.sha256()
        size = 0
        head = b""
        try:
            try:
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise IngestError(
                        Status.link_not_followed, REASONS[Status.link_not_followed]
                    ) from None
                raise
            with os.fdopen(fd, "rb") as src, open(tmp, "wb") as dst:
                while chunk := src.read(_CHUNK):
                    if not head:
                        head = chunk[:4096]
                    size += len(chunk)
                    if size > self.settings.max_file_bytes:
                        raise IngestError(Status.too_large, REASONS[Status.too_large])
                    h.update(chunk)
                    dst.write(chunk)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        return tmp, h.hexdigest(), size, head

    def _store_file(self, tmp: Path, sha: str, media_type: str | None) -> str:
        rel = Path(sha[:2]) / f"{sha}{_ext(media_type)}"
        final = self.ws.files_dir / rel
        if not final.exists():
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp.replace(final)
        return str(Path(self.ws.files_dir.name) / rel)

    def plan(self, h: _Hashed) -> InputResult | _Pending:
        """Known content: record the name (no parsing). New content: store the file and
        queue it for the parse worker."""
        try:
            return self._plan(h)
        finally:
            with contextlib.suppress(FileNotFoundError):
                h.tmp.unlink()

    def _plan(self, h: _Hashed) -> InputResult | _Pending:
        item, sha, given = h.item, h.sha, h.item.given
        with self.ws.read() as conn:
            existing = store.find_by_sha(conn, sha)
        moved: dict[str, Any] | None = None
        if (
            existing is not None
            and given.organisation
            and existing["organisation_code"]
            and existing["organisation_code"] != given.organisation
        ):
            if not self.move_organisation:
                return _conflict(item, existing)
            with self.ws.write() as conn:
                moved = store.move_document(
                    conn,
                    existing["id"],
                    given.organisation,
                    actor=self.actor,
                    at=utcnow(),
                )
                existing = store.find_by_sha(conn, sha)
            assert existing is not None
        if existing is not None and (
            sha in self.seen
            or (
                not self.force
                and existing["extractor_version"] == EXTRACTOR_VERSION
                and existing["status"] not in RETRY_STATUSES
            )
        ):
            return self._known(item, existing, moved)
        self.seen.add(sha)
        pending = _Pending(h.item, sha, h.size, existing["id"] if existing else None, existing)
        try:
            pending.media_type = sniff(item.path, h.head)
        except IngestError as exc:
            pending.result = {"status": str(exc.status), "reason": exc.reason}
        else:
            stored = self._store_file(h.tmp, sha, pending.media_type)
            pending.job = self.pool.submit(self.ws.root / stored, pending.media_type, self._pages)
        return pending

    def _known(
        self, item: _Input, existing: dict[str, Any], moved: dict[str, Any] | None
    ) -> InputResult:
        """Content stored before (or read earlier in this run): record this name and what
        was given for it; ``duplicate`` under a new name, else ``unchanged``."""
        given = item.given
        with self.ws.write() as conn:
            added = store.add_name(conn, existing["id"], item.display, item.name)
            updates = {
                k: v
                for k, v in (
                    ("organisation_code", given.organisation),
                    ("doc_type", given.doc_type),
                    ("year", given.year),
                    ("title", given.title),
                    ("source_url", given.source_url),
                )
                if v is not None and existing[k] != v
            }
            if updates:
                inferred = dict(existing["inferred"] or {})
                for key in ("organisation", "doc_type", "year", "title"):
                    col = "organisation_code" if key == "organisation" else key
                    if col in updates:
                        inferred.pop(key, None)
                store.upsert_document(conn, existing["id"], inferred=inferred, **updates)
            n_pass = store.count_passages(conn, existing["id"])
        status = Status.duplicate if added else Status.unchanged
        reason = REASONS[status]
        if moved is not None:
            reason += (
                f" Verplaatst van {moved['from']} naar {moved['to']} "
                f"({moved['decisions']} beoordelingen blijven staan)."
            )
        return InputResult(
            item.display,
            status,
            reason,
            existing["id"],
            existing["pages"],
            n_pass,
            duplicate_of=existing["id"] if added else None,
            organisation=updates.get("organisation_code", existing["organisation_code"]),
        )

    def finish(self, p: _Pending) -> InputResult:
        """Wait for the parse result and store the document in one transaction."""
        item, sha, size, doc_id, media_type, given = (
            p.item, p.sha, p.size, p.doc_id, p.media_type, p.item.given,
        )  # fmt: skip
        result = p.result if p.job is None else self.pool.result(p.job)
        assert result is not None
        status = Status(result["status"])
        stored_path = (
            str(Path(self.ws.files_dir.name) / sha[:2] / f"{sha}{_ext(media_type)}")
            if media_type
            else None
        )
        first_text = result.get("first_text", "")
        if p.existing is not None:  # read again: keep what was given earlier
            was_inferred = p.existing["inferred"] or {}
            keep = {
                field: p.existing[column]
                for field, column in (
                    ("organisation", "organisation_code"),
                    ("doc_type", "doc_type"),
                    ("year", "year"),
                    ("title", "title"),
                    ("source_url", "source_url"),
                )
                if getattr(given, field) is None and field not in was_inferred
            }
            given = Metadata(**{**given.__dict__, **keep, "inferred": {}})
        meta = infer(
            given,
            file_name=item.name,
            first_text=first_text,
            reader_title=result.get("title"),
            cover_title=result.get("cover_title"),
            mail_subject=result.get("mail_subject"),
            index=self.index,
        )
        pages = result.get("pages") or []
        passages = result.get("passages") or []
        with self.ws.write() as conn:
            if doc_id is None:  # another process may have stored it meanwhile
                found = store.find_by_sha(conn, sha)
                doc_id = found["id"] if found else None
            doc_id = store.upsert_document(
                conn,
                doc_id,
                sha256=sha,
                organisation_code=meta.organisation,
                doc_type=meta.doc_type,
                year=meta.year,
                title=meta.title,
                source_url=meta.source_url,
                media_type=media_type,
                size_bytes=size,
                pages=len(pages),
                status=str(status),
                reason=result.get("reason"),
                notes=result.get("notes") or None,
                inferred=meta.inferred or None,
                stored_path=stored_path,
                extractor_version=EXTRACTOR_VERSION,
            )
            store.add_name(conn, doc_id, item.display, item.name)
            store.replace_content(conn, doc_id, pages, passages)
            store.delete_unhashed_for_path(conn, item.display)
        return InputResult(
            item.display,
            status,
            result.get("reason"),
            doc_id,
            len(pages),
            len(passages),
            organisation=meta.organisation,
        )

    def _pages(self, n: int) -> None:
        self.pages_parsed += n
        self.on_pages(n)


def _conflict(item: _Input, existing: dict[str, Any]) -> InputResult:
    """The content is stored under another organisation and may not be moved."""
    return InputResult(
        item.display,
        Status.organisation_conflict,
        f"Dit document hoort al bij {existing['organisation_code']}; het is niet "
        f"verplaatst naar {item.given.organisation}. Verplaatsen kan alleen met "
        "--verplaats-organisatie (beoordelingen blijven dan staan en het logboek "
        "legt de verplaatsing vast).",
        existing["id"],
        organisation=existing["organisation_code"],
    )


def _os_user() -> str:
    """Who runs this ingest (for the audit log)."""
    import getpass

    try:
        return f"systeem:{getpass.getuser()}"[:100]
    except (OSError, KeyError):
        return "systeem"


def _ext(media_type: str | None) -> str:
    if media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        return ".docx"
    return _EXT.get(media_type or "", ".bin")


def ingest(
    ws: Workspace,
    paths: Iterable[str | Path],
    *,
    organisation: str | None = None,
    doc_type: str | None = None,
    year: int | None = None,
    manifest: str | Path | None = None,
    settings: Settings | None = None,
    progress: bool = True,
    force: bool = False,
    parser: str = DEFAULT_TARGET,
    on_result: Callable[[InputResult], None] | None = None,
    move_organisation: bool = False,
    actor: str | None = None,
    workers: int = 1,
) -> IngestReport:
    """Read files and folders (recursively) and a manifest into the workspace.

    Every input gets exactly one status; a file that cannot be read never stops the
    batch. Re-running adds nothing (documents are keyed by content hash and extractor
    version); ``force`` reads stored documents again (passages at the same place keep
    their ids, so review decisions stay attached).

    A document already stored under one organisation is never given to another one
    unless ``move_organisation`` is set: without it such an input gets
    ``organisation_conflict``; with it the move is made and logged (``actor``), and the
    document's decisions stay with their reviewers."""
    settings = settings or load_settings()
    paths = list(paths)
    if doc_type is not None and doc_type not in DOC_TYPES:
        raise WeerbaarError(f"Onbekende soort {doc_type!r}; kies uit {', '.join(DOC_TYPES)}.")
    given = Metadata(organisation=_resolve_org(ws, organisation), doc_type=doc_type, year=year)
    items = collect_inputs(ws, paths, given, Path(manifest) if manifest else None)
    started = time.monotonic()
    run = {
        "paths": [str(p) for p in paths],
        "organisation": given.organisation,
        "doc_type": doc_type,
        "year": year,
        "manifest": str(manifest) if manifest else None,
        "force": force,
        "move_organisation": move_organisation,
        "extractor_version": EXTRACTOR_VERSION,
    }
    with ws.write() as conn:
        run_id = store.start_run(conn, run)
    report = IngestReport(run_id)
    bar = _ProgressBar(len(items)) if progress else None

    def emit(res: InputResult) -> None:
        report.items.append(res)
        if on_result:
            on_result(res)
        if bar:
            bar.done()

    try:
        with ParsePools(settings, workers, target=parser) as pool:
            runner = _Ingest(
                ws,
                settings,
                pool,
                force,
                bar.pages if bar else lambda n: None,
                move_organisation=move_organisation,
                actor=actor or _os_user(),
            )
            runner.prepare(items, workers, organisation_given=given.organisation is not None)
            _run_items(runner, items, workers, emit, bar)
            report.pages_parsed = runner.pages_parsed
            report.worker_peak_rss_kb = pool.peak_rss_kb
    finally:
        if bar:
            bar.stop()
        report.seconds = time.monotonic() - started
        with ws.write() as conn:
            store.finish_run(conn, run_id, report.counts())
    return report


def _run_items(
    runner: _Ingest,
    items: list[_Input],
    workers: int,
    emit: Callable[[InputResult], None],
    bar: _ProgressBar | None,
) -> None:
    """Hash, plan, parse (``workers + LOOKAHEAD`` documents in flight while this process
    stores the oldest: a worker done with a short file finds the next one) and store. Results are emitted and stored in input order, so
    passage ids do not depend on which parse worker was faster.

    On PostgreSQL other ``weerbaar inlezen`` processes (on this or other machines) may read
    the same files at the same time: each content (sha256) is claimed with ``SELECT ...
    FOR UPDATE SKIP LOCKED`` before it is parsed and held until it is stored, so no
    document is read twice. Content another process is busy with is put aside until the
    end; it is then found stored (``unchanged``) or, when that process died, read here."""
    window: deque[_Pending | InputResult] = deque()
    locks: dict[str, ItemLock] = {}
    queue = f"inlezen:{EXTRACTOR_VERSION}"

    def in_flight() -> int:
        return sum(isinstance(w, _Pending) for w in window)

    def pop_head() -> str | None:
        head = window.popleft()
        sha = head.sha if isinstance(head, _Pending) else None
        if isinstance(head, _Pending):
            try:
                head = runner.finish(head)
            finally:
                lock = locks.pop(sha or "", None)
                if lock is not None:
                    lock.release()
        emit(head)
        return sha

    def flush(keep: int) -> None:
        while window and (isinstance(window[0], InputResult) or in_flight() > keep):
            pop_head()

    def start(step: _Hashed, lock: ItemLock | None) -> None:
        if any(isinstance(w, _Pending) and w.sha == step.sha for w in window):
            while pop_head() != step.sha:  # the same content twice: store the first first
                pass
        planned = runner.plan(step)
        if isinstance(planned, _Pending) and lock is not None:
            locks[step.sha] = lock
        elif lock is not None:
            lock.release()
        window.append(planned)

    deferred: list[_Hashed] = []
    for item in items:
        if bar:
            bar.file(item.name)
        try:
            step = runner.hash_input(item)
            if isinstance(step, InputResult):
                window.append(step)
            elif step.sha in locks:
                start(step, None)  # this process holds that content already
            else:
                lock = ItemLock(runner.ws, queue, step.sha)
                if not lock.acquire():
                    deferred.append(step)  # another process is reading this content now
                    continue
                start(step, lock)
            flush(keep=workers + LOOKAHEAD)
        except OSError as exc:
            raise WeerbaarError(
                f"Schrijven in de werkruimte mislukt bij {item.name}: {exc}"
            ) from exc
    flush(keep=0)
    for step in deferred:
        if bar:
            bar.file(step.item.name)
        lock = ItemLock(runner.ws, queue, step.sha)
        lock.acquire(wait=True)  # stored by the other process meanwhile, or it died
        start(step, lock)
        flush(keep=0)


class _ProgressBar:
    """Rich progress: files and pages per second."""

    def __init__(self, total: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.started = time.monotonic()
        self.n_pages = 0
        self.n_files = 0
        self.progress = Progress(
            TextColumn("[bold]Inlezen[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[name]}", markup=False),
            transient=False,
        )
        self.task = self.progress.add_task("inlezen", total=total, rate="", name="")
        self.progress.start()

    def _rate(self) -> str:
        dt = max(1e-6, time.monotonic() - self.started)
        per_file = (
            f"{self.n_files / dt:.1f} bestanden/s"
            if self.n_files >= dt or not self.n_files
            else f"{dt / self.n_files:.0f} s per bestand"  # large files: never "0.0 bestanden/s"
        )
        return f"{per_file} · {self.n_pages / dt:.0f} pagina's/s"

    def file(self, name: str) -> None:
        self.progress.update(self.task, name=name[:60], rate=self._rate())

    def pages(self, n: int) -> None:
        self.n_pages += n
        self.progress.update(self.task, rate=self._rate())

    def done(self) -> None:
        self.n_files += 1
        self.progress.update(self.task, advance=1, rate=self._rate())

    def stop(self) -> None:
        self.progress.stop()
