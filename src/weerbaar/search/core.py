"""The search library: classify passages, scan a workspace into the review queue, free
text search, and re-rank a queue after new reviewer decisions."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from weerbaar.catalog import load_catalog
from weerbaar.errors import UnknownOrganisation
from weerbaar.search import text as textmod
from weerbaar.search.data import (
    WorkspaceData,
    default_model_path,
    dense_ensured,
    dense_rows,
    features_for_ids,
    load_default_model,
    load_workspace_data,
    stored_dense,
)
from weerbaar.search.embed import embed
from weerbaar.search.index import LexicalSnapshot, query_vector, update_index
from weerbaar.search.model import PassageFeatures
from weerbaar.search.rerank import BlendedModel, model_for
from weerbaar.settings import Settings, load_settings
from weerbaar.store import Workspace
from weerbaar.store import candidates as cstore
from weerbaar.store import vectors as vstore
from weerbaar.store.organisations import list_organisations, resolve_organisation
from weerbaar.store.work import WorkQueue, worker_name

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


# -------------------------------------------------------------------------- classify
@dataclass
class MeasureScore:
    id: str
    score: float
    uncertain: bool = False  # below the measure's acceptance (shown, not judged)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "score": self.score, "onzeker": self.uncertain}


@dataclass
class Classification:
    """What the evidence model says of one text."""

    measures: list[MeasureScore]  # judged evidenced, best first (empty: no evidence)
    ranked: list[MeasureScore]  # the best five whatever the thresholds
    evidence: float  # calibrated P(the text evidences some measure)
    admitted: bool  # passed the lexical pre-filter

    def as_dict(self) -> dict[str, Any]:
        return {
            "measures": [{"id": m.id, "score": m.score} for m in self.measures],
            "ranked": [{"id": m.id, "score": m.score} for m in self.ranked],
            "evidence": self.evidence,
            "admitted": self.admitted,
        }


def classify(texts: list[str], ws: Workspace | None = None) -> list[Classification]:
    """Per text: the measures it evidences (ranked, calibrated scores in 0-1; empty when
    it evidences none) and the five best measures whatever the thresholds."""
    texts = [t.strip() for t in texts]
    model = model_for(ws).base
    out: list[Classification] = [Classification([], [], 0.0, False) for _ in texts]
    keep = [i for i, t in enumerate(texts) if textmod.words(t)]
    if not keep:
        return out
    feats = PassageFeatures.from_texts([texts[i] for i in keep], embed_model=model.embed_model)
    s = model.judge(feats)
    for row, i in enumerate(keep):
        pair = s.pair[row]
        order = np.argsort(-pair, kind="stable")
        ranked = [
            MeasureScore(
                model.measure_ids[j], round(float(pair[j]), 4), not bool(s.accepted[row, j])
            )
            for j in order[:5]
        ]
        measures = [
            MeasureScore(model.measure_ids[j], round(float(pair[j]), 4))
            for j in order
            if s.accepted[row, j]
        ]
        out[i] = Classification(
            measures, ranked, round(float(s.evidence[row]), 4), bool(s.admitted[row])
        )
    return out


# -------------------------------------------------------------------------- scan
def scan(
    ws: Workspace,
    *,
    measure: str | None = None,
    organisation: str | None = None,
    progress: bool = True,
    settings: Settings | None = None,
) -> ScanReport:
    """Fill the review queue (table ``candidates``): per measure per organisation at most
    ``scan_top_k`` passages whose evidence score for the measure is at least
    ``scan_min_score``, best first. Only passages that the model's lexical pre-filter
    admits are embedded and scored. The workspace re-ranker (reviewer decisions) only
    re-orders what the default model selected: the queue never grows past the cut.
    Passages a reviewer already judged for the measure stay in the queue whatever their
    score. Passages of documents without an organisation are not scanned (they cannot
    be assessed); the report counts them. Several scan processes on one database share a
    run and each organisation is scanned by one of them (``store/work.py``). A worker
    reads one organisation's passages at a time (features from the index files, vectors
    from the store), so its memory follows the largest organisation, not the workspace.
    The defaults and their measured recall are in ``docs/zoeken.md``. ``settings``:
    those of the caller (the CLI passes its own), else loaded here."""
    t0 = time.perf_counter()
    settings = settings or load_settings()
    catalog = load_catalog()
    measures = [catalog.measure(measure).id] if measure else catalog.ids()
    org_code = _organisation_code(ws, organisation) if organisation else None
    with ws.read() as conn:
        since_run_id = cstore.last_scan_run_id(conn)  # workers started with us share a run
    bar = _Progress(progress)
    with bar, contextlib.ExitStack() as stack:
        task = bar.add("Zoekindex bijwerken", total=1)
        upd = update_index(ws, progress=lambda d, t: bar.update(task, d, t))
        bar.update(task, 1, 1)
        lexical = open_lexical(ws)
        stack.callback(lexical.close)
        with ws.read() as conn:
            counts = vstore.organisation_passage_counts(conn)
        blended = model_for(ws)
        orgs, unassigned = _scanned_organisations(counts, org_code)
        params = {
            "top_k": settings.scan_top_k,
            "min_score": settings.scan_min_score,
            "embed_per_measure": settings.scan_embed_per_measure,
            "measure": measure,
            "organisation": org_code,
            "gate_threshold": blended.base.gate_threshold,
            "pre_threshold": blended.base.pre_threshold,
        }
        run_id, _joined = cstore.open_scan_run(
            ws,
            catalog_version=catalog.version,
            method=blended.method,
            params=params,
            training_size=blended.training_size,
            organisations=orgs,
            since_run_id=since_run_id,
        )
        run = _Run(run_id, catalog.version, measures, blended, settings)
        tally = _scan_organisations(ws, run, lexical, len(orgs), bar)
        with ws.write() as conn:
            cstore.finish_scan_run(conn, run_id)
    return ScanReport(
        scan_run_id=run_id,
        method=blended.method,
        catalog_version=catalog.version,
        measures=measures,
        organisations=orgs,
        passages=lexical.size,
        worker=worker_name(),
        organisations_by_worker=tally.mine,
        candidates=tally.candidates,
        unassigned_passages=unassigned,
        index={
            "lexicaal_nieuw": upd.lexical_added,
            "vectoren_nieuw": tally.embedded,
            "toegelaten": tally.admitted,
            "gescoord": tally.scored,
        },
        seconds=round(time.perf_counter() - t0, 2),
    )


def open_lexical(ws: Workspace) -> LexicalSnapshot:
    """The lexical index the scan reads, as it is now (passages stored later are left
    for the next scan)."""
    return LexicalSnapshot(ws)


def _scanned_organisations(counts: dict[str, int], org_code: str | None) -> tuple[list[str], int]:
    """The organisations to scan (all with passages, or the one asked for) and the
    number of passages that belong to no organisation."""
    orgs = sorted(o for o, n in counts.items() if o and n)
    unassigned = counts.get("", 0)
    if org_code:
        orgs = [o for o in orgs if o == org_code]
    return orgs, unassigned


@dataclass
class _Run:
    """What every organisation of one scan run is scanned with."""

    id: int
    catalog_version: str
    measures: list[str]
    blended: BlendedModel
    settings: Settings


@dataclass
class _Tally:
    candidates: int = 0
    admitted: int = 0
    scored: int = 0
    embedded: int = 0
    mine: list[str] = field(default_factory=list)  # organisations this worker scanned


def _scan_organisations(
    ws: Workspace, run: _Run, lexical: LexicalSnapshot, n_orgs: int, bar: _Progress
) -> _Tally:
    """Scan the organisations of the run that this worker claims: one work item per
    organisation, shared with every other scan worker on this run (store/work.py), so
    each organisation is scanned (and embedded) by one of them. Only the claimed
    organisation's passages are in memory (the passages of the index snapshot)."""
    queue = WorkQueue(ws, cstore.scan_queue_name(run.id))
    task = bar.add(f"Organisaties gescand (werkproces {worker_name()})", total=n_orgs)
    # the slow step of one organisation (new vectors for its shortlist) has its own bar
    vec_task = bar.add("Betekenisvectoren", total=1)
    tally = _Tally()
    for claim in queue.claims():
        with claim:
            with ws.read() as conn:
                org_ids = vstore.organisation_passage_ids(conn, claim.item)
            ids, counts, stance = lexical.features(org_ids)
            org = _OrgPassages(ids, PassageFeatures(counts, stance))
            bar.describe(vec_task, f"Betekenisvectoren {claim.item}")
            scored = _organisation_scores(
                ws,
                run.blended,
                run.measures,
                org,
                run.settings.scan_embed_per_measure,
                lambda d, t: bar.update(vec_task, d, t),
            )
            tally.admitted += scored.admitted
            tally.scored += len(scored.rows)
            tally.embedded += scored.embedded
            with claim.write() as conn:
                tally.candidates += _store_queue(
                    conn, run.catalog_version, run.measures, claim.item, org.ids, scored,
                    run_id=run.id, method=run.blended.method, top_k=run.settings.scan_top_k,
                    min_score=run.settings.scan_min_score,
                )  # fmt: skip
        tally.mine.append(claim.item)
        del org, scored  # the next organisation starts from an empty slate
        if bar.enabled:  # a count of the work left: only for the bar
            bar.update(task, n_orgs - queue.remaining(), n_orgs)
    return tally


@dataclass
class _OrgPassages:
    """One organisation's indexed passages: ids ascending and their lexical features."""

    ids: np.ndarray
    features: PassageFeatures


@dataclass
class _OrgScores:
    rows: np.ndarray  # rows of the organisation's passages scored (pre-filter, shortlist)
    base: np.ndarray  # rows x scanned measures: the default model's score (the cut)
    order: np.ndarray  # rows x scanned measures: the order (with the re-ranker)
    embedded: int  # vectors made for this organisation
    admitted: int  # passages that passed the pre-filter


def _organisation_scores(
    ws: Workspace,
    blended: BlendedModel,
    measures: list[str],
    org: _OrgPassages,
    embed_per_measure: int,
    progress: Callable[[int, int], None] | None = None,
) -> _OrgScores:
    """Scores of one organisation's passages for the scanned measures: the pre-filter
    on all of them, then, on the admitted ones most similar in words to a measure (at
    most ``embed_per_measure`` per measure), the embedding and the evidence model."""
    model = blended.base
    n_m = len(measures)
    if not org.ids.size:
        empty = np.zeros((0, n_m), dtype=np.float32)
        return _OrgScores(np.zeros(0, np.int64), empty, empty, 0, 0)
    q = model.query_sims(org.features)  # word similarities: computed once, used thrice
    pre = model.prefilter_logit(org.features, q)
    admitted = np.flatnonzero(pre >= model.pre_threshold)
    cols = [model.measure_ids.index(m) for m in measures if m in model.measure_ids]
    short = model.shortlist(
        org.features.subset(admitted), embed_per_measure, cols, q.subset(admitted)
    )
    rows = admitted[short]
    sub = org.features.subset(rows)
    sub.dense, added = dense_ensured(ws, org.ids[rows], model.embed_model, progress)
    scores = model.score(sub, prefilter=False, q=q.subset(rows))
    order_all = blended.order_scores(sub, scores)
    col = {m: k for k, m in enumerate(model.measure_ids)}
    base = np.zeros((len(rows), n_m), dtype=np.float32)
    order = np.zeros((len(rows), n_m), dtype=np.float32)
    for j, mid in enumerate(measures):
        if mid in col:  # a measure the model does not know (new catalogue): no candidates
            base[:, j] = scores.pair[:, col[mid]]
            order[:, j] = order_all[:, col[mid]]
    return _OrgScores(rows, base, order, added, len(admitted))


def _store_queue(
    conn: Any,
    catalog_version: str,
    measures: list[str],
    org: str,
    all_ids: np.ndarray,
    scored: _OrgScores,
    *,
    run_id: int,
    method: str,
    top_k: int,
    min_score: float,
) -> int:
    """Write one organisation's review queue for every scanned measure (see
    :func:`queue_rows`), then the passages a reviewer already judged for the measure
    that fell outside it (they stay queued whatever their score). Records what the scan
    covered (the highest passage id it read)."""

    judged = cstore.judged_by_measure(conn, catalog_version=catalog_version, organisation_code=org)
    ids = all_ids[scored.rows]
    queues: dict[str, list[tuple[int, float]]] = {}
    for j, mid in enumerate(measures):
        seen = judged.get(mid, set())
        rows = queue_rows(
            np.arange(len(ids)),
            scored.base[:, j],
            scored.order[:, j],
            ids,
            seen,
            top_k=top_k,
            min_score=min_score,
        )
        if seen:
            queued = {pid for pid, _ in rows}
            rows += [(p, 0.0) for p in all_ids.tolist() if p in seen and p not in queued]
        queues[mid] = rows
    n = cstore.replace_organisation_queues(
        conn,
        scan_run_id=run_id,
        catalog_version=catalog_version,
        organisation_code=org,
        queues=queues,
        method=method,
    )
    cstore.record_coverage(
        conn,
        catalog_version=catalog_version,
        organisation_code=org,
        measures=measures,
        scan_run_id=run_id,
        max_passage_id=int(all_ids.max()) if all_ids.size else 0,
    )
    return n


def queue_rows(
    sel: np.ndarray,
    base: np.ndarray,
    order: np.ndarray,
    ids: np.ndarray,
    judged: set[int],
    *,
    top_k: int,
    min_score: float,
) -> list[tuple[int, float]]:
    """The queue of one (organisation, measure): the ``top_k`` best passages by the
    default model's score with at least ``min_score`` (the cut), ordered by ``order``
    (the re-ranked score), then passages already judged that fell outside the cut."""
    if not sel.size:
        return []
    k = min(top_k, sel.size)
    part = sel[np.argpartition(-base[sel], k - 1)[:k]]
    chosen = part[base[part] >= min_score]
    chosen = chosen[np.argsort(-order[chosen], kind="stable")]
    rows = list(zip(ids[chosen].tolist(), order[chosen].tolist(), strict=True))
    if not judged:
        return rows
    kept = {pid for pid, _ in rows}
    extra = [
        (pid, score)
        for pid, score in zip(ids[sel].tolist(), order[sel].tolist(), strict=True)
        if pid in judged and pid not in kept
    ]
    return rows + sorted(extra, key=lambda r: -r[1])


def queue_listing(
    ws: Workspace, *, organisation: str | None = None, measure: str | None = None
) -> list[dict[str, Any]]:
    """The review queue as the scan left it, for anyone to check: per row organisation
    (code and name), measure, rank, score, method, passage id, document id, page, text
    and the decision so far (``ja`` / ``nee`` / ``andere`` or ``None``)."""
    catalog = load_catalog()
    org_code = _organisation_code(ws, organisation) if organisation else None
    mid = catalog.measure(measure).id if measure else None
    with ws.read() as conn:
        rows = cstore.queue_listing(
            conn, catalog_version=catalog.version, organisation_code=org_code, measure_id=mid
        )
    names = {o.code: o.name for o in list_organisations(ws)}
    position = {m: k for k, m in enumerate(catalog.ids())}
    rows.sort(key=lambda r: (r["organisation_code"], position.get(r["measure_id"], 999), r["rank"]))
    verdict = _queue_verdicts(ws, rows)
    return [
        {
            "organisation": r["organisation_code"],
            "organisation_name": names.get(r["organisation_code"], r["organisation_code"]),
            "measure": r["measure_id"],
            "rank": int(r["rank"]),
            "score": round(float(r["score"]), 4),
            "method": r["method"],
            "passage_id": int(r["passage_id"]),
            "document_id": int(r["document_id"]),
            "page": int(r["page_start"]),
            "text": r["text"],
            "decision": r["decision"],
            # the evidence model's own judgement: a queue also holds, below the accepted
            # passages, the best of the rest (score >= scan_min_score)
            **verdict.get((int(r["passage_id"]), r["measure_id"]), _NO_VERDICT),
        }
        for r in rows
    ]


_NO_VERDICT: dict[str, Any] = {"evidence": None, "accepted": None}


def _queue_verdicts(
    ws: Workspace, rows: list[dict[str, Any]]
) -> dict[tuple[int, str], dict[str, Any]]:
    """Per queued (passage, measure): the default model's P(evidence) and whether it
    judges the pair evidence (as ``classificeer`` would), from the stored features and
    vectors of the queued passages only. Passages without a stored vector or index row
    (a queue made by an older version) get no verdict."""
    if not rows:
        return {}
    model = load_default_model()
    col = {m: k for k, m in enumerate(model.measure_ids)}
    pids = np.unique(np.asarray([int(r["passage_id"]) for r in rows], dtype=np.int64))
    found, feats = features_for_ids(ws, pids)
    dense, has = stored_dense(ws, pids, model.embed_model)
    usable = found & has
    if not usable.any():
        return {}
    sub = feats.subset(np.flatnonzero(usable))
    sub.dense = dense[usable]
    s = model.judge(sub)  # the rule of classify
    row_of = {int(p): k for k, p in enumerate(pids[usable])}
    out: dict[tuple[int, str], dict[str, Any]] = {}
    for r in rows:
        pid, mid = int(r["passage_id"]), r["measure_id"]
        k = row_of.get(pid)
        if k is None or mid not in col:
            continue
        out[(pid, mid)] = {
            "evidence": round(float(s.evidence[k]), 4),
            "accepted": bool(s.accepted[k, col[mid]]),
        }
    return out


def _organisation_code(ws: Workspace, query: str) -> str:
    """Code of an organisation by code or name; a code that only occurs on documents of
    this workspace is accepted as it is."""
    try:
        return resolve_organisation(ws, query).code
    except UnknownOrganisation:
        with ws.read() as conn:
            codes = cstore.organisation_codes(conn)
        if query.strip().upper() in codes:
            return query.strip().upper()
        raise


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
    reciprocal rank with the evidence model's dense embeddings); best first."""
    update_index(ws)
    data = _cached_data(ws)
    if not data.ids.size or not textmod.words(query):
        return []
    mask = np.ones(data.ids.size, dtype=bool)
    if organisation:
        code = organisation
        try:
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
    # Dense vectors exist for the passages the evidence model admitted (see scan);
    # elsewhere the dense similarity is 0 and only the lexical rank counts.
    embed_model = load_default_model().embed_model
    dense = dense_rows(ws, data, sel, embed_model) @ embed([query], embed_model, query=True)[0]
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
        self._p: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._p = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                TextColumn("nog"),
                TimeRemainingColumn(),
            )
            self._p.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._p is not None:
            self._p.__exit__(None, None, None)

    def add(self, description: str, total: int) -> int:
        return self._p.add_task(description, total=total) if self._p else 0

    def describe(self, task: int, description: str) -> None:
        if self._p is not None:
            self._p.update(task, description=description, completed=0, total=1)

    def update(self, task: int, done: int, total: int) -> None:
        if self._p is not None:
            self._p.update(task, completed=done, total=max(total, 1))


__all__ = [
    "Classification",
    "MeasureScore",
    "ScanReport",
    "WorkspaceData",
    "classify",
    "default_model_path",
    "dense_rows",
    "load_default_model",
    "load_workspace_data",
    "model_for",
    "queue_listing",
    "queue_rows",
    "rrf",
    "scan",
    "search",
]
