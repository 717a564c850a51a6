"""Settings are declared once: the table in ``weerbaar.settings`` matches the dataclass,
drives the ``WEERBAAR_*`` variables, declares every other ``WEERBAAR_*`` variable the code
reads, and writes docs/instellingen.md (which must be current)."""

from __future__ import annotations

import ast
import re
from dataclasses import fields
from pathlib import Path

import pytest

import weerbaar
from weerbaar.settings import (
    ENVIRONMENT,
    SETTINGS,
    Settings,
    environment,
    load_settings,
    settings_markdown,
)

SRC = Path(weerbaar.__file__).resolve().parent
DOC = SRC.parents[1] / "docs" / "instellingen.md"


def test_dataclass_and_table_have_the_same_settings_and_types() -> None:
    assert [f.name for f in fields(Settings)] == [s.name for s in SETTINGS]
    for f, s in zip(fields(Settings), SETTINGS, strict=True):
        assert f.type == type(s.default).__name__, (f.name, f.type, s.default)


def test_environment_overrides_every_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    for s in SETTINGS:
        value = (not s.default) if isinstance(s.default, bool) else s.default * 2
        text = ("ja" if value else "nee") if isinstance(value, bool) else str(value)
        monkeypatch.setenv(f"WEERBAAR_{s.name.upper()}", text)
    got = load_settings()
    for s in SETTINGS:
        want = (not s.default) if isinstance(s.default, bool) else s.default * 2
        assert getattr(got, s.name) == want, s.name
    assert load_settings(max_pages=7).max_pages == 7  # an argument wins over the variable


def test_every_weerbaar_variable_in_the_code_is_declared() -> None:
    declared = {name for name, _ in ENVIRONMENT} | {f"WEERBAAR_{s.name.upper()}" for s in SETTINGS}
    used = set()
    for path in SRC.rglob("*.py"):
        used |= set(re.findall(r"WEERBAAR_[A-Z_]+[A-Z]", path.read_text(encoding="utf-8")))
    assert used - declared == set()


def test_settings_page_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == settings_markdown(), (
        "docs/instellingen.md is out of date: python -m weerbaar.settings > docs/instellingen.md"
    )
    for s in SETTINGS:
        assert f"`WEERBAAR_{s.name.upper()}`" in settings_markdown()


# Modules that still read environment variables themselves; this list may only shrink.
READS_ENVIRONMENT_ITSELF: set[str] = set()


def _environment_reads(tree: ast.AST) -> list[str]:
    """The variables a module reads with os.environ.get / os.getenv / os.environ[...]
    (``?`` where the name is not a string literal)."""
    found = []
    for node in ast.walk(tree):
        key: ast.expr | None = None
        if isinstance(node, ast.Call) and node.args:
            f = ast.unparse(node.func)
            if f in ("os.environ.get", "os.getenv", "environ.get", "getenv"):
                key = node.args[0]
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and ast.unparse(node.value) in ("os.environ", "environ")
        ):
            key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            found.append(key.value)
        elif key is not None:
            found.append("?")
    return found


def test_weerbaar_variables_are_read_only_through_settings() -> None:
    offenders = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel == "settings.py" or rel in READS_ENVIRONMENT_ITSELF:
            continue
        reads = _environment_reads(ast.parse(path.read_text(encoding="utf-8")))
        ours = [r for r in reads if r == "?" or r.startswith("WEERBAAR_")]
        if ours:
            offenders[rel] = ours
    assert offenders == {}, "read these through weerbaar.settings.environment()"
    for rel in READS_ENVIRONMENT_ITSELF:  # still true, or take it off the list
        assert _environment_reads(ast.parse((SRC / rel).read_text(encoding="utf-8")))


def test_the_check_sees_each_way_of_reading() -> None:
    code = (
        "import os\nos.environ.get('WEERBAAR_A')\nos.getenv('WEERBAAR_B')\n"
        "os.environ['WEERBAAR_C']\nos.environ[NAME]\nos.environ['X'] = '1'\n"
    )
    assert _environment_reads(ast.parse(code)) == ["WEERBAAR_A", "WEERBAAR_B", "WEERBAAR_C", "?"]


def test_environment_reads_declared_variables_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEERBAAR_DEMO_DIR", "/tmp/demo")
    assert environment("WEERBAAR_DEMO_DIR") == "/tmp/demo"
    monkeypatch.delenv("WEERBAAR_DEMO_DIR")
    assert environment("WEERBAAR_DEMO_DIR") is None
    with pytest.raises(KeyError):
        environment("WEERBAAR_NOT_DECLARED")
