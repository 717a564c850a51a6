"""The search library: classify passages, scan a workspace into the review queue, free
text search, and re-rank a queue after new reviewer decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from weerbaar.search import text as textmod
from weerbaar.search.embed import DEFAULT_MODEL, embed
from weerbaar.search.index import load_dense, load_lexical, query_vector, update_index
from weerbaar.search.model import MatchModel, PassageFeatures
from weerbaar.store import Workspace
from weerbaar.store.work import WorkQueue, worker_name

DEFAULT_MODEL_FILE = "default.npz"
RRF_K = 60
# Free-text search: a passage without any of the query's words is only a hit when its
# BM25 score over character n-grams is at least this much per query feature.
MIN_PARTIAL_MATCH = 0.5


@dataclass
class ScanReport:
    scan_run_id: int
    method: str
    catalog_version: str
    measures: list[str]
    organisations: list[str]
    passages: int
    candidates: int
    index: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    unassigned_passages: int = 0  # passages of documents without an organisation
    # Parallel scans (several processes on one PostgreSQL database) share a run; this
    # worker scanned these organisations, and ``candidates`` counts only its rows.
    worker: str = ""
    organisations_by_worker: list[str] = field(default_factory=list)


def default_model_path() -> Path:
    return Path(str(resources.files("weerbaar.search") / "models" / DEFAULT_MODEL_FILE))


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> MatchModel:
    return MatchModel.load(Path(path))


def load_default_model() -> MatchModel:
    """The model shipped inside the package (cold start of every workspace)."""
    from weerbaar.errors import IncompatibleModelError

    path = default_model_path()
    if not path.exists():
        raise IncompatibleModelError(
            "Het standaardmodel ontbreekt in het pakket; maak het met 'make model'."
        )
    return _load_cached(str(path), path.stat().st_mtime)


def _catalog():  # type: ignore[no-untyped-def]
    from weerbaar.catalog import load_catalog

    return load_catalog()


def model_for(ws: Workspace | None):  # type: ignore[no-untyped-def]
    """The scorer for a workspace: the default model, blended with the workspace
    re-ranker trained from reviewer decisions when there is one."""
    from weerbaar.search.rerank import BlendedModel, load_workspace_model

    base = load_default_model()
    if ws is None:
        return BlendedModel(base, None)
    return BlendedModel(base, load_workspace_model(ws))


# -------------------------------------------------------------------------- classify
def classify(texts: list[str], ws: Workspace | None = None) -> list[list[tuple[str, float]]]:
    """Per passage the measures it evidences, best first, with scores in [0, 1]; an
    empty list where no measure reaches the calibrated threshold."""
    texts = [t.strip() for t in texts]
    model = model_for(ws)
    out: list[list[tuple[str, float]]] = [[] for _ in texts]
    keep = [i for i, t in enumerate(texts) if textmod.words(t)]
    if not keep:
        return out
    feats = PassageFeatures.from_texts([texts[i] for i in keep], model.embed_model)
    proba = model.proba(feats)
    thr = model.threshold
    for row, i in enumerate(keep):
        p = proba[row]
        if p.max() < thr:
            continue
        order = np.argsort(-p)
        out[i] = [
            (model.measure_ids[j], round(float(p[j]), 4))
            for j in order[:5]
            if p[j] >= thr * 0.5 or j == order[0]
        ]
    return out


# -------------------------------------------------------------------------- workspace data
@dataclass
class WorkspaceData:
    ids: np.ndarray
    features: PassageFeatures
    organisation: np.ndarray
    year: np.ndarray
    doc_type: np.ndarray
    lexical: Any


def load_workspace_data(ws: Workspace, embed_model: str = DEFAULT_MODEL) -> WorkspaceData:
    from weerbaar.store import vectors as vstore

    lex = load_lexical(ws)
    ids_d, dense16 = load_dense(ws, embed_model)
    dim = dense16.shape[1]
    dense = np.zeros((lex.size, dim), dtype=np.float32)
    if len(ids_d) and lex.size:
        rows = lex.rows(ids_d)
        ok = rows >= 0
        dense[rows[ok]] = dense16[ok].astype(np.float32)
    with ws.read() as conn:
        meta = vstore.passage_meta(conn)
    pos = np.searchsorted(meta["id"], lex.ids)
    pos[pos >= len(meta["id"])] = 0
    org = meta["organisation"][pos] if len(meta["id"]) else np.zeros(0, object)
    year = meta["year"][pos] if len(meta["id"]) else np.zeros(0, np.int64)
    dtype = meta["doc_type"][pos] if len(meta["id"]) else np.zeros(0, object)
    return WorkspaceData(lex.ids, PassageFeatures(lex.tf_matrix(), dense), org, year, dtype, lex)


# -------------------------------------------------------------------------- scan
def scan(
    ws: Workspace,
    *,
    measure: str | None = None,
    organisation: str | None = None,
    progress: bool = True,
) -> ScanReport:
    """Fill the review queue (table ``candidates``): per measure per organisation the best
    ``scan_top_k`` passages whose score is at least ``scan_min_score``, ranked, with
    scores and the method that made them. Passages a reviewer already judged for the
    measure stay in the queue whatever their score. Passages of documents without an
    organisation are not scanned (they cannot be assessed); the report counts them.

    The default ``scan_min_score`` (0.05) keeps 97% of the (passage, measure) pairs of the
    held-out test split of the development set and drops 98.6% of the wrong pairs
    (0.10: 94% / 99.0%; 0.02: 99% / 97.5%)."""
    import time

    from weerbaar.settings import load_settings
    from weerbaar.store import candidates as cstore

    t0 = time.perf_counter()
    catalog = _catalog()
    measures = [catalog.measure(measure).id] if measure else catalog.ids()
    org_code = _organisation_code(ws, organisation) if organisation else None
    settings = load_settings()
    top_k = settings.scan_top_k
    min_score = settings.scan_min_score

    with ws.read() as conn:
        since_run_id = cstore.last_scan_run_id(conn)  # workers started with us share a run
    bar = _Progress(progress)
    with bar:
        task = bar.add("Zoekindex bijwerken", total=1)
        upd = update_index(ws, progress=lambda d, t: bar.update(task, d, t))
        bar.update(task, 1, 1)
        data = load_workspace_data(ws)
        model = model_for(ws)
        orgs = sorted(set(data.organisation.tolist()) - {""}) if data.ids.size else []
        unassigned = int((data.organisation == "").sum()) if data.ids.size else 0
        if org_code:
            orgs = [o for o in orgs if o == org_code]
        run_id, _joined = cstore.open_scan_run(
            ws,
            catalog_version=catalog.version,
            method=model.method,
            params={
                "top_k": top_k,
                "min_score": min_score,
                "measure": measure,
                "organisation": org_code,
                "threshold": model.threshold,
            },
            training_size=model.training_size,
            organisations=orgs,
            since_run_id=since_run_id,
        )
        # One work item per organisation, shared with every other scan worker on this run
        # (store/work.py): each organisation is scanned by exactly one of them.
        queue = WorkQueue(ws, cstore.scan_queue_name(run_id))
        task = bar.add(f"Organisaties (werker {worker_name()})", total=len(orgs))
        n_cand = 0
        mine: list[str] = []
        for claim in queue.claims():
            with claim:
                sel = np.flatnonzero(data.organisation == claim.item)
                scores = _organisation_scores(model, catalog, measures, data, sel)
                with claim.write() as conn:
                    n_cand += _store_queue(
                        conn, catalog.version, measures, claim.item, data.ids[sel], scores,
                        run_id=run_id, method=model.method, top_k=top_k, min_score=min_score,
                    )  # fmt: skip
            mine.append(claim.item)
            bar.update(task, len(orgs) - queue.remaining(), len(orgs))
        with ws.write() as conn:
            cstore.finish_scan_run(conn, run_id)
    return ScanReport(
        scan_run_id=run_id,
        method=model.method,
        catalog_version=catalog.version,
        measures=measures,
        organisations=orgs,
        passages=int(data.ids.size),
        worker=worker_name(),
        organisations_by_worker=mine,
        candidates=n_cand,
        unassigned_passages=unassigned,
        index={"lexicaal_nieuw": upd.lexical_added, "vectoren_nieuw": upd.vectors_added},
        seconds=round(time.perf_counter() - t0, 2),
    )


def _organisation_scores(
    model: Any, catalog: Any, measures: list[str], data: WorkspaceData, sel: np.ndarray
) -> np.ndarray:
    """Scores of one organisation's passages (rows) for the scanned measures (columns):
    the model's where it knows the measure, query similarity for new measures."""
    if not sel.size:
        return np.zeros((0, len(measures)), dtype=np.float32)
    feats = data.features.subset(sel)
    proba = model.proba(feats)
    col = {m: k for k, m in enumerate(model.measure_ids)}
    out = np.zeros((sel.size, len(measures)), dtype=np.float32)
    zero = None
    for j, mid in enumerate(measures):
        if mid in col:
            out[:, j] = proba[:, col[mid]]
        else:
            if zero is None:
                zero = _zero_shot(catalog, feats)
            out[:, j] = zero[:, catalog.ids().index(mid)]
    return out


def _store_queue(
    conn: Any,
    catalog_version: str,
    measures: list[str],
    org: str,
    ids: np.ndarray,
    scores: np.ndarray,
    *,
    run_id: int,
    method: str,
    top_k: int,
    min_score: float,
) -> int:
    """Write one organisation's review queue for every scanned measure: the best
    ``top_k`` passages with at least ``min_score``, then the passages a reviewer already
    judged for the measure (they stay queued whatever their score). Records what the
    scan covered (the highest passage id it read)."""
    from weerbaar.store import candidates as cstore

    judged = cstore.judged_by_measure(conn, catalog_version=catalog_version, organisation_code=org)
    n = 0
    for j, mid in enumerate(measures):
        rows: list[tuple[int, float]] = []
        if ids.size:
            col = scores[:, j]
            k = min(top_k, ids.size)
            part = np.argpartition(-col, k - 1)[:k]
            best = part[np.argsort(-col[part], kind="stable")]
            rows = [(int(ids[i]), float(col[i])) for i in best if col[i] >= min_score]
            kept = {pid for pid, _ in rows}
            seen = judged.get(mid, set())
            extra = [
                (int(ids[i]), float(col[i]))
                for i in range(ids.size)
                if int(ids[i]) in seen and int(ids[i]) not in kept
            ]
            rows += sorted(extra, key=lambda r: -r[1])
        n += cstore.replace_candidates(
            conn,
            scan_run_id=run_id,
            catalog_version=catalog_version,
            measure_id=mid,
            organisation_code=org,
            rows=rows,
            method=method,
        )
    cstore.record_coverage(
        conn,
        catalog_version=catalog_version,
        organisation_code=org,
        measures=measures,
        scan_run_id=run_id,
        max_passage_id=int(ids.max()) if ids.size else 0,
    )
    return n


def _organisation_code(ws: Workspace, query: str) -> str:
    """Code of an organisation by code or name; a code that only occurs on documents of
    this workspace is accepted as it is."""
    from weerbaar.errors import UnknownOrganisation
    from weerbaar.store import candidates as cstore
    from weerbaar.store.organisations import resolve_organisation

    try:
        return resolve_organisation(ws, query).code
    except UnknownOrganisation:
        with ws.read() as conn:
            codes = cstore.organisation_codes(conn)
        if query.strip().upper() in codes:
            return query.strip().upper()
        raise


def _zero_shot(catalog, features: PassageFeatures) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Query similarity for measures the model does not know (new catalogue version)."""
    from weerbaar.search.queries import measure_queries

    q = measure_queries(catalog)
    ql = (features.tf @ q.lex_tf().T).toarray()
    qd = features.dense @ q.dense().T
    return (ql + qd) / 2


# -------------------------------------------------------------------------- search
def search(
    ws: Workspace,
    query: str,
    *,
    organisation: str | None = None,
    year: int | None = None,
    doc_type: str | None = None,
    limit: int = 20,
) -> list[dict[str, Any]]:
    """Hybrid free-text search (BM25 over stems and character n-grams, fused by
    reciprocal rank with USE embeddings); best first."""
    from weerbaar.store import vectors as vstore

    update_index(ws)
    data = _cached_data(ws)
    if not data.ids.size or not textmod.words(query):
        return []
    mask = np.ones(data.ids.size, dtype=bool)
    if organisation:
        code = organisation
        try:
            from weerbaar.store.organisations import resolve_organisation  # type: ignore

            code = resolve_organisation(ws, organisation).code
        except Exception:
            code = organisation
        mask &= data.organisation == code
    if year is not None:
        mask &= data.year == int(year)
    if doc_type:
        mask &= data.doc_type == doc_type
    sel = np.flatnonzero(mask)
    if not sel.size:
        return []
    qv = np.zeros(textmod.N_FEATURES, dtype=np.float32)
    qfeatures = query_vector([query]).indices
    qv[qfeatures] = 1.0
    lex = (data.lexical.bm25_matrix() @ qv)[sel]
    per_feature = lex / max(1, len(qfeatures))
    dense = (data.features.dense @ embed([query], query=True)[0])[sel]
    fused = rrf([lex, dense])
    # Only passages that share at least part of a word with the query: meaning alone
    # (the embedding) also "matches" nonsense, so it only orders, it never admits.
    admitted = np.flatnonzero(lex > 0)
    if not admitted.size:
        return []
    pool = admitted[np.argsort(-fused[admitted], kind="stable")[: max(limit * 3, limit)]]
    ids = [int(data.ids[sel[i]]) for i in pool]
    with ws.read() as conn:
        details = vstore.passage_details(conn, ids)
    # Whole-word (stem) matches first: a passage that contains the query's words ranks
    # above one that only shares parts of words.
    qstems = set(textmod.stems(query))
    scored = []
    for i in pool:
        pid = int(data.ids[sel[i]])
        d = details.get(pid, {})
        share = len(qstems & set(textmod.stems(str(d.get("text", ""))))) / max(1, len(qstems))
        if share == 0 and per_feature[i] < MIN_PARTIAL_MATCH:
            continue  # a few shared letter groups only: no real match
        scored.append((float(fused[i]) * (1.0 + share), pid, d))
    scored.sort(key=lambda t: -t[0])
    out = []
    for score, pid, d in scored[:limit]:
        d.update(passage_id=pid, score=round(score, 5), method="weerbaar.zoek.v2")
        out.append(d)
    return out


_DATA_CACHE: dict[str, tuple[tuple, WorkspaceData]] = {}


def _cached_data(ws: Workspace) -> WorkspaceData:
    d = ws.index_dir / "lexicaal" / "manifest.json"
    key = (d.stat().st_mtime_ns if d.exists() else 0,)
    hit = _DATA_CACHE.get(str(ws.root))
    if hit and hit[0] == key:
        return hit[1]
    data = load_workspace_data(ws)
    _DATA_CACHE[str(ws.root)] = (key, data)
    return data


def rrf(score_lists: list[np.ndarray], k: int = RRF_K) -> np.ndarray:
    """Reciprocal rank fusion of score vectors over the same items."""
    total = np.zeros(len(score_lists[0]), dtype=np.float64)
    for s in score_lists:
        order = np.argsort(-np.asarray(s), kind="stable")
        ranks = np.empty(len(s), dtype=np.float64)
        ranks[order] = np.arange(1, len(s) + 1)
        total += 1.0 / (k + ranks)
    return total


class _Progress:
    """A rich progress bar in Dutch, or nothing."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._p = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self._p = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeRemainingColumn(),
            )
            self._p.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._p is not None:
            self._p.__exit__(None, None, None)

    def add(self, description: str, total: int) -> int:
        return self._p.add_task(description, total=total) if self._p else 0

    def update(self, task: int, done: int, total: int) -> None:
        if self._p is not None:
            self._p.update(task, completed=done, total=max(total, 1))
