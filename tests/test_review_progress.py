"""Queue progress: counts, the estimate of relevant passages left, the stop suggestion,
and the re-rank hook that falls back to the stored order."""

from __future__ import annotations

import numpy as np
import pytest

from weerbaar.review import record_decision
from weerbaar.review.progress import RerankScheduler, _logistic_1d, queue_progress
from weerbaar.review.sample import add_candidates, add_document
from weerbaar.store import decisions as q


@pytest.fixture
def queue(workspace):
    paras = [f"Passage {i} over de noodstroom en de opvang van inwoners." for i in range(40)]
    passages = add_document(
        workspace, organisation_code="GM0001", title="Plan", pages=[paras[:20], paras[20:]]
    )
    add_candidates(
        workspace,
        organisation_code="GM0001",
        measure_id="2.2",
        passage_ids=[p.id for p in passages],
    )
    return workspace, [p.id for p in passages]


def test_review_logistic_matches_scikit_learn():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(5)
    x = rng.random(60)
    y = (x + rng.normal(0, 0.25, 60) > 0.5).astype(int)
    new = np.linspace(-0.2, 1.2, 9)
    z = (x - x.mean()) / x.std()
    ref = LogisticRegression().fit(z[:, None], y)
    expected = ref.predict_proba(((new - x.mean()) / x.std())[:, None])[:, 1]
    assert _logistic_1d(list(x), list(y), list(new)) == pytest.approx(list(expected), abs=1e-4)


def test_review_progress_counts_estimate_and_stop(queue):
    ws, ids = queue
    p = queue_progress(ws, organisation="GM0001", measure_id="2.2")
    assert (p.total, p.reviewed, p.relevant, p.remaining) == (40, 0, 0, 40)
    assert not p.stop_suggested and "Nog niets" in p.advice
    # the top of the queue is rich in relevant passages, then nothing for a long stretch
    labels = ["ja", "ja", "nee", "ja", "ja", "nee", "ja"] + ["nee"] * 25
    for pid, rel in zip(ids, labels, strict=False):
        record_decision(ws, reviewer="ann", passage_id=pid, measure_id="2.2", relevant=rel)
    p = queue_progress(ws, organisation="GM0001", measure_id="2.2")
    assert (p.reviewed, p.relevant, p.remaining) == (32, 5, 8)
    assert p.irrelevant_streak == 25
    assert p.method == "logistisch op score"
    assert 0 <= p.estimated_relevant_remaining < 1.0
    assert p.stop_suggested and "overwegen te stoppen" in p.advice
    # a second reviewer's "ja" far down the queue breaks the streak
    record_decision(ws, reviewer="bob", passage_id=ids[31], measure_id="2.2", relevant="ja")
    p = queue_progress(ws, organisation="GM0001", measure_id="2.2")
    assert p.irrelevant_streak == 0 and not p.stop_suggested
    # an estimate from the re-ranker, when it ran, takes precedence
    p = queue_progress(
        ws,
        organisation="GM0001",
        measure_id="2.2",
        reranker={"expected_relevant_remaining": 3.5, "method": "test.v1"},
    )
    assert p.estimated_relevant_remaining == 3.5 and "test.v1" in p.method


def test_review_rerank_scheduler_keeps_order_without_search_data(queue):
    ws, ids = queue
    record_decision(ws, reviewer="ann", passage_id=ids[0], measure_id="2.2", relevant="ja")
    scheduler = RerankScheduler(ws)
    scheduler.request("GM0001", "2.2")
    scheduler.request("GM0001", "2.2")  # while running: one more run afterwards
    assert scheduler.wait_idle(120)
    with ws.read() as conn:
        order = [
            r["passage_id"]
            for r in q.queue(conn, organisation="GM0001", measure_id="2.2", limit=100)
        ]
    # this workspace has no search index: the re-ranker cannot run, the order stays
    assert order == ids
    off = RerankScheduler(ws, enabled=False)
    off.request("GM0001", "2.2")
    assert off.wait_idle(1) and off.estimate("GM0001", "2.2") is None


def test_review_stop_rule_on_plain_data():
    from weerbaar.review.progress import estimate_rest

    # relevant passages had high scores; ten low-scored misses; the rest scores lower
    done = [(0.9, True), (0.85, True), (0.8, False), (0.7, True)]
    done += [(0.3 - i * 0.01, False) for i in range(10)]
    est, method, streak, stop = estimate_rest(done, [0.1, 0.08, 0.05])
    assert method.startswith("logistisch op score") and streak == 10
    assert est < 1.0 and stop
    # the same streak, but the rest still scores like the relevant ones: go on
    est, _, _, stop = estimate_rest(done, [0.9] * 6)
    assert est >= 1.0 and not stop
    # fewer than ten misses in a row never stops
    assert not estimate_rest(done[:-1], [0.01])[3]
    # ten misses and nothing relevant yet in a long queue (real text: the relevant
    # passages came later): the share so far, one relevant and one irrelevant added,
    # still expects relevant passages in the rest
    est, method, streak, stop = estimate_rest(
        [(0.5 - i * 0.01, False) for i in range(10)], [0.3] * 190
    )
    assert method == "aandeel tot nu toe" and est == pytest.approx(190 / 12) and not stop
    # the curve says nothing is left, but half the last twenty were relevant: the floor
    # (a quarter of their rate over the 40 left) keeps the reviewer going
    done = [(0.9 - i * 0.01, True) for i in range(10)] + [
        (0.5 - i * 0.01, False) for i in range(10)
    ]
    est, method, streak, stop = estimate_rest(done, [0.01] * 40)
    assert method == "logistisch op score; ondergrens laatste 20" and streak == 10
    assert est == pytest.approx(0.25 * 10.5 / 21 * 40) and not stop
