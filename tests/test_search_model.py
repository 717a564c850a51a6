"""The shipped default model and classify() on passages written for this test."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from weerbaar.catalog import load_catalog
from weerbaar.errors import IncompatibleModelError
from weerbaar.search import classify
from weerbaar.search.core import default_model_path, load_default_model
from weerbaar.search.model import FORMAT_VERSION, EvidenceModel

# Written for this test (not in the development set): passage -> expected measure.
POSITIVES = [
    (
        "Voor het stadhuis en de brandweerkazerne zijn twee noodstroomaggregaten aangeschaft. "
        "Er ligt brandstof voor drie etmalen en de aggregaten worden elk kwartaal proefgedraaid.",
        "3.1",
    ),
    (
        "In iedere wijk wijst de gemeente een noodsteunpunt aan, bijvoorbeeld een school of "
        "buurthuis, waar inwoners bij langdurige uitval terechtkunnen voor informatie, warmte, "
        "water en eerste hulp.",
        "2.2",
    ),
    (
        "Met het drinkwaterbedrijf is afgesproken waar bij uitval van de waterleiding "
        "nooddrinkwater wordt uitgedeeld en hoe zorginstellingen met voorrang worden bevoorraad.",
        "3.2",
    ),
    (
        "We sluiten aan bij de landelijke campagne Denk vooruit en delen op de markt een "
        "checklist uit voor een noodpakket met water, radio op batterijen en zaklamp.",
        "5.1",
    ),
]
NEGATIVES = [
    "Het aantal woninginbraken in de gemeente daalde vorig jaar met acht procent.",
    "De raad stelde de tarieven voor het zwembad en het parkeren vast.",
]
# (A tariff decision on waste collection shares its topic with measure 3.3; at the
# gate's operating point about a third of such on-topic non-evidence passes, so it is
# no example of unrelated text.)


def test_shipped_model_loads_and_covers_the_catalogue() -> None:
    model = load_default_model()
    catalog = load_catalog()
    assert model.measure_ids == catalog.ids()
    assert model.meta["format_version"] == FORMAT_VERSION
    assert model.method.startswith("weerbaar.")
    assert 0.0 < model.gate_threshold < 1.0 and 0.0 < model.share_min < 1.0
    card = default_model_path().with_name("MODELCARD.md").read_text(encoding="utf-8")
    assert "Data it saw" in card and model.meta["trained_at"][:10] in card
    # the card carries the real-text figures of the benchmark
    assert "grouped by source file" in card and "BM25" in card


def test_incompatible_format_version_is_refused(tmp_path: Path) -> None:
    model = EvidenceModel.load(default_model_path())
    copy = tmp_path / "model.npz"
    shutil.copy(default_model_path(), copy)
    with np.load(copy) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["meta"]))
    meta["format_version"] = FORMAT_VERSION + 1
    arrays["meta"] = np.asarray(json.dumps(meta))
    with open(copy, "wb") as fh:
        np.savez(fh, **arrays)
    with pytest.raises(IncompatibleModelError, match="formaatversie"):
        EvidenceModel.load(copy)
    # the original still loads and round-trips through save()
    again = tmp_path / "again.npz"
    model.save(again)
    assert EvidenceModel.load(again).measure_ids == model.measure_ids
    assert not list(tmp_path.glob("*.part"))


def test_classify_ranks_the_right_measure_in_top_three() -> None:
    results = classify([t for t, _ in POSITIVES])
    for (text, expected), r in zip(POSITIVES, results, strict=True):
        ids = [m.id for m in r.ranked]
        assert expected in ids[:3], (text[:40], r)
        scores = [m.score for m in r.ranked]
        assert scores == sorted(scores, reverse=True)
        assert all(0.0 <= m.score <= 1.0 for m in r.ranked)
        # judged measures are a prefix-consistent subset of the ranking, never uncertain
        assert all(not m.uncertain for m in r.measures)
        assert {m.id for m in r.measures} <= set(model_ids())


def test_classify_gives_no_measure_to_unrelated_text() -> None:
    results = classify([*NEGATIVES, "   "])
    assert [r.measures for r in results] == [[], [], []]
    # ... but still shows a ranking (marked uncertain) for real text, nothing for blanks
    assert results[0].ranked and all(m.uncertain for m in results[0].ranked)
    assert results[2].ranked == []


def test_who_acts_changes_the_evidence_score() -> None:
    """The same topic: the organisation's own deed scores higher than a risk description
    or a question."""
    own, risk, question = classify(
        [
            "Wij hebben in 2025 bij het gemeentehuis een noodstroomaggregaat geplaatst en het "
            "crisisteam heeft de overgang op noodstroom geoefend.",
            "Bij langdurige stroomuitval kan de stroomvoorziening van gebouwen uitvallen, met "
            "grote gevolgen voor de samenleving.",
            "Kan het college aangeven of er een noodstroomvoorziening is voor het gemeentehuis?",
        ]
    )
    assert own.evidence > risk.evidence and own.evidence > question.evidence
    assert own.measures and "3.1" in [m.id for m in own.ranked[:3]]


def model_ids() -> list[str]:
    return load_default_model().measure_ids


def test_judge_ranks_every_text_and_accepts_only_what_the_prefilter_admits() -> None:
    # A text the lexical pre-filter skips (the scan would never embed it) is still
    # ranked when judged on its own, so ``ranked`` says something; it is never accepted.
    from weerbaar.search.model import PassageFeatures

    model = load_default_model()
    texts = (
        [t for t, _ in POSITIVES]
        + NEGATIVES
        + [
            "Zaterdag won de voetbalclub met drie tegen een van de buren uit het dorp.",
            "De bibliotheek is in de kerstvakantie op dinsdag en donderdag geopend.",
        ]
    )
    feats = PassageFeatures.from_texts(texts, embed_model=model.embed_model)
    judged = model.judge(feats)
    raw = model.score(feats, prefilter=False)
    scan_like = model.score(feats)
    assert np.array_equal(judged.admitted, scan_like.admitted)
    assert not judged.admitted.all(), "no test text is skipped by the pre-filter"
    skipped = np.flatnonzero(~judged.admitted)
    # the scan gives a skipped text no score at all; judged on its own it is ranked
    assert (scan_like.pair[skipped] == 0).all()
    assert (judged.pair[skipped].max(axis=1) > 0).all()
    assert np.allclose(judged.pair, raw.pair)
    assert not judged.accepted[skipped].any()
    assert np.array_equal(judged.accepted[judged.admitted], raw.accepted[judged.admitted])
