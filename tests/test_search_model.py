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
from weerbaar.search.model import FORMAT_VERSION, MatchModel

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
    "De raad stelde de tarieven voor de afvalstoffenheffing en het parkeren vast.",
]


def test_shipped_model_loads_and_covers_the_catalogue() -> None:
    model = load_default_model()
    catalog = load_catalog()
    assert model.measure_ids == catalog.ids()
    assert model.meta["format_version"] == FORMAT_VERSION
    assert model.method.startswith("weerbaar.")
    assert 0.0 < model.threshold < 1.0
    card = default_model_path().with_name("MODELCARD.md").read_text(encoding="utf-8")
    assert "Training data" in card and model.meta["trained_at"][:10] in card


def test_incompatible_format_version_is_refused(tmp_path: Path) -> None:
    model = MatchModel.load(default_model_path())
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
        MatchModel.load(copy)
    # the original still loads and round-trips through save()
    again = tmp_path / "again.npz"
    model.save(again)
    assert MatchModel.load(again).measure_ids == model.measure_ids
    assert not again.with_name("again.npz.part").exists()


def test_classify_ranks_the_right_measure_in_top_three() -> None:
    results = classify([t for t, _ in POSITIVES])
    for (text, expected), ranked in zip(POSITIVES, results, strict=True):
        ids = [m for m, _ in ranked]
        assert expected in ids[:3], (text[:40], ranked)
        scores = [s for _, s in ranked]
        assert scores == sorted(scores, reverse=True)


def test_classify_gives_no_measure_to_unrelated_text() -> None:
    results = classify([*NEGATIVES, "   "])
    assert results == [[], [], []]
