"""End to end: documents generated here, read through the real ingest, decisions recorded
through record_decision; then the scores, reasons, gaps, signals, aggregates, an
override, the region's part and a dependency flag are checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assess_workspace import Built, build
from weerbaar.assess import OverrideError, assess, override_score
from weerbaar.cli import _load_commands, app


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    b = build(tmp_path_factory.mktemp("assess"))
    yield b
    b.ws.close()


def test_assess_scores_and_reasons(built: Built) -> None:
    a = assess(built.ws)
    org = a.org(built.gm_a)
    assert org is not None and org.coverage.sufficient
    s22 = org.score_of("2.2")
    n22 = len(built.aspects["2.2"])
    # anna ticked 5 aspects, bram 1 of the same: the union counts
    assert (s22.score, s22.computed_score) == ("Hoog", "Hoog")
    nsp = built.passages["nsp"]
    lead = (
        "1 passage uit Begroting 2025 toont"
        if len(nsp) == 1
        else (f"{len(nsp)} passages uit Begroting 2025 tonen")
    )
    assert s22.reasons[0] == f"Hoog: {lead} uitvoering; 5 van {n22} aspecten aangetoond."
    assert s22.evidence == sorted(nsp)
    assert s22.missing_aspects == built.aspects["2.2"][5:]
    assert s22.years == [2025]
    assert any("zes wijken noodsteunpunten" in line for line in s22.summary)
    codes = {g.code for g in s22.signals}
    assert "capaciteitstekort" in codes  # "vacatures"

    s31 = org.score_of("3.1")
    assert s31.score == "Laag" and "alleen een voornemen" in s31.reasons[0]
    assert [g.code for g in s31.signals] == ["wachten_op_landelijk_kader"]
    s21 = org.score_of("2.1")
    assert s21.score == "Midden" and s21.highest_stage == "plan"
    # a "nee" decision and a passage rejected on context do not count
    assert not set(built.passages["noodstroom"]) & set(s22.evidence)
    s41 = org.score_of("4.1")
    assert s41.evidence == [] and s41.score == "Laag"
    assert "geen openbaar bewijs gevonden" in s41.reasons[0]
    assert "ontbreekt." in s41.reasons[0] and "niet dat de maatregel ontbreekt" in s41.reasons[0]


def test_assess_coverage_and_insufficient_sources(built: Built) -> None:
    a = assess(built.ws)
    b = a.org(built.gm_b)
    assert not b.coverage.sufficient
    assert b.coverage.doc_types == {"raadsbrief": [2025]}
    assert all(s.score == "Onvoldoende bronnen" for s in b.scores)
    assert "begroting of jaarstukken 2024-2025" in b.scores[0].reasons[0]
    region = a.org(built.region)
    assert region.coverage.sufficient
    agg = next(r for r in a.regions if r.region == built.region)
    assert set(agg.municipalities) == {built.gm_a, built.gm_b}
    assert (agg.coverage_sufficient, agg.coverage_total) == (2, 3)


def test_assess_region_part_and_dependencies(built: Built) -> None:
    a = assess(built.ws)
    org = a.org(built.gm_a)
    s26 = org.score_of("2.6")  # the catalogue makes safety regions responsible for 2.6
    assert s26.score == "Laag"
    assert s26.regional.carried_by_region and s26.regional.combined_score == "Hoog"
    assert any("draagt deze maatregel" in r for r in s26.reasons)
    s41 = org.score_of("4.1")  # regions are only partner for 4.1: not carried
    assert a.org(built.region).score_of("4.1").score == "Hoog"
    assert not s41.regional.carried_by_region and s41.regional.combined_score == "Laag"
    flags = {(f.organisation, f.measure, f.depends_on) for f in a.dependency_flags}
    assert (built.gm_a, "2.2", "3.1") in flags
    assert any(
        "3.1 waarvan het afhangt scoort Laag" in f for f in org.score_of("2.2").dependency_flags
    )


def test_assess_aggregates(built: Built) -> None:
    a = assess(built.ws)
    m22 = next(m for m in a.measures if m.measure == "2.2")
    assert m22.counts == {
        "Hoog": 1, "Midden": 0, "Laag": 1, "Onvoldoende bronnen": 1, "Nog niet beoordeeld": 0
    }  # fmt: skip
    assert m22.national_class == "breed geïmplementeerd"
    assert m22.aspects_nowhere == built.aspects["2.2"][5:]
    assert [y.year for y in a.years] == [2024, 2025]
    y2024 = a.years[0]
    pp = built.passages
    assert y2024.stages["plan"] == len(pp["commplan"]) + len(pp["injection"])
    assert y2024.stages["uitvoering"] == len(pp["region_crisis"]) + len(pp["region_netwerk"])
    pillar2 = next(p for p in a.pillars if p.pillar == 2)
    assert pillar2.counts["Hoog"] == 2  # 2.2 of the municipality, 2.6 of the region


def test_assess_override_keeps_both_scores(built: Built, tmp_path: Path) -> None:
    with pytest.raises(OverrideError):
        override_score(built.ws, organisation=built.gm_a, measure="2.1", score="Hoog",
                       justification="", reviewer="anna")  # fmt: skip
    override_score(
        built.ws, organisation=built.gm_a, measure="2.1", score="Hoog",
        justification="Het plan is in 2025 geoefend volgens het verslag aan de raad.",
        reviewer="anna",
    )  # fmt: skip
    s = assess(built.ws, built.gm_a).org(built.gm_a).score_of("2.1")
    assert (s.score, s.computed_score) == ("Hoog", "Midden")
    assert s.reasons[0].startswith("Hoog (handmatig aangepast door anna; berekend: Midden)")


def test_assess_cli_json_and_override(built: Built) -> None:
    _load_commands()
    runner = CliRunner()
    ws = str(built.ws.root)
    res = runner.invoke(
        app, ["beoordeling", "--werkruimte", ws, "--organisatie", built.gm_a, "--json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    rows = {r["measure"]: r for r in data["scores"]}
    assert {r["organisation"] for r in data["scores"]} == {built.gm_a}
    r = rows["2.2"]
    for key in ("organisation", "measure", "score", "computed_score", "reasons", "evidence",
                "missing_aspects", "signals", "years"):  # fmt: skip
        assert key in r
    assert r["evidence"] == sorted(built.passages["nsp"]) and r["years"] == [2025]
    res = runner.invoke(app, ["beoordeling", "--werkruimte", ws])
    assert res.exit_code == 0, res.output
    assert "Over 3 organisaties samen:" in res.output
    res = runner.invoke(
        app,
        ["beoordeling", "overschrijf", "--werkruimte", ws, "-o", built.gm_a, "-m", "3.1",
         "--score", "Midden", "--toelichting", "Aggregaten zijn besteld volgens de raadsbrief.",
         "--beoordelaar", "bram"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    s = assess(built.ws, built.gm_a).org(built.gm_a).score_of("3.1")
    assert (s.score, s.computed_score) == ("Midden", "Laag")


def test_assess_open_review_queue(built: Built) -> None:
    """Candidates of the scan in the review queue (written by the store's queue function)
    that nobody decided on turn "geen bewijs" into "Nog niet beoordeeld"; decided ones
    do not. Runs last: it adds candidates to the shared workspace."""
    from weerbaar.store.candidates import replace_candidates
    from weerbaar.store.documents import list_passages

    with built.ws.read() as conn:
        pids = [p["id"] for p in list_passages(conn, organisation=built.gm_a)]
    nsp, noodstroom = built.passages["nsp"], built.passages["noodstroom"]
    open_ids = [p for p in pids if p not in nsp + noodstroom][:3]
    with built.ws.write() as conn:
        for measure, rows in (
            ("1.1", open_ids),  # nobody decided: open
            ("2.2", noodstroom + open_ids[:1]),  # noodstroom was judged "nee" for 2.2
            ("3.7", noodstroom),  # only decided for 2.2/3.1, not for 3.7: open
        ):
            replace_candidates(
                conn, scan_run_id=None, catalog_version=built.catalog_version,
                measure_id=measure, organisation_code=built.gm_a,
                rows=[(p, 1.0) for p in rows], method="test",
            )  # fmt: skip
    a = assess(built.ws, built.gm_a)
    org = a.org(built.gm_a)
    s11 = org.score_of("1.1")
    assert s11.score == "Nog niet beoordeeld" and s11.open_candidates == len(open_ids)
    assert f"{len(open_ids)} passages uit de scan wachten op controle" in s11.reasons[0]
    s37 = org.score_of("3.7")
    assert s37.score == "Nog niet beoordeeld" and s37.open_candidates == len(noodstroom)
    s22 = org.score_of("2.2")  # validated evidence: scored as before, open ones named
    assert s22.score == "Hoog" and s22.open_candidates == 1
    assert any("1 passage uit de scan wacht op controle" in r for r in s22.reasons)
    total = len(open_ids) + len(noodstroom) + 1 + len(noodstroom)
    assert (org.queue_total, org.queue_reviewed) == (total, len(noodstroom))
    assert org.score_of("4.1").score == "Laag"  # nothing in the queue: still Laag
    # the self-assessment's view of the scan says why there is no evidence yet
    from weerbaar.selfassess.core import compare_claims, load_entries, public_evidence, save_entry

    ev = public_evidence(built.ws, built.gm_a)
    assert ev["1.1"].passage_ids == () and ev["1.1"].note == (
        f"nog niet beoordeeld: {len(open_ids)} passages uit de scan wachten op controle"
    )
    save_entry(built.ws, built.gm_a, "1.1", {"status": "ingericht"}, by="test")
    (f,) = [f for f in compare_claims(load_entries(built.ws, built.gm_a), ev)]
    assert f.kind == "claim_zonder_bewijs" and "nog niet beoordeeld" in f.message


def test_assess_unconfirmed_stage_counts_as_lowest(built: Built) -> None:
    """A "ja" without a chosen stage never scores on the software's suggestion: the
    passage counts as voornemen and the reasons say the stage was not confirmed; once a
    reviewer chooses the stage, it counts. Runs after the queue test (adds decisions)."""
    from weerbaar.assess import suggest_stage
    from weerbaar.catalog import load_catalog
    from weerbaar.review import record_decision
    from weerbaar.store.documents import passage_context

    measure = "1.2"
    nsp = built.passages["nsp"]
    with built.ws.read() as conn:
        texts = [passage_context(conn, pid)["text"] for pid in nsp]
    # the suggestion for these passages is uitvoering or higher: the old fallback gave Hoog
    assert all(suggest_stage(t)[0] in ("uitvoering", "evaluatie") for t in texts)
    ids = [a.id for a in load_catalog().measure(measure).aspects]
    for pid in nsp:
        record_decision(built.ws, reviewer="carla", passage_id=pid, measure_id=measure,
                        relevant="ja", aspects=ids)  # fmt: skip
    s = assess(built.ws, built.gm_a).org(built.gm_a).score_of(measure)
    assert s.score == "Laag" and s.highest_stage == "voornemen"
    lead = f"Fase niet bevestigd bij {len(nsp)} passage"
    assert any(r.startswith(lead) and "als voornemen" in r for r in s.reasons), s.reasons
    for pid in nsp:
        record_decision(built.ws, reviewer="carla", passage_id=pid, measure_id=measure,
                        relevant="ja", stage="uitvoering", aspects=ids)  # fmt: skip
    s = assess(built.ws, built.gm_a).org(built.gm_a).score_of(measure)
    assert s.score == "Hoog" and not any("niet bevestigd" in r for r in s.reasons)
