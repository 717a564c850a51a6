"""No import cycles between the modules of ``src/weerbaar``, and packages import only
downwards (the order of docs/architecture.md).

Every ``import`` is read with ``ast``, also inside functions (a function-level import is
still a dependency); imports under ``if TYPE_CHECKING:`` are left out (never run).
``from package import submodule`` depends on the submodule, ``from package import name``
on the package itself."""

from __future__ import annotations

import ast
from pathlib import Path

import weerbaar

SRC = Path(weerbaar.__file__).resolve().parent

# Cycles that are being taken apart elsewhere: each entry may only disappear.
KNOWN_CYCLES: tuple[frozenset[str], ...] = ()

# Which package may import which: each package only the ones before it.
LAYERS: dict[str, set[str]] = {
    "catalog": set(),
    "store": {"catalog"},
    "ingest": {"catalog", "store"},
    "search": {"catalog", "store", "ingest"},
    "assess": {"catalog", "store", "ingest"},
    "selfassess": {"catalog", "store", "ingest", "assess"},
    "review": {"catalog", "store", "ingest", "search", "assess"},
    "report": {"catalog", "store", "ingest", "assess"},
    "web": {"catalog", "store", "ingest", "search", "assess", "selfassess", "review", "report"},
}
LAYERS["demo"] = set(LAYERS)  # the demo runs every stage; cli (on top) may import anything
BOTTOM = {
    "weerbaar",
    "weerbaar.errors",
    "weerbaar.files",
    "weerbaar.settings",
    "weerbaar.nl",
    "weerbaar.__main__",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in sorted(SRC.rglob("*.py"))
        if "migrations" not in p.relative_to(SRC).parts
    }


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skip.update(id(n) for n in ast.walk(child))
    return skip


def imports_of(name: str, path: Path, modules: set[str]) -> set[str]:
    """The modules of ``weerbaar`` that module ``name`` imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                if sub in modules:
                    out.add(sub)
                elif base in modules:
                    out.add(base)
    out.discard(name)
    return out


def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: imports_of(name, path, set(modules)) for name, path in modules.items()}


def cycles(g: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected parts with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(g.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                part.add(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(frozenset(part))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles_between_modules() -> None:
    new = [sorted(c) for c in cycles(graph()) if not any(c <= k for k in KNOWN_CYCLES)]
    assert new == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in new)


def test_packages_import_only_downwards() -> None:
    wrong = []
    for name, deps in graph().items():
        parts = name.split(".")
        if len(parts) < 2 or name in BOTTOM or parts[1] not in LAYERS:
            continue
        allowed = LAYERS[parts[1]] | {parts[1]}
        for dep in deps:
            if dep in BOTTOM:
                continue
            if dep.split(".")[1] not in allowed:
                wrong.append(f"{name} -> {dep}")
    assert wrong == [], "imports against the package order: " + ", ".join(sorted(wrong))


def test_bottom_modules_import_nothing_above() -> None:
    g = graph()
    for name in BOTTOM - {"weerbaar", "weerbaar.__main__"}:
        assert g[name] <= BOTTOM, (name, g[name])


def test_cycle_finder_and_reader() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset("abc")]
    assert cycles({"a": {"b"}, "b": set()}) == []
    g = graph()
    # a function-level import counts; a TYPE_CHECKING import does not
    assert "weerbaar.search" in g["weerbaar.review.progress"]
    assert "weerbaar.store.db" not in g["weerbaar.store.migrate"]
