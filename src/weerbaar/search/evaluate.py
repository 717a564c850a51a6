"""Metrics for measure matching, shared by the model card and the benchmark."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def ranking_metrics(
    scores: np.ndarray,
    labels: Sequence[Sequence[str]],
    measure_ids: Sequence[str],
    threshold: float,
) -> dict[str, float]:
    """scores: passages x measures. Top-1/top-3/MRR over passages with a measure; share
    of negatives with best score below threshold; macro-F1 of "best measure or none"."""
    ids = list(measure_ids)
    order = np.argsort(-scores, axis=1)
    best = scores.max(axis=1)
    top1 = top3 = rr = 0.0
    n_pos = 0
    neg_ok = n_neg = 0
    pred: list[str | None] = []
    for i, gold in enumerate(labels):
        ranked = [ids[j] for j in order[i]]
        p = ranked[0] if best[i] >= threshold else None
        pred.append(p)
        if not gold:
            n_neg += 1
            neg_ok += p is None
            continue
        n_pos += 1
        first = min((ranked.index(g) for g in gold if g in ranked), default=len(ranked))
        top1 += first < 1
        top3 += first < 3
        rr += 1.0 / (first + 1)
    f1s = []
    for m in sorted({g for gold in labels for g in gold}):
        tp = sum(1 for p, g in zip(pred, labels, strict=True) if p == m and m in g)
        fp = sum(1 for p, g in zip(pred, labels, strict=True) if p == m and m not in g)
        fn = sum(1 for p, g in zip(pred, labels, strict=True) if m in g and p != m)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return {
        "top1": top1 / max(n_pos, 1),
        "top3": top3 / max(n_pos, 1),
        "mrr": rr / max(n_pos, 1),
        "neg_empty": neg_ok / max(n_neg, 1),
        "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
        "n_pos": n_pos,
        "n_neg": n_neg,
    }


def per_measure_recall(order_scores: np.ndarray, relevant: np.ndarray, k: int) -> float:
    """Recall@k of one measure: share of relevant items among the k best scores."""
    if not relevant.any():
        return float("nan")
    top = np.argsort(-order_scores, kind="stable")[:k]
    return float(relevant[top].sum() / relevant.sum())


def wss(order_scores: np.ndarray, relevant: np.ndarray, recall: float = 0.95) -> float:
    """Work saved over sampling at ``recall``: 1 - (read / N) - (1 - recall) when reading
    in score order until ``recall`` of the relevant items are found."""
    n = len(relevant)
    total = int(relevant.sum())
    if total == 0:
        return float("nan")
    order = np.argsort(-order_scores, kind="stable")
    found = np.cumsum(relevant[order])
    need = int(np.ceil(recall * total))
    read = int(np.searchsorted(found, need) + 1)
    return (n - read) / n - (1 - recall)
