"""Validation of the review queue's stopping rule by simulation on labelled data.

Two sets of labelled passages, side by side in one run:

- **ontwikkelset**: the written development set ``data/ontwikkelset`` (default: the test
  split, which the shipped model did not train on), scored by the shipped model;
- **echte teksten**: the real labelled passages of ``../shared/corpus/labels.json``
  (public texts of municipalities, regions and GHORs), each scored by a model of the
  shipped recipe (``weerbaar.search.train``) refitted in a cross-validation grouped by
  source file, so no passage is scored by a model that saw its file (the shipped model
  did train on these texts). Skipped with a message when ``../shared`` is absent.

For every measure the passages are queued like the scan does (score >= the minimum,
at most top-k, best first). A simulated reviewer works down each queue with the true
labels, and after every decision the app's stopping rule
(``weerbaar.review.progress.estimate_rest``) is asked whether to stop. Printed per set:
how often it stopped early, the recall of relevant passages in the queue when it said
stop, and the share of the queue that was reviewed (work saved = the rest), against two
baselines measured in the same run: reviewing the whole queue, and stopping after ten
irrelevant passages in a row without the estimate.

    .venv/bin/python benchmarks/stopping.py [--split test|train|alle] [--top-k 200]
                                            [--min-score 0] [--folds 5]

By default the queues are long (200, no score cut), where the rule matters: the labelled
sets have few relevant passages per measure, so scan-sized queues (``--top-k 0
--min-score -1``: scan_top_k and scan_min_score) are too short to stop early. A real
queue is per measure and organisation; the labelled sets hold a few passages per
organisation, so a simulated queue is per measure over all organisations of the set.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from weerbaar.review.progress import STOP_AFTER_IRRELEVANT, estimate_rest  # noqa: E402
from weerbaar.search.core import load_default_model  # noqa: E402
from weerbaar.search.model import PassageFeatures  # noqa: E402
from weerbaar.settings import load_settings  # noqa: E402

DEVSET = REPO / "data" / "ontwikkelset"
SHARED = REPO.parent / "shared"
RULES = ("alles", "alleen reeks", "regel")


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


@dataclass
class Figures:
    """The outcome of one stopping rule over all queues of one labelled set."""

    recalls: list[float] = field(default_factory=list)
    efforts: list[float] = field(default_factory=list)
    stopped: int = 0
    missed: int = 0


@dataclass
class SetResult:
    name: str
    passages: int
    queues: int = 0
    relevant: int = 0
    rules: dict[str, Figures] = field(default_factory=lambda: {r: Figures() for r in RULES})

    def overall_recall(self, rule: str) -> float:
        return 1.0 - self.rules[rule].missed / self.relevant if self.relevant else float("nan")

    def effort(self, rule: str) -> float:
        return statistics.mean(self.rules[rule].efforts)


def run_queues(
    name: str, scores: np.ndarray, y: np.ndarray, *, top_k: int, min_score: float
) -> SetResult:
    """Simulate every measure's queue of one labelled set (``scores`` and ``y``: passages
    x measures)."""
    res = SetResult(name, int(scores.shape[0]))
    for j in range(scores.shape[1]):
        order = np.argsort(-scores[:, j], kind="stable")
        queue = [int(i) for i in order if scores[i, j] >= min_score][:top_k]
        labels = [bool(y[i, j]) for i in queue]
        if sum(labels) == 0 or len(queue) <= STOP_AFTER_IRRELEVANT:
            continue
        res.queues += 1
        qs = [float(scores[i, j]) for i in queue]
        relevant = sum(labels)
        res.relevant += relevant
        res.rules["alles"].recalls.append(1.0)
        res.rules["alles"].efforts.append(1.0)
        for rule, use_estimate in (("regel", True), ("alleen reeks", False)):
            k = simulate(labels, qs, estimate=use_estimate)
            found = sum(labels[:k])
            f = res.rules[rule]
            f.recalls.append(found / relevant)
            f.efforts.append(k / len(queue))
            f.stopped += int(k < len(queue))
            f.missed += relevant - found
    return res


def devset_scores(split: str) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    rows = load(split)
    if not rows:
        return None
    model = load_default_model()
    feats = PassageFeatures.from_texts([r["text"] for r in rows], embed_model=model.embed_model)
    pair = model.score(feats).pair
    mids = list(model.measure_ids)
    y = np.asarray([[m in r["measures"] for m in mids] for r in rows], dtype=bool)
    return pair, y, mids


def real_scores(folds: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Out-of-fold scores of the real labelled passages (cross-validation grouped by
    source file), or None without ``../shared/corpus``."""
    if not (SHARED / "corpus" / "labels.json").exists():
        return None
    from weerbaar.catalog import load_catalog
    from weerbaar.search import train as tr

    base = tr.base_model(load_catalog())
    # devset + real corpus + labelled spans of the real PDFs (the PDFs themselves are
    # not read: the recipe is the shipped one, on slightly less material)
    examples = tr.load_training_data(SHARED, pdf_passages=[])
    data = tr.build_data(examples, base.measure_ids)
    recipe = tr.Recipe(data, base)
    fold_of = tr.grouped_folds(data.groups, folds)
    corpus = np.asarray([e.source == "echt" for e in examples])
    pair = np.zeros((len(examples), len(base.measure_ids)), np.float32)
    for k in range(folds):
        t0 = time.perf_counter()
        test = np.flatnonzero((fold_of == k) & corpus)
        if not test.size:
            continue
        model = recipe.fit(np.flatnonzero(fold_of != k))
        pair[test] = model.score(data.feats.subset(test)).pair
        print(f"  vouw {k + 1}/{folds}: {time.perf_counter() - t0:.0f} s", flush=True)
    idx = np.flatnonzero(corpus)
    return pair[idx], data.y[idx].astype(bool)


def print_set(res: SetResult, top_k: int, min_score: float) -> None:
    print(
        f"\n== {res.name}: {res.passages} gelabelde passages, {res.queues} wachtrijen "
        f"(score >= {min_score}, hoogstens {top_k}), "
        f"{res.relevant} relevante passages in de wachtrijen"
    )
    print(
        f"{'stopregel':16} {'gestopt':>8} {'recall gem.':>12} {'recall min.':>12} "
        f"{'gemist':>7} {'beoordeeld':>11} {'t.o.v. alles':>13}"
    )
    base = res.effort("alles")
    for rule in RULES:
        f = res.rules[rule]
        effort = res.effort(rule)
        print(
            f"{rule:16} {f.stopped:8d} {statistics.mean(f.recalls):12.3f} "
            f"{min(f.recalls):12.3f} {f.missed:7d} {effort:10.1%} {effort / base:13.2f}"
        )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", choices=["test", "train", "alle"], default="test")
    ap.add_argument("--top-k", type=int, default=200, help="0: scan_top_k")
    ap.add_argument("--min-score", type=float, default=0.0, help="negative: scan_min_score")
    ap.add_argument("--folds", type=int, default=5, help="vouwen voor de echte teksten")
    args = ap.parse_args()
    settings = load_settings()
    top_k = args.top_k or settings.scan_top_k
    min_score = settings.scan_min_score if args.min_score < 0 else args.min_score
    results: list[SetResult] = []
    dev = devset_scores(args.split)
    if dev is None:
        print(f"geen gelabelde passages in {DEVSET}")
    else:
        pair, y, _ = dev
        results.append(
            run_queues(f"ontwikkelset ({args.split})", pair, y, top_k=top_k, min_score=min_score)
        )
    print("Echte teksten: kruisvalidatie gegroepeerd per bronbestand ...", flush=True)
    real = real_scores(args.folds)
    if real is None:
        print(f"Echte teksten ontbreken ({SHARED / 'corpus'}); alleen de ontwikkelset.")
    else:
        results.append(
            run_queues(
                f"echte teksten ({args.folds} vouwen per bronbestand)",
                *real,
                top_k=top_k,
                min_score=min_score,
            )
        )
    results = [r for r in results if r.queues]
    if not results:
        print("geen wachtrijen met relevante passages")
        return 1
    for res in results:
        print_set(res, top_k, min_score)
    # side by side: the rule's recall when it says stop and the work it saves
    print(f"\n== stopregel naast elkaar (na {STOP_AFTER_IRRELEVANT} niet-relevante op rij)")
    print(f"{'':34}" + "".join(f"{r.name.split(' (')[0]:>16}" for r in results))
    lines = [
        ("wachtrijen", lambda r: f"{r.queues:d}"),
        ("relevante passages", lambda r: f"{r.relevant:d}"),
        ("recall bij stop (alle wachtrijen)", lambda r: f"{r.overall_recall('regel'):.3f}"),
        ("recall bij stop (slechtste)", lambda r: f"{min(r.rules['regel'].recalls):.3f}"),
        ("gestopt voor het einde", lambda r: f"{r.rules['regel'].stopped}/{r.queues}"),
        ("werk bespaard t.o.v. alles", lambda r: f"{1 - r.effort('regel'):.1%}"),
        ("recall alleen reeks", lambda r: f"{r.overall_recall('alleen reeks'):.3f}"),
        ("werk bespaard alleen reeks", lambda r: f"{1 - r.effort('alleen reeks'):.1%}"),
    ]
    for label, fmt in lines:
        print(f"{label:34}" + "".join(f"{fmt(r):>16}" for r in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
