"""Checks on the labelled development set in ``data/ontwikkelset/``.

The set trains and measures the evidence search, so its shape is guarded here:
valid records, known measure ids, minimum counts per measure and stage, a
stratified test split without near-duplicates in train, and no text copied from
the seeds or the real corpus in ``../shared``.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from weerbaar.catalog import load_catalog

REPO = Path(__file__).resolve().parents[1]
DEVSET = REPO / "data" / "ontwikkelset"

FIELDS = {"id", "text", "measures", "stage", "doc_type", "org_type", "split"}
OPTIONAL = {"note"}
STAGES = {"voornemen", "plan", "uitvoering", "evaluatie"}
DOC_TYPES = {"begroting", "jaarstukken", "risicoprofiel", "beleidsplan", "raadsbrief", "overig"}
ORG_TYPES = {"gemeente", "veiligheidsregio", "ghor"}
SPLITS = {"train", "test"}
PILLAR_SIZES = {1: 7, 2: 8, 3: 10, 4: 7, 5: 6, 6: 3}
CRUCIAL_MIN = 9
OTHER_MIN = 6
MIN_TOTAL = 440
MIN_NEGATIVES = 150
MIN_WORDS, MAX_WORDS = 25, 180
NGRAM = 8
MAX_JACCARD = 0.6

WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _measure_ids() -> tuple[list[str], set[str]]:
    """Measure ids and crucial ids from the catalogue."""
    catalog = load_catalog()
    ids = [m.id for m in catalog.measures]
    crucial = {m.id for m in catalog.measures if m.crucial}
    return ids, crucial


def _load() -> list[dict]:
    records = []
    for path in sorted(DEVSET.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            record = json.loads(line)
            record["_where"] = f"{path.name}:{n}"
            records.append(record)
    return records


@pytest.fixture(scope="module")
def records() -> list[dict]:
    recs = _load()
    assert recs, "data/ontwikkelset bevat geen records"
    return recs


def test_devset_records_are_valid(records: list[dict]) -> None:
    ids, _ = _measure_ids()
    known = set(ids)
    for r in records:
        where = r["_where"]
        keys = set(r) - {"_where"}
        assert keys >= FIELDS, (where, FIELDS - keys)
        assert keys <= FIELDS | OPTIONAL, (where, keys - FIELDS - OPTIONAL)
        assert isinstance(r["id"], str) and re.fullmatch(r"(p[1-6]|neg)-\d{3}", r["id"]), where
        assert isinstance(r["text"], str) and r["text"] == r["text"].strip(), where
        assert isinstance(r["measures"], list), where
        assert len(set(r["measures"])) == len(r["measures"]), where
        for m in r["measures"]:
            assert m in known, (where, m)
        if r["measures"]:
            assert r["stage"] in STAGES, where
        else:
            assert r["stage"] is None, where
        assert r["doc_type"] in DOC_TYPES, where
        assert r["org_type"] in ORG_TYPES, where
        assert r["split"] in SPLITS, where
        n_words = len(_words(r["text"]))
        assert MIN_WORDS <= n_words <= MAX_WORDS, (where, n_words)


def test_devset_ids_and_texts_unique(records: list[dict]) -> None:
    ids = Counter(r["id"] for r in records)
    assert not [i for i, k in ids.items() if k > 1]
    texts = Counter(" ".join(_words(r["text"])) for r in records)
    assert not [t[:60] for t, k in texts.items() if k > 1]


def test_devset_pillar_files_hold_their_pillar(records: list[dict]) -> None:
    for r in records:
        prefix = r["id"].split("-")[0]
        if prefix == "neg":
            assert r["measures"] == [], r["_where"]
        else:
            assert r["measures"], r["_where"]
            # the first (most specific) measure belongs to the file's pillar
            assert r["measures"][0].split(".")[0] == prefix[1:], r["_where"]


def test_devset_counts(records: list[dict]) -> None:
    ids, crucial = _measure_ids()
    assert len(records) >= MIN_TOTAL
    negatives = [r for r in records if not r["measures"]]
    assert len(negatives) >= MIN_NEGATIVES
    per_measure: Counter[str] = Counter()
    per_measure_test: Counter[str] = Counter()
    for r in records:
        for m in r["measures"]:
            per_measure[m] += 1
            if r["split"] == "test":
                per_measure_test[m] += 1
    short = {
        m: per_measure[m]
        for m in ids
        if per_measure[m] < (CRUCIAL_MIN if m in crucial else OTHER_MIN)
    }
    assert not short, short
    # stratified split: every measure is measured on the test split, and trained on
    assert not [m for m in ids if per_measure_test[m] == 0]
    assert not [m for m in ids if per_measure[m] - per_measure_test[m] == 0]
    share = sum(r["split"] == "test" for r in records) / len(records)
    assert 0.25 <= share <= 0.35, share
    neg_share = sum(r["split"] == "test" for r in negatives) / len(negatives)
    assert 0.2 <= neg_share <= 0.4, neg_share


def test_devset_stages_per_pillar(records: list[dict]) -> None:
    stages: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        if r["measures"]:
            stages[r["measures"][0].split(".")[0]][r["stage"]] += 1
    assert sorted(stages) == [str(p) for p in PILLAR_SIZES]
    for pillar, counts in stages.items():
        for stage in STAGES:
            assert counts[stage] >= 4, (pillar, stage, counts)


def test_devset_test_split_is_not_a_paraphrase_of_train(records: list[dict]) -> None:
    train = [(r["id"], set(_words(r["text"]))) for r in records if r["split"] == "train"]
    test = [(r["id"], set(_words(r["text"]))) for r in records if r["split"] == "test"]
    close = []
    for tid, a in test:
        for rid, b in train:
            jaccard = len(a & b) / len(a | b)
            if jaccard >= MAX_JACCARD:
                close.append((tid, rid, round(jaccard, 2)))
    assert not close, close


def _shared_ngrams(paths: list[Path]) -> set[tuple[str, ...]]:
    grams: set[tuple[str, ...]] = set()
    for path in paths:
        w = _words(path.read_text(encoding="utf-8"))
        grams.update(tuple(w[i : i + NGRAM]) for i in range(len(w) - NGRAM + 1))
    return grams


def test_devset_copies_nothing_from_seeds_or_corpus(
    records: list[dict], seeds_dir: Path, corpus_dir: Path
) -> None:
    sources = sorted(seeds_dir.glob("*.txt")) + sorted(corpus_dir.glob("*.txt"))
    assert sources
    grams = _shared_ngrams(sources)
    copied = []
    for r in records:
        w = _words(r["text"])
        for i in range(len(w) - NGRAM + 1):
            if tuple(w[i : i + NGRAM]) in grams:
                copied.append((r["id"], " ".join(w[i : i + NGRAM])))
                break
    assert not copied, copied
