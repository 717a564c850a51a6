"""Settings are declared once: the table in ``weerbaar.settings`` matches the dataclass,
drives the ``WEERBAAR_*`` variables, declares every other ``WEERBAAR_*`` variable the code
reads, and writes docs/instellingen.md (which must be current)."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

import weerbaar
from weerbaar.settings import ENVIRONMENT, SETTINGS, Settings, load_settings, settings_markdown

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
