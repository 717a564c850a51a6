"""One source for each term: Dutch number agreement (``weerbaar.nl``), the statuses of a
read document, their Dutch labels and the rule for validated evidence. The copy checks
read every module of ``src/weerbaar`` with ``ast`` and fail when a term is spelled out
again outside its home."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest
from sqlalchemy import insert, select

import weerbaar
from weerbaar import nl
from weerbaar.ingest.status import LABELS, READ_STATUSES, Status, label
from weerbaar.store import open_workspace
from weerbaar.store.documents import READ_STATUSES as STORED_READ_STATUSES
from weerbaar.store.schema import decisions, documents, passages
from weerbaar.store.validated import is_validated, validated_clause

SRC = Path(weerbaar.__file__).resolve().parent


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (str(p.relative_to(SRC.parent)), ast.parse(p.read_text(encoding="utf-8")))
        for p in sorted(SRC.rglob("*.py"))
        if "migrations" not in p.parts
    ]


def _strings(tree: ast.AST) -> list[str]:
    return [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


# --------------------------------------------------------------------------- nl
def test_number_agreement() -> None:
    assert nl.plural(1, "passage", "passages") == "1 passage"
    assert nl.plural(0, "passage", "passages") == "0 passages"
    assert nl.plural(2, "pagina", "pagina's") == "2 pagina's"
    assert nl.form(1, "wacht", "wachten") == "wacht"
    assert nl.form(3, "wacht", "wachten") == "wachten"
    assert nl.join([]) == ""
    assert nl.join(["a"]) == "a"
    assert nl.join(["a", "b"]) == "a en b"
    assert nl.join(["a", "b", "c"]) == "a, b en c"


def _is_short_text(node: ast.expr) -> bool:
    """A word or two ("passage", f"{n} passages"), not a whole sentence."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return len(node.value.split()) <= 3
    if isinstance(node, ast.JoinedStr):
        return len(ast.unparse(node).split()) <= 3
    return False


def _singular_plural_choices(tree: ast.AST) -> list[int]:
    """Lines with ``X if n == 1 else Y`` where X and Y are a word or two (a hand-made
    plural; a choice between two whole sentences is fine)."""
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.IfExp):
            continue
        test = node.test
        if not (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq | ast.NotEq)
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == 1
        ):
            continue
        if all(_is_short_text(b) for b in (node.body, node.orelse)):
            out.append(node.lineno)
    return out


def test_no_hand_made_plurals_outside_nl() -> None:
    found = [
        f"{path}:{line}"
        for path, tree in _modules()
        if not path.endswith("weerbaar/nl.py") and not path.startswith("weerbaar/search/")
        for line in _singular_plural_choices(tree)
    ]
    assert found == [], "use weerbaar.nl.plural/form: " + ", ".join(found)


def test_the_check_finds_a_hand_made_plural() -> None:
    tree = ast.parse("x = f\"{n} {'passage' if n == 1 else 'passages'}\"")
    assert _singular_plural_choices(tree) == [1]
    assert _singular_plural_choices(ast.parse("x = a if len(b) == 1 else c")) == []
    sentences = "x = 'De passage is gelezen.' if n == 1 else 'Alle passages zijn gelezen.'"
    assert _singular_plural_choices(ast.parse(sentences)) == []


# --------------------------------------------------------------------------- statuses
def test_read_statuses_have_one_source() -> None:
    assert set(READ_STATUSES) == set(STORED_READ_STATUSES) == {Status.ok, Status.truncated}
    for path, tree in _modules():
        if path == "weerbaar/ingest/status.py":
            continue
        # "truncated" only means a read status: spelled out nowhere but in its home
        assert "truncated" not in _strings(tree) or path == "weerbaar/store/constants.py", path
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = {t.id for t in targets if isinstance(t, ast.Name)}
                if "READ_STATUSES" in names:
                    assert path == "weerbaar/store/constants.py", f"READ_STATUSES again in {path}"


def test_unread_labels_have_one_source() -> None:
    labels = set(LABELS.values())
    assert len(labels) == len(LABELS)
    assert label("encrypted") == "beveiligd met wachtwoord"
    assert label("iets anders") == "iets anders"
    for path, tree in _modules():
        if path == "weerbaar/ingest/status.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                copied = keys & {s.value for s in Status} - {"ok"}
                assert len(copied) < 3, f"status labels again in {path}:{node.lineno}"


# --------------------------------------------------------------------------- validated
def test_validated_rule_is_the_same_in_python_and_sql(tmp_path: Path) -> None:
    """Every combination of relevant / source_ok / context_ok, stored in a real
    workspace: the SQL clause selects exactly the rows the Python rule accepts."""
    ws = open_workspace(tmp_path / "ws")
    combos = list(
        itertools.product(("ja", "nee", "andere"), (None, True, False), (None, True, False))
    )
    with ws.write() as conn:
        now = "2026-01-01T00:00:00+00:00"
        doc = conn.execute(
            insert(documents).values(status="ok", created_at=now, updated_at=now)
        ).inserted_primary_key[0]
        pid = conn.execute(
            insert(passages).values(
                document_id=doc,
                seq=0,
                page_start=1,
                page_end=1,
                char_start=0,
                char_end=1,
                text="x",
                text_hash="x",
                words=1,
            )
        ).inserted_primary_key[0]
        for n, (relevant, source_ok, context_ok) in enumerate(combos):
            conn.execute(
                insert(decisions).values(
                    passage_id=pid,
                    measure_id=f"1.{n}",
                    catalog_version="2025.08",
                    reviewer="t",
                    relevant=relevant,
                    source_ok=source_ok,
                    context_ok=context_ok,
                    created_at=now,
                    updated_at=now,
                )
            )
    with ws.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(decisions))]
        in_sql = {
            r.measure_id
            for r in conn.execute(select(decisions.c.measure_id).where(validated_clause()))
        }
    in_python = {r["measure_id"] for r in rows if is_validated(r)}
    assert in_python == in_sql
    assert len(in_python) == 4  # "ja" with each of source_ok, context_ok in {None, True}


def test_validated_rule_is_written_once() -> None:
    for path, tree in _modules():
        if path == "weerbaar/store/validated.py":
            continue
        src = ast.unparse(tree)
        assert "source_ok.is_(None)" not in src, path
        assert "get('source_ok') is not False" not in src, path


@pytest.mark.parametrize("value", ["ja", "nee"])
def test_is_validated_reads_plain_dicts(value: str) -> None:
    assert is_validated({"relevant": value}) is (value == "ja")


# --------------------------------------------------------------------------- score levels
def test_score_levels_are_spelled_only_in_their_enum() -> None:
    """ "Hoog", "Nog niet beoordeeld", ... as a whole string literal only in
    ``assess.model.Score``; everything else uses ``Score.HOOG`` etc. (Words inside a
    sentence or an f-string are prose, not a level.)"""
    from weerbaar.assess.model import Score

    levels = {s.value for s in Score}
    found = []
    for path, tree in _modules():
        if path == "weerbaar/assess/model.py" or path.startswith("weerbaar/search/"):
            continue
        prose = {
            id(v)
            for n in ast.walk(tree)
            if isinstance(n, ast.JoinedStr)
            for v in n.values
            if isinstance(v, ast.Constant)
        }
        found += [
            f"{path}:{n.lineno} {n.value!r}"
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and n.value in levels and id(n) not in prose
        ]
    assert found == [], "use weerbaar.assess.model.Score: " + ", ".join(found)
