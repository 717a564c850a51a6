"""The one rule for validated evidence, in Python and in SQL.

A passage is validated evidence for a measure when a decision says ``relevant == "ja"``
and neither ``source_ok`` nor ``context_ok`` is False (not checked counts as fine).
:func:`is_validated` decides it for one decision row, :func:`validated_clause` is the
same rule as a WHERE clause over the ``decisions`` table; a test holds them together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from weerbaar.store.schema import decisions

RELEVANT = "ja"


def is_validated(decision: Mapping[str, Any]) -> bool:
    """True when a decision makes its passage validated evidence for the measure."""
    return (
        decision.get("relevant") == RELEVANT
        and decision.get("source_ok") is not False
        and decision.get("context_ok") is not False
    )


def validated_clause() -> ColumnElement[bool]:
    """:func:`is_validated` as a condition on ``decisions`` rows."""
    return and_(
        decisions.c.relevant == RELEVANT,
        or_(decisions.c.source_ok.is_(None), decisions.c.source_ok.is_(True)),
        or_(decisions.c.context_ok.is_(None), decisions.c.context_ok.is_(True)),
    )
