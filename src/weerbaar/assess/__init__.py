"""Assessment: from validated passages to scores with reasons, kernhiaten, knelpunten,
source coverage, aggregates and dependency flags.

``assess(ws)`` loads the inputs from the workspace and the catalogue and hands them to
the pure functions in :mod:`weerbaar.assess.aggregate` and :mod:`weerbaar.assess.rules`.
The rules are written out in Dutch in ``docs/beoordeling.md``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from weerbaar.assess.aggregate import compute
from weerbaar.assess.model import (
    STAGE_CONFIRMED,
    STAGE_UNCONFIRMED,
    Assessment,
    DocumentInfo,
    Evidence,
    MeasureInfo,
    MeasureScore,
    OrgInfo,
    Override,
    Score,
)
from weerbaar.assess.rules import METHOD
from weerbaar.assess.stage import STAGE_RANK, STAGES, suggest_stage
from weerbaar.catalog import load_register
from weerbaar.errors import UnknownOrganisation, WeerbaarError
from weerbaar.store import Workspace
from weerbaar.store import assessments as q
from weerbaar.store.organisations import resolve_organisation

__all__ = [
    "METHOD",
    "Assessment",
    "MeasureScore",
    "OverrideError",
    "Score",
    "assess",
    "measures_from_catalog",
    "override_score",
    "suggest_stage",
]


class OverrideError(WeerbaarError):
    """An override without justification, or with an invalid score."""


def measures_from_catalog(catalog: Any) -> tuple[list[MeasureInfo], dict[int, str]]:
    """Plain measure descriptions and pillar names from a ``weerbaar.catalog.Catalog``."""
    from weerbaar.assess.model import AspectInfo

    measures = [
        MeasureInfo(
            id=m.id,
            pillar=m.pillar,
            title=m.title,
            crucial=bool(m.crucial),
            aspects=tuple(AspectInfo(a.id, a.label) for a in m.aspects),
            depends_on=tuple(m.depends_on),
            responsible=tuple(m.responsible),
            partners=tuple(m.partners),
        )
        for m in catalog.measures
    ]
    return measures, {p.number: p.name for p in catalog.pillars}


def _org_type_from_code(code: str) -> str:
    c = code.upper()
    if c.startswith("GM"):
        return "gemeente"
    if c.startswith("VR"):
        return "veiligheidsregio"
    return "overig"


def _org_infos(
    ws: Workspace, codes: set[str], own_rows: list[dict[str, Any]]
) -> dict[str, OrgInfo]:
    """Organisation details: the workspace's organisations table first, then the
    built-in register."""
    out: dict[str, OrgInfo] = {}
    for r in own_rows:
        out[r["code"]] = OrgInfo(r["code"], r["name"], r["type"], r.get("region_code"))
    for code in sorted(codes - set(out)):
        out[code] = _register_info(code) or OrgInfo(code, code, _org_type_from_code(code), None)
    return out


@lru_cache(maxsize=4096)
def _register_info(code: str) -> OrgInfo | None:
    """An organisation of the built-in register (static data: looked up once per code,
    not on every page view of a region with its 342 neighbours)."""
    try:
        org = load_register().lookup(code)
    except WeerbaarError:
        return None
    return OrgInfo(org.code, org.name, org.type, getattr(org, "region_code", None))


def _merge_evidence(rows: list[dict[str, Any]]) -> list[Evidence]:
    """One Evidence per passage and measure from the validated decisions of all
    reviewers: aspects are the union; the stage is the one of the most recently updated
    decision that set a stage.

    The software's stage suggestion is never used as evidence: the stage decides whether
    a measure can reach Midden or Hoog, and a suggestion is only a proposal the reviewer
    must confirm. A relevant passage without a confirmed stage therefore counts as the
    lowest stage (``voornemen``, what any relevant passage shows at least), marked
    ``stage_source="onbevestigd"`` so the reasons say the stage was not confirmed."""
    grouped: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        grouped[(r["passage_id"], r["measure_id"])].append(r)
    out: list[Evidence] = []
    for (pid, mid), rs in sorted(grouped.items()):
        rs.sort(key=lambda r: (r["updated_at"] or "", r["decision_id"]))
        staged = [r for r in rs if r["stage"] in STAGE_RANK]
        first = rs[0]
        if staged:
            stage, source = staged[-1]["stage"], STAGE_CONFIRMED
        else:
            stage, source = STAGES[0], STAGE_UNCONFIRMED
        aspects: list[str] = []
        for r in rs:
            for a in r["aspects"] or []:
                if a not in aspects:
                    aspects.append(a)
        out.append(
            Evidence(
                passage_id=pid,
                document_id=first["document_id"],
                organisation_code=first["organisation_code"],
                measure_id=mid,
                text=first["text"],
                page_start=first["page_start"],
                page_end=first["page_end"],
                stage=stage,
                stage_source=source,
                aspects=tuple(aspects),
                reviewers=tuple(sorted({r["reviewer"] for r in rs})),
                doc_type=first["doc_type"],
                year=first["year"],
                title=first["title"],
                stored_path=first["stored_path"],
                char_start=first["char_start"],
                char_end=first["char_end"],
            )
        )
    return out


def assess(
    ws: Workspace,
    organisation: str | None = None,
    *,
    region: str | None = None,
    catalog: Any = None,
    reference_year: int | None = None,
) -> Assessment:
    """Assess every organisation with documents in the workspace, or one organisation
    together with its region, or one region (code) with its municipalities.
    ``reference_year`` defaults to the newest document year."""
    if catalog is None:
        from weerbaar.catalog import load_catalog

        catalog = load_catalog()
    measures, pillar_names = measures_from_catalog(catalog)
    known = {m.id for m in measures}
    with ws.read() as conn:
        own = q.workspace_organisations(conn)
        codes = set(q.document_organisations(conn)) | {r["code"] for r in own}
        infos = _org_infos(ws, codes, own)
        wanted = _wanted(ws, infos, organisation, region)
        # only the documents of the organisations assessed (fast with many documents)
        docs = q.collected_documents(conn, organisations_in=wanted)
        ref = reference_year or q.newest_document_year(conn) or datetime.now(UTC).year
        rows = q.validated_decisions(conn, catalog_version=catalog.version, organisations_in=wanted)
        overrides = _overrides(conn, catalog.version, wanted)
        roles = q.role_assignments(conn)
        queue = q.review_queue_counts(
            conn, catalog_version=catalog.version, organisations_in=wanted
        )
        not_scanned = q.unscanned(
            conn,
            catalog_version=catalog.version,
            organisations_in=wanted,
            measures=[m.id for m in measures],
        )
    missing = wanted - set(infos)
    if missing:
        infos.update(_org_infos(ws, missing, []))
    evidence = [e for e in _merge_evidence(rows) if e.measure_id in known]
    documents = [_document_info(d) for d in docs if d["organisation_code"] in wanted]
    orgs = sorted((infos[c] for c in wanted), key=lambda o: (o.type != "veiligheidsregio", o.code))
    return compute(
        catalog_version=catalog.version,
        measures=measures,
        pillar_names=pillar_names,
        organisations=orgs,
        documents=documents,
        evidence=evidence,
        overrides=overrides,
        roles=roles,
        reference_year=int(ref),
        region_names=_region_names(ws, infos),
        queue={k: v for k, v in queue.items() if k[1] in known},
        unscanned=not_scanned,
    )


def _wanted(
    ws: Workspace, infos: dict[str, OrgInfo], organisation: str | None, region: str | None
) -> set[str]:
    """The organisations to assess: one with its region, a region (code) with its
    municipalities, or all in ``infos``; adds what it looks up to ``infos``."""
    if organisation is not None:
        code = _resolve(ws, organisation, infos)
        info = infos[code]
        return {code} | ({info.region_code} if info.region_code else set())
    if region is not None:
        rcode = region.strip().upper()
        if rcode not in infos:
            infos.update(_org_infos(ws, {rcode}, []))
            if infos[rcode].name == rcode:  # neither in the workspace nor the register
                raise UnknownOrganisation(region)
        if infos[rcode].type != "veiligheidsregio":
            raise UnknownOrganisation(region)
        return {rcode} | {c for c, i in infos.items() if i.region_code == rcode}
    return set(infos)


def _overrides(conn: Any, catalog_version: str, wanted: set[str]) -> list[Override]:
    return [
        Override(
            r["organisation_code"],
            r["measure_id"],
            r["score"],
            r["computed_score"],
            r["justification"],
            r["reviewer"],
            r["at"],
        )
        for r in q.active_overrides(conn, catalog_version=catalog_version)
        if r["organisation_code"] in wanted
    ]


def _document_info(d: dict[str, Any]) -> DocumentInfo:
    return DocumentInfo(
        d["id"],
        d["organisation_code"],
        d["doc_type"],
        d["year"],
        d["title"],
        d["stored_path"],
        status=d["status"],
        names=tuple(d["names"]),
    )


def _region_names(ws: Workspace, infos: dict[str, OrgInfo]) -> dict[str, str]:
    """Names of the safety regions: of those assessed and those they refer to."""
    refs = {i.region_code for i in infos.values() if i.region_code} - set(infos)
    region_infos = {**(_org_infos(ws, refs, []) if refs else {}), **infos}
    return {c: i.name for c, i in region_infos.items() if i.type == "veiligheidsregio"}


def _resolve(ws: Workspace, query: str, infos: dict[str, OrgInfo]) -> str:
    if query in infos:
        return query
    for code, info in infos.items():
        if query.strip().lower() in (code.lower(), info.name.lower()):
            return code
    org = resolve_organisation(ws, query)
    infos.setdefault(org.code, OrgInfo(org.code, org.name, org.type, org.region_code))
    return str(org.code)


def override_score(
    ws: Workspace,
    *,
    organisation: str,
    measure: str,
    score: str,
    justification: str,
    reviewer: str,
    catalog: Any = None,
) -> int:
    """Override the computed score of one measure for one organisation. The justification
    is required; the computed score is stored beside the new one. Returns the id."""
    if not justification or len(justification.strip()) < 10:
        raise OverrideError(
            "Geef een toelichting van minstens 10 tekens bij het aanpassen van een score."
        )
    valid = {s.value.lower(): s for s in (Score.HOOG, Score.MIDDEN, Score.LAAG)}
    if score.strip().lower() not in valid:
        raise OverrideError(f"Ongeldige score {score!r}: kies Hoog, Midden of Laag.")
    if catalog is None:
        from weerbaar.catalog import load_catalog

        catalog = load_catalog()
    catalog.measure(measure)  # raises UnknownMeasure
    result = assess(ws, organisation, catalog=catalog)
    code = _resolve(ws, organisation, dict(result.org_info))
    org = result.org(code)
    current = org.score_of(measure) if org else None
    return q.add_override(
        ws,
        organisation_code=code,
        catalog_version=catalog.version,
        measure_id=measure,
        score=valid[score.strip().lower()].value,
        computed_score=current.computed_score if current else None,
        justification=justification.strip(),
        reviewer=reviewer,
    )
