"""Our titles, descriptions and aspect labels are our own words: no run of eight
consecutive words from them occurs in the texts of the guidance in ../shared/seeds."""

from __future__ import annotations

import re
from pathlib import Path

from weerbaar.catalog import load_catalog

RUN = 8


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _runs(words: list[str], n: int = RUN) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_helper_detects_a_copied_sentence() -> None:
    source = _runs(
        _words("De gemeente richt   noodsteunpunten in, samen met de regio en de partners.")
    )
    copied = _runs(_words("Zo: de Gemeente richt noodsteunpunten in samen met de REGIO en meer"))
    assert source & copied


def test_no_eight_word_runs_from_the_seeds(seeds_dir: Path) -> None:
    seed_runs: set[tuple[str, ...]] = set()
    for path in sorted(seeds_dir.glob("*.txt")):
        seed_runs |= _runs(_words(path.read_text(encoding="utf-8", errors="replace")))
    assert len(seed_runs) > 5000  # the guidance texts were really read
    copied = []
    for m in load_catalog().measures:
        texts = [("titel", m.title), ("omschrijving", m.description)]
        texts += [(a.id, a.label) for a in m.aspects]
        for field, text in texts:
            for run in _runs(_words(text)) & seed_runs:
                copied.append(f"{m.id} {field}: {' '.join(run)}")
    assert not copied, "\n".join(copied)
