"""What every reader returns: :class:`ReadResult`, and the page-progress callback type.
Kept apart from the dispatch in ``readers/__init__`` so that the readers import it without
importing the package that imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from weerbaar.ingest.passages import Block

Progress = Callable[[int], None]


@dataclass
class ReadResult:
    """What a reader found: pages (lists of blocks), how each page was read, and notes."""

    pages: list[list[Block]] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)  # text | ocr | none per page
    title: str | None = None  # document properties (PDF metadata, DOCX core, HTML <title>)
    cover_title: str | None = None  # the title as printed on the first page
    truncated: bool = False
    pages_total: int | None = None
    notes: dict[str, Any] = field(default_factory=dict)
