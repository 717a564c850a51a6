"""Decisions of reviewers on candidate passages, with an append-only audit log."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from weerbaar.assess.stage import STAGES
from weerbaar.errors import WeerbaarError
from weerbaar.files import atomic_open, write_text_atomic
from weerbaar.store import Workspace, utcnow
from weerbaar.store import decisions as q
from weerbaar.store.documents import PAGE_SEPARATOR

RELEVANT_VALUES = ("ja", "nee", "andere")
EXPORT_FORMAT = "weerbaar.decisions.v1"
EXPORT_FIELDS = (
    "passage_id",
    "document_sha256",
    "char_start",
    "char_end",
    "organisation_code",
    "catalog_version",
    "measure_id",
    "reviewer",
    "relevant",
    "other_measure_id",
    "source_ok",
    "context_ok",
    "stage",
    "aspects",
    "comment",
    "updated_at",
)


class ReviewError(WeerbaarError):
    """A decision that cannot be recorded (unknown passage, invalid value, ...)."""


# --------------------------------------------------------------------------- helpers
def _default_catalog_version(conn: Connection, passage_id: int, measure_id: str) -> str:
    version = q.candidate_catalog_version(conn, passage_id=passage_id, measure_id=measure_id)
    if version:
        return version
    try:
        from weerbaar.catalog import load_catalog

        return str(load_catalog().version)
    except Exception:  # catalogue not available: keep the decision, mark the version
        return "onbekend"


def _check_values(
    relevant: str, other_measure_id: str | None, stage: str | None, aspects: list[str] | None
) -> None:
    if relevant not in RELEVANT_VALUES:
        raise ReviewError(
            f"Ongeldige waarde voor relevant: {relevant!r} (kies uit ja, nee, andere)."
        )
    if relevant == "andere" and not other_measure_id:
        raise ReviewError("Kies bij 'hoort bij andere maatregel' welke maatregel het is.")
    if stage is not None and stage not in STAGES:
        raise ReviewError(
            f"Ongeldige fase: {stage!r} (kies uit voornemen, plan, uitvoering, evaluatie)."
        )
    if aspects is not None and not all(isinstance(a, str) and a for a in aspects):
        raise ReviewError("Aspecten moeten aspectcodes zijn, zoals '2.2.a'.")


def _check_catalogue(
    version: str, measure_id: str, other_measure_id: str | None, aspects: list[str] | None
) -> None:
    """The measure, the other measure and the aspects must exist in the catalogue
    version the decision is judged against (the newest when that version is unknown)."""
    try:
        from weerbaar.catalog import load_catalog
        from weerbaar.errors import CatalogError

        try:
            catalog = load_catalog(version)
        except CatalogError:
            catalog = load_catalog()
    except Exception:  # no catalogue at all: nothing to check against
        return
    if not catalog.has_measure(measure_id):
        raise ReviewError(f"Onbekende maatregel {measure_id!r} in catalogus {catalog.version}.")
    if other_measure_id and not catalog.has_measure(other_measure_id):
        raise ReviewError(f"Onbekende andere maatregel {other_measure_id!r}.")
    known = {a.id for a in catalog.measure(measure_id).aspects}
    unknown = sorted(set(aspects or []) - known)
    if unknown:
        raise ReviewError(
            f"Onbekende aspecten voor maatregel {measure_id}: "
            + ", ".join(repr(a[:20]) for a in unknown[:5])
            + "."
        )


@dataclass(frozen=True)
class Decision:
    """One reviewer's decision on one passage for one measure, as it is to be recorded
    (see :func:`record_decision` for the fields)."""

    reviewer: str
    passage_id: int
    measure_id: str
    relevant: str
    other_measure_id: str | None = None
    context_ok: bool | None = None
    source_ok: bool | None = None
    stage: str | None = None
    aspects: list[str] | None = None
    comment: str | None = None
    catalog_version: str | None = None


def _checked_version(conn: Connection, d: Decision) -> str:
    """Check the decision's values, its passage and its catalogue; the catalogue version
    it is judged against. Takes the decision writers' lock first."""
    if not d.reviewer or not d.reviewer.strip():
        raise ReviewError("Een beslissing heeft een beoordelaar nodig.")
    _check_values(d.relevant, d.other_measure_id, d.stage, d.aspects)
    # one decision writer at a time (SQLite: BEGIN IMMEDIATE already; PostgreSQL: the
    # audit chain's lock), so read-then-write and the log's hash chain cannot interleave
    from weerbaar.store.audit import lock_chain

    lock_chain(conn)
    if not d.measure_id:
        raise ReviewError("Een beslissing hoort bij een maatregel.")
    if q.get_passage(conn, d.passage_id) is None:
        raise ReviewError(f"Passage {d.passage_id} bestaat niet in deze werkruimte.")
    version = d.catalog_version or _default_catalog_version(conn, d.passage_id, d.measure_id)
    _check_catalogue(version, d.measure_id, d.other_measure_id, d.aspects)
    return version


def _stored_values(d: Decision) -> dict[str, Any]:
    """The columns a decision sets (a stage and aspects only mean something for 'ja')."""
    evidence = d.relevant == "ja"
    return {
        "source_ok": d.source_ok,
        "relevant": d.relevant,
        "other_measure_id": d.other_measure_id if d.relevant == "andere" else None,
        "context_ok": d.context_ok,
        "stage": d.stage if evidence else None,
        "aspects": sorted(set(d.aspects)) if evidence and d.aspects else [],
        "comment": (d.comment or "").strip() or None,
    }


def _record(
    conn: Connection,
    d: Decision,
    *,
    action: str,
    log_extra: dict[str, Any] | None = None,
    actor: str | None = None,
) -> tuple[int, bool]:
    """Insert or update inside ``conn``; returns (decision id, changed). ``actor`` is
    who records it when that is not the reviewer (an import), for the log."""
    version = _checked_version(conn, d)
    now = utcnow()
    values = _stored_values(d)
    key: dict[str, Any] = {
        "passage_id": d.passage_id,
        "measure_id": d.measure_id,
        "reviewer": d.reviewer,
    }
    existing = q.get_decision(
        conn,
        passage_id=d.passage_id,
        catalog_version=version,
        measure_id=d.measure_id,
        reviewer=d.reviewer,
    )
    if existing is None:
        decision_id = q.insert_decision(
            conn,
            {**values, **key, "catalog_version": version, "created_at": now, "updated_at": now},
        )
        before = None
    else:
        decision_id = int(existing["id"])
        before = q.decision_state(existing)
        if log_extra is None and all(existing.get(k) == v for k, v in values.items()):
            return decision_id, False
        q.update_decision(conn, decision_id, {**values, "updated_at": now})
    after = q.decision_state(q.get_decision_by_id(conn, decision_id))
    if log_extra and after is not None:
        after = {**after, **log_extra}
    q.append_log(
        conn,
        decision_id=decision_id,
        passage_id=d.passage_id,
        measure_id=d.measure_id,
        reviewer=d.reviewer,
        action=action if before is None else ("update" if action == "insert" else action),
        before=before,
        after=after,
        at=now,
        actor=actor,
    )
    return decision_id, True


# --------------------------------------------------------------------------- public API
def record_decision(
    ws: Workspace,
    *,
    reviewer: str,
    passage_id: int,
    measure_id: str,
    relevant: str,
    other_measure_id: str | None = None,
    context_ok: bool | None = None,
    source_ok: bool | None = None,
    stage: str | None = None,
    aspects: list[str] | None = None,
    comment: str | None = None,
    catalog_version: str | None = None,
) -> int:
    """Insert or update the decision of ``reviewer`` on one passage for one measure and
    append its audit row (before/after), in one transaction. Returns the decision id.

    ``relevant`` is ``ja`` | ``nee`` | ``andere`` (then ``other_measure_id`` is needed).
    ``catalog_version`` defaults to the version of the passage's candidate row, else the
    newest catalogue. Recording the same values again changes nothing and logs nothing.
    """
    decision = Decision(
        reviewer, passage_id, measure_id, relevant, other_measure_id, context_ok, source_ok,
        stage, aspects, comment, catalog_version,
    )  # fmt: skip
    with ws.write() as conn:
        decision_id, _ = _record(conn, decision, action="insert")
    return decision_id


def undo_last(ws: Workspace, reviewer: str) -> dict[str, Any] | None:
    """Undo the reviewer's most recent change that is not undone yet (a stack: calling
    it twice undoes the last two changes). The restored state is logged as action
    ``undo``. Returns the undone log row, or None when there is nothing to undo."""
    with ws.write() as conn:
        pending_undos = 0
        target: dict[str, Any] | None = None
        for row in q.reviewer_log_desc(conn, reviewer):
            if row["action"] == "undo":
                pending_undos += 1
            elif pending_undos:
                pending_undos -= 1
            else:
                target = row
                break
        if target is None:
            return None
        before = target["before"]
        decision_id = target["decision_id"]
        current = q.get_decision_by_id(conn, decision_id) if decision_id else None
        now = utcnow()
        if before is None:
            if current is not None:
                q.delete_decision(conn, decision_id)
            after = None
        else:
            values = {k: before.get(k) for k in q.DECISION_FIELDS}
            if current is not None:
                q.update_decision(conn, decision_id, {**values, "updated_at": now})
            else:
                q.insert_decision(
                    conn,
                    {
                        **values,
                        "id": decision_id,
                        "passage_id": target["passage_id"],
                        "catalog_version": before.get("catalog_version") or "onbekend",
                        "measure_id": target["measure_id"],
                        "reviewer": reviewer,
                        "created_at": now,
                        "updated_at": now,
                    },
                )
            after = q.decision_state(q.get_decision_by_id(conn, decision_id))
        q.append_log(
            conn,
            decision_id=decision_id,
            passage_id=target["passage_id"],
            measure_id=target["measure_id"],
            reviewer=reviewer,
            action="undo",
            before=q.decision_state(current),
            after=after,
            at=now,
        )
    return target


def list_decisions(
    ws: Workspace,
    *,
    measure_id: str | None = None,
    reviewer: str | None = None,
    organisation: str | list[str] | None = None,
    passage_id: int | None = None,
    catalog_version: str | None = None,
) -> list[dict[str, Any]]:
    """Decisions (dicts) with the passage's document sha256, offsets and organisation."""
    orgs = [organisation] if isinstance(organisation, str) else organisation
    with ws.read() as conn:
        return q.query_decisions(
            conn,
            measure_id=measure_id,
            reviewer=reviewer,
            organisations=orgs,
            passage_id=passage_id,
            catalog_version=catalog_version,
        )


def _fmt_from(path: Path, fmt: str | None) -> str:
    fmt = (fmt or path.suffix.lstrip(".") or "json").lower()
    if fmt not in ("json", "csv"):
        raise ReviewError(f"Onbekend formaat {fmt!r}: kies json of csv.")
    return fmt


def _bool_text(value: bool | None) -> str:
    return "" if value is None else ("ja" if value else "nee")


def _parse_bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "none", "null", "onbekend"):
        return None
    if text in ("ja", "true", "1", "yes", "j"):
        return True
    if text in ("nee", "false", "0", "no", "n"):
        return False
    raise ReviewError(f"Onbekende ja/nee-waarde: {value!r}.")


def export_decisions(
    ws: Workspace,
    path: str | Path,
    fmt: str | None = None,
    *,
    organisation: str | list[str] | None = None,
    measure_id: str | None = None,
    reviewer: str | None = None,
) -> int:
    """Write decisions to ``path`` as JSON or CSV (from ``fmt`` or the suffix). Passages
    are referenced by id and by document sha256 + char offsets, so a file can be imported
    into another workspace or after re-ingest. Returns the number of decisions written."""
    path = Path(path)
    fmt = _fmt_from(path, fmt)
    rows = list_decisions(ws, organisation=organisation, measure_id=measure_id, reviewer=reviewer)
    records = [{k: r.get(k) for k in EXPORT_FIELDS} for r in rows]
    if fmt == "json":
        from weerbaar.review.agreement import agreement

        figures = agreement(ws, measure_id=measure_id, organisation=organisation).to_dict()
        payload = {
            "format": EXPORT_FORMAT,
            "exported_at": utcnow(),
            "decisions": records,
            "agreement": figures,
        }
        write_text_atomic(path, json.dumps(payload, ensure_ascii=False, indent=1))
    else:
        with atomic_open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=EXPORT_FIELDS)
            writer.writeheader()
            for rec in records:
                out = dict(rec)
                out["aspects"] = ";".join(rec.get("aspects") or [])
                out["source_ok"] = _bool_text(rec.get("source_ok"))
                out["context_ok"] = _bool_text(rec.get("context_ok"))
                # a comment starting with = + - @ must stay text in a spreadsheet
                comment = out.get("comment") or ""
                if comment[:1] in ("=", "+", "-", "@"):
                    comment = "'" + comment
                out["comment"] = comment
                writer.writerow({k: ("" if v is None else v) for k, v in out.items()})
    return len(records)


@dataclass
class ImportReport:
    """Outcome of :func:`import_decisions`."""

    recorded: int = 0
    unchanged: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.recorded + self.unchanged + len(self.skipped)

    def as_dict(self) -> dict[str, Any]:
        return {
            "vastgelegd": self.recorded,
            "ongewijzigd": self.unchanged,
            "overgeslagen": self.skipped,
        }


# Limits of a decision import, checked before any work (ASVS 5.2)
MAX_IMPORT_FILE_BYTES = 50_000_000
MAX_IMPORT_ROWS = 50_000
MAX_FIELD_CHARS = 4_000
MAX_ASPECTS = 50
_SCALARS = (str, int, float, bool, type(None))


def _read_records(path: Path, fmt: str) -> list[dict[str, Any]]:
    if not path.is_file():
        raise ReviewError(f"Bestand {path} bestaat niet.")
    size = path.stat().st_size
    if size > MAX_IMPORT_FILE_BYTES:
        raise ReviewError(
            f"{path.name} is {size // 1_000_000} MB; een import is hoogstens "
            f"{MAX_IMPORT_FILE_BYTES // 1_000_000} MB."
        )
    try:
        if fmt == "json":
            try:
                data = json.loads(path.read_text(encoding="utf-8-sig"))
            except json.JSONDecodeError as exc:
                raise ReviewError(
                    f"{path.name} is geen geldige JSON (regel {exc.lineno}, kolom {exc.colno})."
                ) from None
            except RecursionError:
                raise ReviewError(f"{path.name} is te diep genest.") from None
            records = data.get("decisions") if isinstance(data, dict) else data
            if not isinstance(records, list):
                raise ReviewError(f"{path.name} bevat geen lijst met beslissingen.")
            if len(records) > MAX_IMPORT_ROWS:
                raise ReviewError(
                    f"{path.name} heeft {len(records)} regels; hoogstens {MAX_IMPORT_ROWS}."
                )
            return [r if isinstance(r, dict) else {"_ongeldig": True} for r in records]
        with path.open(encoding="utf-8-sig", newline="") as fh:
            out = []
            for r in csv.DictReader(fh):
                if len(out) >= MAX_IMPORT_ROWS:
                    raise ReviewError(f"{path.name} heeft meer dan {MAX_IMPORT_ROWS} regels.")
                if None in r:  # more cells than the header has columns
                    r.pop(None)
                rec: dict[str, Any] = dict(r)
                rec["aspects"] = [a for a in (r.get("aspects") or "").split(";") if a]
                comment = r.get("comment") or ""
                if comment[:2] in ("'=", "'+", "'-", "'@"):
                    comment = comment[1:]
                rec["comment"] = comment
                out.append(rec)
            return out
    except UnicodeDecodeError:
        raise ReviewError(f"{path.name} is geen UTF-8-tekst.") from None
    except csv.Error as exc:
        raise ReviewError(f"{path.name} is geen geldige CSV ({exc}).") from None


def _check_record(rec: dict[str, Any]) -> None:
    """Every field a plain value of bounded length; aspects a short list of codes."""
    if rec.get("_ongeldig"):
        raise ReviewError("regel is geen object met velden")
    for key, value in rec.items():
        if key == "aspects" and isinstance(value, list):
            if len(value) > MAX_ASPECTS or not all(isinstance(a, str) for a in value):
                raise ReviewError("veld 'aspects' is geen lijst met aspectcodes")
            continue
        if not isinstance(value, _SCALARS):
            raise ReviewError(f"veld {str(key)[:40]!r} heeft geen geldige waarde")
        if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
            raise ReviewError(f"veld {str(key)[:40]!r} is langer dan {MAX_FIELD_CHARS} tekens")


def _resolve_passage(conn: Connection, rec: dict[str, Any]) -> int | None:
    sha = (rec.get("document_sha256") or "").strip() or None
    start, end = rec.get("char_start"), rec.get("char_end")
    if sha and start not in (None, "") and end not in (None, ""):
        found = q.find_passage_by_offsets(
            conn, document_sha256=sha, char_start=int(start), char_end=int(end)
        )
        if found is not None:
            return found
    pid = rec.get("passage_id")
    if pid not in (None, ""):
        passage = q.get_passage(conn, int(pid))
        if passage is not None and (sha is None or passage["document_sha256"] == sha):
            return int(pid)
    return None


def import_decisions(
    ws: Workspace,
    path: str | Path,
    fmt: str | None = None,
    *,
    reviewer: str | None = None,
    organisations: list[str] | tuple[str, ...] | None = None,
    importer: str | None = None,
) -> ImportReport:
    """Read decisions from a JSON or CSV export and record each through the same rules
    as :func:`record_decision` (so each gets its audit row). Passages are found by
    document sha256 + char offsets first, then by id (only when the sha256 agrees).
    ``reviewer`` overrides the reviewer name in the file; ``organisations`` (when given)
    skips passages of other organisations. Unresolvable rows are skipped with a reason.

    ``importer`` is the web account that imports: then every reviewer named in the file
    must be an existing, active reviewer account within the importer's organisations
    (``organisations``), and the passage must be in the reviewer's organisations. The log
    records the importer (or the system user, from the command line) as actor. Measures,
    other measures and aspects must exist in the catalogue."""
    path = Path(path)
    fmt = _fmt_from(path, fmt)
    actor = importer or _os_user()
    records = _read_records(path, fmt)
    report = ImportReport()
    accounts: dict[str, tuple[bool, tuple[str, ...] | None] | None] = {}
    for i, rec in enumerate(records, start=1):
        try:
            _check_record(rec)
            decision = _imported_decision(ws, rec, reviewer, organisations, importer, accounts)
            with ws.write() as conn:
                _, changed = _record(conn, decision, action="import", actor=actor)
            if changed:
                report.recorded += 1
            else:
                report.unchanged += 1
        except (ReviewError, ValueError, TypeError) as exc:
            report.skipped.append({"regel": i, "reden": str(exc)})
    _log_import(ws, actor, path, report, len(records))
    return report


def _imported_decision(
    ws: Workspace,
    rec: dict[str, Any],
    reviewer: str | None,
    organisations: list[str] | tuple[str, ...] | None,
    importer: str | None,
    accounts: dict[str, tuple[bool, tuple[str, ...] | None] | None],
) -> Decision:
    """The decision one imported row asks for: its passage found in this workspace
    (and in ``organisations``), its reviewer a valid name (and, for a web import, an
    account the importer may import for, see :func:`_check_reviewer_scope`)."""
    with ws.read() as conn:
        passage_id = _resolve_passage(conn, rec)
        org = q.passage_organisation(conn, passage_id) if passage_id else None
    if passage_id is None or (organisations is not None and org not in organisations):
        raise ReviewError("passage niet gevonden in deze werkruimte")
    who = reviewer or str(rec.get("reviewer") or "").strip()
    if not valid_reviewer_name(who):
        raise ReviewError("beoordelaar heeft geen geldige naam (kleine letters, cijfers, . _ -)")
    if importer is not None:
        _check_reviewer_scope(ws, accounts, who, org, organisations)
    aspects = rec.get("aspects")
    if isinstance(aspects, str):
        aspects = [a for a in aspects.split(";") if a]
    return Decision(
        reviewer=who,
        passage_id=passage_id,
        measure_id=str(rec.get("measure_id") or "").strip(),
        relevant=str(rec.get("relevant") or "").strip(),
        other_measure_id=(str(rec.get("other_measure_id") or "").strip() or None),
        context_ok=_parse_bool(rec.get("context_ok")),
        source_ok=_parse_bool(rec.get("source_ok")),
        stage=(str(rec.get("stage") or "").strip() or None),
        aspects=list(aspects or []),
        comment=None if rec.get("comment") is None else str(rec.get("comment")),
        catalog_version=(str(rec.get("catalog_version") or "").strip() or None),
    )


def _log_import(ws: Workspace, actor: str, path: Path, report: ImportReport, rows: int) -> None:
    """One audit event for the whole import, with its counts."""
    from weerbaar.store.audit import append_event

    with ws.write() as conn:
        append_event(
            conn,
            actor=actor,
            action="beslissingen_import",
            subject=path.name[:200],
            details={
                "vastgelegd": report.recorded,
                "ongewijzigd": report.unchanged,
                "overgeslagen": len(report.skipped),
                "regels": rows,
            },
            at=utcnow(),
        )


_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def valid_reviewer_name(name: str) -> bool:
    """A reviewer (account) name: 1-64 of lower-case letters, digits, '.', '_', '-'."""
    return bool(_NAME_RE.fullmatch(name))


def _os_user() -> str:
    import getpass

    try:
        return f"systeem:{getpass.getuser()}"[:100]
    except (OSError, KeyError):
        return "systeem"


def _check_reviewer_scope(
    ws: Workspace,
    cache: dict[str, tuple[bool, tuple[str, ...] | None] | None],
    name: str,
    org: str | None,
    scope: list[str] | tuple[str, ...] | None,
) -> None:
    """An imported reviewer must be an active reviewer account, inside the importer's
    organisations, who may see the passage's organisation."""
    from weerbaar.store import users as uq

    if name not in cache:
        with ws.read() as conn:
            row = uq.get_user(conn, name=name)
            cache[name] = (
                None
                if row is None
                else (
                    bool(row["active"]) and row["role"] in ("beheerder", "beoordelaar"),
                    tuple(uq.user_organisation_codes(conn, row["id"])) or None,
                )
            )
    info = cache[name]
    if info is None or not info[0]:
        raise ReviewError(f"beoordelaar {name!r} bestaat niet of mag niet beoordelen")
    orgs = info[1]
    if scope is not None and (orgs is None or not set(orgs) <= set(scope)):
        raise ReviewError(f"beoordelaar {name!r} valt buiten uw organisaties")
    if orgs is not None and org not in orgs:
        raise ReviewError(f"beoordelaar {name!r} mag deze passage niet beoordelen")


def source_matches(ws: Workspace, passage_id: int) -> bool | None:
    """The "juist" check: does the passage text equal the stored document text at the
    passage's offsets? None when the document has no stored page text."""
    with ws.read() as conn:
        passage = q.get_passage(conn, passage_id)
        if passage is None:
            raise ReviewError(f"Passage {passage_id} bestaat niet in deze werkruimte.")
        pages = q.document_pages(
            conn, passage["document_id"], passage["page_start"], passage["page_end"]
        )
    return text_at_offsets_matches(passage, pages)


def text_at_offsets_matches(passage: dict[str, Any], pages: list[dict[str, Any]]) -> bool | None:
    """Compare ``passage['text']`` with the page texts (joined by the page separator)."""
    if not pages:
        return None
    base = int(pages[0]["doc_start"])
    parts: list[str] = []
    length = 0
    for page in pages:
        gap = int(page["doc_start"]) - base - length
        if parts:
            if gap < 0:
                return False
            sep = PAGE_SEPARATOR if gap == len(PAGE_SEPARATOR) else "\n" * gap
            parts.append(sep)
            length += len(sep)
        parts.append(page["text"])
        length += len(page["text"])
    region = "".join(parts)
    start = int(passage["char_start"]) - base
    end = int(passage["char_end"]) - base
    if start < 0 or end > len(region):
        return False
    return region[start:end] == passage["text"]
