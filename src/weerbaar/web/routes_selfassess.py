"""Pages of the self-assessment (zelfscan) in the web app: the 41 measures per pillar with
history, pre-fill from the scan, the action plan with its downloads, noodsteunpunten and
meterkastkaarten, import/export, and the role split per safety region.

Who may read and edit what is decided in :mod:`weerbaar.selfassess.access` (documented in
docs/zelfscan.md); these routes parse, ask it, call the self-assessment service and render.

POST routes take the organisation from the form (field ``organisatie``), never from the
path, and check CSRF before anything else.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from weerbaar.catalog import load_catalog
from weerbaar.errors import WeerbaarError
from weerbaar.selfassess import (
    PHASES,
    POINT_FUNCTIONS,
    Entry,
    Status,
    load_entries,
    prefill_from_scan,
    save_entry,
    service,
)
from weerbaar.selfassess import access as policy
from weerbaar.selfassess import files as sfiles
from weerbaar.selfassess import roles as sroles
from weerbaar.selfassess.core import ForeignEvidence
from weerbaar.selfassess.model import DEFAULT_CARD_TEXT, ORIGIN_LABELS
from weerbaar.web.accounts import Session
from weerbaar.web.deps import (
    ORG_RE,
    add_routes,
    checked_form,
    content_disposition,
    render,
    require_session,
    state,
)

router = APIRouter()


def register(app: FastAPI) -> None:
    """Add the zelfscan routes to the app (see :func:`weerbaar.web.deps.add_routes`)."""
    add_routes(app, router)


PREFIX = "/zelfscan"
ROLE_PREFIX = "/rolverdeling"
MAX_IMPORT = 200 * 1024  # the security middleware refuses form bodies above 256 kB
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARTY_LABELS = {
    "gemeente": "gemeente",
    "veiligheidsregio": "veiligheidsregio",
    "samen": "samen",
    "anders": "anders",
}


@dataclass(frozen=True)
class Access:
    """What the session may do with one organisation's self-assessment."""

    code: str
    name: str
    member: bool  # own organisation, or an unlimited beheerder
    can_edit: bool
    can_publish: bool
    published: bool


def _organisation(request: Request, code: str) -> Any:
    if not ORG_RE.match(code or ""):
        raise HTTPException(404)
    from weerbaar.store.organisations import resolve_organisation

    try:
        org = resolve_organisation(state(request).ws, code)
    except (WeerbaarError, LookupError, ValueError) as exc:
        raise HTTPException(404) from exc
    if org.code != code:
        raise HTTPException(404)
    return org


def access(request: Request, session: Session, code: str) -> Access:
    """The session's access to the self-assessment of ``code``; 404 when it may not read it."""
    if not ORG_RE.match(code or ""):
        raise HTTPException(404)
    published = service.is_published(state(request).ws, code)
    rights = policy.selfassessment_rights(session.user, code, published=published)
    if rights is None:
        raise HTTPException(404)
    org = _organisation(request, code)
    return Access(
        code=code,
        name=str(org.name),
        member=rights.member,
        can_edit=rights.can_edit,
        can_publish=rights.can_publish,
        published=rights.published,
    )


def _require_edit(acc: Access) -> None:
    if not acc.can_edit:
        raise HTTPException(
            403, "U mag deze zelfscan alleen lezen (rol lezer of een andere organisatie)."
        )


def _form_access(request: Request, session: Session, form: FormData) -> Access:
    code = form.get("organisatie")
    return access(request, session, code if isinstance(code, str) else "")


def _measure(measure_id: str | None) -> str:
    mid = (measure_id or "").strip()
    if not re.fullmatch(r"\d{1,2}\.\d{1,2}", mid) or not load_catalog().has_measure(mid):
        raise HTTPException(404)
    return mid


def _text(form: FormData, name: str, limit: int = 4000) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _documents(request: Request, code: str) -> list[dict[str, Any]]:
    from weerbaar.store.documents import list_documents

    with state(request).ws.read() as conn:
        docs = list_documents(conn, organisation=code)
    return [
        {"id": d["id"], "title": d["title"] or f"document {d['id']}", "year": d["year"]}
        for d in docs
    ]


def _written_download(write: Callable[[Path], Path], name: str, media: str) -> Response:
    """Send the file that ``write`` writes to the path it is given (in a temporary
    folder, removed afterwards) as a download named ``name``."""
    with tempfile.TemporaryDirectory() as tmp:
        data = write(Path(tmp) / name).read_bytes()
    return _download(data, name, media)


def _download(data: bytes, name: str, media: str) -> Response:
    return Response(
        data,
        media_type=media,
        headers={
            "Content-Disposition": content_disposition("attachment", name),
            "Cache-Control": "private, no-store",
        },
    )


def _slug(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "", code)


# --------------------------------------------------------------------------- index
def _candidate_codes(request: Request, session: Session) -> list[str]:
    from weerbaar.store.documents import list_documents
    from weerbaar.store.organisations import workspace_organisations

    ws = state(request).ws
    codes = {o.code for o in workspace_organisations(ws)}
    with ws.read() as conn:
        codes |= {d["organisation"] for d in list_documents(conn) if d["organisation"]}
    codes |= set(session.user.organisations or ())
    return sorted(codes)


@router.get(PREFIX)
def index(request: Request, session: Session = Depends(require_session)) -> Response:
    user = session.user
    mine: list[Access] = []
    public: list[Access] = []
    for code in _candidate_codes(request, session):
        try:
            acc = access(request, session, code)
        except HTTPException:
            continue
        (mine if acc.member else public).append(acc)
    regions = _visible_regions(request, session)
    return render(
        request,
        "zelfscan/index.html",
        mine=mine,
        public=public,
        regions=regions,
        unlimited=user.organisations is None,
    )


# --------------------------------------------------------------------------- zelfscan page
def _fmt_value(field: str, value: Any, titles: dict[int, str]) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if field == "evidence":
        parts = []
        for e in value:
            if "document_id" in e:
                parts.append(titles.get(e["document_id"], f"document {e['document_id']}"))
            else:
                parts.append(str(e.get("url", "")))
        return "; ".join(parts)
    if field == "origin":
        return ORIGIN_LABELS.get(value, str(value))
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _page_context(request: Request, acc: Access, **extra: Any) -> dict[str, Any]:
    ws = state(request).ws
    catalog = load_catalog()
    entries = {e.measure_id: e for e in load_entries(ws, acc.code, catalog)}
    docs = _documents(request, acc.code) if acc.member else []
    titles = {d["id"]: d["title"] for d in docs}
    hist: dict[str, list[dict[str, Any]]] = {}
    for h in service.history(ws, acc.code):
        rows = [
            (sfiles.FIELD_NAMES.get(f, f), _fmt_value(f, b, titles), _fmt_value(f, a, titles))
            for f, b, a in h["changes"]
        ]
        rows = [r for r in rows if r[1] != r[2]]  # e.g. no partners: None and []
        hist.setdefault(h["measure_id"], []).append(
            {"by": h["by"] if acc.member else "medewerker", "at": h["at"], "changes": rows}
        )
    for rows in hist.values():
        rows.reverse()  # newest first
    pillars = []
    for p in catalog.pillars:
        pillars.append(
            {
                "number": p.number,
                "name": p.name,
                "measures": [m for m in catalog.measures if m.pillar == p.number],
            }
        )
    counts: dict[str, int] = {}
    for e in entries.values():
        counts[e.status.value] = counts.get(e.status.value, 0) + 1
    scan = service.evidence_or_empty(ws, acc.code) if acc.member else {}
    ctx = {
        "acc": acc,
        "pillars": pillars,
        "entries": entries,
        "statuses": list(Status),
        "phases": PHASES,
        "docs": docs,
        "doc_titles": titles,
        "history": hist,
        "origin_labels": ORIGIN_LABELS,
        "empty": all(e.origin == "leeg" for e in entries.values()),
        "proposals": sum(1 for e in entries.values() if e.proposal),
        "scan_findings": {mid: ev.finding for mid, ev in scan.items()},
        "counts": counts,
        "saved": request.query_params.get("opgeslagen") or None,
        "notice": request.query_params.get("melding") or None,
        "error": None,
        "error_measure": None,
    }
    ctx.update(extra)
    return ctx


@router.get(PREFIX + "/{organisation}")
def zelfscan_page(
    request: Request, organisation: str, session: Session = Depends(require_session)
) -> Response:
    acc = access(request, session, organisation)
    return render(request, "zelfscan/zelfscan.html", **_page_context(request, acc))


@router.post(PREFIX + "/opslaan")
async def save_measure(request: Request, session: Session = Depends(require_session)) -> Response:
    form = await checked_form(request, session)
    acc = _form_access(request, session, form)
    _require_edit(acc)
    mid = _measure(_text(form, "maatregel", 16))
    evidence: list[Any] = []
    error = None
    for raw in [*form.getlist("bewijs_document"), _text(form, "bewijs_document_nieuw", 20)]:
        if not isinstance(raw, str) or not raw.strip():
            continue
        if not raw.strip().isdigit():
            error = "Kies als bewijs alleen documenten van deze organisatie."
            break
        if {"document_id": int(raw)} not in evidence:
            evidence.append({"document_id": int(raw)})
    urls = [u.strip() for u in _text(form, "bewijs_urls").splitlines() if u.strip()]
    values = {
        "status": _text(form, "status", 40),
        "owner": _text(form, "eigenaar", 200),
        "partners": _text(form, "partners", 1000),
        "phases": [p for p in form.getlist("fase") if isinstance(p, str)],
        "deadline": _text(form, "deadline", 20),
        "evidence": evidence + urls,
        "notes": _text(form, "notities"),
        "origin": "handmatig",
    }
    if error is None:
        try:
            save_entry(state(request).ws, acc.code, mid, values, by=session.user.name)
        except ForeignEvidence:
            error = "Kies als bewijs alleen documenten van deze organisatie."
        except (ValueError, WeerbaarError) as exc:
            error = str(exc)
    if error is not None:
        ctx = _page_context(request, acc, error=error, error_measure=mid)
        ctx["entries"][mid] = _draft(ctx["entries"][mid], values, form)
        return render(request, "zelfscan/zelfscan.html", status_code=400, **ctx)
    return RedirectResponse(
        f"{PREFIX}/{acc.code}?opgeslagen={mid}#m-{mid.replace('.', '-')}", status_code=303
    )


def _draft(stored: Entry, values: dict[str, Any], form: FormData) -> Entry:
    """The user's own input after a refused save, so nothing typed is lost."""
    try:
        status = Status.parse(values["status"])
    except ValueError:
        status = stored.status
    evidence = [
        {"document_id": int(d)}
        for d in [*form.getlist("bewijs_document"), _text(form, "bewijs_document_nieuw", 20)]
        if isinstance(d, str) and d.strip().isdigit()
    ]
    evidence += [{"url": u.strip()} for u in _text(form, "bewijs_urls").splitlines() if u.strip()]
    return replace(
        stored,
        status=status,
        owner=values["owner"] or None,
        partners=tuple(p.strip() for p in values["partners"].split(";") if p.strip()),
        phases=tuple(p for p in values["phases"] if p in PHASES),
        deadline=values["deadline"] or None,
        evidence=tuple(evidence),
        notes=values["notes"] or None,
    )


@router.post(PREFIX + "/vooraf-invullen")
async def prefill(request: Request, session: Session = Depends(require_session)) -> Response:
    form = await checked_form(request, session)
    acc = _form_access(request, session, form)
    _require_edit(acc)
    ws = state(request).ws
    n = prefill_from_scan(ws, acc.code, evidence=service.evidence_or_empty(ws, acc.code))
    return RedirectResponse(f"{PREFIX}/{acc.code}?melding=vooraf-{n}", status_code=303)


@router.post(PREFIX + "/publiceren")
async def publish(request: Request, session: Session = Depends(require_session)) -> Response:
    form = await checked_form(request, session)
    acc = _form_access(request, session, form)
    if not acc.can_publish:
        raise HTTPException(403, "Alleen een beoordelaar of beheerder van de organisatie mag dit.")
    choice = _text(form, "publiceren", 4)
    if choice not in ("ja", "nee"):
        raise HTTPException(400, "Kies publiceren of privé maken.")
    service.set_published(state(request).ws, acc.code, choice == "ja")
    melding = "gepubliceerd" if choice == "ja" else "prive"
    return RedirectResponse(f"{PREFIX}/{acc.code}?melding={melding}", status_code=303)


# --------------------------------------------------------------------------- action plan
@router.get(PREFIX + "/{organisation}/actieplan")
def plan_page(
    request: Request, organisation: str, session: Session = Depends(require_session)
) -> Response:
    acc = access(request, session, organisation)
    plan = service.plan_for(state(request).ws, acc.code)
    return render(request, "zelfscan/actieplan.html", acc=acc, plan=plan)


@router.get(PREFIX + "/{organisation}/actieplan.xlsx")
def plan_xlsx(
    request: Request, organisation: str, session: Session = Depends(require_session)
) -> Response:
    acc = access(request, session, organisation)
    plan = service.plan_for(state(request).ws, acc.code)
    return _written_download(
        lambda path: sfiles.export_action_plan_xlsx(plan, path, organisation_name=acc.name),
        f"actieplan-{_slug(acc.code)}.xlsx",
        XLSX,
    )


@router.get(PREFIX + "/{organisation}/actieplan.pdf")
def plan_pdf(
    request: Request, organisation: str, session: Session = Depends(require_session)
) -> Response:
    acc = access(request, session, organisation)
    plan = service.plan_for(state(request).ws, acc.code)
    html = sfiles.render_action_plan_html(
        plan,
        organisation_name=acc.name,
        generated=datetime.now(UTC).date().isoformat(),
    )
    return _written_download(
        lambda path: sfiles.html_to_pdf(html, path),
        f"actieplan-{_slug(acc.code)}.pdf",
        "application/pdf",
    )


# --------------------------------------------------------------------------- export/import
@router.get(PREFIX + "/{organisation}/uitwisselen")
def transfer_page(
    request: Request, organisation: str, session: Session = Depends(require_session)
) -> Response:
    acc = access(request, session, organisation)
    return render(request, "zelfscan/uitwisselen.html", acc=acc, summary=None, error=None)


def _export(request: Request, session: Session, organisation: str, suffix: str) -> Response:
    acc = access(request, session, organisation)
    entries = load_entries(state(request).ws, acc.code)
    media = XLSX if suffix == ".xlsx" else "text/csv; charset=utf-8"
    return _written_download(
        lambda path: sfiles.export_entries(entries, path, organisation_name=acc.name),
        f"zelfscan-{_slug(acc.code)}{suffix}",
        media,
    )


@router.get(PREFIX + "/{organisation}/zelfscan.xlsx")
def export_xlsx(
    request: Request, organisation: str, session: Session = Depends(require_session)
) -> Response:
    return _export(request, session, organisation, ".xlsx")


@router.get(PREFIX + "/{organisation}/zelfscan.csv")
def export_csv(
    request: Request, organisation: str, session: Session = Depends(require_session)
) -> Response:
    return _export(request, session, organisation, ".csv")


@router.post(PREFIX + "/importeren")
async def import_file(request: Request, session: Session = Depends(require_session)) -> Response:
    form = await checked_form(request, session, max_files=1)
    acc = _form_access(request, session, form)
    _require_edit(acc)
    upload = form.get("bestand")

    def fail(message: str) -> Response:
        return render(
            request,
            "zelfscan/uitwisselen.html",
            status_code=400,
            acc=acc,
            summary=None,
            error=message,
        )

    if not isinstance(upload, UploadFile) or not upload.filename:
        return fail("Kies een bestand (.xlsx of .csv).")
    suffix = Path(upload.filename).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        return fail("Alleen .xlsx- en .csv-bestanden kunnen worden ingelezen.")
    data = await upload.read(MAX_IMPORT + 1)
    if len(data) > MAX_IMPORT:
        return fail("Het bestand is te groot (meer dan 200 kB).")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"import{suffix}"
        path.write_bytes(data)
        try:
            summary = await run_in_threadpool(  # parsing off the event loop
                service.import_entries, state(request).ws, acc.code, path, by=session.user.name
            )
        except ForeignEvidence as exc:
            return fail(
                "Het bestand noemt documenten die niet bij deze organisatie horen: "
                + ", ".join(f"document:{d}" for d in exc.ids[:10])
                + ". Er is niets ingelezen."
            )
        except WeerbaarError as exc:
            return fail(str(exc).replace(str(path), upload.filename[:100]))
    return render(request, "zelfscan/uitwisselen.html", acc=acc, summary=summary, error=None)


# --------------------------------------------------------------------------- noodsteunpunten
def _points_context(request: Request, acc: Access, **extra: Any) -> dict[str, Any]:
    ws = state(request).ws
    points = service.list_points(ws, acc.code)
    wijken: dict[str, list[dict[str, Any]]] = {}
    for p in points:
        wijken.setdefault(p["wijk"], []).append(p)
    ctx = {
        "acc": acc,
        "wijken": sorted(wijken.items()),
        "functions": POINT_FUNCTIONS,
        "card_text": service.card_text(ws, acc.code),
        "default_text": DEFAULT_CARD_TEXT,
        "error": None,
        "values": {},
        "notice": request.query_params.get("melding") or None,
    }
    ctx.update(extra)
    return ctx


@router.get(PREFIX + "/{organisation}/noodsteunpunten")
def points_page(
    request: Request, organisation: str, session: Session = Depends(require_session)
) -> Response:
    acc = access(request, session, organisation)
    return render(request, "zelfscan/noodsteunpunten.html", **_points_context(request, acc))


@router.post(PREFIX + "/noodsteunpunt/toevoegen")
async def add_point(request: Request, session: Session = Depends(require_session)) -> Response:
    form = await checked_form(request, session)
    acc = _form_access(request, session, form)
    _require_edit(acc)
    values = {
        "name": _text(form, "naam", 300),
        "address": _text(form, "adres", 300),
        "wijk": _text(form, "wijk", 300),
        "functions": [f for f in form.getlist("functie") if isinstance(f, str)][:20],
    }
    try:
        service.add_point(state(request).ws, acc.code, **values)
    except WeerbaarError as exc:
        ctx = _points_context(request, acc, error=str(exc), values=values)
        return render(request, "zelfscan/noodsteunpunten.html", status_code=400, **ctx)
    return RedirectResponse(
        f"{PREFIX}/{acc.code}/noodsteunpunten?melding=toegevoegd", status_code=303
    )


@router.post(PREFIX + "/noodsteunpunt/verwijderen")
async def delete_point(request: Request, session: Session = Depends(require_session)) -> Response:
    form = await checked_form(request, session)
    acc = _form_access(request, session, form)
    _require_edit(acc)
    raw = _text(form, "punt", 12)
    if not raw.isdigit() or not service.delete_point(state(request).ws, acc.code, int(raw)):
        raise HTTPException(404)
    return RedirectResponse(
        f"{PREFIX}/{acc.code}/noodsteunpunten?melding=verwijderd", status_code=303
    )


@router.post(PREFIX + "/kaarttekst")
async def save_card_text(request: Request, session: Session = Depends(require_session)) -> Response:
    form = await checked_form(request, session)
    acc = _form_access(request, session, form)
    _require_edit(acc)
    text = _text(form, "tekst", 5000)
    if _text(form, "standaard", 4) == "ja":
        text = ""
    try:
        service.set_card_text(state(request).ws, acc.code, text)
    except WeerbaarError as exc:
        ctx = _points_context(request, acc, error=str(exc))
        return render(request, "zelfscan/noodsteunpunten.html", status_code=400, **ctx)
    return RedirectResponse(f"{PREFIX}/{acc.code}/noodsteunpunten?melding=tekst", status_code=303)


def _cards(request: Request, session: Session, organisation: str, size: str) -> Response:
    acc = access(request, session, organisation)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            path = service.write_cards(state(request).ws, acc.code, acc.name, Path(tmp), size=size)
        except WeerbaarError as exc:
            raise HTTPException(409, str(exc)) from exc
        data = path.read_bytes()
    return _download(data, f"meterkastkaarten-{_slug(acc.code)}-{size}.pdf", "application/pdf")


@router.get(PREFIX + "/{organisation}/meterkastkaarten-a6.pdf")
def cards_a6(
    request: Request, organisation: str, session: Session = Depends(require_session)
) -> Response:
    return _cards(request, session, organisation, "A6")


@router.get(PREFIX + "/{organisation}/meterkastkaarten-a5.pdf")
def cards_a5(
    request: Request, organisation: str, session: Session = Depends(require_session)
) -> Response:
    return _cards(request, session, organisation, "A5")


# --------------------------------------------------------------------------- rolverdeling
@dataclass(frozen=True)
class RegionAccess:
    code: str
    name: str
    municipalities: list[Any]  # visible municipalities (Organisation)
    editable: set[str]  # codes the session may edit


def region_access(request: Request, session: Session, code: str) -> RegionAccess:
    """Who sees which rows of a region's role split (see the module docstring)."""
    if not ORG_RE.match(code or ""):
        raise HTTPException(404)
    region = _organisation(request, code)
    if region.type != "veiligheidsregio":
        raise HTTPException(404)
    all_munis = sroles.region_municipalities(state(request).ws, code)
    rights = policy.role_split_rights(session.user, code, [m.code for m in all_munis])
    if rights is None:
        raise HTTPException(404)
    visible = [m for m in all_munis if m.code in rights.visible]
    return RegionAccess(
        code=code, name=str(region.name), municipalities=visible, editable=set(rights.editable)
    )


def _visible_regions(request: Request, session: Session) -> list[tuple[str, str]]:
    from weerbaar.store.organisations import workspace_organisations

    codes: set[str] = set()
    if session.user.organisations is None:
        codes = {
            o.code
            for o in workspace_organisations(state(request).ws)
            if o.type == "veiligheidsregio"
        }
    else:
        for c in session.user.organisations:
            try:
                org = _organisation(request, c)
            except HTTPException:
                continue
            if org.type == "veiligheidsregio":
                codes.add(org.code)
            elif org.region_code:
                codes.add(org.region_code)
    out = []
    for c in sorted(codes):
        try:
            r = region_access(request, session, c)
        except HTTPException:
            continue
        out.append((r.code, r.name))
    return out


def _role_records(request: Request, ra: RegionAccess) -> dict[tuple[str, str], dict[str, Any]]:
    from weerbaar.store import selfassess as q

    with state(request).ws.read() as conn:
        rows = q.get_roles(conn, ra.code)
    visible = {m.code for m in ra.municipalities}
    return {
        (r["organisation_code"], r["measure_id"]): r
        for r in rows
        if r["organisation_code"] in visible
    }


@router.get(ROLE_PREFIX + "/{organisation}")
def roles_page(
    request: Request, organisation: str, session: Session = Depends(require_session)
) -> Response:
    ra = region_access(request, session, organisation)
    chosen = request.query_params.get("gemeente") or None
    codes = [m.code for m in ra.municipalities]
    if chosen not in codes:
        chosen = next((c for c in codes if c in ra.editable), codes[0] if codes else None)
    return render(
        request,
        "zelfscan/rolverdeling.html",
        ra=ra,
        records=_role_records(request, ra),
        measures=load_catalog().measures,
        chosen=chosen,
        chosen_name=next((m.name for m in ra.municipalities if m.code == chosen), ""),
        parties=PARTY_LABELS,
        error=None,
        saved=request.query_params.get("opgeslagen") == "1",
    )


@router.post(ROLE_PREFIX + "/opslaan")
async def roles_save(request: Request, session: Session = Depends(require_session)) -> Response:
    form = await checked_form(request, session)
    ra = region_access(request, session, _text(form, "regio", 40))
    muni_code = _text(form, "gemeente", 40)
    muni = next((m for m in ra.municipalities if m.code == muni_code), None)
    if muni is None:
        raise HTTPException(404)
    if muni.code not in ra.editable:
        raise HTTPException(403, "U mag de rolverdeling van deze gemeente alleen lezen.")
    records = _role_records(request, ra)
    ws = state(request).ws
    errors: list[str] = []
    for m in load_catalog().measures:
        resp = _text(form, f"verantwoordelijk_{m.id}", 40)
        sup = _text(form, f"ondersteunt_{m.id}", 40) or None
        agreed = _text(form, f"afgesproken_{m.id}", 4) == "ja"
        day = _text(form, f"datum_{m.id}", 20) or None
        old = records.get((muni.code, m.id))
        if not resp:
            if old is None and (sup or agreed or day):
                errors.append(f"{m.id}: kies wie verantwoordelijk is.")
            continue
        if old is not None and (
            old["responsible"],
            old["supporting"],
            bool(old["agreed"]),
            old["agreed_on"],
        ) == (resp, sup, agreed, day):
            continue
        try:
            sroles.record_role(
                ws,
                muni,
                m.id,
                responsible=resp,
                supporting=sup,
                agreed=agreed,
                agreed_on=day,
                notes=old["notes"] if old else None,
            )
        except WeerbaarError as exc:
            errors.append(f"{m.id}: {exc}")
    if errors:
        return render(
            request,
            "zelfscan/rolverdeling.html",
            status_code=400,
            ra=ra,
            records=_role_records(request, ra),
            measures=load_catalog().measures,
            chosen=muni.code,
            chosen_name=muni.name,
            parties=PARTY_LABELS,
            error=" ".join(errors[:10]),
            saved=False,
        )
    return RedirectResponse(
        f"{ROLE_PREFIX}/{ra.code}?gemeente={muni.code}&opgeslagen=1#bewerken", status_code=303
    )


def _roles_file(request: Request, session: Session, organisation: str, suffix: str) -> Response:
    ra = region_access(request, session, organisation)
    region = _organisation(request, ra.code)
    visible = {m.code for m in ra.municipalities}
    rows = [r for r in sroles.role_table(state(request).ws, region) if r[1] in visible]
    media = XLSX if suffix == ".xlsx" else "text/csv; charset=utf-8"
    return _written_download(
        lambda path: sfiles.export_roles(rows, path, region_name=ra.name),
        f"rolverdeling-{_slug(ra.code)}{suffix}",
        media,
    )


@router.get(ROLE_PREFIX + "/{organisation}/rolverdeling.xlsx")
def roles_xlsx(
    request: Request, organisation: str, session: Session = Depends(require_session)
) -> Response:
    return _roles_file(request, session, organisation, ".xlsx")


@router.get(ROLE_PREFIX + "/{organisation}/rolverdeling.csv")
def roles_csv(
    request: Request, organisation: str, session: Session = Depends(require_session)
) -> Response:
    return _roles_file(request, session, organisation, ".csv")
