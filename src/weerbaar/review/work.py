"""Team review work: the next open passage in a reviewer's scope, the personal work list,
assignments by a coordinator, the double-review sample and the curator's settlement of
disagreements (kept in the audit log with both originals)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from weerbaar.review.core import Decision, ReviewError, _record
from weerbaar.store import Workspace
from weerbaar.store import decisions as dq
from weerbaar.store import review_work as q


def measure_key(mid: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in mid.split("."))


def _catalog() -> Any:
    from weerbaar.catalog import load_catalog

    return load_catalog()


@dataclass(frozen=True)
class QueueWork:
    """One queue (organisation x measure) in a reviewer's scope."""

    organisation: str
    measure_id: str
    crucial: bool
    candidates: int
    open: int
    priority: int
    evidence: int  # passages marked relevant for the organisation (all measures)

    @property
    def done(self) -> int:
        return self.candidates - self.open


@dataclass(frozen=True)
class WorkList:
    reviewer: str
    queues: list[QueueWork]
    double_reviews_open: int
    assigned: bool  # the coordinator assigned queues to this reviewer

    @property
    def candidates(self) -> int:
        return sum(w.candidates for w in self.queues)

    @property
    def open(self) -> int:
        return sum(w.open for w in self.queues) + self.double_reviews_open

    @property
    def done(self) -> int:
        return sum(w.done for w in self.queues)


@dataclass(frozen=True)
class NextPassage:
    passage_id: int
    measure_id: str
    organisation: str
    double_review: bool = False


def _queue_counts(
    ws: Workspace, conn: Any, organisations: list[str] | None
) -> tuple[dict[tuple[str, str], tuple[int, int]], dict[str, int]]:
    """Candidates and open candidates per queue (the kept queue counts), and evidence
    per organisation."""
    counts = q.open_counts(conn, organisations=organisations)
    return counts, q.evidence_counts(conn, organisations=organisations)


def _queues(
    conn: Any, ws: Workspace, reviewer: str, organisations: list[str] | None
) -> tuple[list[tuple[tuple[Any, ...], QueueWork]], bool]:
    """Every queue in the reviewer's scope with its sort key (see :func:`work_list`),
    unsorted, and whether the coordinator assigned work to the reviewer."""
    cat = _catalog()
    crucial = {m.id for m in cat.measures if m.crucial}
    order = {m.id: i for i, m in enumerate(cat.measures)}  # catalogue order
    assignments = q.list_assignments(conn, reviewer=reviewer)
    counts, evidence = _queue_counts(ws, conn, organisations)
    out = []
    for (org, mid), (n, n_open) in counts.items():
        if mid not in order:
            continue
        priority = 0
        if assignments:
            hits = [
                a["priority"]
                for a in assignments
                if a["organisation_code"] == org and a["measure_id"] in (None, mid)
            ]
            if not hits:
                continue
            priority = min(hits)
        ev = evidence.get(org, 0)
        key = (priority, mid not in crucial, ev, order[mid], org)
        out.append((key, QueueWork(org, mid, mid in crucial, n, n_open, priority, ev)))
    return out, bool(assignments)


def work_list(ws: Workspace, *, reviewer: str, organisations: list[str] | None = None) -> WorkList:
    """The queues a reviewer works on, in working order: the coordinator's priority,
    crucial measures first, then organisations with the least evidence so far, then the
    measure order of the catalogue. ``organisations`` is the user's scope (None: all);
    when the coordinator assigned organisations or measures to the reviewer, only those."""
    with ws.read() as conn:
        keyed, assigned = _queues(conn, ws, reviewer, organisations)
        doubles = q.pending_double_reviews(conn, reviewer=reviewer, limit=100_000)
    doubles = [
        d for d in doubles if organisations is None or d["organisation_code"] in organisations
    ]
    keyed.sort(key=lambda kw: kw[0])
    return WorkList(reviewer, [w for _, w in keyed], len(doubles), assigned)


def next_open_passage(
    ws: Workspace, *, reviewer: str, organisations: list[str] | None = None
) -> NextPassage | None:
    """The next passage to review: first the second reviews assigned to the reviewer,
    then the best-ranked open candidate of the first queue in the order of
    :func:`work_list` that has open passages. None when everything in scope is done."""
    with ws.read() as conn:
        for d in q.pending_double_reviews(conn, reviewer=reviewer, limit=50):
            if organisations is None or d["organisation_code"] in organisations:
                return NextPassage(d["passage_id"], d["measure_id"], d["organisation_code"], True)
        keyed, _ = _queues(conn, ws, reviewer, organisations)
        candidates = [(k, w) for k, w in keyed if w.open]
        while candidates:
            best = min(candidates, key=lambda kw: kw[0])
            w = best[1]
            pid = q.first_open(conn, organisation=w.organisation, measure_id=w.measure_id)
            if pid is not None:
                return NextPassage(pid, w.measure_id, w.organisation)
            candidates.remove(best)  # counted open, but decided meanwhile
    return None


# --------------------------------------------------------------------------- coordinator
def assign(
    ws: Workspace,
    *,
    reviewer: str,
    organisation: str,
    measure_id: str | None = None,
    priority: int = 0,
    assigned_by: str,
) -> None:
    """Assign an organisation (all measures, or one) to a reviewer; lower priority first."""
    if not reviewer or not organisation:
        raise ReviewError("Kies een beoordelaar en een organisatie.")
    with ws.write() as conn:
        q.set_assignment(
            conn,
            reviewer=reviewer,
            organisation_code=organisation,
            measure_id=measure_id or None,
            priority=priority,
            assigned_by=assigned_by,
        )


def unassign(ws: Workspace, assignment_id: int) -> None:
    with ws.write() as conn:
        q.remove_assignment(conn, assignment_id)


def assignments(ws: Workspace) -> list[dict[str, Any]]:
    with ws.read() as conn:
        return q.list_assignments(conn)


def sample_double_review(
    ws: Workspace,
    *,
    fraction: float,
    reviewers: list[str],
    assigned_by: str,
    organisations: list[str] | None = None,
    seed: int | None = None,
) -> int:
    """Assign a random ``fraction`` (0-1, at least one passage per reviewer who has
    decisions) of each reviewer's decisions to another reviewer from ``reviewers`` for an
    independent second review. Passages already judged by two reviewers or already in the
    sample are left out. Returns the number of passages assigned."""
    if not 0 < fraction <= 1:
        raise ReviewError("Kies een steekproef tussen 1 en 100 procent.")
    if len(set(reviewers)) < 2:
        raise ReviewError("Voor dubbele beoordeling zijn minstens twee beoordelaars nodig.")
    rng = random.Random(seed)
    pool = sorted(set(reviewers))
    rows: list[dict[str, Any]] = []
    with ws.write() as conn:
        for first in pool:
            mine = q.decisions_for_sampling(conn, reviewer=first, organisations=organisations)
            if not mine:
                continue
            n = max(1, round(fraction * len(mine)))
            others = [r for r in pool if r != first]
            for i, d in enumerate(rng.sample(mine, min(n, len(mine)))):
                rows.append(
                    {
                        "passage_id": d["passage_id"],
                        "catalog_version": d["catalog_version"],
                        "measure_id": d["measure_id"],
                        "first_reviewer": first,
                        "reviewer": others[i % len(others)],
                        "assigned_by": assigned_by,
                    }
                )
        return q.add_double_reviews(conn, rows)


# --------------------------------------------------------------------------- curation
def curate(
    ws: Workspace,
    *,
    curator: str,
    passage_id: int,
    measure_id: str,
    relevant: str,
    other_measure_id: str | None = None,
    stage: str | None = None,
    aspects: list[str] | None = None,
    source_ok: bool | None = None,
    context_ok: bool | None = None,
    comment: str | None = None,
) -> int:
    """Settle a disagreement: the curator's final decision is recorded (action
    ``curate`` in the audit log, with the decisions it settles as they were), the
    originals stay, and the assessment uses the final decision. Returns its id."""
    with ws.write() as conn:
        version = dq.candidate_catalog_version(conn, passage_id=passage_id, measure_id=measure_id)
        found = [
            d
            for d in dq.query_decisions(conn, passage_id=passage_id, measure_id=measure_id)
            if (version is None or d["catalog_version"] == version) and d["reviewer"] != curator
        ]
        if len(found) < 2:
            raise ReviewError(
                f"Passage {passage_id} heeft voor maatregel {measure_id} geen twee "
                "beoordelingen om te beslechten."
            )
        version = version or found[0]["catalog_version"]
        originals = [{"reviewer": d["reviewer"], **(dq.decision_state(d) or {})} for d in found]
        decision = Decision(
            curator, passage_id, measure_id, relevant, other_measure_id, context_ok, source_ok,
            stage, aspects, comment, version,
        )  # fmt: skip
        decision_id, _ = _record(
            conn, decision, action="curate", log_extra={"originals": originals}
        )
        q.save_curation(
            conn,
            passage_id=passage_id,
            catalog_version=version,
            measure_id=measure_id,
            curator=curator,
            originals=originals,
        )
    return decision_id


def curated(ws: Workspace) -> dict[tuple[int, str, str], str]:
    """(passage, catalog version, measure) -> curator of every settled disagreement."""
    with ws.read() as conn:
        return q.curated_keys(conn)
