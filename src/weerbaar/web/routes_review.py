"""Review pages: a queue with filters, one passage (``/passages/{id}``, the same number as
in reports and exports), saving a decision, undo, the next open passage and the personal
work list. Each handler parses, calls one library function and renders."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from weerbaar.review import ReviewError, record_decision, undo_last
from weerbaar.review.core import STAGES
from weerbaar.review.views import PassageNotFound, PassageView, passage_view, queue_view
from weerbaar.review.work import next_open_passage, work_list
from weerbaar.store import decisions as q
from weerbaar.store.review_work import QueueFilter
from weerbaar.web.accounts import Session
from weerbaar.web.deps import (
    PAGE_SIZE,
    checked_form,
    page_no,
    parse_id,
    render,
    require_reviewer,
    require_session,
    scope,
    state,
    valid_measure,
    visible_org,
)

router = APIRouter()

STATUS_FILTERS = {"": "alle", "open": "open", "beoordeeld": "beoordeeld", "mijn": "door mij"}
ORDERS = {"rang": "rang", "score": "score", "jaar": "jaar (nieuwste eerst)", "document": "document"}
FLOW_WORK = "werk"  # the reviewer came through "volgende open passage"


# --------------------------------------------------------------------------- queue
def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@router.get("/wachtrij/{organisation}/{measure_id}")
def queue_page(
    request: Request,
    organisation: str,
    measure_id: str,
    session: Session = Depends(require_session),
) -> Response:
    visible_org(session, organisation)
    valid_measure(measure_id)
    status = request.query_params.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    order = request.query_params.get("sorteer", "rang")
    order = order if order in ORDERS else "rang"
    stage = request.query_params.get("fase", "")
    stage = stage if stage in STAGES else ""
    year, doc = _int_param(request, "jaar"), _int_param(request, "document")
    wanted = QueueFilter(
        organisation, measure_id, session.user.name, status or None, year, doc, stage or None, order
    )
    view = queue_view(
        state(request).ws,
        wanted,
        page=page_no(request),
        page_size=PAGE_SIZE,
        reranker=state(request).reranker.estimate(organisation, measure_id),
    )
    filters = {"status": status, "sorteer": order, "fase": stage}
    filters.update({"jaar": str(year or ""), "document": str(doc or "")})
    return render(
        request,
        "queue.html",
        organisation=organisation,
        measure_id=measure_id,
        items=view.items,
        matched=view.matched,
        progress=view.progress,
        next_id=view.next_id,
        page=view.page,
        pages=view.pages,
        done=request.query_params.get("klaar") == "1",
        filters=filters,
        filter_query=urlencode({k: v for k, v in filters.items() if v}),
        documents=view.documents,
        years=view.years,
        status_filters=STATUS_FILTERS,
        orders=ORDERS,
    )


# --------------------------------------------------------------------------- passage
def _view(
    request: Request, session: Session, passage_id: int, measure_id: str | None
) -> PassageView:
    st = state(request)
    if measure_id is not None:
        valid_measure(measure_id)
    org = None
    with st.ws.read() as conn:
        org = q.passage_organisation(conn, passage_id)
    try:
        return passage_view(
            st.ws,
            passage_id=passage_id,
            measure_id=measure_id,
            reviewer=session.user.name,
            may_see=session.user.may_see,
            use_stage_model=st.stage_model,
            reranker=st.reranker.estimate(org, measure_id) if org and measure_id else None,
        )
    except PassageNotFound as exc:
        raise HTTPException(404) from exc


def _render_passage(
    request: Request, view: PassageView, *, status_code: int = 200, error: str | None = None
) -> Response:
    params = request.query_params
    return render(
        request,
        "passage.html",
        status_code=status_code,
        v=view,
        passage=view.passage,
        measure_id=view.measure_id,
        flow=FLOW_WORK if params.get("vervolg") == FLOW_WORK else "",
        error=error,
        saved=params.get("opgeslagen") == "1",
        undone=params.get("ongedaan") == "1",
        queue_done=params.get("wachtrij_klaar") == "1",
    )


@router.get("/passages/{passage_id}")
def passage_page(
    request: Request, passage_id: str, session: Session = Depends(require_session)
) -> Response:
    """One passage by its database id: the number used in reports, exports and the log."""
    measure = request.query_params.get("maatregel") or None
    return _render_passage(request, _view(request, session, parse_id(passage_id), measure))


@router.get("/passage/{passage_id}")
def passage_page_old(
    request: Request, passage_id: str, session: Session = Depends(require_session)
) -> Response:
    """The same page under its older address."""
    return passage_page(request, passage_id, session)


@router.get("/passages")
def jump_to_passage(request: Request, session: Session = Depends(require_session)) -> Response:
    """Jump by passage number (the form in the header)."""
    raw = (request.query_params.get("id") or "").strip().lstrip("#")
    if not raw.isdigit() or len(raw) > 12:
        return render(
            request,
            "error.html",
            status_code=400,
            message="Vul een passagenummer in (alleen cijfers).",
            status=400,
        )
    return RedirectResponse(f"/passages/{int(raw)}", status_code=303)


def _bool_field(value: Any) -> bool | None:
    return {"ja": True, "nee": False}.get(str(value or ""))


def _next_url(request: Request, session: Session, org: str, measure: str, flow: str) -> str:
    """Where "opslaan en volgende" goes: the next open passage of the work list in the
    work flow; else the next passage of this queue, and when the queue is finished the
    next open passage elsewhere in the reviewer's scope (no dead end)."""
    ws = state(request).ws
    if flow != FLOW_WORK:
        with ws.read() as conn:
            nxt = q.next_in_queue(
                conn, organisation=org, measure_id=measure, reviewer=session.user.name
            )
        if nxt is not None:
            return f"/passages/{nxt}?maatregel={measure}&opgeslagen=1"
    found = next_open_passage(ws, reviewer=session.user.name, organisations=scope(session))
    if found is None:
        return "/werklijst?klaar=1"
    extra = "" if flow == FLOW_WORK else "&wachtrij_klaar=1"
    return f"/passages/{found.passage_id}?maatregel={found.measure_id}&vervolg={FLOW_WORK}&opgeslagen=1{extra}"


@router.post("/passage/{passage_id}/beslissing")
async def decision_submit(
    request: Request, passage_id: str, session: Session = Depends(require_session)
) -> Response:
    form = await checked_form(request, session)
    # database work off the event loop: a held write lock must not stall other requests
    return await run_in_threadpool(_decide, request, session, passage_id, form)


def _decide(request: Request, session: Session, passage_id: str, form: Any) -> Response:
    pid = parse_id(passage_id)
    measure = valid_measure(str(form.get("maatregel") or ""))
    ws = state(request).ws
    with ws.read() as conn:
        org = q.passage_organisation(conn, pid)
    if org is None or not session.user.may_see(org):
        raise HTTPException(404)
    require_reviewer(session)
    relevant = str(form.get("relevant") or "")
    other = str(form.get("andere_maatregel") or "") or None
    flow = FLOW_WORK if form.get("vervolg") == FLOW_WORK else ""
    try:
        if not relevant:
            raise ReviewError("Kies of de passage relevant is (ja, nee of andere maatregel).")
        if relevant == "ja" and not form.get("fase"):
            raise ReviewError(
                "Kies bij ‘relevant: ja’ de fase die de passage laat zien (1–4); "
                "het voorstel van de software telt pas als u het zelf kiest."
            )
        if other is not None and relevant == "andere":
            valid_measure(other)
        record_decision(
            ws,
            reviewer=session.user.name,
            passage_id=pid,
            measure_id=measure,
            relevant=relevant,
            other_measure_id=other if relevant == "andere" else None,
            source_ok=_bool_field(form.get("juist")),
            context_ok=_bool_field(form.get("context")),
            stage=str(form.get("fase") or "") or None,
            aspects=[str(a)[:32] for a in form.getlist("aspect")][:50],
            comment=str(form.get("opmerking") or "")[:4000],
        )
    except (ReviewError, HTTPException) as exc:
        message = (
            "Kies een geldige andere maatregel." if isinstance(exc, HTTPException) else str(exc)
        )
        return _render_passage(
            request, _view(request, session, pid, measure), status_code=400, error=message
        )
    state(request).reranker.request(org, measure)
    return RedirectResponse(_next_url(request, session, org, measure, flow), status_code=303)


@router.post("/ongedaan")
async def undo_submit(request: Request, session: Session = Depends(require_session)) -> Response:
    await checked_form(request, session)
    require_reviewer(session)
    undone = await run_in_threadpool(undo_last, state(request).ws, session.user.name)
    if undone is None:
        return RedirectResponse("/?niets_ongedaan=1", status_code=303)
    return RedirectResponse(
        f"/passages/{undone['passage_id']}?maatregel={undone['measure_id']}&ongedaan=1",
        status_code=303,
    )


# --------------------------------------------------------------------------- work flow
@router.get("/volgende")
def next_open(request: Request, session: Session = Depends(require_session)) -> Response:
    """The next open passage in the reviewer's scope (crucial measures and organisations
    with the least evidence first, or the coordinator's order)."""
    found = next_open_passage(
        state(request).ws, reviewer=session.user.name, organisations=scope(session)
    )
    if found is None:
        return RedirectResponse("/werklijst?klaar=1", status_code=303)
    return RedirectResponse(
        f"/passages/{found.passage_id}?maatregel={found.measure_id}&vervolg={FLOW_WORK}",
        status_code=303,
    )


@router.get("/werklijst")
def work_page(request: Request, session: Session = Depends(require_session)) -> Response:
    """The reviewer's work list: queues in working order with progress."""
    work = work_list(state(request).ws, reviewer=session.user.name, organisations=scope(session))
    page = page_no(request)
    shown = work.queues[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return render(
        request,
        "worklist.html",
        work=work,
        queues=shown,
        page=page,
        pages=max(1, math.ceil(len(work.queues) / PAGE_SIZE)),
        done=request.query_params.get("klaar") == "1",
    )
