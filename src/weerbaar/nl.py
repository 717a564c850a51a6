"""Dutch number agreement and lists, for every message, report and page.

``plural(3, "passage", "passages")`` -> "3 passages"; ``form(1, "wacht", "wachten")``
-> "wacht" (the word alone, for a verb or a noun after another word);
``join(["a", "b", "c"])`` -> "a, b en c". Nothing above this module spells these out.
"""

from __future__ import annotations

from collections.abc import Iterable


def form(n: int, one: str, many: str) -> str:
    """The singular for exactly one, the plural otherwise (also for zero)."""
    return one if n == 1 else many


def plural(n: int, one: str, many: str) -> str:
    """The number and its noun: "1 organisatie", "2 organisaties", "0 passages"."""
    return f"{n} {form(n, one, many)}"


def join(items: Iterable[str]) -> str:
    """ "a", "a en b", "a, b en c" ("" for nothing)."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]
