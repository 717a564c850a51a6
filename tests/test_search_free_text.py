"""Free-text search: whole words first, nonsense finds nothing, filters hold."""

from __future__ import annotations

from search_workspace import add_document
from weerbaar.search import search
from weerbaar.store import Workspace

TEXTS = [
    "Het college heeft drie noodsteunpunten aangewezen: het dorpshuis, de sporthal en de bibliotheek.",
    "De steunpunten voor mantelzorgers kregen extra subsidie; de punten voor jongeren ook.",
    "Het nood-aggregaat bij de brandweerkazerne is vervangen door een zwaarder exemplaar.",
    "De begroting van het sociaal domein sluit met een tekort op de jeugdzorg.",
]


def test_search_free_text_ranks_whole_words_first_and_rejects_nonsense(
    workspace: Workspace,
) -> None:
    add_document(workspace, "GM0363", TEXTS, year=2025)
    hits = search(workspace, "noodsteunpunten")
    assert hits and "noodsteunpunten" in hits[0]["text"]
    assert search(workspace, "xyzzyqq") == []
    assert search(workspace, "qwerty asdf") == []
    # filters: another organisation or year gives nothing
    assert search(workspace, "noodsteunpunten", organisation="GM0518") == []
    assert search(workspace, "noodsteunpunten", year=2019) == []
    # SQL-looking input is just text
    assert search(workspace, "' OR 1=1 --") == []
