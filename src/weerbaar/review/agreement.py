"""Agreement between reviewers: disagreements and Cohen's kappa per measure."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from weerbaar.store import Workspace


@dataclass
class MeasureAgreement:
    """Agreement on ``relevant`` (ja/nee/andere) for one measure over all reviewer pairs
    that judged the same passage."""

    measure_id: str
    pairs: int
    agreed: int
    kappa: float | None  # None when undefined (fewer than 2 pairs or one label only)

    @property
    def observed(self) -> float | None:
        return self.agreed / self.pairs if self.pairs else None


@dataclass
class Agreement:
    measures: list[MeasureAgreement] = field(default_factory=list)
    disagreements: list[dict[str, Any]] = field(default_factory=list)


def _kappa(a: list[str], b: list[str]) -> float | None:
    """Cohen's kappa of two label sequences (same formula as scikit-learn's
    ``cohen_kappa_score``); None when undefined."""
    n = len(a)
    if n < 2:
        return None
    labels = set(a) | set(b)
    po = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    pe = sum((a.count(k) / n) * (b.count(k) / n) for k in labels)
    if pe >= 1.0:
        return None
    value = (po - pe) / (1.0 - pe)
    return None if math.isnan(value) else value


def agreement(
    ws: Workspace,
    *,
    measure_id: str | None = None,
    organisation: str | list[str] | None = None,
) -> Agreement:
    """Per measure: pairs of decisions by different reviewers on the same passage,
    how many agree on ``relevant``, and Cohen's kappa. Disagreements list every passage
    where reviewers differ on relevant, stage, source_ok or context_ok."""
    from weerbaar.review.core import list_decisions

    rows = list_decisions(ws, measure_id=measure_id, organisation=organisation)
    groups: dict[tuple[int, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[(r["passage_id"], r["catalog_version"], r["measure_id"])].append(r)
    labels: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    result = Agreement()
    for (passage_id, version, mid), group in sorted(groups.items()):
        if len(group) < 2:
            continue
        group.sort(key=lambda r: r["reviewer"])
        for x, y in combinations(group, 2):
            labels[mid][0].append(x["relevant"])
            labels[mid][1].append(y["relevant"])
        # "relevant" is always given; the other points only where reviewers filled them in
        points = [
            k
            for k in ("relevant", "stage", "source_ok", "context_ok")
            if len({repr(r[k]) for r in group if k == "relevant" or r[k] is not None}) > 1
        ]
        if points:
            result.disagreements.append(
                {
                    "passage_id": passage_id,
                    "catalog_version": version,
                    "measure_id": mid,
                    "organisation_code": group[0]["organisation_code"],
                    "points": points,
                    "decisions": [
                        {
                            k: r[k]
                            for k in (
                                "reviewer",
                                "relevant",
                                "other_measure_id",
                                "stage",
                                "source_ok",
                                "context_ok",
                                "comment",
                            )
                        }
                        for r in group
                    ],
                }
            )
    for mid in sorted(labels, key=_measure_key):
        a, b = labels[mid]
        agreed = sum(1 for x, y in zip(a, b, strict=True) if x == y)
        result.measures.append(
            MeasureAgreement(measure_id=mid, pairs=len(a), agreed=agreed, kappa=_kappa(a, b))
        )
    return result


def _measure_key(mid: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in mid.split("."))
