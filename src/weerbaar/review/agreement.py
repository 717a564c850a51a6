"""Agreement between reviewers on ``relevant``: Cohen's kappa (over reviewer pairs) and
Krippendorff's alpha (nominal, any number of reviewers per passage) per measure and per
reviewer, and the disagreements (with whether a curator settled them). A curator's final
decision is not an independent judgement and is left out of the figures."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from weerbaar.store import Workspace
from weerbaar.store import decisions as dq
from weerbaar.store import review_work as wq


@dataclass
class MeasureAgreement:
    """Agreement on ``relevant`` (ja/nee/andere) for one measure over all reviewer pairs
    that judged the same passage."""

    measure_id: str
    pairs: int
    agreed: int
    kappa: float | None  # None when undefined (fewer than 2 pairs or one label only)
    alpha: float | None = None  # Krippendorff's alpha (nominal); None when undefined

    @property
    def observed(self) -> float | None:
        return self.agreed / self.pairs if self.pairs else None


@dataclass
class ReviewerAgreement:
    """How often one reviewer agrees with the others on the passages they share."""

    reviewer: str
    pairs: int
    agreed: int
    kappa: float | None
    alpha: float | None

    @property
    def observed(self) -> float | None:
        return self.agreed / self.pairs if self.pairs else None


@dataclass
class Agreement:
    measures: list[MeasureAgreement] = field(default_factory=list)
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    reviewers: list[ReviewerAgreement] = field(default_factory=list)
    overall_kappa: float | None = None
    overall_alpha: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The figures as plain data (for the export)."""
        return {
            "cohen_kappa": self.overall_kappa,
            "krippendorff_alpha": self.overall_alpha,
            "per_maatregel": [
                {
                    "measure_id": m.measure_id,
                    "pairs": m.pairs,
                    "agreed": m.agreed,
                    "cohen_kappa": m.kappa,
                    "krippendorff_alpha": m.alpha,
                }
                for m in self.measures
            ],
            "per_beoordelaar": [
                {
                    "reviewer": r.reviewer,
                    "pairs": r.pairs,
                    "agreed": r.agreed,
                    "cohen_kappa": r.kappa,
                    "krippendorff_alpha": r.alpha,
                }
                for r in self.reviewers
            ],
            "disagreements": len(self.disagreements),
            "settled": sum(1 for d in self.disagreements if d.get("curator")),
        }


def krippendorff_alpha(units: list[list[str]]) -> float | None:
    """Krippendorff's alpha for nominal data; ``units`` holds the labels given to each
    unit (units with fewer than two labels do not count). None when undefined."""
    coincidences: dict[tuple[str, str], float] = defaultdict(float)
    for labels in units:
        m = len(labels)
        if m < 2:
            continue
        for i, a in enumerate(labels):
            for j, b in enumerate(labels):
                if i != j:
                    coincidences[(a, b)] += 1.0 / (m - 1)
    n_c: dict[str, float] = defaultdict(float)
    for (a, _b), v in coincidences.items():
        n_c[a] += v
    n = sum(n_c.values())
    if n <= 1:
        return None
    d_o = sum(v for (a, b), v in coincidences.items() if a != b) / n
    d_e = sum(n_c[a] * n_c[b] for a in n_c for b in n_c if a != b) / (n * (n - 1))
    if d_e == 0:
        return None
    value = 1.0 - d_o / d_e
    return None if math.isnan(value) else value


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
    orgs = [organisation] if isinstance(organisation, str) else organisation
    with ws.read() as conn:
        rows = dq.query_decisions(conn, measure_id=measure_id, organisations=orgs)
        settled = wq.curated_keys(conn)
    groups: dict[tuple[int, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        key = (r["passage_id"], r["catalog_version"], r["measure_id"])
        if settled.get(key) == r["reviewer"]:
            continue  # the curator's final decision is not an independent judgement
        groups[key].append(r)
    labels: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    units: dict[str, list[list[str]]] = defaultdict(list)
    per_reviewer: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    reviewer_units: dict[str, list[list[str]]] = defaultdict(list)
    result = Agreement()
    for (passage_id, version, mid), group in sorted(groups.items()):
        if len(group) < 2:
            continue
        group.sort(key=lambda r: r["reviewer"])
        units[mid].append([r["relevant"] for r in group])
        for r in group:
            reviewer_units[r["reviewer"]].append([x["relevant"] for x in group])
        for x, y in combinations(group, 2):
            labels[mid][0].append(x["relevant"])
            labels[mid][1].append(y["relevant"])
            for own, other in ((x, y), (y, x)):
                per_reviewer[own["reviewer"]][0].append(own["relevant"])
                per_reviewer[own["reviewer"]][1].append(other["relevant"])
        found = _disagreement(group, settled.get((passage_id, version, mid)))
        if found:
            result.disagreements.append(
                {"passage_id": passage_id, "catalog_version": version, "measure_id": mid, **found}
            )
    for mid in sorted(labels, key=_measure_key):
        a, b = labels[mid]
        agreed = sum(1 for x, y in zip(a, b, strict=True) if x == y)
        result.measures.append(
            MeasureAgreement(
                measure_id=mid,
                pairs=len(a),
                agreed=agreed,
                kappa=_kappa(a, b),
                alpha=krippendorff_alpha(units[mid]),
            )
        )
    for name in sorted(per_reviewer):
        a, b = per_reviewer[name]
        result.reviewers.append(
            ReviewerAgreement(
                reviewer=name,
                pairs=len(a),
                agreed=sum(1 for x, y in zip(a, b, strict=True) if x == y),
                kappa=_kappa(a, b),
                alpha=krippendorff_alpha(reviewer_units[name]),
            )
        )
    all_a = [x for mid in labels for x in labels[mid][0]]
    all_b = [y for mid in labels for y in labels[mid][1]]
    result.overall_kappa = _kappa(all_a, all_b)
    result.overall_alpha = krippendorff_alpha([u for mid in units for u in units[mid]])
    return result


DISAGREEMENT_FIELDS = (
    "reviewer",
    "relevant",
    "other_measure_id",
    "stage",
    "source_ok",
    "context_ok",
    "comment",
)


def _disagreement(group: list[dict[str, Any]], curator: str | None) -> dict[str, Any] | None:
    """What reviewers of one passage and measure differ on; None when they agree.
    "relevant" is always given; the other points count only where reviewers filled
    them in."""
    points = [
        k
        for k in ("relevant", "stage", "source_ok", "context_ok")
        if len({repr(r[k]) for r in group if k == "relevant" or r[k] is not None}) > 1
    ]
    if not points:
        return None
    return {
        "organisation_code": group[0]["organisation_code"],
        "points": points,
        "curator": curator,
        "decisions": [{k: r[k] for k in DISAGREEMENT_FIELDS} for r in group],
    }


def _measure_key(mid: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in mid.split("."))
