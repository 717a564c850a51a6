"""`make model` without ``../shared``: the recipe trains on the written development set
alone, saves a model that loads, names its data in the metadata, and still ranks a
plainly worded measure first. (The shipped model is trained with the real texts; the
benchmark measures it.)"""

from __future__ import annotations

import pytest

from weerbaar.catalog import load_catalog
from weerbaar.search import train as tr
from weerbaar.search.embed import model_info
from weerbaar.search.model import EvidenceModel, PassageFeatures

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def devset_model(tmp_path_factory: pytest.TempPathFactory) -> EvidenceModel:
    out = tmp_path_factory.mktemp("model")
    no_shared = tmp_path_factory.mktemp("geen-gedeelde-map")  # empty: no real texts
    tr.train(no_shared, out_dir=out)
    return EvidenceModel.load(out / "default.npz")


def test_training_without_real_texts_saves_a_model_on_the_devset_only(
    devset_model: EvidenceModel,
) -> None:
    data = devset_model.meta["data"]
    assert set(data) == {"ontwikkelset"}, data
    assert devset_model.measure_ids == load_catalog().ids()
    assert devset_model.embed_model == tr.EMBED_MODEL
    assert devset_model.meta["embed_name"] == model_info(tr.EMBED_MODEL).name
    assert 0.0 < devset_model.gate_threshold < 1.0


def test_model_trained_without_real_texts_ranks_a_plain_passage(
    devset_model: EvidenceModel,
) -> None:
    texts = [
        "Wij hebben dit jaar voor het gemeentehuis een noodstroomaggregaat aangeschaft en "
        "getest, zodat de crisisorganisatie bij een langdurige stroomstoring kan werken.",
        "Het college heeft de noodsteunpunten in de wijken aangewezen: bij uitval van stroom "
        "en telefonie kunnen inwoners daar terecht voor informatie en eerste hulp.",
    ]
    scores = devset_model.score(PassageFeatures.from_texts(texts, embed_model=tr.EMBED_MODEL))
    top3 = [
        [devset_model.measure_ids[int(i)] for i in row[::-1][:3]]
        for row in scores.pair.argsort(axis=1)
    ]
    assert "3.1" in top3[0], top3  # noodstroom
    assert "2.2" in top3[1], top3  # noodsteunpunten
    assert (scores.evidence > 0).all()


def test_shipped_model_names_the_real_data_it_saw() -> None:
    from weerbaar.search.core import load_default_model

    model = load_default_model()
    data = model.meta["data"]  # trained with ../shared: it works without it (no text kept)
    assert data.get("echt", {}).get("evidence", 0) > 100, data
    assert data.get("echt-pdf", {}).get("evidence", 0) > 0, data
