"""Scores and team work: the organisation page (score per measure with reasons, evidence
and open queue; computed by ``weerbaar.assess`` on every request, so it follows each
decision), the region page, agreement, the coordinator's assignments and double-review
sample, and the curator's settlement of disagreements."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from weerbaar.assess import assess
from weerbaar.assess.model import Score
from weerbaar.errors import UnknownOrganisation
from weerbaar.review import ReviewError, agreement
from weerbaar.review.work import assign, assignments, curate, sample_double_review, unassign
from weerbaar.web.accounts import Session, list_users
from weerbaar.web.deps import (
    MEASURE_RE,
    checked_form,
    parse_id,
    render,
    require_admin,
    require_session,
    scope,
    state,
    valid_measure,
    visible_org,
)

router = APIRouter()
MAX_DISAGREEMENTS = 100
SCORE_CLASS = {
    Score.HOOG: "hoog",
    Score.MIDDEN: "midden",
    Score.LAAG: "laag",
    Score.ONVOLDOENDE: "onvoldoende",
    Score.NOG_NIET: "nb",
}


# --------------------------------------------------------------------------- scores
@router.get("/organisaties/{code}")
def organisation_page(
    request: Request, code: str, session: Session = Depends(require_session)
) -> Response:
    """Score per measure with reasons, evidence, open queue and source coverage."""
    visible_org(session, code)
    try:
        result = assess(state(request).ws, code)
    except UnknownOrganisation as exc:
        raise HTTPException(404) from exc
    org = result.org(code)
    if org is None:
        raise HTTPException(404)
    return render(request, "organisation.html", org=org, result=result, score_class=SCORE_CLASS)


@router.get("/regios/{code}")
def region_page(
    request: Request, code: str, session: Session = Depends(require_session)
) -> Response:
    """The region's municipalities side by side, one column each."""
    visible_org(session, code)
    try:
        result = assess(state(request).ws, region=code)
    except UnknownOrganisation as exc:
        raise HTTPException(404) from exc
    orgs = [o for o in result.organisations if session.user.may_see(o.organisation)]
    region = next((o for o in orgs if o.organisation == code.upper()), None)
    municipalities = [o for o in orgs if o.organisation != code.upper()]
    measures = [result.measure_info[m] for m in result.measure_info]
    columns = ([region] if region else []) + municipalities
    # one lookup per cell (organisations x measures), not a search through the scores
    cells = {(o.organisation, s.measure): s.score for o in columns for s in o.scores}
    return render(
        request,
        "region.html",
        code=code.upper(),
        region=region,
        municipalities=municipalities,
        columns=columns,
        cells=cells,
        measures=measures,
        score_class=SCORE_CLASS,
    )


# --------------------------------------------------------------------------- agreement
@router.get("/overeenstemming")
def agreement_page(request: Request, session: Session = Depends(require_session)) -> Response:
    result = agreement(state(request).ws, organisation=scope(session))
    names = {"relevant": "relevantie", "stage": "fase", "source_ok": "juistheid"}
    names["context_ok"] = "context"
    shown = [
        {**d, "points_nl": ", ".join(names.get(p, p) for p in d["points"])}
        for d in result.disagreements[:MAX_DISAGREEMENTS]
    ]
    return render(
        request,
        "agreement.html",
        result=result,
        disagreements=shown,
        n_disagreements=len(result.disagreements),
        open_disagreements=sum(1 for d in result.disagreements if not d["curator"]),
    )


# --------------------------------------------------------------------------- coordinator
def _reviewers(request: Request) -> list[str]:
    return [
        str(u["naam"])
        for u in list_users(state(request).ws)
        if u.get("actief") and u.get("rol") in ("beoordelaar", "beheerder")
    ]


@router.get("/team")
def team_page(request: Request, session: Session = Depends(require_session)) -> Response:
    require_admin(session)
    from weerbaar.store import review_work as wq

    ws = state(request).ws
    with ws.read() as conn:
        doubles = wq.count_double_reviews(conn)
        orgs = sorted({o for (o, _m) in wq.open_counts(conn, organisations=scope(session))})
    return render(
        request,
        "team.html",
        reviewers=_reviewers(request),
        assignments=assignments(ws),
        doubles=doubles,
        organisations=orgs,
        message=request.query_params.get("melding", "")[:200],
        error=None,
    )


@router.post("/team/toewijzen")
async def team_assign(request: Request, session: Session = Depends(require_session)) -> Response:
    form = await checked_form(request, session)
    require_admin(session)
    reviewer = str(form.get("beoordelaar") or "")
    org = visible_org(session, str(form.get("organisatie") or "").strip().upper())
    measure = str(form.get("maatregel") or "").strip() or None
    if measure is not None:
        valid_measure(measure)
    if reviewer not in _reviewers(request):
        raise HTTPException(400, "Kies een bestaande beoordelaar.")
    raw = str(form.get("prioriteit") or "0")
    priority = int(raw) if raw.lstrip("-").isdigit() and len(raw) < 6 else 0
    assign(
        state(request).ws,
        reviewer=reviewer,
        organisation=org,
        measure_id=measure,
        priority=priority,
        assigned_by=session.user.name,
    )
    return RedirectResponse("/team?melding=toegewezen", status_code=303)


@router.post("/team/toewijzing/{assignment_id}/verwijderen")
async def team_unassign(
    request: Request, assignment_id: str, session: Session = Depends(require_session)
) -> Response:
    await checked_form(request, session)
    aid = parse_id(assignment_id)
    found = [a for a in assignments(state(request).ws) if a["id"] == aid]
    if not found or not session.user.may_see(found[0]["organisation_code"]):
        raise HTTPException(404)
    require_admin(session)
    unassign(state(request).ws, aid)
    return RedirectResponse("/team?melding=verwijderd", status_code=303)


@router.post("/team/steekproef")
async def team_sample(request: Request, session: Session = Depends(require_session)) -> Response:
    form = await checked_form(request, session)
    require_admin(session)
    raw = str(form.get("procent") or "").replace(",", ".")
    try:
        percent = float(raw)
    except ValueError:
        percent = 0.0
    chosen = [str(r) for r in form.getlist("beoordelaars")]
    known = set(_reviewers(request))
    try:
        n = sample_double_review(
            state(request).ws,
            fraction=percent / 100.0,
            reviewers=[r for r in chosen if r in known],
            assigned_by=session.user.name,
            organisations=scope(session),
        )
    except ReviewError as exc:
        return render(
            request,
            "team.html",
            status_code=400,
            reviewers=_reviewers(request),
            assignments=assignments(state(request).ws),
            doubles={},
            organisations=[],
            message="",
            error=str(exc),
        )
    return RedirectResponse(f"/team?melding=steekproef-{n}", status_code=303)


# --------------------------------------------------------------------------- curation
def _disagreement(request: Request, session: Session, passage_id: int, measure: str) -> dict:
    result = agreement(state(request).ws, measure_id=measure, organisation=scope(session))
    for d in result.disagreements:
        if d["passage_id"] == passage_id:
            return d
    raise HTTPException(404)


@router.get("/beslechten/{passage_id}")
def curate_page(
    request: Request, passage_id: str, session: Session = Depends(require_session)
) -> Response:
    measure = valid_measure(request.query_params.get("maatregel"))
    pid = parse_id(passage_id)
    from weerbaar.review.views import PassageNotFound, passage_view

    try:
        view = passage_view(
            state(request).ws,
            passage_id=pid,
            measure_id=measure,
            reviewer=session.user.name,
            may_see=session.user.may_see,
            use_stage_model=False,
        )
    except PassageNotFound as exc:
        raise HTTPException(404) from exc
    found = _disagreement(request, session, pid, measure)
    require_admin(session)
    return render(
        request,
        "curate.html",
        v=view,
        d=found,
        error=None,
    )


@router.post("/beslechten/{passage_id}")
async def curate_submit(
    request: Request, passage_id: str, session: Session = Depends(require_session)
) -> Response:
    form = await checked_form(request, session)
    pid = parse_id(passage_id)
    measure = str(form.get("maatregel") or "")
    if not MEASURE_RE.match(measure):
        raise HTTPException(404)
    _disagreement(request, session, pid, measure)
    require_admin(session)
    relevant = str(form.get("relevant") or "")
    other = str(form.get("andere_maatregel") or "") or None
    if other is not None:
        valid_measure(other)
    try:
        curate(
            state(request).ws,
            curator=session.user.name,
            passage_id=pid,
            measure_id=measure,
            relevant=relevant,
            other_measure_id=other if relevant == "andere" else None,
            stage=str(form.get("fase") or "") or None,
            aspects=[str(a)[:32] for a in form.getlist("aspect")][:50],
            comment=str(form.get("opmerking") or "")[:4000],
        )
    except ReviewError as exc:
        raise HTTPException(400, str(exc)) from exc
    return RedirectResponse("/overeenstemming?beslecht=1", status_code=303)
