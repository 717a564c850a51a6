"""Scoring rules, coverage, signals and aggregation on plain data (no workspace)."""

from __future__ import annotations

from weerbaar.assess.aggregate import compute, national_class
from weerbaar.assess.model import (
    AspectInfo,
    DocumentInfo,
    Evidence,
    MeasureInfo,
    OrgInfo,
    Override,
)
from weerbaar.assess.rules import coverage_for, decide, detect_signals, explain
from weerbaar.assess.stage import STAGES, StageClassifier, combine, cue_stage, stage_cues

M22 = MeasureInfo(
    "2.2",
    2,
    "Noodsteunpunten",
    True,
    tuple(AspectInfo(f"2.2.{c}", f"aspect {c}") for c in "abcdef"),
    depends_on=("3.1",),
    responsible=("Gemeenten", "Veiligheidsregio's"),
    partners=("Maatschappelijke partners",),
)
M31 = MeasureInfo("3.1", 3, "Noodstroom", True, (AspectInfo("3.1.a", "inventaris"),))
GM = OrgInfo("GM9001", "Gemeente Test", "gemeente", "VR99")
GM2 = OrgInfo("GM9002", "Gemeente Twee", "gemeente", "VR99")
VR = OrgInfo("VR99", "Veiligheidsregio Test", "veiligheidsregio", None)


def ev(
    pid: int, org: str, measure: str, stage: str, year: int, aspects=(), text="Tekst."
) -> Evidence:
    return Evidence(
        passage_id=pid,
        document_id=pid,
        organisation_code=org,
        measure_id=measure,
        text=text,
        page_start=2,
        page_end=2,
        stage=stage,
        stage_source="beoordelaar",
        aspects=tuple(aspects),
        doc_type="jaarstukken",
        year=year,
        title=f"Jaarstukken {year}",
    )


def docs(org: str, *pairs: tuple[str, int]) -> list[DocumentInfo]:
    return [DocumentInfo(i, org, t, y, f"{t} {y}") for i, (t, y) in enumerate(pairs, 1)]


def run(evidence, documents, orgs=(GM,), overrides=(), queue=None):
    return compute(
        queue=queue,
        catalog_version="t",
        measures=[M22, M31],
        pillar_names={2: "Crisis", 3: "Vitaal"},
        organisations=list(orgs),
        documents=documents,
        evidence=evidence,
        overrides=overrides,
        reference_year=2025,
    )


def test_assess_hoog_with_reason_and_gaps() -> None:
    evidence = [
        ev(i, "GM9001", "2.2", "uitvoering", 2024, [f"2.2.{c}"])
        for i, c in zip((1, 2, 3), "abc", strict=True)
    ]
    evidence.append(ev(4, "GM9001", "2.2", "plan", 2023, ["2.2.d"]))
    a = run(evidence, docs("GM9001", ("begroting", 2025)))
    s = a.org("GM9001").score_of("2.2")
    assert s.score == "Hoog" and s.computed_score == "Hoog"
    assert (
        s.reasons[0]
        == "Hoog: 3 passages uit Jaarstukken 2024 tonen uitvoering; 4 van 6 aspecten aangetoond."
    )
    assert s.missing_aspects == ["2.2.e", "2.2.f"]
    assert any(
        line.startswith("Ontwikkeling: plan (2023) → uitvoering (2024)") for line in s.summary
    )
    # 3.1 without evidence and with sources: Laag, but never "absent"
    s31 = a.org("GM9001").score_of("3.1")
    assert s31.score == "Laag"
    assert "geen openbaar bewijs gevonden" in s31.reasons[0]
    assert "niet dat de maatregel ontbreekt" in s31.reasons[0]
    # dependency: 2.2 Hoog while 3.1 Laag
    assert [(f.measure, f.depends_on) for f in a.dependency_flags] == [("2.2", "3.1")]


def test_assess_midden_when_few_aspects_or_old() -> None:
    few = run(
        [ev(1, "GM9001", "2.2", "uitvoering", 2025, ["2.2.a"])], docs("GM9001", ("begroting", 2025))
    )
    s = few.org("GM9001").score_of("2.2")
    assert s.score == "Midden"
    assert any("helft" in r for r in s.reasons)
    old = run(
        [ev(1, "GM9001", "2.2", "uitvoering", 2019, ["2.2.a", "2.2.b", "2.2.c"])],
        docs("GM9001", ("begroting", 2025)),
    )
    s = old.org("GM9001").score_of("2.2")
    assert s.score == "Midden" and any("vóór 2023" in r for r in s.reasons)
    low = run([ev(1, "GM9001", "2.2", "voornemen", 2025)], docs("GM9001", ("begroting", 2025)))
    assert low.org("GM9001").score_of("2.2").score == "Laag"


def test_assess_insufficient_sources() -> None:
    a = run([], docs("GM9001", ("raadsinformatiebrief", 2025), ("begroting", 2019)))
    s = a.org("GM9001").score_of("2.2")
    assert s.score == "Onvoldoende bronnen"
    assert "begroting of jaarstukken 2024-2025" in s.reasons[0]
    assert a.measures[0].national_class.startswith("onbekend")


def test_assess_region_coverage_rule() -> None:
    cov = coverage_for(VR, docs("VR99", ("begroting", 2025), ("jaarverslag", 2024)), 2025)
    assert not cov.sufficient and cov.missing == ["beleidsplan of risicoprofiel 2021-2025"]
    cov = coverage_for(
        VR,
        docs("VR99", ("programmabegroting", 2025), ("jaarverslag", 2024), ("risicoprofiel", 2022)),
        2025,
    )
    assert cov.sufficient


def test_assess_override_keeps_computed() -> None:
    o = Override(
        "GM9001", "3.1", "Midden", "Laag", "Aggregaten aangeschaft volgens raadsbrief.", "anna", "x"
    )
    a = run([], docs("GM9001", ("begroting", 2025)), overrides=[o])
    s = a.org("GM9001").score_of("3.1")
    assert (s.score, s.computed_score) == ("Midden", "Laag")
    assert "handmatig aangepast door anna" in s.reasons[0]


def test_assess_region_carries_for_municipality_and_aggregates() -> None:
    evidence = [ev(1, "VR99", "2.2", "uitvoering", 2025, ["2.2.a", "2.2.b", "2.2.c"])]
    documents = [
        *docs("GM9001", ("begroting", 2025)),
        DocumentInfo(10, "VR99", "begroting", 2025, "b"),
        DocumentInfo(11, "GM9002", "jaarstukken", 2024, "j"),
    ]
    a = run(evidence, documents, orgs=(VR, GM, GM2))
    s = a.org("GM9001").score_of("2.2")
    assert (
        s.score == "Laag" and s.regional.carried_by_region and s.regional.combined_score == "Hoog"
    )
    assert any("VR99 draagt" in r for r in s.reasons)
    region = a.regions[0]
    assert region.region == "VR99" and region.carried["2.2"] == 2
    assert region.counts["2.2"]["Hoog"] == 2
    agg = {m.measure: m for m in a.measures}
    assert agg["2.2"].counts == {
        "Hoog": 1, "Midden": 0, "Laag": 2, "Onvoldoende bronnen": 0, "Nog niet beoordeeld": 0
    }  # fmt: skip
    assert agg["2.2"].national_class == "nauwelijks geïmplementeerd"
    assert agg["2.2"].aspects_nowhere == ["2.2.d", "2.2.e", "2.2.f"]
    assert [y.year for y in a.years] == [2025]


def test_assess_national_class_rule() -> None:
    assert national_class({"Hoog": 5, "Midden": 3, "Laag": 2})[0] == "breed geïmplementeerd"
    assert national_class({"Hoog": 2, "Midden": 5, "Laag": 3})[0] == "gedeeltelijk geïmplementeerd"
    assert national_class({"Hoog": 5, "Midden": 0, "Laag": 5})[1] == "sterk wisselend"


def test_assess_spread_means_agreement() -> None:
    """'eenduidig' only when (nearly) all organisations with a score agree; one Hoog and
    three Laag is a strong split, not agreement."""
    spread = {
        (1, 0, 3): "sterk wisselend",
        (0, 0, 4): "eenduidig",
        (0, 1, 9): "eenduidig",
        (1, 0, 9): "wisselend",  # Hoog and Laag together are never eenduidig
        (0, 1, 3): "wisselend",
        (2, 2, 0): "wisselend",
        (4, 0, 0): "eenduidig",
    }
    for (h, m, low), expected in spread.items():
        got = national_class({"Hoog": h, "Midden": m, "Laag": low})[1]
        assert got == expected, ((h, m, low), got)


def test_assess_signals() -> None:
    items = [
        ev(
            1,
            "GM9001",
            "2.2",
            "plan",
            2025,
            text="Door vacatures bij het team is de uitvoering vertraagd.",
        ),
        ev(
            2,
            "GM9001",
            "2.2",
            "plan",
            2025,
            text="We wachten op het landelijk kader voor noodsteunpunten.",
        ),
        ev(
            3,
            "GM9001",
            "2.2",
            "plan",
            2025,
            text="Er zijn 12 bijeenkomsten georganiseerd met 300 deelnemers.",
        ),
    ]
    codes = {s.code: s.passage_ids for s in detect_signals(items)}
    assert codes["capaciteitstekort"] == [1]
    assert codes["wachten_op_landelijk_kader"] == [2]
    assert codes["geen_effectmeting"] == [3]
    assert set(codes["plan_zonder_uitvoering"]) == {1, 2, 3}
    measured = [
        *items[:2],
        ev(3, "GM9001", "2.2", "uitvoering", 2025, text="12 bijeenkomsten; het effect is gemeten."),
    ]
    codes = {s.code for s in detect_signals(measured)}
    assert "geen_effectmeting" not in codes and "plan_zonder_uitvoering" in codes  # "vertraagd"


def test_assess_stage_cues() -> None:
    assert cue_stage("Komend jaar gaan we onderzoeken of dit kan.")[0] == "voornemen"
    assert cue_stage("Het draaiboek noodwater is vastgesteld.")[0] == "plan"
    assert cue_stage("De noodsteunpunten zijn ingericht en we hebben geoefend.")[0] == "uitvoering"
    assert (
        cue_stage("De oefening is geëvalueerd; de verbeterpunten zijn verwerkt.")[0] == "evaluatie"
    )
    # the classifier path on a small training set of our own, combined with the cues
    texts = [
        "We gaan onderzoeken of dit nodig is.", "De gemeente wil dit verkennen.",
        "Het plan is vastgesteld.", "Het draaiboek wordt voorbereid.",
        "De posten zijn ingericht en in gebruik.", "De aggregaten zijn geplaatst.",
        "De oefening is geëvalueerd.", "Er zijn verbeterpunten benoemd.",
    ]  # fmt: skip
    clf = StageClassifier(texts, [s for s in STAGES for _ in (0, 1)])
    text = "De noodposten zijn geplaatst."
    stage, conf = combine(stage_cues(text), clf.proba(text))
    assert stage == "uitvoering" and 0 < conf <= 1
    assert combine(stage_cues("Geen enkel signaalwoord hier."), None) == ("voornemen", 0.25)


def test_assess_open_candidates_are_not_yet_assessed() -> None:
    """No validated evidence but passages of the scan still open: no score, never Laag."""
    documents = docs("GM9001", ("begroting", 2025))
    a = run([], documents, queue={("GM9001", "2.2"): (4, 4), ("GM9001", "3.1"): (3, 0)})
    s = a.org("GM9001").score_of("2.2")
    assert (s.score, s.computed_score) == ("Nog niet beoordeeld", "Nog niet beoordeeld")
    assert s.reasons[0] == (
        "Nog niet beoordeeld: 4 passages uit de scan wachten op controle; zonder "
        "gecontroleerd bewijs geen score."
    )
    assert (s.candidates, s.open_candidates) == (4, 4)
    assert not any("geen openbaar bewijs" in line.lower() for line in s.reasons + s.summary)
    # everything found was judged not relevant: Laag, and the reason says so
    s31 = a.org("GM9001").score_of("3.1")
    assert (
        s31.score == "Laag" and "Alle 3 passages uit de scan zijn gecontroleerd" in s31.reasons[1]
    )
    org = a.org("GM9001")
    assert (org.queue_total, org.queue_reviewed) == (7, 3)
    # not a H/M/L score: no share, no class, no dependency flag (2.2 depends on 3.1)
    agg = {m.measure: m for m in a.measures}
    assert agg["2.2"].counts["Nog niet beoordeeld"] == 1 and agg["2.2"].assessed == 0
    assert agg["2.2"].national_class == "nog onvoldoende beoordeeld"
    assert a.dependency_flags == []


def test_assess_open_candidates_next_to_evidence_and_missing_sources() -> None:
    evidence = [ev(1, "GM9001", "2.2", "plan", 2025, ["2.2.a"])]
    a = run(evidence, docs("GM9001", ("begroting", 2025)), queue={("GM9001", "2.2"): (5, 2)})
    s = a.org("GM9001").score_of("2.2")
    assert s.score == "Midden"
    assert "Nog 2 passages uit de scan wachten op controle; die kunnen de score nog verhogen." in (
        s.reasons
    )
    # open candidates and no relevant sources: not yet assessed, and the gap is named
    b = run([], docs("GM9001", ("raadsbrief", 2025)), queue={("GM9001", "2.2"): (1, 1)})
    s = b.org("GM9001").score_of("2.2")
    assert (
        s.score == "Nog niet beoordeeld"
        and "1 passage uit de scan wacht op controle" in (s.reasons[0])
    )
    assert any(r.startswith("Ook ontbreken relevante bronnen") for r in s.reasons)


def test_assess_national_class_needs_half_scored() -> None:
    counts = {"Hoog": 0, "Midden": 0, "Laag": 3, "Onvoldoende bronnen": 0, "Nog niet beoordeeld": 4}
    assert national_class(counts) == ("nog onvoldoende beoordeeld", "onbekend")
    counts["Nog niet beoordeeld"] = 3
    assert national_class(counts)[0] == "nauwelijks geïmplementeerd"
    assert national_class({"Laag": 1, "Onvoldoende bronnen": 5})[0].startswith("onbekend")


def test_assess_coverage_counts_only_read_documents() -> None:
    corrupt = DocumentInfo(1, "GM9001", "jaarstukken", 2025, "Jaarstukken 2025",
                           status="corrupt", names=("jaarstukken_2025.pdf",))  # fmt: skip
    brief = DocumentInfo(2, "GM9001", "raadsbrief", 2025, "Brief")
    cov = coverage_for(GM, [corrupt, brief], 2025)
    assert not cov.sufficient and cov.documents == 1
    assert cov.unread == ["jaarstukken_2025.pdf (beschadigd)"]
    assert "jaarstukken" not in cov.doc_types
    truncated = DocumentInfo(3, "GM9001", "begroting", 2024, "Begroting", status="truncated")
    assert coverage_for(GM, [corrupt, truncated], 2025).sufficient


def test_assess_decision_and_explanation_are_separate() -> None:
    """The score is decided from facts alone; the Dutch reasons are written from the
    decision. Old execution evidence only reaches Midden, and the reason says why."""
    cov = coverage_for(GM, docs(GM.code, ("begroting", 2025), ("jaarstukken", 2024)), 2025)
    recent = [ev(1, GM.code, "2.2", "uitvoering", 2025, ["2.2.a", "2.2.b", "2.2.c"])]
    d = decide(M22, recent, cov, 2025)
    assert (d.score.value, d.rule, len(d.top), d.enough_aspects) == ("Hoog", "uitvoering", 1, True)
    assert (
        explain(d, cov)[0]
        == "Hoog: 1 passage uit Jaarstukken 2025 toont uitvoering; 3 van 6 aspecten aangetoond."
    )
    old = [ev(2, GM.code, "2.2", "uitvoering", 2019, ["2.2.a", "2.2.b", "2.2.c"])]
    d = decide(M22, old, cov, 2025)
    assert (d.score.value, d.rule, d.recent_rank) == ("Midden", "plan", 0)
    assert any("alleen aangetoond in bronnen van vóór" in r for r in explain(d, cov))
    d = decide(M22, [], cov, 2025, queue=(3, 2))
    assert (d.score.value, d.rule, d.open) == ("Nog niet beoordeeld", "wacht", 2)
    assert "2 passages uit de scan wachten op controle" in explain(d, cov)[0]
