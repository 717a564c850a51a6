"""The mypy baseline of `make lint` (scripts/typecheck.py): errors are counted per file,
growth fails, shrinking must be written down, and the checked-in baseline is well formed."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("typecheck", ROOT / "scripts" / "typecheck.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["typecheck"] = module
    spec.loader.exec_module(module)
    return module


OUTPUT = """\
src/weerbaar/a.py:12: error: Value of type "Any | None" is not indexable  [index]
src/weerbaar/a.py:12: note: See https://mypy.readthedocs.io
src/weerbaar/a.py:40:7: error: Unused "type: ignore" comment  [unused-ignore]
src/weerbaar/b/c.py:3: error: Need type annotation for "x"  [var-annotated]
Found 3 errors in 2 files (checked 9 source files)
"""


def test_errors_are_counted_per_file_without_notes() -> None:
    counts = _script().count_errors(OUTPUT)
    assert dict(counts) == {"src/weerbaar/a.py": 2, "src/weerbaar/b/c.py": 1}


def test_growth_and_new_files_fail_shrinking_is_reported() -> None:
    tc = _script()
    grown, shrunk = tc.compare({"a.py": 3, "new.py": 1, "b.py": 1}, {"a.py": 2, "b.py": 4})
    assert grown == ["a.py: 3 errors, baseline 2", "new.py: 1 errors, baseline 0"]
    assert shrunk == ["b.py: 1 errors, baseline 4"]
    assert tc.compare({"a.py": 2}, {"a.py": 2}) == ([], [])
    # a file that became clean leaves the baseline
    assert tc.compare({}, {"a.py": 1}) == ([], ["a.py: 0 errors, baseline 1"])


def test_baseline_round_trips_and_drops_clean_files() -> None:
    tc = _script()
    text = tc.format_baseline({"b.py": 1, "a.py": 2, "clean.py": 0})
    assert text.startswith("#")
    assert tc.read_baseline(text) == {"a.py": 2, "b.py": 1}


def test_checked_in_baseline_names_existing_files_only() -> None:
    tc = _script()
    baseline = tc.read_baseline((ROOT / "mypy-baseline.txt").read_text(encoding="utf-8"))
    for path, count in baseline.items():
        assert (ROOT / path).is_file(), path
        assert count > 0, path
