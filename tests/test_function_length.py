"""No function in ``src/weerbaar`` is longer than 80 lines (issue 16).

Every ``def`` is read with ``ast`` (methods and nested functions too); a function's length
runs from its ``def`` line (decorators left out) to its last line, docstring and comments
included. A long function is split into named helpers, each testable on its own."""

from __future__ import annotations

import ast
from pathlib import Path

import weerbaar

SRC = Path(weerbaar.__file__).resolve().parent
MAX_LINES = 80

# Functions that may still be too long; this list may only shrink (an entry that is no
# longer too long fails the test too, so that it is taken off the list).
ALLOWED: frozenset[str] = frozenset()


def _long_functions(root: Path = SRC) -> dict[str, int]:
    found: dict[str, int] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                assert node.end_lineno is not None
                length = node.end_lineno - node.lineno + 1
                if length > MAX_LINES:
                    key = f"{path.relative_to(root).as_posix()}:{node.name}"
                    found[key] = max(length, found.get(key, 0))
    return found


def test_no_function_longer_than_80_lines() -> None:
    too_long = {k: n for k, n in _long_functions().items() if k not in ALLOWED}
    assert not too_long, "functions longer than 80 lines (split them): " + ", ".join(
        f"{k} ({n})" for k, n in sorted(too_long.items())
    )


def test_allow_list_only_shrinks() -> None:
    stale = ALLOWED - set(_long_functions())
    assert not stale, f"no longer too long, take them off ALLOWED: {sorted(stale)}"


def test_the_check_sees_methods_and_nested_functions(tmp_path: Path) -> None:
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_LINES))
    (tmp_path / "m.py").write_text(
        f"class C:\n    def long(self):\n{body}\n\n"
        f"def outer():\n    def inner():\n{body}\n    return inner\n\n"
        f"def short():\n    return 1\n",
        encoding="utf-8",
    )
    assert _long_functions(tmp_path) == {
        "m.py:long": MAX_LINES + 1,
        "m.py:outer": MAX_LINES + 3,
        "m.py:inner": MAX_LINES + 1,
    }
