"""Human review of candidate passages: decisions, the append-only audit log, undo,
export/import (JSON/CSV) and agreement between reviewers.

A passage counts as validated evidence for a measure when a decision says
``relevant == "ja"`` and neither ``source_ok`` nor ``context_ok`` is False
(see :func:`is_validated`, defined with its SQL form in ``weerbaar.store.validated``).
"""

from __future__ import annotations

from weerbaar.review.agreement import Agreement, MeasureAgreement, agreement
from weerbaar.review.core import (
    RELEVANT_VALUES,
    STAGES,
    ImportReport,
    ReviewError,
    export_decisions,
    import_decisions,
    list_decisions,
    record_decision,
    source_matches,
    undo_last,
)
from weerbaar.store.validated import is_validated

__all__ = [
    "RELEVANT_VALUES",
    "STAGES",
    "Agreement",
    "ImportReport",
    "MeasureAgreement",
    "ReviewError",
    "agreement",
    "export_decisions",
    "import_decisions",
    "is_validated",
    "list_decisions",
    "record_decision",
    "source_matches",
    "undo_last",
]
