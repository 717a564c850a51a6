"""Every test that drives Chromium carries the ``browser`` marker, and every test that
starts processes, kills them or reads OCR'd pages carries ``slow``, so that
``make test-fast`` (``-m "not slow and not browser"``) is a real inner loop. Read from the
test files with ``ast``: a test counts as marked by its own decorator or the module's
``pytestmark``."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent

# Names whose use inside a test function makes it a browser or a slow test.
BROWSER_USES = {"sync_playwright", "chromium", "log_in", "axe_violations"}
SLOW_USES = {"Popen", "kill", "killpg", "SIGKILL", "serve"}


def _marks(decorators: list[ast.expr]) -> set[str]:
    out = set()
    for d in decorators:
        text = ast.unparse(d)
        for mark in ("slow", "browser"):
            if f"mark.{mark}" in text or ("BROWSER_MARKS" in text and mark == "browser"):
                out.add(mark)
    return out


def _module_marks(tree: ast.Module) -> set[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            return _marks([node.value] if not isinstance(node.value, ast.List) else node.value.elts)
    return set()


def _used_names(fn: ast.FunctionDef) -> set[str]:
    names = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(fn) if isinstance(n, ast.Attribute)}
    names |= {a.arg for a in fn.args.args}  # fixtures such as ``chromium``
    return names


def unmarked(source: str) -> list[str]:
    tree = ast.parse(source)
    module = _module_marks(tree)
    out = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test_"):
            continue
        marks = module | _marks(node.decorator_list)
        used = _used_names(node)
        if used & BROWSER_USES and "browser" not in marks:
            out.append(f"{node.name}: browser")
        if used & SLOW_USES and "slow" not in marks and "browser" not in marks:
            out.append(f"{node.name}: slow")
    return out


def test_browser_and_slow_tests_are_marked() -> None:
    missing = [
        f"{path.name}::{item}"
        for path in sorted(TESTS.glob("test_*.py"))
        for item in unmarked(path.read_text(encoding="utf-8"))
    ]
    assert missing == [], "add the marker: " + ", ".join(missing)


def test_the_check_sees_a_missing_marker() -> None:
    source = (
        "import pytest\n"
        "def test_a(chromium):\n    pass\n"
        "@pytest.mark.slow\ndef test_b():\n    subprocess.Popen(['x'])\n"
        "def test_c():\n    os.kill(1, 9)\n"
    )
    assert unmarked(source) == ["test_a: browser", "test_c: slow"]
    assert unmarked("import pytest\npytestmark = pytest.mark.slow\n" + source) == [
        "test_a: browser"
    ]
