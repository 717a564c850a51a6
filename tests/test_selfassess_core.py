from __future__ import annotations

import csv
import inspect
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from weerbaar.catalog import load_catalog
from weerbaar.selfassess import (
    SCAN_AUTHOR,
    ForeignEvidence,
    PublicEvidence,
    Status,
    action_plan,
    compare_claims,
    left_out,
    load_entries,
    prefill_from_scan,
    proposed_status,
    save_entry,
)
from weerbaar.selfassess import files as sfiles
from weerbaar.selfassess.service import import_entries, write_action_plan, write_cards
from weerbaar.store import selfassess as q
from weerbaar.store.documents import add_plain_document

ORG_A = "GM0363"
ORG_B = "GM0518"


def test_selfassess_save_keeps_history_and_validates(workspace) -> None:
    assert save_entry(workspace, ORG_A, "2.2", {"status": "verkend", "owner": "OOV"}, by="piet")
    assert save_entry(workspace, ORG_A, "2.2", {"status": "ingericht"}, by="kees")
    # same values again: no change, no history row
    assert not save_entry(workspace, ORG_A, "2.2", {"status": "ingericht"}, by="kees")
    with workspace.read() as conn:
        hist = q.get_history(conn, ORG_A, "2.2")
    assert [h["after"]["status"] for h in hist] == ["verkend", "ingericht"]
    assert hist[1]["before"]["status"] == "verkend" and hist[1]["by"] == "kees"
    entries = {e.measure_id: e for e in load_entries(workspace, ORG_A)}
    assert len(entries) == 41
    assert entries["2.2"].status is Status.INGERICHT and entries["2.2"].owner == "OOV"
    assert entries["1.1"].origin == "leeg"
    for bad in (
        {"status": "half klaar"},
        {"phases": "zomerfase"},
        {"deadline": "31-12-2026"},
        {"evidence": "javascript:alert(1)"},
    ):
        with pytest.raises(ValueError):
            save_entry(workspace, ORG_A, "3.1", bad, by="x")
    with workspace.read() as conn:
        assert "3.1" not in q.get_entries(conn, ORG_A, load_catalog().version)


def test_selfassess_is_private_to_its_organisation(workspace) -> None:
    save_entry(workspace, ORG_A, "1.1", {"status": "ingericht", "notes": "geheim-A"}, by="a")
    entries_b = load_entries(workspace, ORG_B)
    assert all(e.origin == "leeg" for e in entries_b)
    assert "geheim-A" not in repr(entries_b)
    # every query on tenant tables takes the organisation as a required argument
    for name, fn in inspect.getmembers(q, inspect.isfunction):
        if fn.__module__ != q.__name__ or name.startswith("_") or "role" in name:
            continue
        params = list(inspect.signature(fn).parameters)
        assert params[:2] == ["conn", "organisation"], name


def test_selfassess_action_plan_order_and_reasons(workspace) -> None:
    catalog = load_catalog()
    entries = [
        replace(e, status=Status.NIET_GESTART, origin="handmatig")
        for e in load_entries(workspace, ORG_A)
    ]
    plan = action_plan(entries, catalog=catalog, today=date(2026, 1, 1))
    ids = [a.measure_id for a in plan]
    assert len(ids) == 41
    # noodstroom (3.1) before noodsteunpunten (2.2) that depend on it
    assert ids.index("3.1") < ids.index("2.2")
    # a measure comes after every prerequisite (the graph has no cycles)
    for a in plan:
        for dep in catalog.measure(a.measure_id).depends_on:
            assert ids.index(dep) < ids.index(a.measure_id), (dep, a.measure_id)
        # "voorwaarde voor X" always names measures further down the plan
        for r in a.reasons:
            if r.startswith("voorwaarde voor "):
                for later in r.removeprefix("voorwaarde voor ").split(", "):
                    assert ids.index(later) > ids.index(a.measure_id), (a.measure_id, later)
    # the crucial twelve come before the rest when nothing else differs
    crucial = {m.id for m in catalog.measures if m.crucial}
    assert set(ids[:6]) <= crucial | {d for c in crucial for d in catalog.measure(c).depends_on}
    assert all(a.reasons for a in plan)
    assert any("meest cruciale" in r for r in plan[0].reasons)


def test_selfassess_action_plan_never_ranks_in_place_above_crucial_not_started(
    workspace,
) -> None:
    """A measure already in place (ingericht), even one many others depend on and with a
    deadline, comes after every crucial measure that has not started; the plan says what
    it leaves out (unknown status, done) and why."""
    catalog = load_catalog()
    for mid in ("3.1", "1.1"):  # crucial, prerequisite of several measures
        save_entry(workspace, ORG_A, mid, {"status": "ingericht", "deadline": "2026-02-01"}, by="x")
    for mid in ("2.2", "2.1", "5.2", "2.3", "3.3"):
        save_entry(workspace, ORG_A, mid, {"status": "niet gestart"}, by="x")
    save_entry(workspace, ORG_A, "6.1", {"status": "geoefend en geëvalueerd"}, by="x")
    entries = load_entries(workspace, ORG_A)
    plan = action_plan(entries, catalog=catalog, today=date(2026, 1, 1))
    ids = [a.measure_id for a in plan]
    assert set(ids) == {"3.1", "1.1", "2.2", "2.1", "5.2", "2.3", "3.3"}
    assert ids[-2:] == ["1.1", "3.1"] or set(ids[-2:]) == {"1.1", "3.1"}
    assert ids.index("2.2") < ids.index("5.2")  # 5.2 needs 2.2
    assert all(a.in_place for a in plan[-2:]) and not any(a.in_place for a in plan[:-2])
    out = {x.measure_id: x.reason for x in left_out(entries, catalog)}
    assert "geoefend" in out["6.1"]
    assert out["1.2"].startswith("status nog niet ingevuld")
    assert len(out) == 41 - 7


def test_selfassess_action_plan_deadline_and_done(workspace) -> None:
    for org in (ORG_A, ORG_B):
        for m in load_catalog().measures:
            save_entry(workspace, org, m.id, {"status": "niet gestart"}, by="x")
    save_entry(workspace, ORG_A, "1.7", {"status": "verkend", "deadline": "2025-06-01"}, by="x")
    save_entry(workspace, ORG_A, "1.1", {"status": "geoefend en geëvalueerd"}, by="x")
    plan = action_plan(load_entries(workspace, ORG_A), today=date(2026, 1, 1))
    ids = [a.measure_id for a in plan]
    assert "1.1" not in ids
    baseline = action_plan(load_entries(workspace, ORG_B), today=date(2026, 1, 1))
    assert ids.index("1.7") < [a.measure_id for a in baseline].index("1.7")
    a17 = next(a for a in plan if a.measure_id == "1.7")
    assert any("verstreken" in r for r in a17.reasons)


def test_selfassess_claims_versus_public_evidence(workspace) -> None:
    save_entry(workspace, ORG_A, "2.2", {"status": "ingericht"}, by="x")
    save_entry(workspace, ORG_A, "3.1", {"status": "geoefend en geëvalueerd"}, by="x")
    save_entry(workspace, ORG_A, "5.2", {"status": "niet gestart"}, by="x")
    save_entry(workspace, ORG_A, "3.2", {"status": "ingericht"}, by="x")
    evidence = {
        "3.1": PublicEvidence(
            score="Midden", top_stage="voornemen", passage_ids=(5,), document_ids=(1,)
        ),
        "5.2": PublicEvidence(
            score="Hoog", top_stage="uitvoering", passage_ids=(7, 8), document_ids=(2,)
        ),
        "3.2": PublicEvidence(
            score="Hoog", top_stage="uitvoering", passage_ids=(9,), document_ids=(2,)
        ),
    }
    kinds = {f.measure_id: f.kind for f in compare_claims(load_entries(workspace, ORG_A), evidence)}
    assert kinds == {
        "2.2": "claim_zonder_bewijs",
        "3.1": "alleen_voornemens",
        "5.2": "niet_geclaimd",
    }


def test_selfassess_proposed_status_needs_validated_evidence() -> None:
    """No validated passage, no status: 'Nog niet beoordeeld', 'Onvoldoende bronnen' and a
    Laag without evidence all stay 'onbekend'; validated intentions only are 'verkend'."""
    for score in ("Nog niet beoordeeld", "Onvoldoende bronnen", "Laag"):
        assert proposed_status(PublicEvidence(score=score, top_stage=None)) is Status.ONBEKEND
    assert proposed_status(None) is Status.ONBEKEND
    voornemen = PublicEvidence(score="Laag", top_stage="voornemen", passage_ids=(3,))
    assert proposed_status(voornemen) is Status.VERKEND
    assert "passage 3" in voornemen.finding


def test_selfassess_prefill_does_not_overwrite_own_answers(workspace) -> None:
    save_entry(workspace, ORG_A, "2.2", {"status": "verkend", "notes": "eigen"}, by="x")
    evidence = {
        "2.2": PublicEvidence(
            score="Hoog", top_stage="uitvoering", passage_ids=(1,), document_ids=(4,)
        ),
        "3.1": PublicEvidence(
            score="Midden", top_stage="plan", passage_ids=(2,), document_ids=(4,)
        ),
    }
    evidence["5.1"] = PublicEvidence(
        score="Nog niet beoordeeld", top_stage=None, note="3 passages wachten op controle"
    )
    n = prefill_from_scan(workspace, ORG_A, evidence=evidence)
    assert n == 40
    entries = {e.measure_id: e for e in load_entries(workspace, ORG_A)}
    assert entries["2.2"].notes == "eigen" and entries["2.2"].status is Status.VERKEND
    assert entries["3.1"].status is Status.IN_VOORBEREIDING
    assert entries["3.1"].evidence == ({"document_id": 4},)
    assert entries["3.1"].origin == "scan" and entries["3.1"].proposal
    # no validated evidence: the status stays open, with the scan's finding beside it
    assert entries["1.1"].status is Status.ONBEKEND and entries["1.1"].proposal
    assert entries["1.1"].evidence == ()
    assert entries["5.1"].status is Status.ONBEKEND
    assert "Nog niet beoordeeld" in entries["5.1"].notes and "wachten" in entries["5.1"].notes
    # the history names the scan as author, not whoever pressed the button
    with workspace.read() as conn:
        hist = q.get_history(conn, ORG_A, "3.1")
    assert [h["by"] for h in hist] == [SCAN_AUTHOR] == ["weerbaar (scan)"]
    # an unknown status is no claim and no action: it is listed as left out
    kinds = {f.measure_id: f.kind for f in compare_claims(list(entries.values()), evidence)}
    assert kinds == {"2.2": "niet_geclaimd"}  # own answer below the evidence; nothing else
    assert "1.1" not in [a.measure_id for a in action_plan(list(entries.values()))]
    # saving confirms a proposal
    save_entry(workspace, ORG_A, "3.1", {"status": "in voorbereiding"}, by="anna")
    assert not {e.measure_id: e for e in load_entries(workspace, ORG_A)}["3.1"].proposal
    # a second pre-fill writes nothing
    assert prefill_from_scan(workspace, ORG_A, evidence=evidence) == 0


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_selfassess_export_marks_proposals(workspace, tmp_path: Path, suffix: str) -> None:
    evidence = {"3.1": PublicEvidence(score="Midden", top_stage="plan", passage_ids=(2,))}
    prefill_from_scan(workspace, ORG_A, evidence=evidence)
    save_entry(workspace, ORG_A, "2.2", {"status": "verkend"}, by="anna")
    path = sfiles.export_entries(
        load_entries(workspace, ORG_A), tmp_path / f"z{suffix}", organisation_name="Test"
    )
    if suffix == ".xlsx":
        rows = [list(r) for r in load_workbook(path)["Zelfscan"].iter_rows(values_only=True)]
    else:
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    head = rows[0]
    by_id = {r[0]: dict(zip(head, r, strict=False)) for r in rows[1:]}
    assert by_id["3.1"]["Status"] == "in voorbereiding"
    assert by_id["3.1"]["Herkomst"] == "voorstel uit de scan (nog niet bevestigd)"
    assert by_id["1.1"]["Status"] == "onbekend"
    assert "voorstel" in by_id["1.1"]["Herkomst"]
    assert by_id["2.2"]["Herkomst"] == "ingevuld"


def test_selfassess_evidence_must_be_own_documents(workspace, tmp_path: Path) -> None:
    """The rule lives in the self-assessment: saving and importing (CLI and web alike)
    refuse another organisation's document; an import naming one stores nothing."""
    own = add_plain_document(workspace, ORG_A, ["Noodstroom"], year=2025, doc_type="begroting")
    other = add_plain_document(workspace, ORG_B, ["Ander"], year=2025, doc_type="begroting")
    assert save_entry(workspace, ORG_A, "3.1", {"status": "verkend", "evidence": [own]}, by="x")
    with pytest.raises(ForeignEvidence) as err:
        save_entry(workspace, ORG_A, "3.2", {"status": "verkend", "evidence": [other]}, by="x")
    assert err.value.ids == [other]
    p = tmp_path / "z.csv"
    p.write_text(
        f"Maatregel;Status;Bewijs\n2.2;ingericht;\n3.2;verkend;document:{other}\n",
        encoding="utf-8",
    )
    with pytest.raises(ForeignEvidence):
        import_entries(workspace, ORG_A, p, by="x")
    with workspace.read() as conn:
        stored = q.get_entries(conn, ORG_A, load_catalog().version)
    assert set(stored) == {"3.1"}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_selfassess_export_import_roundtrip(workspace, tmp_path: Path, suffix: str) -> None:
    doc_a = add_plain_document(workspace, ORG_A, ["Noodstroom"], year=2025, doc_type="begroting")
    doc_b = add_plain_document(workspace, ORG_B, ["Noodstroom"], year=2024, doc_type="begroting")
    save_entry(
        workspace,
        ORG_A,
        "2.2",
        {
            "status": "in voorbereiding",
            "owner": "adviseur OOV",
            "partners": "veiligheidsregio; Rode Kruis",
            "phases": "koude fase; warme fase > 72 uur",
            "deadline": "2026-10-01",
            "evidence": f"document:{doc_a}; https://example.org/raadsbrief",
            "notes": '=HYPERLINK("http://evil")',
        },
        by="x",
    )
    path = sfiles.export_entries(
        load_entries(workspace, ORG_A), tmp_path / f"z{suffix}", organisation_name="Amsterdam"
    )
    if suffix == ".xlsx":
        sheet = load_workbook(path)["Zelfscan"]
        cells = [c for row in sheet.iter_rows() for c in row]
        assert not any(c.data_type == "f" for c in cells)
        assert any(str(c.value).startswith("'=HYPERLINK") for c in cells)
    with pytest.raises(ForeignEvidence):  # A's document is no evidence for B
        import_entries(workspace, ORG_B, path, by="import")
    sfiles.export_entries(
        [
            replace(e, evidence=({"document_id": doc_b}, *e.evidence[1:])) if e.evidence else e
            for e in load_entries(workspace, ORG_A)
        ],
        path,
        organisation_name="Amsterdam",
    )
    # import the exported file into another organisation: same answers
    summary = import_entries(workspace, ORG_B, path, by="import")
    assert summary.errors == [] and summary.changed == 41
    b = {e.measure_id: e for e in load_entries(workspace, ORG_B)}["2.2"]
    assert b.status is Status.IN_VOORBEREIDING
    assert b.partners == ("veiligheidsregio", "Rode Kruis")
    assert b.phases == ("koude fase", "warme fase > 72 uur")
    assert b.evidence == ({"document_id": doc_b}, {"url": "https://example.org/raadsbrief"})
    assert b.notes == '=HYPERLINK("http://evil")'
    # importing the same file again changes nothing and keeps the history as it was
    with workspace.read() as conn:
        n_hist = len(q.get_history(conn, ORG_B))
    again = import_entries(workspace, ORG_B, path, by="import")
    assert (again.changed, again.unchanged, again.errors) == (0, 41, [])
    with workspace.read() as conn:
        assert len(q.get_history(conn, ORG_B)) == n_hist


def test_selfassess_import_reports_bad_rows_and_keeps_good(workspace, tmp_path: Path) -> None:
    p = tmp_path / "z.csv"
    p.write_text(
        "Maatregel;Status;Deadline\n2.2;ingericht;2026-01-01\n9.9;ingericht;\n3.1;bijna;\n",
        encoding="utf-8",
    )
    s = import_entries(workspace, ORG_A, p, by="x")
    assert s.changed == 1 and len(s.errors) == 2
    assert any("regel 3" in e and "9.9" in e for e in s.errors)
    bad = tmp_path / "leeg.xlsx"
    bad.write_bytes(b"geen zip")
    with pytest.raises(sfiles.SelfAssessmentFileError, match=r"leeg\.xlsx"):
        import_entries(workspace, ORG_A, bad, by="x")


def _pdftext(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.mark.parametrize(("size", "width_mm"), [("A6", 105), ("A5", 148)])
def test_selfassess_meterkastkaart_pdf(workspace, tmp_path: Path, size: str, width_mm: int) -> None:
    with workspace.write() as conn:
        q.add_point(
            conn,
            ORG_A,
            name="Buurthuis De Linde",
            address="Lindelaan 4",
            wijk="Noord",
            functions=["informatie", "water", "stroom"],
        )
        q.add_point(
            conn,
            ORG_A,
            name="Sporthal Zuid",
            address="Sportweg 1",
            wijk="Zuid",
            functions=["warmte", "ehbo"],
        )
        q.add_point(
            conn,
            ORG_B,
            name="Ander punt",
            address="Elders 9",
            wijk="Noord",
            functions=["informatie"],
        )
        q.set_settings(conn, ORG_A, card_text="Blijf kalm <script>x</script> en kom naar het punt.")
    path = write_cards(workspace, ORG_A, "Gemeente Test", tmp_path, size=size)
    reader = PdfReader(path)
    assert len(reader.pages) == 2  # one card per wijk
    w = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert abs(w - width_mm) < 1.5
    text = _pdftext(path)
    assert "Buurthuis De Linde" in text and "Sporthal Zuid" in text
    assert "Drinkwater" in text and "Eerste hulp" in text
    assert "Ander punt" not in text
    assert "<script>x</script>" in text  # shown literally, never interpreted
    png = tmp_path / "kaart"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(png)], check=True
    )
    rendered = next(tmp_path.glob("kaart*.png"))
    assert rendered.stat().st_size > 2000


@pytest.mark.parametrize("size", ["A6", "A5"])
def test_selfassess_meterkastkaart_fits_one_page_per_wijk(
    workspace, tmp_path: Path, size: str
) -> None:
    """Five noodsteunpunten with every function in one wijk, with the long default text:
    still one card (one page) for the wijk."""
    from weerbaar.selfassess.model import POINT_FUNCTIONS
    from weerbaar.selfassess.service import add_point

    for i in range(5):
        add_point(
            workspace,
            ORG_A,
            name=f"Noodsteunpunt nummer {i + 1} De Lange Naam",
            address=f"Burgemeester van Heemskerckstraat {i + 10}, 1234 AB Stad",
            wijk="Binnenstad",
            functions=list(POINT_FUNCTIONS)[: 3 + i % 3],
        )
    add_point(workspace, ORG_A, name="Dorpshuis", address="Brink 1", wijk="Dorp", functions=[])
    reader = PdfReader(write_cards(workspace, ORG_A, "Gemeente Test", tmp_path, size=size))
    assert len(reader.pages) == 2
    first = " ".join(reader.pages[0].extract_text().split())
    assert "wijk Binnenstad" in first and "Bel 112" in first and "nummer 5" in first


def test_selfassess_action_plan_files(workspace, tmp_path: Path) -> None:
    """Proposals are marked in the XLSX and the PDF; what the plan leaves out is listed;
    no internal codes."""
    evidence = {
        "3.1": PublicEvidence(score="Midden", top_stage="plan", passage_ids=(2,)),
        "2.2": PublicEvidence(score="Laag", top_stage="voornemen", passage_ids=(4,)),
    }
    prefill_from_scan(workspace, ORG_A, evidence=evidence)
    save_entry(workspace, ORG_A, "5.2", {"status": "niet gestart"}, by="x")
    save_entry(workspace, ORG_A, "2.1", {"status": "ingericht"}, by="x")
    paths = write_action_plan(workspace, ORG_A, "Gemeente Test", tmp_path, formats=("xlsx", "pdf"))
    xlsx = next(p for p in paths if p.suffix == ".xlsx")
    pdf = next(p for p in paths if p.suffix == ".pdf")
    wb = load_workbook(xlsx)
    rows = list(wb["Actieplan"].iter_rows(values_only=True))
    assert rows[0][0] == "Positie" and len(rows) == 5
    ids = [r[1] for r in rows[1:]]
    assert ids.index("3.1") < ids.index("2.2") < ids.index("5.2")
    assert ids[-1] == "2.1"  # in place: after every measure that is not
    confirmed = {r[1]: r[4] for r in rows[1:]}
    assert confirmed["3.1"] == "nee, voorstel uit de scan" and confirmed["5.2"] == "ja"
    left = list(wb["Niet in het plan"].iter_rows(values_only=True))
    assert len(left) == 1 + 41 - 4
    claims = [c.value for row in wb["Claims en bewijs"].iter_rows() for c in row]
    assert not any(isinstance(v, str) and "_" in v for v in claims)
    text = " ".join(_pdftext(pdf).split())
    assert "Actieplan weerbaarheid" in text and "Woo" in text
    assert "Let op: 2 statussen zijn voorstellen uit de scan" in text
    assert "voorstel uit de scan, niet bevestigd" in text
    assert "Niet in de rangorde" in text and "status nog niet ingevuld" in text


def test_selfassess_access_policy_has_one_home() -> None:
    """The policy the web app asks (documented in docs/zelfscan.md), decided without a
    request: members edit their own, unlimited beheerders everything, others only what
    is published and never edit it; the role split by region and municipality."""
    from dataclasses import dataclass

    from weerbaar.selfassess.access import role_split_rights, selfassessment_rights

    @dataclass
    class U:
        organisations: tuple[str, ...] | None
        role: str

        @property
        def can_review(self) -> bool:
            return self.role in ("beheerder", "beoordelaar")

        @property
        def is_admin(self) -> bool:
            return self.role == "beheerder"

    own = selfassessment_rights(U((ORG_A,), "beoordelaar"), ORG_A, published=False)
    assert own is not None and own.member and own.can_edit and own.can_publish
    reader = selfassessment_rights(U((ORG_A,), "lezer"), ORG_A, published=False)
    assert reader is not None and reader.member and not reader.can_edit
    assert selfassessment_rights(U((ORG_B,), "beoordelaar"), ORG_A, published=False) is None
    other = selfassessment_rights(U((ORG_B,), "beheerder"), ORG_A, published=True)
    assert other is not None and not other.member and not other.can_edit
    admin = selfassessment_rights(U(None, "beheerder"), ORG_A, published=False)
    assert admin is not None and admin.can_edit
    assert selfassessment_rights(U(None, "beoordelaar"), ORG_A, published=False) is None
    munis = [ORG_A, ORG_B]
    region = role_split_rights(U(("VR13",), "beoordelaar"), "VR13", munis)
    assert region is not None and region.editable == frozenset(munis)
    muni = role_split_rights(U((ORG_A,), "beoordelaar"), "VR13", munis)
    assert muni is not None and muni.visible == (ORG_A,) and muni.editable == {ORG_A}
    assert role_split_rights(U(("GM0001",), "beoordelaar"), "VR13", munis) is None
