"""Stage of a passage: voornemen, plan, uitvoering or evaluatie.

Two methods, combined:

* ``cue_stage``: Dutch cue phrases on tense and modality ("gaan we", "willen",
  "in voorbereiding", "is vastgesteld", "zijn ingericht", "hebben geoefend",
  "geëvalueerd" ...). Each matching pattern adds its weight to its stage; the stage with
  the highest total wins and the confidence is its share of the total.
* a classifier (TF-IDF word and character n-grams + logistic regression, scikit-learn)
  trained on the stage labels of the development set ``data/ontwikkelset/*.jsonl``
  (rows with a ``stage`` and ``split`` other than ``test``), shipped in
  ``assess/models/stage.npz`` and rebuilt by ``make model``.

``suggest_stage`` combines them: a confident cue match (one stage has >= 70% of the cue
weight, from at least two cue hits) wins; otherwise the classifier's probabilities
(weight 0.85) and the cue shares (0.15) are mixed. Without a development set only the
cues are used; a text without any cue then falls back to ``voornemen`` with a low
confidence (the weakest claim, so a missing signal never inflates a score). The figures
are printed by ``benchmarks/assess_stage.py``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from weerbaar.files import atomic_open
from weerbaar.settings import environment

STAGES: tuple[str, ...] = ("voornemen", "plan", "uitvoering", "evaluatie")
CUE_OVERRIDE_MIN = 0.7  # a cue stage with this share (and >= 2 hits) wins outright
CUE_WEIGHT = 0.15  # otherwise: weight of the cue shares beside the classifier
STAGE_RANK: dict[str, int] = {s: i + 1 for i, s in enumerate(STAGES)}
METHOD = "weerbaar.stage.v1"

# (pattern, stage, weight). Patterns are matched case-insensitively on the passage text.
CUE_PATTERNS: tuple[tuple[str, str, float], ...] = (
    # voornemen: intention, future tense, exploration
    (r"\bgaan we\b|\bwe gaan\b|\bgaat de gemeente\b|\bgaan (?:wij|de)\b", "voornemen", 1.0),
    (r"\b(?:willen|wil) (?:we|wij|de gemeente|de regio)\b|\b(?:we|wij) willen\b", "voornemen", 1.0),
    (
        r"\bonderzoeken\b|\bverkennen\b|\bverkenning\b|\bonderzocht (?:wordt|worden)\b",
        "voornemen",
        1.0,
    ),
    (r"\bstreven\b|\bambitie\b|\bvoornemen(?:s)?\b|\bvan plan\b|\bop termijn\b", "voornemen", 0.8),
    (r"\bzullen\b|\bzal (?:de|het|worden)\b|\bin \d{4} (?:willen|gaan)\b", "voornemen", 0.6),
    (r"\bkomende (?:jaren|periode)\b|\bde komende\b|\bin de toekomst\b", "voornemen", 0.5),
    (r"\b(?:is|zijn) nodig\b|\bmoet(?:en)? (?:worden|we)\b|\bnoodzakelijk\b", "voornemen", 0.4),
    # plan: documented, adopted, prepared, scheduled
    (r"\bin voorbereiding\b|\bwordt voorbereid\b|\bwordt (?:uit)?gewerkt\b", "plan", 1.0),
    (r"\b(?:is|zijn|werd|werden) vastgesteld\b|\bvastgesteld (?:door|in)\b", "plan", 1.0),
    (
        r"\bdraaiboek\b|\bplan van aanpak\b|\bbeleidsplan\b|\bactieplan\b|\buitvoeringsplan\b",
        "plan",
        0.9,
    ),
    (r"\bopgesteld\b|\bprotocol\b|\bplanning\b|\bgepland\b|\bstaat gepland\b", "plan", 0.7),
    (
        r"\bbudget\b|\bbegroot\b|\bmiddelen (?:zijn|worden) (?:beschikbaar|gereserveerd)\b",
        "plan",
        0.5,
    ),
    (r"\bin ontwikkeling\b|\bwordt ontwikkeld\b|\bwordt opgesteld\b", "plan", 0.8),
    # uitvoering: done, running, in place
    (
        r"\b(?:zijn|is) ingericht\b|\b(?:zijn|is) aangewezen\b|\b(?:zijn|is) geplaatst\b",
        "uitvoering",
        1.0,
    ),
    (
        r"\b(?:is|zijn) uitgevoerd\b|\bhebben (?:we|wij) (?:uitgevoerd|ingericht|georganiseerd)\b",
        "uitvoering",
        1.0,
    ),
    (
        r"\bhebben (?:we|wij)? ?geoefend\b|\boefening(?:en)? (?:is|zijn|werd|werden) gehouden\b",
        "uitvoering",
        1.0,
    ),
    (
        r"\bgeoefend\b|\boefening(?:en)?\b|\btraining(?:en)? gegeven\b|\bgetraind\b",
        "uitvoering",
        0.7,
    ),
    (
        r"\b(?:is|zijn) (?:aangeschaft|geïnstalleerd|gerealiseerd|opgeleverd|in gebruik)\b",
        "uitvoering",
        1.0,
    ),
    (
        r"\b(?:is|zijn) (?:verspreid|uitgedeeld|georganiseerd|gestart)\b|\bin \d{4} (?:zijn|is)\b",
        "uitvoering",
        0.7,
    ),
    (r"\bbeschikbaar\b|\boperationeel\b|\bin werking\b|\bdraait\b", "uitvoering", 0.5),
    # evaluatie: looked back, measured, improvement points
    (r"\bgeëvalueerd\b|\bge-evalueerd\b|\bevaluatie\b|\bevalueren\b", "evaluatie", 1.0),
    (r"\bverbeterpunten\b|\bleerpunten\b|\blessons learned\b|\baanbevelingen\b", "evaluatie", 1.0),
    (r"\bnulmeting\b|\beffectmeting\b|\bgemeten\b|\bmonitor(?:ing)?\b", "evaluatie", 0.6),
)
_COMPILED = tuple((re.compile(p, re.IGNORECASE), s, w) for p, s, w in CUE_PATTERNS)


@dataclass(frozen=True, slots=True)
class StageCues:
    """Cue totals for one text."""

    weights: dict[str, float]
    hits: int

    def best(self) -> tuple[str, float] | None:
        total = sum(self.weights.values())
        if total <= 0:
            return None
        # ties go to the later stage in order of STAGES only if strictly higher
        stage = max(STAGES, key=lambda s: (self.weights[s], -STAGE_RANK[s]))
        return stage, self.weights[stage] / total


def stage_cues(text: str) -> StageCues:
    """Sum the cue weights per stage for ``text``."""
    weights = {s: 0.0 for s in STAGES}
    hits = 0
    for rx, stage, weight in _COMPILED:
        n = len(rx.findall(text))
        if n:
            weights[stage] += weight * min(n, 3)
            hits += n
    return StageCues(weights=weights, hits=hits)


def cue_stage(text: str) -> tuple[str, float]:
    """Stage from cue phrases alone, with a confidence in [0, 1]."""
    best = stage_cues(text).best()
    return best if best else ("voornemen", 0.25)


# --------------------------------------------------------------------------- classifier
def devset_dir() -> Path:
    """``data/ontwikkelset`` of the checkout (``WEERBAAR_ONTWIKKELSET`` overrides)."""
    env = environment("WEERBAAR_ONTWIKKELSET")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "data" / "ontwikkelset"


def load_devset(split: str | None = None, directory: Path | None = None) -> list[dict[str, Any]]:
    """Rows of the development set with a known stage; ``split`` filters (``test``,
    ``train``; ``"!test"`` means every split but test)."""
    directory = directory or devset_dir()
    rows: list[dict[str, Any]] = []
    if not directory.is_dir():
        return rows
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("stage") not in STAGE_RANK or not row.get("text"):
                continue
            rs = row.get("split", "train")
            if split == "!test" and rs == "test":
                continue
            if split and split != "!test" and rs != split:
                continue
            rows.append(row)
    return rows


class StageClassifier:
    """TF-IDF (word 1-2-grams and character 3-5-grams) + logistic regression over the four
    stages. Trained from texts, or loaded from the model shipped with the package."""

    def __init__(self, texts: list[str] | None = None, stages: list[str] | None = None) -> None:
        self.classes: list[str] = []
        self.training_size = 0
        self.vectorizers: list[Any] = []
        self.coef: Any = None
        self.intercept: Any = None
        if texts is not None and stages is not None:
            self._fit(texts, stages)

    @staticmethod
    def _make_vectorizers() -> list[Any]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        return [
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, lowercase=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True),
        ]

    def _fit(self, texts: list[str], stages: list[str]) -> None:
        import numpy as np
        import scipy.sparse as sp
        from sklearn.linear_model import LogisticRegression

        self.vectorizers = self._make_vectorizers()
        x = sp.hstack([v.fit_transform(texts) for v in self.vectorizers]).tocsr()
        lr = LogisticRegression(max_iter=2000, C=4.0, class_weight="balanced", random_state=0)
        lr.fit(x, stages)
        self.classes = [str(c) for c in lr.classes_]
        self.coef = np.asarray(lr.coef_, dtype=np.float64)
        self.intercept = np.asarray(lr.intercept_, dtype=np.float64)
        self.training_size = len(texts)

    def _features(self, texts: list[str]) -> Any:
        import scipy.sparse as sp

        return sp.hstack([v.transform(texts) for v in self.vectorizers]).tocsr()

    def proba_many(self, texts: list[str]) -> list[dict[str, float]]:
        import numpy as np

        z = np.asarray(self._features(texts) @ self.coef.T + self.intercept)
        if z.shape[1] == 1:  # two classes: scikit-learn keeps one logit (for classes[1])
            z = np.hstack([np.zeros_like(z), z])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        out = []
        for row in p:
            d = {s: 0.0 for s in STAGES}
            for cls, v in zip(self.classes, row, strict=True):
                d[cls] = float(v)
            out.append(d)
        return out

    def proba(self, text: str) -> dict[str, float]:
        return self.proba_many([text])[0]

    def predict(self, text: str) -> tuple[str, float]:
        p = self.proba(text)
        stage = max(STAGES, key=lambda s: p[s])
        return stage, p[stage]

    # ------------------------------------------------------------------ persistence
    def save(self, path: Path, *, trained_on: str = "") -> None:
        """Write the model as a NumPy archive (no pickle), atomically."""
        import numpy as np

        arrays: dict[str, Any] = {
            "classes": np.array(self.classes),
            "coef": self.coef,
            "intercept": self.intercept,
        }
        for i, v in enumerate(self.vectorizers):
            terms = sorted(v.vocabulary_, key=v.vocabulary_.__getitem__)
            arrays[f"vocab{i}"] = np.array(terms)
            arrays[f"idf{i}"] = np.asarray(v.idf_, dtype=np.float64)
        meta = {
            "format_version": STAGE_FORMAT_VERSION,
            "method": METHOD,
            "training_size": self.training_size,
            "trained_on": trained_on,
        }
        arrays["meta"] = np.array(json.dumps(meta))
        path = Path(path)
        with atomic_open(path) as fh:
            np.savez_compressed(fh, **arrays)

    @classmethod
    def load(cls, path: Path) -> StageClassifier:
        import numpy as np

        from weerbaar.errors import IncompatibleModelError

        try:
            z = np.load(path, allow_pickle=False)
            meta = json.loads(str(z["meta"]))
        except Exception as exc:
            raise IncompatibleModelError(
                f"Fasemodel {path} kan niet worden gelezen: {exc}"
            ) from exc
        if meta.get("format_version") != STAGE_FORMAT_VERSION:
            raise IncompatibleModelError(
                f"Fasemodel {path} heeft formaatversie {meta.get('format_version')}; deze "
                f"versie van weerbaar leest alleen versie {STAGE_FORMAT_VERSION}. "
                "Train het opnieuw met 'make model'."
            )
        clf = cls()
        clf.vectorizers = cls._make_vectorizers()
        for i, v in enumerate(clf.vectorizers):
            terms = [str(t) for t in z[f"vocab{i}"]]
            v.vocabulary_ = {t: j for j, t in enumerate(terms)}
            v.idf_ = z[f"idf{i}"]
        clf.classes = [str(c) for c in z["classes"]]
        clf.coef = z["coef"]
        clf.intercept = z["intercept"]
        clf.training_size = int(meta.get("training_size", 0))
        return clf


STAGE_FORMAT_VERSION = 1  # v1: two TF-IDF vocabularies + multinomial logistic regression
SHIPPED_MODEL = Path(__file__).resolve().parent / "models" / "stage.npz"


def train_default(rows: list[dict[str, Any]] | None = None) -> StageClassifier | None:
    """Train on the development set (all splits but test)."""
    rows = load_devset("!test") if rows is None else rows
    if len({r["stage"] for r in rows}) < 2:
        return None
    return StageClassifier([r["text"] for r in rows], [r["stage"] for r in rows])


@lru_cache(maxsize=1)
def default_classifier() -> StageClassifier | None:
    """The model shipped with the package (built by ``make model`` from the development
    set, test split excluded); trained on the fly when it is missing; None without data."""
    if SHIPPED_MODEL.is_file():
        return StageClassifier.load(SHIPPED_MODEL)
    return train_default()


def main() -> None:
    """Rebuild the shipped stage model: ``python -m weerbaar.assess.train_stage``."""
    rows = load_devset("!test")
    clf = train_default(rows)
    if clf is None:
        raise SystemExit("Geen ontwikkelset gevonden (data/ontwikkelset).")
    SHIPPED_MODEL.parent.mkdir(parents=True, exist_ok=True)
    clf.save(SHIPPED_MODEL, trained_on=f"data/ontwikkelset, split != test, {len(rows)} passages")
    print(f"Fasemodel geschreven naar {SHIPPED_MODEL} ({len(rows)} passages).")  # noqa: T201


def combine(cues: StageCues, proba: dict[str, float] | None) -> tuple[str, float]:
    """Combine cue totals and classifier probabilities (see module docstring)."""
    best = cues.best()
    if best and (proba is None or (best[1] >= CUE_OVERRIDE_MIN and cues.hits >= 2)):
        return best
    if proba is None:
        return ("voornemen", 0.25)
    total = sum(cues.weights.values())
    mixed = {
        s: (1 - CUE_WEIGHT) * proba[s] + CUE_WEIGHT * cues.weights[s] / total if total else proba[s]
        for s in STAGES
    }
    stage = max(STAGES, key=lambda s: mixed[s])
    return stage, round(mixed[stage], 4)


def suggest_stage(text: str) -> tuple[str, float]:
    """Suggested stage of a passage and a confidence in [0, 1]."""
    clf = default_classifier()
    return combine(stage_cues(text), clf.proba(text) if clf else None)
