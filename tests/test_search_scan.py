"""Scan, incremental index, free-text search and re-ranking on a real workspace."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from search_workspace import add_document
from weerbaar.errors import IncompatibleModelError
from weerbaar.search import classify, queue_listing, rerank_queue, scan, search
from weerbaar.search.core import load_default_model
from weerbaar.search.index import load_lexical, update_index
from weerbaar.search.rerank import workspace_model_path
from weerbaar.store import Workspace
from weerbaar.store.schema import candidates, passage_vectors, scan_runs

# Our own passages: two about backup power, two about emergency water, the rest filler.
REGION = [
    "De veiligheidsregio adviseerde de gemeenten over de inzet van noodstroomaggregaten bij "
    "gemeentehuizen, met afspraken over brandstoflevering en periodiek testdraaien.",
    "In 2024 is een kwetsbaarheidsanalyse gemaakt van de drinkwatervoorziening; met het "
    "waterbedrijf zijn noodtappunten en distributieroutes voor nooddrinkwater vastgelegd.",
    "De meldkamer verhuisde naar een nieuw pand aan de rand van de stad.",
    "De begroting sluit met een klein positief saldo; de reserves blijven op peil.",
    "Het personeelsverloop bij de brandweer was hoger dan in voorgaande jaren.",
]
MUNICIPALITY = [
    "Het gemeentehuis krijgt een vaste aansluiting voor een mobiel noodstroomaggregaat "
    "zodat de crisisorganisatie bij langdurige stroomuitval kan blijven werken.",
    "De raad besprak de herinrichting van het marktplein en de nieuwe fietsenstalling.",
    "Bij uitval van de waterlevering worden zorginstellingen met voorrang bevoorraad met "
    "flessenwater, volgens het draaiboek drinkwateronderbreking.",
    "Het sportpark krijgt nieuwe kleedkamers en een kunstgrasveld.",
]


@pytest.fixture
def filled(workspace: Workspace) -> Workspace:
    add_document(workspace, "VR99", REGION, year=2024, doc_type="jaarverslag")
    add_document(workspace, "GM9999", MUNICIPALITY, year=2025, doc_type="begroting")
    return workspace


def _queue(ws: Workspace, measure: str, org: str) -> list[tuple[int, int, float, str]]:
    with ws.read() as conn:
        rows = conn.execute(
            select(
                candidates.c.rank, candidates.c.passage_id, candidates.c.score, candidates.c.method
            )
            .where(candidates.c.measure_id == measure, candidates.c.organisation_code == org)
            .order_by(candidates.c.rank)
        ).all()
    return [tuple(r) for r in rows]


def _text_of(ws: Workspace, pid: int) -> str:
    from weerbaar.store import vectors as vstore

    with ws.read() as conn:
        return vstore.passage_texts(conn, [pid])[pid]


def test_scan_fills_ranked_queue_per_measure_and_organisation(filled: Workspace) -> None:
    report = scan(filled, progress=False)
    assert set(report.organisations) == {"VR99", "GM9999"}
    assert len(report.measures) == 41 and report.passages == len(REGION) + len(MUNICIPALITY)
    q = _queue(filled, "3.1", "GM9999")
    assert q and [r[0] for r in q] == list(range(1, len(q) + 1))
    # only passages with at least the minimum score are queued: not the market square
    assert len(q) < len(MUNICIPALITY)
    assert not any("marktplein" in _text_of(filled, r[1]) for r in q)
    scores = [r[2] for r in q]
    assert scores == sorted(scores, reverse=True)
    assert "noodstroomaggregaat" in _text_of(filled, q[0][1])
    assert "drinkwater" in _text_of(filled, _queue(filled, "3.2", "VR99")[0][1])
    assert all(r[3] == report.method for r in q)
    with filled.read() as conn:
        run = conn.execute(select(scan_runs)).one()._mapping
    assert run["method"] == report.method and run["finished_at"]


def test_queue_listing_says_which_rows_the_model_judges_evidence(
    filled: Workspace, monkeypatch
) -> None:
    # a full queue (no minimum score): it holds evidence and the best of the rest; each
    # row says what the evidence model judges, the same verdict classify gives the text
    monkeypatch.setenv("WEERBAAR_SCAN_MIN_SCORE", "0")
    scan(filled, progress=False)
    rows = queue_listing(filled)
    assert rows and all(isinstance(r["accepted"], bool) for r in rows)
    assert any(r["accepted"] for r in rows) and not all(r["accepted"] for r in rows)
    model = load_default_model()
    for r in rows:
        assert 0.0 <= r["evidence"] <= 1.0
        if r["accepted"]:
            assert r["evidence"] >= model.gate_threshold_for(r["measure"])
    # before any review the stored score is the model's own: pair = evidence x fit
    for r in rows:
        assert r["score"] <= r["evidence"] + 1e-3
    # classify on the text (embedded anew, not the stored float16 vector) agrees
    checked = 0
    for r in rows[:40]:
        c = classify([r["text"]])[0]
        if abs(c.evidence - r["evidence"]) < 0.02:
            checked += 1
            judged = r["measure"] in {m.id for m in c.measures}
            near = abs(c.evidence - model.gate_threshold_for(r["measure"])) < 0.02
            assert judged == r["accepted"] or near, (r["measure"], r["text"][:80])
    assert checked >= len(rows[:40]) // 2


def test_scan_of_one_measure_and_organisation_leaves_the_rest(filled: Workspace) -> None:
    scan(filled, progress=False)
    with filled.read() as conn:
        before = conn.execute(select(func.count()).select_from(candidates)).scalar()
    report = scan(filled, measure="2.2", organisation="GM9999", progress=False)
    assert report.measures == ["2.2"] and report.organisations == ["GM9999"]
    with filled.read() as conn:
        after = conn.execute(select(func.count()).select_from(candidates)).scalar()
    assert after == before


def test_index_is_incremental_and_versioned(filled: Workspace) -> None:
    first = update_index(filled)
    assert first.lexical_added == 9 and first.vectors_added == 0  # dense: on demand
    seg_dir = filled.index_dir / "lexicaal"
    old = {p.name: p.stat().st_mtime_ns for p in seg_dir.glob("seg-*.npz")}
    add_document(filled, "GM9999", ["Een nieuw noodwaterplan voor de kernen."], year=2026)
    second = update_index(filled)
    assert second.lexical_added == 1 and second.total == 10
    now = {p.name: p.stat().st_mtime_ns for p in seg_dir.glob("seg-*.npz")}
    assert all(now[name] == t for name, t in old.items())  # old segments untouched
    assert len(now) == len(old) + 1
    assert load_lexical(filled).size == 10
    assert update_index(filled).lexical_added == 0
    # only passages the pre-filter admits get a dense vector, once
    report = scan(filled, progress=False)
    with filled.read() as conn:
        n_vec = conn.execute(select(func.count()).select_from(passage_vectors)).scalar()
    assert 0 < n_vec == report.index["toegelaten"] <= 10
    again = scan(filled, progress=False)
    assert again.index["vectoren_nieuw"] == 0
    manifest = seg_dir / "manifest.json"
    data = json.loads(manifest.read_text())
    data["format_version"] = 999
    manifest.write_text(json.dumps(data))
    with pytest.raises(IncompatibleModelError):
        update_index(filled)


def test_search_finds_and_filters(filled: Workspace) -> None:
    hits = search(filled, "noodstroom gemeentehuis")
    assert "noodstroom" in hits[0]["text"]
    only = search(filled, "noodstroom", organisation="VR99", year=2024, doc_type="jaarverslag")
    assert only and all(h["organisation_code"] == "VR99" for h in only)
    assert search(filled, "noodstroom", year=1990) == []


def test_scan_keeps_judged_passages_in_the_queue(filled: Workspace, monkeypatch) -> None:
    from weerbaar.review import record_decision

    monkeypatch.setenv("WEERBAAR_SCAN_MIN_SCORE", "0")
    scan(filled, progress=False)
    full = _queue(filled, "3.1", "GM9999")
    low = full[-1][1]  # the lowest-scored passage of the full queue
    record_decision(filled, reviewer="anna", passage_id=low, measure_id="3.1", relevant="nee")
    monkeypatch.setenv("WEERBAAR_SCAN_MIN_SCORE", "0.05")
    scan(filled, progress=False)
    after = [pid for _, pid, _, _ in _queue(filled, "3.1", "GM9999")]
    assert low in after and len(after) < len(full)


def test_rerank_queue_learns_from_decisions(filled: Workspace, monkeypatch) -> None:
    from weerbaar.review import record_decision

    monkeypatch.setenv("WEERBAAR_SCAN_MIN_SCORE", "0")  # a full queue to re-rank
    scan(filled, progress=False)
    q = _queue(filled, "3.2", "GM9999")
    water = [pid for _, pid, _, _ in q if "water" in _text_of(filled, pid)]
    other = [pid for _, pid, _, _ in q if pid not in water]
    record_decision(filled, reviewer="anna", passage_id=water[0], measure_id="3.2", relevant="ja")
    record_decision(filled, reviewer="anna", passage_id=other[0], measure_id="3.2", relevant="nee")
    result = rerank_queue(filled, "3.2", organisation="GM9999")
    assert workspace_model_path(filled).exists()
    assert result["reranked"] == len(q)
    assert "herrangschik" in result["method"]
    assert result["expected_relevant_remaining"] >= 0
    after = _queue(filled, "3.2", "GM9999")
    assert [r[0] for r in after] == list(range(1, len(q) + 1))
    assert all("herrangschik" in r[3] for r in after)
    # the decided passages stay on top, in their order
    assert [r[1] for r in after[:2]] == [water[0], other[0]] or set(r[1] for r in after[:2]) == {
        water[0],
        other[0],
    }


def test_rescan_after_reviews_never_grows_the_queue(filled: Workspace, monkeypatch) -> None:
    from weerbaar.review import record_decision

    monkeypatch.setenv("WEERBAAR_SCAN_TOP_K", "2")
    scan(filled, progress=False)
    with filled.read() as conn:
        before = conn.execute(select(func.count()).select_from(candidates)).scalar()
    q = _queue(filled, "3.1", "GM9999")
    record_decision(filled, reviewer="anna", passage_id=q[0][1], measure_id="3.1", relevant="ja")
    if len(q) > 1:
        record_decision(
            filled, reviewer="anna", passage_id=q[1][1], measure_id="3.1", relevant="nee"
        )
    rerank_queue(filled, "3.1")
    scan(filled, progress=False)
    with filled.read() as conn:
        after = conn.execute(select(func.count()).select_from(candidates)).scalar()
    assert after <= before
    for measure in ("3.1", "3.2", "2.2"):
        for org in ("GM9999", "VR99"):
            assert len(_queue(filled, measure, org)) <= 2


def test_cli_classificeer_json_without_workspace(tmp_path: Path, monkeypatch) -> None:
    from weerbaar.cli import _load_commands, app

    _load_commands()
    monkeypatch.chdir(tmp_path)
    text = (
        "Bij het gemeentehuis staat een noodstroomaggregaat met brandstof voor 72 uur.\n"
        "De raad stelde de tarieven voor parkeren vast.\n"
    )
    res = CliRunner().invoke(app, ["classificeer", "--json"], input=text)
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert [d["text"] for d in data] == text.strip().split("\n")
    assert "3.1" in [m["id"] for m in data[0]["ranked"]][:3]
    assert all(isinstance(m["score"], float) for m in data[0]["ranked"])
    assert len(data[1]["ranked"]) == 5 and data[1]["measures"] == []
    assert set(data[0]) >= {"measures", "ranked", "evidence"}
    assert not (tmp_path / "werkruimte").exists()
    assert np.isfinite([m["score"] for m in data[0]["ranked"]]).all()


def test_scan_after_real_ingest_of_a_docx(workspace: Workspace, tmp_path: Path) -> None:
    from docx import Document

    from weerbaar.ingest import ingest

    doc = Document()
    doc.add_heading("Weerbaarheid en crisisbeheersing", level=1)
    paragraphs = [
        "Het gemeentehuis is voorzien van een vaste aansluiting voor een mobiel "
        "noodstroomaggregaat; met de leverancier is afgesproken dat binnen vier uur "
        "brandstof wordt geleverd en het aggregaat wordt ieder half jaar getest.",
        "De gemeente heeft de subsidieregeling voor sportverenigingen vereenvoudigd en het "
        "aantal aanvragen nam daardoor toe.",
        "In de nieuwe bibliotheek komt een leescafé en er worden taallessen gegeven.",
    ]
    for p in paragraphs:
        doc.add_paragraph(p)
    path = tmp_path / "begroting-2026.docx"
    doc.save(path)
    ingest(
        workspace, [path], organisation="Houten", doc_type="begroting", year=2026, progress=False
    )
    report = scan(workspace, measure="3.1", progress=False)
    assert report.passages >= 1 and report.candidates >= 1
    org = report.organisations[0]
    q = _queue(workspace, "3.1", org)
    assert "noodstroomaggregaat" in _text_of(workspace, q[0][1])


def test_cli_classificeer_text_never_answers_with_nothing(tmp_path: Path, monkeypatch) -> None:
    from weerbaar.cli import _load_commands, app

    _load_commands()
    monkeypatch.chdir(tmp_path)
    text = "De raad stelde de tarieven voor parkeren en de afvalstoffenheffing vast.\n"
    res = CliRunner().invoke(app, ["classificeer"], input=text)
    assert res.exit_code == 0, res.output
    assert "Geen bewijs voor een maatregel gevonden" in res.output
    # the best-fitting measures are still shown, marked uncertain
    assert res.output.count("?") >= 3


def test_embedding_is_bounded_per_measure_and_keeps_the_closest_passages(
    filled: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the slow dense step embeds at most N passages per measure per organisation: those
    # most similar in words to the measure; the rest is not scored (and not queued)
    monkeypatch.setenv("WEERBAAR_SCAN_EMBED_PER_MEASURE", "1")
    report = scan(filled, measure="3.1", progress=False)
    assert report.index["toegelaten"] > report.index["gescoord"]
    assert report.index["gescoord"] <= 2  # one measure, two organisations
    with filled.read() as conn:
        n_vec = conn.execute(select(func.count()).select_from(passage_vectors)).scalar()
    assert n_vec == report.index["vectoren_nieuw"] == report.index["gescoord"]
    q = _queue(filled, "3.1", "GM9999")
    assert len(q) <= 1
    assert all("noodstroomaggregaat" in _text_of(filled, r[1]) for r in q)
    # without the bound every admitted passage is scored
    monkeypatch.setenv("WEERBAAR_SCAN_EMBED_PER_MEASURE", "50")
    again = scan(filled, measure="3.1", progress=False)
    assert again.index["gescoord"] == again.index["toegelaten"]


def test_index_features_in_several_processes_equal_one_process(
    filled: Workspace, monkeypatch
) -> None:
    """A large update spreads the passages' features over processes (batches in order):
    the segment is the same as when one process computes them."""
    import weerbaar.search.index as index

    update_index(filled, batch=3)
    one = load_lexical(filled)
    for seg in (filled.index_dir / "lexicaal").iterdir():
        seg.unlink()
    monkeypatch.setattr(index, "PARALLEL_MIN", 1)
    monkeypatch.setattr(index, "_processes", lambda n: 2)
    seen: list[tuple[int, int]] = []
    update_index(filled, batch=3, progress=lambda done, total: seen.append((done, total)))
    two = load_lexical(filled)
    assert seen[-1] == (9, 9) and len(seen) == 3
    assert np.array_equal(one.ids, two.ids)
    assert (one.counts != two.counts).nnz == 0
    assert np.array_equal(one.stance, two.stance)
