"""Dutch text features shared by every search method: normalisation, stop words,
snowball stemming and character n-grams of stemmed words.

Character 4- and 5-grams of stemmed words let "noodstroom" meet "stroomvoorziening"
(Dutch compounds defeat word-level matching). Features are hashed into a fixed space, so
an index can grow segment by segment without a shared vocabulary (no full rebuild).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

#: Bump when tokenisation or hashing changes: indexes and models built with another
#: version must be rebuilt.
ANALYZER_VERSION = "nl-stem-char45-h18.v1"
N_FEATURES = 2**18

# Our own list of frequent Dutch function words.
STOP_WORDS = frozenset(
    [
        "aan",
        "al",
        "alle",
        "alles",
        "als",
        "alsnog",
        "altijd",
        "andere",
        "ben",
        "bij",
        "daar",
        "daarbij",
        "daarom",
        "dan",
        "dat",
        "de",
        "deze",
        "die",
        "dit",
        "doch",
        "doen",
        "door",
        "dus",
        "een",
        "eens",
        "en",
        "er",
        "erg",
        "ge",
        "geen",
        "geweest",
        "haar",
        "had",
        "heb",
        "hebben",
        "heeft",
        "hem",
        "het",
        "hier",
        "hij",
        "hoe",
        "hun",
        "ik",
        "in",
        "is",
        "ja",
        "je",
        "kan",
        "kon",
        "kunnen",
        "kunt",
        "maar",
        "me",
        "meer",
        "men",
        "met",
        "mij",
        "mijn",
        "moet",
        "na",
        "naar",
        "niet",
        "niets",
        "nog",
        "nu",
        "of",
        "om",
        "omdat",
        "onder",
        "ons",
        "ook",
        "op",
        "over",
        "reeds",
        "te",
        "tegen",
        "toch",
        "toen",
        "tot",
        "u",
        "uit",
        "uw",
        "van",
        "veel",
        "voor",
        "want",
        "waren",
        "was",
        "wat",
        "we",
        "wel",
        "werd",
        "wezen",
        "wie",
        "wij",
        "wil",
        "worden",
        "wordt",
        "zal",
        "ze",
        "zelf",
        "zich",
        "zij",
        "zijn",
        "zo",
        "zonder",
        "zou",
        "zowel",
        "binnen",
        "hierbij",
        "waarbij",
        "waarin",
        "waarmee",
        "welke",
        "zoals",
        "tussen",
        "verder",
        "via",
        "jaar",
        "jaren",
        "daarnaast",
    ]
)

_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("dutch")


def normalise(text: str) -> str:
    """Lower case, accents removed (``continuïteit`` -> ``continuiteit``)."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Content words (no stop words, no one-letter tokens), not stemmed."""
    return [w for w in _WORD.findall(normalise(text)) if len(w) > 1 and w not in STOP_WORDS]


def stems(text: str) -> list[str]:
    """Dutch snowball stems of the content words."""
    return _stemmer().stemWords(words(text))


def features(text: str) -> list[str]:
    """Word stems plus character 4- and 5-grams of each padded stem."""
    out: list[str] = []
    for s in stems(text):
        out.append(s)
        p = f" {s} "
        n = len(p)
        if n <= 5:
            out.append("#" + p)
            continue
        out.extend(["#" + p[i : i + 4] for i in range(n - 3)])
        out.extend(["#" + p[i : i + 5] for i in range(n - 4)])
    return out


@lru_cache(maxsize=1)
def _hasher():  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer=features,
        n_features=N_FEATURES,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )


def count_matrix(texts: Sequence[str]) -> sp.csr_matrix:
    """Hashed feature counts, one row per text (the raw material of every index)."""
    return _hasher().transform(list(texts)).tocsr()


def tf_rows(counts: sp.csr_matrix) -> sp.csr_matrix:
    """log(1+tf), L2-normalised per row: the lexical part of the supervised features."""
    from sklearn.preprocessing import normalize

    x = counts.copy().astype(np.float32)
    x.data = np.log1p(x.data)
    return normalize(x, norm="l2", copy=False).tocsr()


def word_tokens(texts: Iterable[str]) -> list[list[str]]:
    """Stemmed words only (the plain word-BM25 baseline)."""
    return [stems(t) for t in texts]
