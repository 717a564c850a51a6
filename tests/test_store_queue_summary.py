"""The kept queue counts (``store/queue_summary.py``) always equal a count made by hand
from the queue and the decisions: after scans, re-scans, decisions (insert, update,
undo, import), a document re-read or moved, the migration that fills them for an
existing workspace, and several processes writing at once. Runs on SQLite and, with
``--store postgresql``, on PostgreSQL."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select

from search_workspace import add_document
from weerbaar.review import record_decision, undo_last
from weerbaar.review.views import overview_view
from weerbaar.store import Workspace, queue_summary, utcnow
from weerbaar.store import candidates as cstore
from weerbaar.store.decisions import bulk_insert
from weerbaar.store.documents import move_document, replace_content
from weerbaar.store.schema import candidates, decisions, passages

VERSION = "2025.08"  # the catalogue version the queues are written for in these tests

# Our own sentences, a few per organisation, some on the measures' subjects.
TEXTS = {
    "GM0363": [
        "Het stadhuis krijgt een aansluiting voor een mobiel noodstroomaggregaat, zodat de "
        "crisisorganisatie bij langdurige stroomuitval kan doorwerken.",
        "Met het waterbedrijf zijn noodtappunten voor drinkwater aangewezen.",
        "De raad besprak de nieuwe fietsenstalling bij het station.",
        "Zorginstellingen krijgen bij uitval van de waterlevering voorrang bij flessenwater.",
        "Het sportpark krijgt een kunstgrasveld en nieuwe kleedkamers.",
        "Er is een oefening gehouden met het draaiboek langdurige stroomuitval.",
    ],
    "GM0344": [
        "Voor hybride dreigingen is een ambtelijk aanspreekpunt benoemd.",
        "De begroting sluit met een klein overschot.",
        "Inwoners worden voorgelicht over een noodpakket voor 72 uur.",
        "Noodsteunpunten in dorpshuizen krijgen een noodstroomvoorziening.",
    ],
}


def counted_by_hand(ws: Workspace) -> dict[tuple[str, str, str], tuple[int, int, int]]:
    """(version, organisation, measure) -> (candidates, reviewed, relevant), counted in
    Python from the rows of the queue and the decisions."""
    with ws.read() as conn:
        queued = conn.execute(
            select(
                candidates.c.catalog_version,
                candidates.c.organisation_code,
                candidates.c.measure_id,
                candidates.c.passage_id,
            )
        ).all()
        decided = conn.execute(
            select(
                decisions.c.passage_id,
                decisions.c.catalog_version,
                decisions.c.measure_id,
                decisions.c.relevant,
            )
        ).all()
    outcomes: dict[tuple[int, str, str], set[str]] = defaultdict(set)
    for pid, version, mid, relevant in decided:
        outcomes[(pid, version, mid)].add(relevant)
    out: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for version, org, mid, pid in queued:
        row = out[(version, org, mid)]
        seen = outcomes.get((pid, version, mid), set())
        row[0] += 1
        row[1] += bool(seen)
        row[2] += "ja" in seen
    return {k: (a, b, c) for k, (a, b, c) in out.items()}


def assert_counts_right(ws: Workspace) -> dict[tuple[str, str, str], tuple[int, int, int]]:
    by_hand = counted_by_hand(ws)
    with ws.read() as conn:
        assert queue_summary.stored_counts(conn) == by_hand
        assert queue_summary.fresh_counts(conn) == by_hand
    return by_hand


def _passage_ids(ws: Workspace, org: str) -> list[int]:
    from weerbaar.store import vectors as vstore

    with ws.read() as conn:
        return [int(p) for p in vstore.organisation_passage_ids(conn, org)]


def _fill_queues(ws: Workspace, rng: random.Random, measures: list[str], top_k: int) -> None:
    """Replace every organisation's queues by random ones, as a scan does."""
    for org in TEXTS:
        ids = _passage_ids(ws, org)
        queues = {
            m: [(p, rng.random()) for p in rng.sample(ids, min(top_k, len(ids)))] for m in measures
        }
        with ws.write() as conn:
            cstore.replace_organisation_queues(
                conn,
                scan_run_id=None,
                catalog_version=VERSION,
                organisation_code=org,
                queues=queues,
                method="test",
            )


@pytest.fixture
def filled(workspace: Workspace) -> Workspace:
    for org, texts in TEXTS.items():
        add_document(workspace, org, texts)
    return workspace


def test_counts_follow_queue_replacement_decisions_undo_and_import(
    filled: Workspace, tmp_path: Path
) -> None:
    from weerbaar.review import export_decisions, import_decisions

    rng = random.Random(4)
    _fill_queues(filled, rng, ["1.1", "2.2", "3.1"], top_k=4)
    first = assert_counts_right(filled)
    assert sum(n for n, _, _ in first.values()) == 2 * 3 * 4
    queue = [(pid, m) for m in ("2.2", "3.1") for pid in _passage_ids(filled, "GM0363")]
    queued = {(r["passage_id"], r["measure_id"]) for r in _queue_rows(filled)}
    in_queue = [item for item in queue if item in queued]
    out_of_queue = [item for item in queue if item not in queued]
    # decisions: new, a second reviewer on the same passage, changed, on a passage that
    # is not queued (counts nowhere), then undone
    pid, mid = in_queue[0]
    record_decision(filled, reviewer="anna", passage_id=pid, measure_id=mid, relevant="nee",
                    catalog_version=VERSION)  # fmt: skip
    record_decision(filled, reviewer="bert", passage_id=pid, measure_id=mid, relevant="ja",
                    catalog_version=VERSION)  # fmt: skip
    counts = assert_counts_right(filled)
    assert counts[(VERSION, "GM0363", mid)][1:] == (1, 1)
    record_decision(filled, reviewer="bert", passage_id=pid, measure_id=mid, relevant="nee",
                    catalog_version=VERSION)  # fmt: skip
    assert assert_counts_right(filled)[(VERSION, "GM0363", mid)][1:] == (1, 0)
    pid2, mid2 = out_of_queue[0]
    record_decision(filled, reviewer="anna", passage_id=pid2, measure_id=mid2, relevant="ja",
                    catalog_version=VERSION)  # fmt: skip
    assert_counts_right(filled)
    undo_last(filled, "bert")  # back to "ja"
    assert assert_counts_right(filled)[(VERSION, "GM0363", mid)][1:] == (1, 1)
    undo_last(filled, "bert")  # bert's decision gone; anna's "nee" stays
    assert assert_counts_right(filled)[(VERSION, "GM0363", mid)][1:] == (1, 0)
    # an export imported as another reviewer: same items, counts unchanged but right
    path = tmp_path / "beslissingen.json"
    export_decisions(filled, path)
    import_decisions(filled, path, reviewer="carla")
    assert_counts_right(filled)
    # a re-scan with shorter queues: decided passages may leave the queue
    _fill_queues(filled, rng, ["1.1", "2.2", "3.1"], top_k=2)
    assert_counts_right(filled)


def _queue_rows(ws: Workspace) -> list[dict]:
    with ws.read() as conn:
        return [dict(r._mapping) for r in conn.execute(select(candidates))]


def test_counts_follow_a_reread_and_a_moved_document(filled: Workspace) -> None:
    rng = random.Random(8)
    _fill_queues(filled, rng, ["1.1", "2.2"], top_k=6)
    ids = _passage_ids(filled, "GM0363")
    record_decision(filled, reviewer="anna", passage_id=ids[0], measure_id="2.2",
                    relevant="ja", catalog_version=VERSION)  # fmt: skip
    before = assert_counts_right(filled)
    # re-read: only the first two passages come back; the rest (without a decision) are
    # deleted, and their queue rows with them
    with filled.read() as conn:
        doc_id, rows = _document_rows(conn, ids[0])
    with filled.write() as conn:
        replace_content(conn, doc_id, [{"page_no": 1, "doc_start": 0, "text": "x"}], rows[:2])
    after = assert_counts_right(filled)
    assert sum(n for n, _, _ in after.values()) < sum(n for n, _, _ in before.values())
    # moved: GM0344's document goes to GM0363; its queue rows leave GM0344
    with filled.read() as conn:
        other_doc, _ = _document_rows(conn, _passage_ids(filled, "GM0344")[0])
    with filled.write() as conn:
        move_document(conn, other_doc, "GM0363", actor="test", at=utcnow())
    moved = assert_counts_right(filled)
    assert not any(org == "GM0344" for _, org, _ in moved)


def _document_rows(conn, passage_id: int) -> tuple[int, list[dict]]:  # type: ignore[no-untyped-def]
    doc_id = conn.execute(
        select(passages.c.document_id).where(passages.c.id == passage_id)
    ).scalar_one()
    cols = ["seq", "page_start", "page_end", "char_start", "char_end", "text", "kind",
            "text_hash", "words"]  # fmt: skip
    rows = conn.execute(
        select(*(passages.c[c] for c in cols))
        .where(passages.c.document_id == doc_id)
        .order_by(passages.c.seq)
    ).all()
    return int(doc_id), [dict(zip(cols, r, strict=True)) for r in rows]


def test_counts_follow_real_scans_and_rescans(filled: Workspace, monkeypatch) -> None:
    from weerbaar.search import scan

    monkeypatch.setenv("WEERBAAR_SCAN_MIN_SCORE", "0")
    report = scan(filled, progress=False)
    counts = assert_counts_right(filled)
    assert sum(n for n, _, _ in counts.values()) == report.candidates > 0
    version, org, mid = sorted(counts)[0]
    queued = [r for r in _queue_rows(filled) if (r["organisation_code"], r["measure_id"]) ==
              (org, mid)]  # fmt: skip
    low = max(queued, key=lambda r: r["rank"])["passage_id"]
    record_decision(filled, reviewer="anna", passage_id=low, measure_id=mid, relevant="ja")
    assert assert_counts_right(filled)[(version, org, mid)][1:] == (1, 1)
    monkeypatch.setenv("WEERBAAR_SCAN_TOP_K", "1")  # shorter queues; the judged one stays
    scan(filled, progress=False)
    counts = assert_counts_right(filled)
    assert counts[(version, org, mid)][1:] == (1, 1)
    view = overview_view(filled, organisations=None, chosen=org)
    assert {(r["measure_id"], r["candidates"]) for r in view.measures} == {
        (m, n) for (_, o, m), (n, _, _) in counts.items() if o == org
    }


def test_overview_reads_the_kept_counts(filled: Workspace) -> None:
    _fill_queues(filled, random.Random(2), ["1.1", "2.2"], top_k=3)
    ids = _passage_ids(filled, "GM0344")
    queued = [r["passage_id"] for r in _queue_rows(filled)
              if r["organisation_code"] == "GM0344" and r["measure_id"] == "1.1"]  # fmt: skip
    assert queued and set(queued) <= set(ids)
    record_decision(filled, reviewer="anna", passage_id=queued[0], measure_id="1.1",
                    relevant="ja", catalog_version=VERSION)  # fmt: skip
    view = overview_view(filled, organisations=["GM0344"])
    assert view.chosen == "GM0344"
    assert view.organisations == [
        {"organisation_code": "GM0344", "measures": 2, "candidates": 6, "reviewed": 1,
         "relevant": 1}
    ]  # fmt: skip
    assert [(r["measure_id"], r["candidates"], r["reviewed"]) for r in view.measures] == [
        ("1.1", 3, 1),
        ("2.2", 3, 0),
    ]
    # the reviewers' work list reads the same counts: open = candidates - reviewed
    from weerbaar.review.work import work_list

    work = work_list(filled, reviewer="bert", organisations=["GM0344"])
    assert sorted((w.measure_id, w.candidates, w.open) for w in work.queues) == [
        ("1.1", 3, 2),
        ("2.2", 3, 3),
    ]


def test_migration_fills_the_counts_of_an_existing_workspace(filled: Workspace) -> None:
    """A workspace from before the summary (revision 0006, queue and decisions stored):
    the migration counts its queues."""
    from weerbaar.store.migrate import current_revision, head_revision, upgrade

    _fill_queues(filled, random.Random(5), ["1.1", "2.2", "3.1"], top_k=3)
    rows = _queue_rows(filled)
    now = utcnow()
    with filled.write() as conn:
        bulk_insert(conn, "decisions", [
            {"passage_id": r["passage_id"], "catalog_version": VERSION,
             "measure_id": r["measure_id"], "reviewer": "r", "relevant": rel,
             "created_at": now, "updated_at": now}
            for r, rel in zip(rows[::3], ["ja", "nee", "andere"] * 10, strict=False)
        ])  # fmt: skip
    expected = assert_counts_right(filled)
    with filled.write() as conn:
        conn.exec_driver_sql("DROP TABLE queue_summary")
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0006'")
    assert current_revision(filled) == "0006"
    upgrade(filled)
    assert current_revision(filled) == head_revision()
    assert assert_counts_right(filled) == expected


WRITER = r"""
import random, sys
from weerbaar.store import open_workspace
from weerbaar.store import candidates as cstore
from weerbaar.store import vectors as vstore
from weerbaar.review import record_decision, undo_last

root, role, seed, rounds, version = sys.argv[1:6]
rng = random.Random(int(seed))
ws = open_workspace(root)
measures = ["1.1", "2.2", "3.1"]
for i in range(int(rounds)):
    if role == "scan":
        org = rng.choice(["GM0363", "GM0344"])
        with ws.read() as conn:
            ids = [int(p) for p in vstore.organisation_passage_ids(conn, org)]
        queues = {m: [(p, rng.random()) for p in rng.sample(ids, rng.randint(1, len(ids)))]
                  for m in rng.sample(measures, 2)}
        with ws.write() as conn:
            cstore.replace_organisation_queues(conn, scan_run_id=None, catalog_version=version,
                organisation_code=org, queues=queues, method="test")
    elif rng.random() < 0.2:
        undo_last(ws, role)
    else:
        with ws.read() as conn:
            pid = rng.choice([int(p) for p in vstore.organisation_passage_ids(conn, "GM0363")]
                             + [int(p) for p in vstore.organisation_passage_ids(conn, "GM0344")])
        record_decision(ws, reviewer=role, passage_id=pid, measure_id=rng.choice(measures),
                        relevant=rng.choice(["ja", "nee"]), catalog_version=version)
ws.close()
print("klaar")
"""


@pytest.mark.slow
def test_counts_stay_right_with_writers_in_several_processes(filled: Workspace) -> None:
    """Two reviewers and a scanner write at the same time, each in its own process."""
    _fill_queues(filled, random.Random(1), ["1.1", "2.2", "3.1"], top_k=5)
    root = str(filled.root)
    env = dict(os.environ)
    procs = []
    for seed, role in enumerate(["scan", "anna", "bert"]):
        cmd = [sys.executable, "-c", WRITER, root, role, str(seed), "25", VERSION]
        procs.append(
            subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
            )
        )
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
        assert out.strip() == "klaar"
    counts = assert_counts_right(filled)
    assert sum(r for _, r, _ in counts.values()) > 0  # the writers did decide on queued ones


def test_werkruimte_controleer_repairs_wrong_counts(filled: Workspace) -> None:
    """Counts put wrong behind the store's back (one changed, one removed, one that
    belongs to no queue) are found and repaired by ``weerbaar werkruimte controleer``."""
    from typer.testing import CliRunner

    from weerbaar.cli import _load_commands, app

    _fill_queues(filled, random.Random(3), ["1.1", "2.2"], top_k=3)
    right = assert_counts_right(filled)
    with filled.write() as conn:
        conn.exec_driver_sql(
            "UPDATE queue_summary SET candidates = 99 WHERE organisation_code = 'GM0363' "
            "AND measure_id = '1.1'"
        )
        conn.exec_driver_sql(
            "DELETE FROM queue_summary WHERE organisation_code = 'GM0344' AND measure_id = '2.2'"
        )
        conn.exec_driver_sql(
            "INSERT INTO queue_summary VALUES ('2025.08', 'GM0000', '9.9', 1, 0, 0)"
        )
    with filled.read() as conn:
        assert queue_summary.stored_counts(conn) != right
    _load_commands()
    runner = CliRunner()
    result = runner.invoke(app, ["werkruimte", "controleer", "--werkruimte", str(filled.root)])
    assert result.exit_code == 0, result.output
    assert "3 rij(en) weken af" in result.output
    assert assert_counts_right(filled) == right
    again = runner.invoke(app, ["werkruimte", "controleer", "--werkruimte", str(filled.root)])
    assert "Aantallen per beoordelingsrij: in orde." in again.output
