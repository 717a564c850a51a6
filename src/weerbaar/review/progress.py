"""Progress of one review queue, an estimate of the relevant passages still in it, a
stopping suggestion, and the hook to the search stage's re-ranker (active learning)."""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from typing import Any

from weerbaar.store import Workspace
from weerbaar.store import decisions as q

log = logging.getLogger(__name__)

#: Stop suggestion: this many reviewed passages in a row (in rank order, at the end of
#: the reviewed part) without a relevant one, and fewer than one relevant passage
#: expected in the rest. Mirrors the "consecutive irrelevant" heuristic used in
#: screening tools; a suggestion only, the reviewer decides.
STOP_AFTER_IRRELEVANT = 10
#: Floor under every estimate: the relevance rate of the last ``FLOOR_WINDOW`` reviewed
#: passages (with half a relevant and half an irrelevant one added, so a run of misses
#: never reads as a rate of zero), times ``FLOOR_SHARE`` (the rest ranks lower), times
#: the passages left. Without it the curve fitted on a few decisions stopped queues of
#: real text whose relevant passages came late (recall at stop 0.82 on the real labelled
#: passages, 0.97 with the floor; ``benchmarks/stopping.py``).
FLOOR_WINDOW = 20
FLOOR_SHARE = 0.25


@dataclass(frozen=True)
class QueueProgress:
    total: int
    reviewed: int
    relevant: int
    remaining: int
    estimated_relevant_remaining: float
    irrelevant_streak: int
    stop_suggested: bool
    method: str  # how the estimate was made

    @property
    def advice(self) -> str:
        """A Dutch sentence for the page."""
        if self.total == 0:
            return "Deze wachtrij is leeg."
        if self.remaining == 0:
            return "Alle passages in deze wachtrij zijn beoordeeld."
        if self.stop_suggested:
            return (
                f"De laatste {self.irrelevant_streak} beoordeelde passages waren niet relevant "
                "en naar schatting zit er minder dan één relevante passage in de rest: "
                "u kunt overwegen te stoppen."
            )
        if self.reviewed == 0:
            return "Nog niets beoordeeld: begin bovenaan de wachtrij."
        est = self.estimated_relevant_remaining
        return (
            f"Naar schatting nog ongeveer {est:.0f} relevante passage(s) in de rest: ga door."
            if est >= 0.5
            else "Naar schatting weinig relevante passages over; beoordeel nog enkele om zeker te zijn."
        )


def _logistic_1d(
    x: list[float], y: list[int], x_new: list[float], *, l2: float = 1.0, iters: int = 30
) -> list[float]:
    """Probabilities for ``x_new`` from a one-feature logistic regression fitted on
    (``x``, ``y``) by Newton's method with an L2 penalty on the slope (like
    scikit-learn's default C=1), on standardised x. Small and import-free, so a page
    view never waits for a model library."""
    import numpy as np

    xa = np.asarray(x, dtype=float)
    mean, std = xa.mean(), xa.std() or 1.0
    z = (xa - mean) / std
    ya = np.asarray(y, dtype=float)
    design = np.column_stack([np.ones_like(z), z])
    w = np.zeros(2)
    penalty = np.diag([0.0, l2])
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(design @ w)))
        grad = design.T @ (p - ya) + penalty @ w
        hess = design.T @ (design * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    zn = (np.asarray(x_new, dtype=float) - mean) / std
    return [float(v) for v in 1.0 / (1.0 + np.exp(-(w[0] + w[1] * zn)))]


def estimate_rest(
    done: list[tuple[float, bool]],
    todo_scores: list[float],
    reranker: dict[str, Any] | None = None,
) -> tuple[float, str, int, bool]:
    """The stopping rule on plain data. ``done``: (score, relevant) of the reviewed
    passages in rank order; ``todo_scores``: the scores of the rest. Returns (estimated
    relevant passages in the rest, how it was estimated, irrelevant streak at the end of
    the reviewed part, stop suggested).

    The estimate fits a logistic curve of relevance on the candidate score over the
    reviewed passages (when both outcomes occur at least twice) and sums its predicted
    probabilities over the rest; otherwise it uses the relevance rate of the last ten
    reviewed passages (rule of succession: one relevant and one irrelevant added) for the
    rest. When the search stage's re-ranker ran (``reranker``, its summary), its
    calibrated estimate is used instead. The estimate is never below the floor of the
    last ``FLOOR_WINDOW`` decisions (see ``FLOOR_SHARE``). Stop is suggested after
    ``STOP_AFTER_IRRELEVANT`` irrelevant passages in a row with fewer than one relevant
    passage expected in the rest."""
    relevant = sum(1 for _, r in done if r)
    streak = 0
    for _, r in reversed(done):
        if r:
            break
        streak += 1
    estimate, method = 0.0, "geen"
    if todo_scores and done:
        if relevant >= 2 and len(done) - relevant >= 2:
            try:
                estimate = float(
                    sum(
                        _logistic_1d(
                            [s for s, _ in done], [int(r) for _, r in done], list(todo_scores)
                        )
                    )
                )
                method = "logistisch op score"
            except (ValueError, ArithmeticError) as exc:  # numerical trouble: fall back
                log.debug("logistic estimate failed: %s", exc)
        if method == "geen":
            estimate = (relevant + 1) / (len(done) + 2) * len(todo_scores)
            method = "aandeel tot nu toe"
    if todo_scores and reranker and reranker.get("expected_relevant_remaining") is not None:
        estimate = float(reranker["expected_relevant_remaining"])
        method = f"herordening ({reranker.get('method', 'zoekstap')})"
    estimate = 0.0 if math.isnan(estimate) else estimate
    if todo_scores and done:
        window = done[-FLOOR_WINDOW:]
        rate = (sum(1 for _, r in window if r) + 0.5) / (len(window) + 1)
        floor = FLOOR_SHARE * rate * len(todo_scores)
        if floor > estimate:
            estimate, method = floor, f"{method}; ondergrens laatste {len(window)}"
    stop = bool(todo_scores) and streak >= STOP_AFTER_IRRELEVANT and estimate < 1.0
    return estimate, method, streak, stop


def queue_progress(
    ws: Workspace,
    *,
    organisation: str,
    measure_id: str,
    catalog_version: str | None = None,
    reranker: dict[str, Any] | None = None,
) -> QueueProgress:
    """Counts for one queue and the stopping rule (:func:`estimate_rest`)."""
    with ws.read() as conn:
        rows = q.queue_scores(
            conn, organisation=organisation, measure_id=measure_id, catalog_version=catalog_version
        )
    done = [
        (float(r["score"]), bool(r["is_relevant"])) for r in rows if r["is_relevant"] is not None
    ]
    todo = [float(r["score"]) for r in rows if r["is_relevant"] is None]
    estimate, method, streak, stop = estimate_rest(done, todo, reranker)
    return QueueProgress(
        total=len(rows),
        reviewed=len(done),
        relevant=sum(1 for _, r in done if r),
        remaining=len(todo),
        estimated_relevant_remaining=round(estimate, 1),
        irrelevant_streak=streak,
        stop_suggested=stop,
        method=method,
    )


def rerank(ws: Workspace, *, organisation: str, measure_id: str) -> dict[str, Any] | None:
    """Ask the search stage to re-rank the rest of the queue with what reviewers decided
    (``weerbaar.search.rerank_queue``). When it fails, the queue keeps its rank order
    and None is returned; otherwise the re-ranker's summary (with
    ``expected_relevant_remaining`` and ``stop_suggested``)."""
    from weerbaar.search import rerank_queue  # numpy and the models: loaded on first use

    try:
        result = rerank_queue(ws, measure_id, organisation)
    except Exception as exc:  # never lose the reviewer's flow over a ranking problem
        log.warning(
            "re-ranking %s/%s failed, keeping rank order: %s", organisation, measure_id, exc
        )
        return None
    return result if isinstance(result, dict) else {}


class RerankScheduler:
    """Runs :func:`rerank` in a background thread so saving a decision stays fast. One
    run per queue at a time; requests during a run cause one more run afterwards. The
    last summary per queue is kept for the progress panel."""

    def __init__(self, ws: Workspace, *, enabled: bool = True) -> None:
        self.ws = ws
        self.enabled = enabled
        self._lock = threading.Lock()
        self._running: set[tuple[str, str]] = set()
        self._dirty: set[tuple[str, str]] = set()
        self._idle = threading.Condition(self._lock)
        self.results: dict[tuple[str, str], dict[str, Any]] = {}

    def request(self, organisation: str, measure_id: str) -> None:
        if not self.enabled:
            return
        key = (organisation, measure_id)
        with self._lock:
            if key in self._running:
                self._dirty.add(key)
                return
            self._running.add(key)
        threading.Thread(target=self._run, args=(key,), daemon=True).start()

    def _run(self, key: tuple[str, str]) -> None:
        while True:
            result = rerank(self.ws, organisation=key[0], measure_id=key[1])
            with self._lock:
                if result is not None:
                    self.results[key] = result
                if key in self._dirty:
                    self._dirty.discard(key)
                    continue
                self._running.discard(key)
                self._idle.notify_all()
                return

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until no re-rank runs (tests, benchmarks, shutdown)."""
        with self._lock:
            return self._idle.wait_for(lambda: not self._running, timeout=timeout)

    def estimate(self, organisation: str, measure_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self.results.get((organisation, measure_id))
