"""What the scan, the free-text search and the re-ranker share: the shipped evidence
model and the passages of a workspace as arrays (lexical features,
metadata, dense vectors). Below :mod:`core` and :mod:`rerank`, which both use it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from weerbaar.search.embed import model_info
from weerbaar.search.index import LexicalSnapshot, load_lexical
from weerbaar.search.model import EvidenceModel, PassageFeatures
from weerbaar.store import Workspace

DEFAULT_MODEL_FILE = "default.npz"


def default_model_path() -> Path:
    return Path(str(resources.files("weerbaar.search") / "models" / DEFAULT_MODEL_FILE))


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> EvidenceModel:
    return EvidenceModel.load(Path(path))


def load_default_model() -> EvidenceModel:
    """The model shipped inside the package (cold start of every workspace)."""
    from weerbaar.errors import IncompatibleModelError

    path = default_model_path()
    if not path.exists():
        raise IncompatibleModelError(
            "Het standaardmodel ontbreekt in het pakket; maak het met 'make model'."
        )
    return _load_cached(str(path), path.stat().st_mtime)


@dataclass
class WorkspaceData:
    ids: np.ndarray
    features: PassageFeatures
    organisation: np.ndarray
    year: np.ndarray
    doc_type: np.ndarray
    lexical: Any


def load_workspace_data(ws: Workspace) -> WorkspaceData:
    """Lexical features and metadata of every passage (dense vectors: :func:`dense_rows`)."""
    from weerbaar.store import vectors as vstore

    lex = load_lexical(ws)
    with ws.read() as conn:
        meta = vstore.passage_meta(conn)
    pos = np.searchsorted(meta["id"], lex.ids)
    pos[pos >= len(meta["id"])] = 0
    org = meta["organisation"][pos] if len(meta["id"]) else np.zeros(0, object)
    year = meta["year"][pos] if len(meta["id"]) else np.zeros(0, np.int64)
    dtype = meta["doc_type"][pos] if len(meta["id"]) else np.zeros(0, object)
    feats = PassageFeatures(lex.counts, lex.stance)
    return WorkspaceData(lex.ids, feats, org, year, dtype, lex)


def features_for_ids(ws: Workspace, passage_ids: np.ndarray) -> tuple[np.ndarray, PassageFeatures]:
    """Lexical features of the given passages, in their order, read from the index files
    for these passages only (the re-ranker: a few hundred decided or queued passages in a
    workspace of any size). Returns a mask of the passages found in the index and their
    features; a passage not (yet) indexed gets an empty row."""
    pids = np.asarray(passage_ids, dtype=np.int64)
    with LexicalSnapshot(ws) as snap:
        ids, counts, stance = snap.features(pids)
    pos = np.searchsorted(ids, pids)
    pos[pos >= len(ids)] = 0
    ok = ids[pos] == pids if len(ids) else np.zeros(len(pids), bool)
    take = np.where(ok, pos, 0)
    if len(ids):
        rows = counts[take].tocsr()
        rows = rows.multiply(ok[:, None].astype(np.float32)).tocsr()
        rows.eliminate_zeros()
        st = np.where(ok[:, None], stance[take], 0.0).astype(np.float32)
    else:
        rows = counts[:0].tocsr()
        rows.resize((len(pids), counts.shape[1]))
        st = np.zeros((len(pids), stance.shape[1]), np.float32)
    return ok, PassageFeatures(rows.astype(np.float32), st)


def dense_rows(
    ws: Workspace, data: WorkspaceData, rows: np.ndarray, embed_model: str
) -> np.ndarray:
    """Dense vectors of the given rows of ``data`` (zeros where none is stored)."""
    return dense_for_ids(ws, data.ids[rows] if len(rows) else data.ids[:0], embed_model)


def dense_for_ids(ws: Workspace, passage_ids: np.ndarray, embed_model: str) -> np.ndarray:
    """Dense vectors of the given passages, in their order (zeros where none is stored).
    Reads only these passages' vectors from the store, so its cost follows the number of
    passages asked for, not the size of the workspace."""
    return stored_dense(ws, passage_ids, embed_model)[0]


def stored_dense(
    ws: Workspace, passage_ids: np.ndarray, embed_model: str
) -> tuple[np.ndarray, np.ndarray]:
    """(vectors in the order of ``passage_ids``, zeros where none is stored; which rows
    have a stored vector)."""
    from weerbaar.store import vectors as vstore

    info = model_info(embed_model)
    with ws.read() as conn:
        ids_d, dense16 = vstore.vectors_for(conn, info.name, passage_ids, info.dim)
    dim = dense16.shape[1] if dense16.ndim == 2 and dense16.shape[1] else info.dim
    out = np.zeros((len(passage_ids), dim), dtype=np.float32)
    ok = np.zeros(len(passage_ids), dtype=bool)
    if len(ids_d) and len(passage_ids):
        want = np.asarray(passage_ids, dtype=np.int64)
        pos = np.searchsorted(ids_d, want)
        pos[pos >= len(ids_d)] = 0
        ok = ids_d[pos] == want
        out[ok] = dense16[pos[ok]].astype(np.float32)
    return out, ok


def dense_ensured(
    ws: Workspace,
    passage_ids: np.ndarray,
    embed_model: str,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Dense vectors of the given passages, in their order, after embedding (and storing)
    those that have none yet: (vectors, how many were embedded). The same vectors as
    :func:`~weerbaar.search.index.ensure_vectors` then :func:`dense_for_ids` (new ones
    are read back as stored), with one read of the store when every passage has its
    vector already (a re-scan, or passages another worker embedded)."""
    from weerbaar.search.index import ensure_vectors

    out, ok = stored_dense(ws, passage_ids, embed_model)
    if ok.all():
        return out, 0
    missing = np.asarray(passage_ids)[~ok]
    added = ensure_vectors(ws, missing, embed_model=embed_model, progress=progress)
    out[~ok] = stored_dense(ws, missing, embed_model)[0]
    return out, added
