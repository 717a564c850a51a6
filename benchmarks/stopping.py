"""Validation of the review queue's stopping rule by simulation on labelled data.

For every measure, the labelled passages of ``data/ontwikkelset`` (default: the test
split, which the shipped model did not train on) are scored by the shipped matching
model and queued like the scan does (score >= scan_min_score, at most scan_top_k, best
first). A simulated reviewer then works down each queue with the true labels, and after
every decision the app's stopping rule (``weerbaar.review.progress.estimate_rest``) is
asked whether to stop. Printed: how often it stopped early, the recall of relevant
passages in the queue when it said stop, and the share of the queue that was reviewed,
against two baselines measured in the same run: reviewing the whole queue, and stopping
after ten irrelevant passages in a row without the estimate.

    .venv/bin/python benchmarks/stopping.py [--split test|train|alle] [--top-k 200]
                                            [--min-score 0]

By default the queues are long (200, no score cut), where the rule matters: the labelled
set has few relevant passages per measure, so scan-sized queues (``--top-k 0
--min-score -1``: scan_top_k and scan_min_score) are too short to stop early.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np

from weerbaar.review.progress import STOP_AFTER_IRRELEVANT, estimate_rest
from weerbaar.search.core import load_default_model
from weerbaar.search.model import PassageFeatures
from weerbaar.settings import load_settings

DEVSET = Path(__file__).resolve().parents[1] / "data" / "ontwikkelset"


def load(split: str) -> list[dict]:
    rows = []
    for path in sorted(DEVSET.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if split == "alle" or row.get("split") == split:
                    rows.append(row)
    return rows


def simulate(labels: list[bool], scores: list[float], *, estimate: bool = True) -> int:
    """Number of passages reviewed when the rule says stop (len(labels) if never)."""
    for k in range(1, len(labels)):
        done = list(zip(scores[:k], labels[:k], strict=True))
        if estimate:
            _, _, _, stop = estimate_rest(done, scores[k:])
        else:
            streak = 0
            for lab in reversed(labels[:k]):
                if lab:
                    break
                streak += 1
            stop = streak >= STOP_AFTER_IRRELEVANT
        if stop:
            return k
    return len(labels)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["test", "train", "alle"], default="test")
    ap.add_argument("--top-k", type=int, default=200, help="0: scan_top_k")
    ap.add_argument("--min-score", type=float, default=0.0, help="negative: scan_min_score")
    args = ap.parse_args()
    settings = load_settings()
    top_k = args.top_k or settings.scan_top_k
    min_score = settings.scan_min_score if args.min_score < 0 else args.min_score
    rows = load(args.split)
    if not rows:
        print(f"geen gelabelde passages in {DEVSET}")
        return 1
    model = load_default_model()
    proba = model.proba(PassageFeatures.from_texts([r["text"] for r in rows], model.embed_model))
    results = {"regel": [], "alleen reeks": [], "alles": []}
    stopped = {"regel": 0, "alleen reeks": 0}
    lost = {"regel": 0, "alleen reeks": 0}
    total_relevant = 0
    queues = 0
    for j, mid in enumerate(model.measure_ids):
        order = np.argsort(-proba[:, j])
        queue = [i for i in order if proba[i, j] >= min_score][:top_k]
        labels = [mid in rows[i]["measures"] for i in queue]
        if sum(labels) == 0 or len(queue) <= STOP_AFTER_IRRELEVANT:
            continue
        queues += 1
        scores = [float(proba[i, j]) for i in queue]
        relevant = sum(labels)
        total_relevant += relevant
        results["alles"].append((1.0, 1.0))
        for name, use_estimate in (("regel", True), ("alleen reeks", False)):
            k = simulate(labels, scores, estimate=use_estimate)
            found = sum(labels[:k])
            results[name].append((found / relevant, k / len(queue)))
            if k < len(queue):
                stopped[name] += 1
            lost[name] += relevant - found
    if not queues:
        print("geen wachtrijen met relevante passages")
        return 1
    print(
        f"{len(rows)} gelabelde passages ({args.split}), {queues} wachtrijen "
        f"(score >= {min_score}, hoogstens {top_k}), "
        f"{total_relevant} relevante passages in de wachtrijen"
    )
    print(
        f"{'stopregel':16} {'gestopt':>8} {'recall gem.':>12} {'recall min.':>12} "
        f"{'gemist':>7} {'beoordeeld':>11} {'t.o.v. alles':>13}"
    )
    base_effort = statistics.mean(e for _, e in results["alles"])
    for name in ("alles", "alleen reeks", "regel"):
        recalls = [r for r, _ in results[name]]
        effort = statistics.mean(e for _, e in results[name])
        n_stop = stopped.get(name, 0)
        missed = lost.get(name, 0)
        overall = 1.0 - missed / total_relevant
        print(
            f"{name:16} {n_stop:8d} {statistics.mean(recalls):12.3f} {min(recalls):12.3f} "
            f"{missed:7d} {effort:10.1%} {effort / base_effort:13.2f}"
        )
        if name == "regel":
            print(
                f"recall over alle wachtrijen bij 'stop' van de regel: {overall:.3f} "
                f"({missed} van {total_relevant} relevante passages niet gezien), "
                f"werk {effort:.1%} van alles beoordelen"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
