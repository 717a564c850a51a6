"""Persisted, incremental search indexes of one workspace.

Lexical: hashed counts of stems and character 4-5-grams (``weerbaar.search.text``) in
segment files under ``ws.index_dir / "lexicaal"``. New passages become a new segment;
BM25 statistics (document frequency, average length) are summed over segments at load
time, so adding documents never re-tokenises old passages. Many small segments are
merged (without re-tokenising) when there are more than ``MAX_SEGMENTS``. A segment holds
at most ``SEGMENT_ROWS`` passages, so building, merging or cleaning one needs memory for
that many passages whatever the size of the workspace.

The scan does not load the index: :class:`LexicalSnapshot` reads the rows of one
organisation's passages straight from the segment files (``np.savez`` stores its arrays
uncompressed, so a row range is a byte range), and a scan worker holds one organisation
at a time.

Each segment also holds the stance features of its passages (``stance.py``): they need the
text, so they are computed once, here.

Dense: vectors live in the table ``passage_vectors`` (float16). They are the expensive
part (about 100-300 passages per second), so only the passages that the evidence model's
lexical pre-filter admits are embedded (:func:`ensure_vectors`), and vectors sit beside the
passages they belong to: transactional, deleted with their passage by the foreign key,
portable to PostgreSQL and kept when the derived files in ``index/`` are removed.

Every file is written to ``*.part`` and renamed; the manifest carries ``FORMAT_VERSION``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import struct
import zipfile
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from weerbaar.errors import IncompatibleModelError
from weerbaar.files import atomic_open, write_text_atomic
from weerbaar.search import text as textmod
from weerbaar.search.embed import DEFAULT_MODEL, embed, model_info
from weerbaar.search.stance import N_STANCE, STANCE_VERSION, stance_features
from weerbaar.store import Workspace
from weerbaar.store import vectors as vstore

FORMAT_VERSION = 2
MAX_SEGMENTS = 12  # segments smaller than half of SEGMENT_ROWS, before they are merged
SEGMENT_ROWS = 50_000
LEX_DIR = "lexicaal"
BM25_K1 = 1.2
BM25_B = 0.75
# from this many new passages (two batches) the features are computed in several
# processes: forking costs milliseconds, the features about 0.45 ms a passage
PARALLEL_MIN = 4_000
MAX_PROCESSES = 8


def _save_npz(path: Path, **arrays: np.ndarray) -> None:
    with atomic_open(path, fsync=True) as fh:
        np.savez(fh, **arrays)


@dataclass
class LexicalIndex:
    ids: np.ndarray  # int64, sorted ascending
    counts: sp.csr_matrix  # rows aligned with ids
    stance: np.ndarray  # rows aligned with ids (N_STANCE columns)
    _bm25: sp.csr_matrix | None = None
    _tf: sp.csr_matrix | None = None

    @property
    def size(self) -> int:
        return len(self.ids)

    def bm25_matrix(self) -> sp.csr_matrix:
        """Okapi BM25 document weights (documents x features)."""
        if self._bm25 is None:
            self._bm25 = bm25_weights(self.counts)
        return self._bm25

    def tf_matrix(self) -> sp.csr_matrix:
        if self._tf is None:
            self._tf = textmod.tf_rows(self.counts)
        return self._tf

    def rows(self, passage_ids: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(self.ids, passage_ids)
        pos[pos >= len(self.ids)] = 0
        ok = self.ids[pos] == passage_ids if len(self.ids) else np.zeros(len(pos), bool)
        return np.where(ok, pos, -1)


def bm25_weights(counts: sp.csr_matrix, k1: float = BM25_K1, b: float = BM25_B) -> sp.csr_matrix:
    n = counts.shape[0]
    if n == 0:
        return counts.copy()
    x = counts.tocsr().astype(np.float32, copy=True)
    df = np.bincount(x.indices, minlength=x.shape[1]).astype(np.float32)
    idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
    dl = np.asarray(x.sum(axis=1)).ravel()
    avgdl = float(dl.mean()) or 1.0
    row_norm = k1 * (1 - b + b * dl / avgdl)
    rep = np.repeat(row_norm, np.diff(x.indptr))
    tf = x.data
    x.data = (tf * (k1 + 1) / (tf + rep) * idf[x.indices]).astype(np.float32)
    return x


def query_vector(texts: list[str]) -> sp.csr_matrix:
    """Queries as binary feature vectors (a term counts once per query)."""
    q = textmod.count_matrix(texts)
    q.data[:] = 1.0
    return q


def _lex_dir(ws: Workspace) -> Path:
    d = ws.index_dir / LEX_DIR
    d.mkdir(parents=True, exist_ok=True)
    return d


def _read_manifest(d: Path) -> dict:
    path = d / "manifest.json"
    if not path.exists():
        return {
            "format_version": FORMAT_VERSION,
            "analyzer": textmod.ANALYZER_VERSION,
            "stance": STANCE_VERSION,
            "segments": [],
        }
    data = json.loads(path.read_text(encoding="utf-8"))
    if (
        data.get("format_version") != FORMAT_VERSION
        or data.get("analyzer") != textmod.ANALYZER_VERSION
        or data.get("stance") != STANCE_VERSION
    ):
        raise IncompatibleModelError(
            f"De zoekindex in {d} heeft een andere versie "
            f"({data.get('format_version')}, {data.get('analyzer')}); verwijder de map om "
            "hem opnieuw op te bouwen."
        )
    return data


def _write_manifest(d: Path, data: dict) -> None:
    write_text_atomic(d / "manifest.json", json.dumps(data, indent=1))


def _load_segment(path: Path) -> tuple[np.ndarray, sp.csr_matrix, np.ndarray]:
    with np.load(path) as z:
        ids = z["ids"]
        m = sp.csr_matrix(
            (z["data"], z["indices"], z["indptr"]), shape=(len(ids), int(z["n_features"]))
        )
        st = z["stance"]
    return ids, m, st


def _save_segment(path: Path, ids: np.ndarray, m: sp.csr_matrix, st: np.ndarray) -> None:
    m = m.tocsr()
    _save_npz(
        path,
        ids=ids.astype(np.int64),
        stance=st.astype(np.float32),
        data=m.data.astype(np.float32),
        indices=m.indices.astype(np.int32),
        indptr=m.indptr.astype(np.int64),
        n_features=np.asarray(m.shape[1]),
    )


def load_lexical(ws: Workspace) -> LexicalIndex:
    """The lexical index as it is on disk (call :func:`update_index` first)."""
    d = _lex_dir(ws)
    man = _read_manifest(d)
    ids_parts, mats, sts = [], [], []
    for seg in man["segments"]:
        ids, m, st = _load_segment(d / seg["file"])
        ids_parts.append(ids)
        mats.append(m)
        sts.append(st)
    if not mats:
        return LexicalIndex(
            np.zeros(0, np.int64),
            sp.csr_matrix((0, textmod.N_FEATURES), dtype=np.float32),
            np.zeros((0, N_STANCE), np.float32),
        )
    ids = np.concatenate(ids_parts)
    mat = sp.vstack(mats, format="csr")
    st = np.vstack(sts)
    order = np.argsort(ids, kind="stable")
    if not np.all(order == np.arange(len(ids))):
        ids, mat, st = ids[order], mat[order], st[order]
    return LexicalIndex(ids, mat, st)


class _SegmentFile:
    """Rows of one segment file, read at their byte offsets without loading the file.
    Keeps the file open: a segment merged away by another process meanwhile stays
    readable until the snapshot is closed."""

    def __init__(self, path: Path) -> None:
        self._fh = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._arrays: dict[str, tuple[int, np.dtype, tuple[int, ...]]] = {}
        with zipfile.ZipFile(self._fh) as zf:
            infos = zf.infolist()
        for info in infos:
            if info.compress_type != zipfile.ZIP_STORED:
                raise ValueError(f"{path}: {info.filename} is compressed")
            self._fh.seek(info.header_offset)
            local = self._fh.read(30)
            if local[:4] != b"PK\x03\x04":
                raise ValueError(f"{path}: damaged zip entry {info.filename}")
            n_name, n_extra = struct.unpack("<HH", local[26:30])
            self._fh.seek(info.header_offset + 30 + n_name + n_extra)
            version = np.lib.format.read_magic(self._fh)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(self._fh)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(self._fh)
            if fortran and len(shape) > 1:
                raise ValueError(f"{path}: {info.filename} is not stored row by row")
            self._arrays[info.filename.removesuffix(".npy")] = (self._fh.tell(), dtype, shape)
        self.ids = self.read("ids", 0, self._arrays["ids"][2][0]).astype(np.int64)
        self.indptr = self.read("indptr", 0, self._arrays["indptr"][2][0]).astype(np.int64)
        offset, dtype, _ = self._arrays["n_features"]  # a 0-d array
        self.n_features = int(
            np.frombuffer(os.pread(self._fh.fileno(), dtype.itemsize, offset), dtype)[0]
        )

    def read(self, name: str, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` of one array of the segment."""
        offset, dtype, shape = self._arrays[name]
        row = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize
        size = (stop - start) * row
        buf = bytearray(size)
        view, got = memoryview(buf), 0
        while got < size:
            n = os.preadv(self._fh.fileno(), [view[got:]], offset + start * row + got)
            if n <= 0:
                raise OSError(f"segment ends early: {self._fh.name}")
            got += n
        return np.frombuffer(buf, dtype).reshape((stop - start, *shape[1:]))

    def rows(self, positions: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
        """Counts and stance features of the rows at ``positions`` (ascending)."""
        if not len(positions):
            return (
                sp.csr_matrix((0, self.n_features), dtype=np.float32),
                np.zeros((0, N_STANCE), np.float32),
            )
        cut = np.flatnonzero(np.diff(positions) != 1) + 1
        starts = positions[np.r_[0, cut]]
        stops = positions[np.r_[cut - 1, len(positions) - 1]] + 1
        data, indices, stance, lengths = [], [], [], []
        for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
            lo, hi = int(self.indptr[a]), int(self.indptr[b])
            data.append(self.read("data", lo, hi))
            indices.append(self.read("indices", lo, hi))
            stance.append(self.read("stance", a, b))
            lengths.append(np.diff(self.indptr[a : b + 1]))
        indptr = np.r_[0, np.cumsum(np.concatenate(lengths))]
        m = sp.csr_matrix(
            (np.concatenate(data), np.concatenate(indices), indptr),
            shape=(len(positions), self.n_features),
        )
        return m, np.vstack(stance)

    def close(self) -> None:
        self._fh.close()


class LexicalSnapshot:
    """The lexical index as it was when opened, read a few passages at a time (the
    scan reads one organisation at a time). Holds per passage only its id and where its
    row is (about 20 bytes), not its features."""

    def __init__(self, ws: Workspace) -> None:
        d = _lex_dir(ws)
        self._segments: list[_SegmentFile] = []
        with ws.lock(LEX_DIR):  # no merge removes a file between manifest and open
            for seg in _read_manifest(d)["segments"]:
                self._segments.append(_SegmentFile(d / seg["file"]))
        ids = [f.ids for f in self._segments]
        all_ids = np.concatenate(ids) if ids else np.zeros(0, np.int64)
        order = np.argsort(all_ids, kind="stable")
        self.ids = all_ids[order]  # every indexed passage, ascending
        seg_of = np.repeat(np.arange(len(ids), dtype=np.int32), [len(x) for x in ids])
        pos_of = np.concatenate([np.arange(len(x), dtype=np.int32) for x in ids]) if ids else None
        self._seg = seg_of[order]
        self._pos = pos_of[order] if pos_of is not None else np.zeros(0, np.int32)

    @property
    def size(self) -> int:
        return len(self.ids)

    def features(self, passage_ids: np.ndarray) -> tuple[np.ndarray, sp.csr_matrix, np.ndarray]:
        """(ids, counts, stance) of those of ``passage_ids`` that are indexed, ascending
        by id: the same rows as :func:`load_lexical` holds for them."""
        want = np.unique(np.asarray(passage_ids, dtype=np.int64))
        at = np.searchsorted(self.ids, want)
        at[at >= len(self.ids)] = 0
        found = at[self.ids[at] == want] if len(self.ids) else at[:0]
        if not len(found):
            return (
                np.zeros(0, np.int64),
                sp.csr_matrix((0, textmod.N_FEATURES), dtype=np.float32),
                np.zeros((0, N_STANCE), np.float32),
            )
        seg, pos = self._seg[found], self._pos[found]
        mats, sts, where = [], [], []
        for k in np.unique(seg):
            idx = np.flatnonzero(seg == k)
            idx = idx[np.argsort(pos[idx], kind="stable")]
            m, st = self._segments[int(k)].rows(pos[idx])
            mats.append(m)
            sts.append(st)
            where.append(idx)
        back = np.empty(len(found), dtype=np.int64)
        back[np.concatenate(where)] = np.arange(len(found))
        counts = sp.vstack(mats, format="csr")[back]
        return self.ids[found], counts, np.vstack(sts)[back]

    def close(self) -> None:
        for f in self._segments:
            f.close()
        self._segments = []

    def __enter__(self) -> LexicalSnapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class IndexUpdate:
    lexical_added: int
    lexical_removed: int
    vectors_added: int
    total: int


def update_index(
    ws: Workspace,
    *,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 2000,
) -> IndexUpdate:
    """Bring the lexical index up to date with the passages (incremental). Dense vectors
    are made on demand by :func:`ensure_vectors`. Several processes (scan workers) may
    call this at once: the lexical files are written under the workspace lock
    ``lexicaal``."""
    with ws.lock(LEX_DIR):
        return _update_lexical(ws, progress, batch)


def _update_lexical(
    ws: Workspace, progress: Callable[[int, int], None] | None, batch: int
) -> IndexUpdate:
    d = _lex_dir(ws)
    man = _read_manifest(d)
    with ws.read() as conn:
        state = list(vstore.passages_state(conn))
        if man.get("state") == state:
            return IndexUpdate(0, 0, 0, state[0])  # nothing new: no need to list passages
        current = vstore.passage_ids(conn)
    indexed_parts = []
    for seg in man["segments"]:
        with np.load(d / seg["file"]) as z:
            indexed_parts.append(z["ids"])
    indexed = np.concatenate(indexed_parts) if indexed_parts else np.zeros(0, np.int64)
    new_ids = np.setdiff1d(current, indexed, assume_unique=True)
    removed = np.setdiff1d(indexed, current, assume_unique=True)

    total_work = len(new_ids)
    # Lexical: new segments (at most SEGMENT_ROWS passages each) for the new passages.
    for start in range(0, len(new_ids), SEGMENT_ROWS):
        seg_ids = new_ids[start : start + SEGMENT_ROWS]

        def seg_progress(done: int, _total: int, base: int = start) -> None:
            if progress:
                progress(base + done, total_work)

        mats, sts = _features_of(ws, seg_ids, batch, seg_progress)
        name = _next_segment_name(man)
        _save_segment(d / name, seg_ids, sp.vstack(mats, format="csr"), np.vstack(sts))
        man["segments"].append({"file": name, "n": len(seg_ids)})
        del mats, sts
    if len(removed):
        _drop_removed(d, man, keep=current)
    if sum(1 for s in man["segments"] if s["n"] < SEGMENT_ROWS // 2) > MAX_SEGMENTS:
        _merge_small(d, man)
    if len(new_ids) or len(removed) or man.get("state") != state:
        man["state"] = state
        _write_manifest(d, man)  # unchanged index: manifest (and caches keyed on it) kept

    _cleanup(d, man)
    return IndexUpdate(len(new_ids), len(removed), 0, len(current))


def passage_features(texts: list[str]) -> tuple[sp.csr_matrix, np.ndarray]:
    """What the index keeps of a batch of passage texts: hashed counts of stems and
    character n-grams (about 0.2 ms a passage) and the stance features (about 0.25 ms)."""
    return textmod.count_matrix(texts), stance_features(texts)


def _processes(n_passages: int) -> int:
    """Processes to compute the features of ``n_passages`` new passages with: one for a
    small update, else one per core this process may use (up to ``MAX_PROCESSES``)."""
    if n_passages < PARALLEL_MIN:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_PROCESSES))


def _features_of(
    ws: Workspace,
    new_ids: np.ndarray,
    batch: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[list[sp.csr_matrix], list[np.ndarray]]:
    """Counts and stance features of the passages ``new_ids``, batch by batch, in order.
    A large update (a national corpus: 100,000 pages are some 650,000 passages, minutes
    of work) is spread over forked processes: they only compute (no database, no files,
    no output; ``os._exit`` at the end), the texts are read here, batches in flight are
    bounded, and the result is the same as in one process. (Not ``spawn`` or
    ``forkserver``: those import the caller's main script again.)"""
    total = len(new_ids)
    mats: list[sp.csr_matrix] = []
    sts: list[np.ndarray] = []

    def texts_of(part: np.ndarray) -> list[str]:
        with ws.read() as conn:
            texts = vstore.passage_texts(conn, part)
        return [texts.get(int(p), "") for p in part]

    def take(m: sp.csr_matrix, st: np.ndarray) -> None:
        mats.append(m)
        sts.append(st)
        if progress:
            progress(sum(x.shape[0] for x in mats), total)

    parts = [new_ids[i : i + batch] for i in range(0, total, batch)]
    procs = min(_processes(total), len(parts))
    if procs <= 1:
        for part in parts:
            take(*passage_features(texts_of(part)))
        return mats, sts
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(procs, mp_context=ctx) as pool:
        pending: deque[Future[tuple[sp.csr_matrix, np.ndarray]]] = deque()
        for part in parts:
            pending.append(pool.submit(passage_features, texts_of(part)))
            while len(pending) > 2 * procs:
                take(*pending.popleft().result())
        while pending:
            take(*pending.popleft().result())
    return mats, sts


def ensure_vectors(
    ws: Workspace,
    passage_ids: np.ndarray,
    *,
    embed_model: str = DEFAULT_MODEL,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 256,
) -> int:
    """Embed the given passages that have no vector yet (stored in ``passage_vectors``,
    one transaction per batch, so a killed run keeps what it stored); returns how many
    were added."""
    info = model_info(embed_model)
    ids = [int(i) for i in passage_ids]
    with ws.read() as conn:
        have = vstore.ids_with_vector(conn, info.name, ids)
    todo = [i for i in ids if i not in have]
    added = 0
    for i in range(0, len(todo), batch):
        part = todo[i : i + batch]
        with ws.read() as conn:
            texts = vstore.passage_texts(conn, part)
        part = [p for p in part if p in texts]
        vecs = embed([texts[p] for p in part], embed_model)
        with ws.write() as conn:
            vstore.save_vectors(conn, info.name, part, vecs)
        added += len(part)
        if progress:
            progress(added, len(todo))
    return added


def _next_segment_name(man: dict) -> str:
    seq = max([int(s["file"][4:10]) for s in man["segments"]] or [0]) + 1
    return f"seg-{seq:06d}.npz"


def _drop_removed(d: Path, man: dict, keep: np.ndarray) -> None:
    """Rewrite, one at a time, the segments that hold passages no longer stored."""
    segments = []
    for seg in man["segments"]:
        with np.load(d / seg["file"]) as z:
            mask = np.isin(z["ids"], keep)
        if mask.all():
            segments.append(seg)
            continue
        if mask.any():
            ids, m, st = _load_segment(d / seg["file"])
            name = _next_segment_name({"segments": [*man["segments"], *segments]})
            _save_segment(d / name, ids[mask], m[mask], st[mask])
            segments.append({"file": name, "n": int(mask.sum())})
    man["segments"] = segments


def _merge_small(d: Path, man: dict) -> None:
    """Merge the small segments (without re-tokenising) into segments of at most
    ``SEGMENT_ROWS`` passages; full segments stay as they are."""
    small = [s for s in man["segments"] if s["n"] < SEGMENT_ROWS // 2]
    kept = [s for s in man["segments"] if s["n"] >= SEGMENT_ROWS // 2]
    groups: list[list[dict]] = [[]]
    for seg in small:
        if groups[-1] and sum(s["n"] for s in groups[-1]) + seg["n"] > SEGMENT_ROWS:
            groups.append([])
        groups[-1].append(seg)
    for group in groups:
        if len(group) < 2:
            kept.extend(group)
            continue
        parts = [_load_segment(d / s["file"]) for s in group]
        ids = np.concatenate([p[0] for p in parts])
        name = _next_segment_name({"segments": [*man["segments"], *kept]})
        _save_segment(
            d / name,
            ids,
            sp.vstack([p[1] for p in parts], format="csr"),
            np.vstack([p[2] for p in parts]),
        )
        kept.append({"file": name, "n": len(ids)})
    man["segments"] = kept


def _cleanup(d: Path, man: dict) -> None:
    live = {s["file"] for s in man["segments"]}
    for p in d.glob("seg-*.npz"):
        if p.name not in live:
            p.unlink(missing_ok=True)


def load_dense(ws: Workspace, embed_model: str = DEFAULT_MODEL) -> tuple[np.ndarray, np.ndarray]:
    """(passage ids ascending, float16 vectors) of the workspace."""
    info = model_info(embed_model)
    with ws.read() as conn:
        return vstore.load_vectors(conn, info.name, info.dim)
