"""The review library: decisions, audit log, undo, export/import, agreement."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from weerbaar.catalog import load_catalog
from weerbaar.review import (
    ReviewError,
    agreement,
    export_decisions,
    import_decisions,
    is_validated,
    list_decisions,
    record_decision,
    source_matches,
    undo_last,
)
from weerbaar.review.sample import add_candidates, add_document
from weerbaar.store import decisions as q
from weerbaar.store import open_workspace


def _paras(n: int, tag: str) -> list[str]:
    return [f"{tag} alinea {i}: de gemeente oefent de noodstroomvoorziening." for i in range(n)]


@pytest.fixture
def data(workspace):
    a = add_document(
        workspace,
        organisation_code="GM0001",
        title="Beleidsplan A",
        pages=[_paras(3, "A1"), _paras(3, "A2")],
    )
    b = add_document(workspace, organisation_code="GM0002", title="Plan B", pages=[_paras(4, "B1")])
    add_candidates(
        workspace, organisation_code="GM0001", measure_id="2.2", passage_ids=[p.id for p in a]
    )
    add_candidates(
        workspace, organisation_code="GM0002", measure_id="2.2", passage_ids=[p.id for p in b]
    )
    return workspace, a, b


def _log(ws):
    with ws.read() as conn:
        return list(reversed(list(q.reviewer_log_desc(conn, "ann")))) + list(
            reversed(list(q.reviewer_log_desc(conn, "bob")))
        )


def test_review_record_insert_update_and_log(data):
    ws, a, _ = data
    pid = a[0].id
    did = record_decision(
        ws, reviewer="ann", passage_id=pid, measure_id="2.2", relevant="ja", stage="plan"
    )
    rows = list_decisions(ws, reviewer="ann")
    assert len(rows) == 1 and rows[0]["id"] == did
    assert rows[0]["catalog_version"] == load_catalog().version  # from the candidate row
    assert rows[0]["organisation_code"] == "GM0001"
    # same values again: nothing changes, nothing logged
    assert (
        record_decision(
            ws, reviewer="ann", passage_id=pid, measure_id="2.2", relevant="ja", stage="plan"
        )
        == did
    )
    assert len(_log(ws)) == 1
    # update
    did2 = record_decision(
        ws,
        reviewer="ann",
        passage_id=pid,
        measure_id="2.2",
        relevant="nee",
        context_ok=False,
        comment="  gaat over iets anders ",
    )
    assert did2 == did
    log = _log(ws)
    assert [r["action"] for r in log] == ["insert", "update"]
    assert log[0]["before"] is None and log[0]["after"]["relevant"] == "ja"
    assert log[1]["before"]["relevant"] == "ja" and log[1]["after"]["relevant"] == "nee"
    assert log[1]["after"]["comment"] == "gaat over iets anders"
    assert not is_validated(list_decisions(ws, reviewer="ann")[0])


def test_review_record_rejects_invalid(data):
    ws, a, _ = data
    with pytest.raises(ReviewError):
        record_decision(ws, reviewer="ann", passage_id=a[0].id, measure_id="2.2", relevant="x")
    with pytest.raises(ReviewError):
        record_decision(ws, reviewer="ann", passage_id=a[0].id, measure_id="2.2", relevant="andere")
    with pytest.raises(ReviewError):
        record_decision(
            ws, reviewer="ann", passage_id=a[0].id, measure_id="2.2", relevant="ja", stage="x"
        )
    with pytest.raises(ReviewError):
        record_decision(ws, reviewer="ann", passage_id=999_999, measure_id="2.2", relevant="ja")
    assert list_decisions(ws) == [] and _log(ws) == []


def test_review_undo_is_a_stack(data):
    ws, a, _ = data
    record_decision(ws, reviewer="ann", passage_id=a[0].id, measure_id="2.2", relevant="ja")
    record_decision(ws, reviewer="ann", passage_id=a[1].id, measure_id="2.2", relevant="ja")
    record_decision(ws, reviewer="ann", passage_id=a[0].id, measure_id="2.2", relevant="nee")
    record_decision(ws, reviewer="bob", passage_id=a[0].id, measure_id="2.2", relevant="ja")

    def state():
        return {(r["passage_id"], r["reviewer"]): r["relevant"] for r in list_decisions(ws)}

    undo_last(ws, "ann")  # the update of a0 back to ja
    assert state() == {(a[0].id, "ann"): "ja", (a[1].id, "ann"): "ja", (a[0].id, "bob"): "ja"}
    undo_last(ws, "ann")  # the insert of a1
    assert state() == {(a[0].id, "ann"): "ja", (a[0].id, "bob"): "ja"}
    undo_last(ws, "ann")  # the insert of a0
    assert state() == {(a[0].id, "bob"): "ja"}
    assert undo_last(ws, "ann") is None
    actions = [r["action"] for r in _log(ws) if r["reviewer"] == "ann"]
    assert actions == ["insert", "insert", "update", "undo", "undo", "undo"]
    # new decision after undos, then undo it
    record_decision(ws, reviewer="ann", passage_id=a[2].id, measure_id="2.2", relevant="nee")
    undone = undo_last(ws, "ann")
    assert undone is not None and undone["passage_id"] == a[2].id
    assert state() == {(a[0].id, "bob"): "ja"}


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_review_export_import_roundtrip_survives_reingest(data, tmp_path: Path, fmt):
    ws, a, b = data
    record_decision(
        ws,
        reviewer="ann",
        passage_id=a[1].id,
        measure_id="2.2",
        relevant="ja",
        stage="uitvoering",
        aspects=["2.2.b", "2.2.a"],
        source_ok=True,
        context_ok=True,
        comment="=SOM(A1) staat er letterlijk",
    )
    record_decision(
        ws,
        reviewer="bob",
        passage_id=b[0].id,
        measure_id="2.2",
        relevant="andere",
        other_measure_id="3.1",
    )
    out = tmp_path / f"besluiten.{fmt}"
    assert export_decisions(ws, out) == 2
    if fmt == "csv":
        rows = list(csv.DictReader(out.open(encoding="utf-8")))
        assert rows[0]["comment"].startswith("'=")
        assert rows[0]["aspects"] == "2.2.a;2.2.b"
    else:
        assert json.loads(out.read_text())["format"] == "weerbaar.decisions.v1"

    # a second workspace where the same documents got other passage ids (re-ingest)
    ws2 = open_workspace(tmp_path / "ander")
    add_document(ws2, organisation_code="GM0009", title="Iets anders", pages=[_paras(5, "X")])
    add_document(
        ws2,
        organisation_code="GM0001",
        title="Beleidsplan A",
        pages=[_paras(3, "A1"), _paras(3, "A2")],
    )
    add_document(ws2, organisation_code="GM0002", title="Plan B", pages=[_paras(4, "B1")])
    report = import_decisions(ws2, out)
    assert report.recorded == 2 and report.unchanged == 0 and not report.skipped
    got = {(r["reviewer"], r["text_hash"]): r for r in list_decisions(ws2)}
    orig = {(r["reviewer"], r["text_hash"]): r for r in list_decisions(ws)}
    assert got.keys() == orig.keys()
    for key, r in got.items():
        for f in ("relevant", "other_measure_id", "stage", "aspects", "comment", "source_ok"):
            assert r[f] == orig[key][f], f
        assert r["passage_id"] != orig[key]["passage_id"]
    # importing again changes nothing
    again = import_decisions(ws2, out)
    assert again.recorded == 0 and again.unchanged == 2
    ws2.close()


def test_review_import_skips_unknown_passages(data, tmp_path: Path):
    ws, _, _ = data
    bad = tmp_path / "b.json"
    bad.write_text(
        json.dumps(
            [
                {"passage_id": 12345, "measure_id": "2.2", "reviewer": "x", "relevant": "ja"},
                {
                    "document_sha256": "0" * 64,
                    "char_start": 0,
                    "char_end": 5,
                    "measure_id": "2.2",
                    "reviewer": "x",
                    "relevant": "ja",
                },
            ]
        )
    )
    report = import_decisions(ws, bad)
    assert report.recorded == 0 and len(report.skipped) == 2
    assert list_decisions(ws) == []


def test_review_source_matches(data):
    ws, a, _ = data
    assert all(source_matches(ws, p.id) for p in a)
    # damage the stored page text: the passage no longer matches its source
    from sqlalchemy import update

    from weerbaar.store.schema import pages

    with ws.write() as conn:
        conn.execute(
            update(pages)
            .where(pages.c.document_id == a[0].document_id, pages.c.page_no == 2)
            .values(text="X" + "A2 alinea 0")
        )
    assert source_matches(ws, a[0].id) is True
    assert source_matches(ws, a[3].id) is False


def test_review_agreement_kappa_and_disagreements(data):
    ws, a, b = data
    ann = ["ja", "ja", "nee", "nee", "ja", "nee"]
    bob = ["ja", "nee", "nee", "nee", "ja", "ja"]
    for p, x, y in zip(a, ann, bob, strict=True):
        record_decision(ws, reviewer="ann", passage_id=p.id, measure_id="2.2", relevant=x)
        record_decision(ws, reviewer="bob", passage_id=p.id, measure_id="2.2", relevant=y)
    # single-reviewer passages do not count
    record_decision(ws, reviewer="ann", passage_id=b[0].id, measure_id="2.2", relevant="ja")
    res = agreement(ws)
    (m,) = res.measures
    assert m.pairs == 6 and m.agreed == 4
    # by hand: po = 4/6, pe = (3/6*3/6) + (3/6*3/6) = 0.5 → kappa = (0.667-0.5)/0.5
    assert m.kappa == pytest.approx((4 / 6 - 0.5) / 0.5)
    assert sorted(d["passage_id"] for d in res.disagreements) == [a[1].id, a[5].id]
    assert all(d["points"] == ["relevant"] for d in res.disagreements)
    # a point one reviewer left open is no disagreement; a different stage is
    record_decision(
        ws, reviewer="ann", passage_id=a[0].id, measure_id="2.2", relevant="ja", stage="plan"
    )
    record_decision(
        ws, reviewer="bob", passage_id=a[0].id, measure_id="2.2", relevant="ja", context_ok=True
    )
    assert agreement(ws).disagreements[0]["passage_id"] != a[0].id
    record_decision(
        ws, reviewer="bob", passage_id=a[0].id, measure_id="2.2", relevant="ja", stage="uitvoering"
    )
    first = agreement(ws).disagreements[0]
    assert first["passage_id"] == a[0].id and first["points"] == ["stage"]
    assert agreement(ws, organisation="GM0002").measures == []


def test_review_kappa_matches_scikit_learn():
    import random

    from sklearn.metrics import cohen_kappa_score

    from weerbaar.review.agreement import _kappa

    rng = random.Random(3)
    for _ in range(50):
        n = rng.randint(2, 40)
        a = [rng.choice(["ja", "nee", "andere"]) for _ in range(n)]
        b = [x if rng.random() < 0.6 else rng.choice(["ja", "nee", "andere"]) for x in a]
        ours = _kappa(a, b)
        if len(set(a) | set(b)) == 1:
            assert ours is None
        else:
            assert ours == pytest.approx(cohen_kappa_score(a, b))


def test_review_decision_log_is_append_only_in_the_database(data):
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DatabaseError

    from weerbaar.store.schema import decision_log

    ws, a, _ = data
    record_decision(ws, reviewer="ann", passage_id=a[0].id, measure_id="2.2", relevant="ja")
    with pytest.raises(DatabaseError, match="append-only"), ws.write() as conn:
        conn.execute(update(decision_log).values(reviewer="iemand anders"))
    with pytest.raises(DatabaseError, match="append-only"), ws.write() as conn:
        conn.execute(delete(decision_log))
    assert [r["reviewer"] for r in _log(ws)] == ["ann"]
