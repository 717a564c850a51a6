"""Shared pieces of the synthetic workspaces of the speed benchmarks (not a benchmark
itself: ``make bench`` runs the files without a leading underscore)."""

from __future__ import annotations

import hashlib
import random
from typing import Any

# Words of the generated passages: topic words of the domain and everyday municipal words,
# so that the lexical index and the scan see text of a realistic shape.
BASE_WORDS = [
    "gemeente",
    "noodsteunpunt",
    "stroomuitval",
    "drinkwater",
    "veiligheidsregio",
    "oefening",
    "plan",
    "inwoners",
    "crisis",
    "communicatie",
    "evacuatie",
    "zorg",
    "continuïteit",
    "voorraad",
    "aggregaat",
    "wijk",
    "vrijwilligers",
    "partners",
    "bevolkingszorg",
    "risico",
    "begroting",
    "uitvoering",
    "evaluatie",
]


def synthetic_page(
    rng: random.Random,
    words: list[str],
    per_page: int,
    *,
    document_id: int,
    page_no: int,
    offset: int,
    first_passage_id: int,
    first_seq: int,
    heading: str | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One page of ``per_page`` generated paragraphs and its passages (one a paragraph),
    as rows of the pages and passages tables; ``offset`` is the page's first character
    in the document."""
    paras = [
        " ".join(rng.choice(words) for _ in range(rng.randint(30, 70))) for _ in range(per_page)
    ]
    text = "\n\n".join(paras)
    page = {"document_id": document_id, "page_no": page_no, "doc_start": offset, "text": text}
    passages: list[dict[str, Any]] = []
    pos = 0
    for k, para in enumerate(paras):
        start = text.index(para, pos)
        pos = start + len(para)
        row: dict[str, Any] = {
            "id": first_passage_id + k,
            "document_id": document_id,
            "seq": first_seq + k,
            "page_start": page_no,
            "page_end": page_no,
            "char_start": offset + start,
            "char_end": offset + pos,
            "text": para,
        }
        if heading is not None:
            row["heading"] = heading
        row.update(
            kind="tekst",
            text_hash=hashlib.sha256(para.encode()).hexdigest(),
            words=len(para.split()),
        )
        passages.append(row)
    return page, passages
