"""Measure queries built from the catalogue: one lexical query text and one dense query
vector per measure (title, description, aspect labels and cue terms, search terms)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from weerbaar.search import text as textmod
from weerbaar.search.embed import DEFAULT_MODEL, embed


@dataclass
class MeasureQueries:
    ids: list[str]
    lexical: list[str]  # one query text per measure
    dense_parts: list[list[str]]  # texts whose mean embedding is the dense query

    def lex_counts(self) -> sp.csr_matrix:
        return textmod.count_matrix(self.lexical)

    def lex_binary(self) -> sp.csr_matrix:
        q = self.lex_counts()
        q.data[:] = 1.0
        return q

    def lex_tf(self) -> sp.csr_matrix:
        return textmod.tf_rows(self.lex_counts())

    def dense(self, model: str = DEFAULT_MODEL) -> np.ndarray:
        flat = [t for parts in self.dense_parts for t in parts]
        vecs = embed(flat, model, query=True)
        out = np.zeros((len(self.ids), vecs.shape[1]), dtype=np.float32)
        i = 0
        for k, parts in enumerate(self.dense_parts):
            v = vecs[i : i + len(parts)].mean(axis=0)
            out[k] = v / (np.linalg.norm(v) or 1.0)
            i += len(parts)
        return out


def measure_queries(catalog) -> MeasureQueries:  # type: ignore[no-untyped-def]
    """Queries for every measure of ``catalog`` (a ``weerbaar.catalog.Catalog``)."""
    ids, lexical, dense = [], [], []
    for m in catalog.measures:
        aspect_text = [f"{a.label}. {' '.join(a.terms)}" for a in m.aspects]
        terms = list(m.terms)
        lexical.append(" ".join([m.title, m.description, *aspect_text, " ".join(terms)]))
        parts = [f"{m.title}. {m.description}"]
        parts.extend(aspect_text)
        if terms:
            parts.append(", ".join(terms))
        ids.append(m.id)
        dense.append(parts)
    return MeasureQueries(ids, lexical, dense)


def keyword_terms(catalog) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Plain keywords per measure (search terms and aspect cue terms), for the
    keyword-search baseline of the benchmark."""
    out: dict[str, list[str]] = {}
    for m in catalog.measures:
        terms = [t.lower() for t in m.terms]
        for a in m.aspects:
            terms.extend(t.lower() for t in a.terms)
        out[m.id] = sorted(set(t for t in terms if t.strip()))
    return out
