"""What the review app shows of one passage for one measure, built in one place:
:func:`passage_view` returns a :class:`PassageView` (the web route only renders it).

Also :func:`explain`: why the search stage suggested a passage for a measure, shown as
the catalogue's terms and aspect cue words that occur in the passage (highlighted), with
the candidate's stored score.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from weerbaar.errors import WeerbaarError
from weerbaar.review.core import STAGES, text_at_offsets_matches
from weerbaar.review.progress import QueueProgress, queue_progress
from weerbaar.store import Workspace
from weerbaar.store import decisions as q
from weerbaar.store import review_work as wq
from weerbaar.store.review_work import QueueFilter


class PassageNotFound(WeerbaarError):
    """No such passage (or not visible to this user, or not in any queue)."""


@dataclass(frozen=True)
class Highlight:
    """A piece of the passage text; ``label`` says why it is marked (None: plain)."""

    text: str
    label: str | None = None


@dataclass(frozen=True)
class Explanation:
    """Why a passage was suggested for a measure."""

    segments: list[Highlight]
    terms: list[str]  # catalogue terms of the measure found in the passage
    aspects: list[tuple[str, str, list[str]]]  # (aspect id, label, cue words found)
    score: float | None  # the candidate's score in the queue (calibrated by the search)
    rank: int | None
    method: str | None

    @property
    def score_percent(self) -> str | None:
        if self.score is None or not 0.0 <= self.score <= 1.0:
            return None
        return f"{self.score * 100:.0f}%"


@dataclass(frozen=True)
class PassageView:
    passage: dict[str, Any]
    measure_id: str
    measure_title: str
    measure_description: str | None
    official_text: str | None
    before: list[dict[str, Any]]
    after: list[dict[str, Any]]
    source_ok: bool | None
    suggested_stage: str | None  # shown as a suggestion, never pre-selected
    aspects: list[Any]
    measures: list[Any]
    mine: dict[str, Any] | None
    rank: int | None
    next_in_queue: int | None
    progress: QueueProgress | None
    explanation: Explanation
    double_review: bool
    others: list[dict[str, Any]] = field(default_factory=list)  # other measures' queues
    stages: Sequence[str] = STAGES


# --------------------------------------------------------------------------- explain
def _term_pattern(term: str) -> str:
    # Start of a word; Dutch compounds and inflections may follow (noodsteunpunt-en).
    return r"(?<!\w)" + re.escape(term.strip()) + r"\w*"


@lru_cache(maxsize=256)
def _measure_patterns(measure_id: str) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """(kind, label, pattern) per catalogue term and aspect cue word of a measure."""
    from weerbaar.catalog import load_catalog

    try:
        m = load_catalog().measure(measure_id)
    except WeerbaarError:
        return ()
    out: list[tuple[str, str, re.Pattern[str]]] = []
    for t in m.terms:
        if t.strip():
            out.append(("term", t, re.compile(_term_pattern(t), re.IGNORECASE)))
    for a in m.aspects:
        for t in a.terms:
            if t.strip():
                out.append((a.id, a.label, re.compile(_term_pattern(t), re.IGNORECASE)))
    return tuple(out)


def explain(text: str, measure_id: str, candidate: dict[str, Any] | None = None) -> Explanation:
    """Mark the measure's catalogue terms and aspect cue words in ``text``; longest
    match wins where they overlap."""
    spans: list[tuple[int, int, str]] = []
    terms: list[str] = []
    found: dict[str, tuple[str, list[str]]] = {}
    for kind, label, pattern in _measure_patterns(measure_id):
        for m in pattern.finditer(text):
            word = m.group(0)
            if kind == "term":
                spans.append((m.start(), m.end(), f"zoekterm: {label}"))
                if label not in terms:
                    terms.append(label)
            else:
                spans.append((m.start(), m.end(), f"aspect {kind}: {label}"))
                words = found.setdefault(kind, (label, []))[1]
                if word.lower() not in words:
                    words.append(word.lower())
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    segments: list[Highlight] = []
    pos = 0
    for start, end, label in spans:
        if start < pos:
            continue
        if start > pos:
            segments.append(Highlight(text[pos:start]))
        segments.append(Highlight(text[start:end], label))
        pos = end
    if pos < len(text):
        segments.append(Highlight(text[pos:]))
    cand = candidate or {}
    return Explanation(
        segments=segments,
        terms=terms,
        aspects=[(aid, label, words) for aid, (label, words) in sorted(found.items())],
        score=float(cand["score"]) if cand.get("score") is not None else None,
        rank=cand.get("rank"),
        method=cand.get("method"),
    )


# --------------------------------------------------------------------------- the view
def suggest_stage_for(text: str, *, use_model: bool = True) -> str | None:
    """The assessment's stage suggestion (its classifier, or cue words only)."""
    from weerbaar.assess import stage as stage_mod

    try:
        stage, _ = stage_mod.suggest_stage(text) if use_model else stage_mod.cue_stage(text)
    except Exception:  # a suggestion is optional; the reviewer decides
        return None
    return stage if stage in STAGES else None


def _default_measure(conn: Any, passage_id: int, queues: list[dict[str, Any]]) -> str:
    """The passage's best-ranked queue; for a passage judged outside any queue (e.g.
    imported), the measure it was judged for."""
    if queues:
        return str(queues[0]["measure_id"])
    judged = q.query_decisions(conn, passage_id=passage_id)
    if not judged:
        raise PassageNotFound(f"Passage {passage_id} staat in geen wachtrij.")
    return str(judged[0]["measure_id"])


def passage_view(
    ws: Workspace,
    *,
    passage_id: int,
    measure_id: str | None,
    reviewer: str,
    may_see: Callable[[str | None], bool],
    use_stage_model: bool = True,
    reranker: dict[str, Any] | None = None,
) -> PassageView:
    """Everything the review page shows for one passage and measure. ``measure_id`` None
    takes the passage's best-ranked queue. Raises :class:`PassageNotFound` when the
    passage does not exist, is outside ``may_see`` or has no queue to judge it in."""
    from weerbaar.catalog import load_catalog
    from weerbaar.store.official import official_text

    cat = load_catalog()
    with ws.read() as conn:
        passage = q.get_passage(conn, passage_id)
        if passage is None or not may_see(passage["organisation_code"]):
            raise PassageNotFound(f"Passage {passage_id} bestaat niet.")
        queues = q.passage_queues(conn, passage_id=passage_id)
        measure_id = measure_id or _default_measure(conn, passage_id, queues)
        try:
            measure = cat.measure(measure_id)
        except WeerbaarError as exc:
            raise PassageNotFound(f"Maatregel {measure_id} bestaat niet.") from exc
        cand = next((c for c in queues if c["measure_id"] == measure_id), None)
        version = cand["catalog_version"] if cand else cat.version
        neighbours = q.neighbour_passages(
            conn, document_id=passage["document_id"], seq=passage["seq"], before=1, after=1
        )
        pages = q.document_pages(
            conn, passage["document_id"], passage["page_start"], passage["page_end"]
        )
        mine = q.get_decision(
            conn,
            passage_id=passage_id,
            catalog_version=version,
            measure_id=measure_id,
            reviewer=reviewer,
        )
        org = passage["organisation_code"]
        nxt = None
        if cand is not None:
            nxt = wq.first_open(
                conn, organisation=org, measure_id=measure_id, after_rank=cand["rank"]
            )
        double = wq.is_double_review(
            conn, passage_id=passage_id, measure_id=measure_id, reviewer=reviewer
        )
    progress = None
    if cand is not None:
        progress = queue_progress(ws, organisation=org, measure_id=measure_id, reranker=reranker)
    suggested = (cand or {}).get("stage_suggested") or suggest_stage_for(
        passage["text"], use_model=use_stage_model
    )
    return PassageView(
        passage=passage,
        measure_id=measure_id,
        measure_title=measure.title,
        measure_description=measure.description,
        official_text=official_text(ws, measure_id, cat.version),
        before=[n for n in neighbours if n["seq"] < passage["seq"]],
        after=[n for n in neighbours if n["seq"] > passage["seq"]],
        source_ok=text_at_offsets_matches(passage, pages),
        suggested_stage=suggested,
        aspects=list(measure.aspects),
        measures=list(cat.measures),
        mine=mine,
        rank=cand["rank"] if cand else None,
        next_in_queue=nxt,
        progress=progress,
        explanation=explain(passage["text"], measure_id, cand),
        double_review=double,
        others=[c for c in queues if c["measure_id"] != measure_id],
    )


# --------------------------------------------------------------------------- a queue
@dataclass(frozen=True)
class QueueView:
    """One queue page: the filtered, sorted rows, the counts and the stopping rule."""

    organisation: str
    measure_id: str
    items: list[dict[str, Any]]
    matched: int  # rows that match the filters
    progress: QueueProgress
    next_id: int | None  # the first passage the reviewer has not decided
    documents: list[dict[str, Any]]  # for the document filter
    years: list[int]
    page: int
    pages: int


def queue_view(
    ws: Workspace,
    f: QueueFilter,
    *,
    page: int = 1,
    page_size: int = 50,
    reranker: dict[str, Any] | None = None,
) -> QueueView:
    """A page of one queue with the filters of ``f`` (see
    ``store.review_work.filtered_queue``)."""
    organisation, measure_id = f.organisation, f.measure_id
    progress = queue_progress(
        ws, organisation=organisation, measure_id=measure_id, reranker=reranker
    )
    with ws.read() as conn:
        items, matched = wq.filtered_queue(conn, f, limit=page_size, offset=(page - 1) * page_size)
        documents = wq.queue_documents(conn, organisation=organisation, measure_id=measure_id)
        next_id = q.next_in_queue(
            conn, organisation=organisation, measure_id=measure_id, reviewer=f.reviewer
        )
    return QueueView(
        organisation=organisation,
        measure_id=measure_id,
        items=items,
        matched=matched,
        progress=progress,
        next_id=next_id,
        documents=documents,
        years=sorted({d["year"] for d in documents if d["year"]}, reverse=True),
        page=page,
        pages=max(1, -(-matched // page_size)),
    )


# --------------------------------------------------------------------------- overview
@dataclass(frozen=True)
class OverviewView:
    organisations: list[dict[str, Any]]  # per organisation: measures, candidates, ...
    chosen: str | None
    measures: list[dict[str, Any]]  # the chosen organisation's queues, catalogue order


def overview_view(
    ws: Workspace, *, organisations: list[str] | None, chosen: str | None = None
) -> OverviewView:
    """Queue counts per organisation in scope, and per measure for ``chosen`` (the only
    organisation when there is just one)."""
    with ws.read() as conn:
        totals = q.organisation_counts(conn, organisations=organisations)
        if chosen is None and len(totals) == 1:
            chosen = totals[0]["organisation_code"]
        measures = q.queue_counts(conn, organisations=[chosen]) if chosen is not None else []
    measures.sort(
        key=lambda r: tuple(int(p) if p.isdigit() else 0 for p in r["measure_id"].split("."))
    )
    return OverviewView(totals, chosen, measures)
