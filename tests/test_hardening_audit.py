"""The audit log is tamper-evident (issue 17, point 9): triggers refuse UPDATE, DELETE and
INSERT OR REPLACE; with the triggers dropped, `weerbaar werkruimte controleer` finds the
rewritten row."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from web_sample import MEASURE, build
from weerbaar.cli import _load_commands, app
from weerbaar.review import record_decision
from weerbaar.store import open_workspace
from weerbaar.store.audit import verify


@pytest.fixture
def ws(tmp_path):
    w = open_workspace(tmp_path / "werkruimte")
    s = build(w)
    for i, name in enumerate(["anna", "bram", "anna"]):
        record_decision(w, reviewer=name, passage_id=s.a[i].id, measure_id=MEASURE, relevant="ja")
    record_decision(w, reviewer="anna", passage_id=s.a[0].id, measure_id=MEASURE, relevant="nee")
    yield w
    w.close()


def _check(ws) -> tuple[int, str]:
    _load_commands()
    r = CliRunner().invoke(app, ["werkruimte", "controleer", "--werkruimte", str(ws.root)])
    return r.exit_code, r.output


def test_intact_chain_passes(ws) -> None:
    code, out = _check(ws)
    assert code == 0, out
    assert "4 regels, keten in orde" in out


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE decision_log SET reviewer='bram' WHERE id=2",
        "DELETE FROM decision_log WHERE id=2",
        "INSERT OR REPLACE INTO decision_log (id, passage_id, measure_id, reviewer, action, at)"
        " VALUES (2, 1, '2.2', 'bram', 'maak', '2026-01-01T00:00:00+00:00')",
        "REPLACE INTO audit_events (id, at, actor, action, subject) VALUES (1, 'x', 'y', 'z', 'w')",
    ],
)
def test_triggers_refuse_rewrites(ws, sql) -> None:
    if ws.engine.dialect.name != "sqlite" and "REPLACE" in sql:
        pytest.skip("REPLACE is SQLite syntax")
    with ws.write() as conn:
        from weerbaar.store.audit import append_event

        append_event(conn, actor="t", action="test", subject="s", details=None, at="nu")
    with pytest.raises(DBAPIError, match="append-only"), ws.write() as conn:
        conn.execute(text(sql))
    with ws.read() as conn:
        assert all(r.broken_at is None for r in verify(conn))


def test_check_detects_a_rewritten_row(ws) -> None:
    if ws.engine.dialect.name != "sqlite":
        pytest.skip("rewrites the SQLite file directly")
    ws.close()
    db = sqlite3.connect(ws.root / "weerbaar.sqlite")
    db.execute("DROP TRIGGER decision_log_no_update")
    db.execute("DROP TRIGGER decision_log_no_replace")
    db.execute("UPDATE decision_log SET reviewer='bram' WHERE id=3")
    db.commit()
    db.close()
    code, out = _check(ws)
    assert code == 1
    assert "regel 3 is gewijzigd" in out


def test_check_detects_a_removed_row(ws) -> None:
    if ws.engine.dialect.name != "sqlite":
        pytest.skip("rewrites the SQLite file directly")
    ws.close()
    db = sqlite3.connect(ws.root / "weerbaar.sqlite")
    db.execute("DROP TRIGGER decision_log_no_delete")
    db.execute("DELETE FROM decision_log WHERE id=2")
    db.commit()
    db.close()
    code, out = _check(ws)
    assert code == 1
    assert "regel 3 is gewijzigd" in out
