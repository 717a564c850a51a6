from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from weerbaar.assess.stage import (
    SHIPPED_MODEL,
    StageClassifier,
    default_classifier,
    load_devset,
    suggest_stage,
    train_default,
)
from weerbaar.errors import IncompatibleModelError


def test_assess_stage_shipped_model_matches_the_development_set() -> None:
    """The shipped model is what `make model` builds from the current development set."""
    rows = load_devset("!test")
    if not rows:
        pytest.skip("data/ontwikkelset is niet aanwezig")
    assert SHIPPED_MODEL.is_file()
    shipped = StageClassifier.load(SHIPPED_MODEL)
    fresh = train_default(rows)
    assert shipped.training_size == fresh.training_size == len(rows)
    test = [r["text"] for r in load_devset("test")][:60]
    a, b = shipped.proba_many(test), fresh.proba_many(test)
    assert max(abs(x[s] - y[s]) for x, y in zip(a, b, strict=True) for s in x) < 1e-9


def test_assess_stage_suggestions_on_new_text() -> None:
    assert default_classifier() is not None
    cases = {
        "Volgend jaar willen we onderzoeken of een extra aggregaat voor het stadhuis nodig is.": "voornemen",
        "Het college heeft het draaiboek drinkwateruitval vastgesteld; de taken per afdeling zijn beschreven.": "plan",
        "In 2024 zijn in vier wijken noodsteunpunten ingericht en uitgerust met een aggregaat.": "uitvoering",
        "De oefening van oktober is geëvalueerd; de verbeterpunten zijn verwerkt in het crisisplan.": "evaluatie",
    }
    for text, stage in cases.items():
        assert suggest_stage(text)[0] == stage, text


def test_assess_stage_refuses_an_incompatible_model(tmp_path: Path) -> None:
    clf = StageClassifier(
        ["we gaan het onderzoeken", "het plan is vastgesteld"], ["voornemen", "plan"]
    )
    path = tmp_path / "stage.npz"
    clf.save(path)
    assert StageClassifier.load(path).predict("we gaan het onderzoeken")[0] == "voornemen"
    data = dict(np.load(path, allow_pickle=False))
    data["meta"] = np.array('{"format_version": 99}')
    np.savez(path, **data)
    with pytest.raises(IncompatibleModelError, match="formaatversie 99"):
        StageClassifier.load(path)
    path.write_bytes(b"kapot")
    with pytest.raises(IncompatibleModelError):
        StageClassifier.load(path)
