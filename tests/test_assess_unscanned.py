"""Without a scan, "nothing in the queue" means "not looked yet", never Laag."""

from __future__ import annotations

from pathlib import Path

from weerbaar.assess import assess
from weerbaar.ingest import ingest
from weerbaar.search import scan
from weerbaar.store import Workspace

TEXT = (
    "Programmabegroting 2026\n\n"
    "De gemeente onderhoudt de wegen en het groen. In 2026 worden twee fietspaden vernieuwd "
    "en krijgt het marktplein nieuwe bestrating. De lasten voor het onderhoud stijgen door "
    "hogere prijzen van materialen en personeel.\n"
)


def _scores(ws: Workspace, org: str) -> dict[str, object]:
    return {s.measure: s for s in assess(ws, organisation=org).org(org).scores}


def test_assess_without_scan_is_not_yet_assessed(
    workspace: Workspace, tmp_path: Path, monkeypatch
) -> None:
    for year, kind in ((2026, "begroting"), (2025, "jaarstukken")):
        f = tmp_path / f"{kind}-{year}.txt"
        f.write_text(TEXT.replace("2026", str(year)), encoding="utf-8")
        ingest(workspace, [f], organisation="GM0363", doc_type=kind, year=year, progress=False)
    before = _scores(workspace, "GM0363")
    assert {str(s.score) for s in before.values()} == {"Nog niet beoordeeld"}
    assert "nog niet doorzocht" in before["2.2"].reasons[0]

    monkeypatch.setenv("WEERBAAR_SCAN_MIN_SCORE", "1.01")  # the scan looks, queues nothing
    scan(workspace, progress=False)
    after = _scores(workspace, "GM0363")
    assert str(after["2.2"].score) == "Laag"
    assert "betekent niet dat de maatregel ontbreekt" in after["2.2"].reasons[0]

    # a new document after the scan, in the same second: not looked at yet again
    f = tmp_path / "raadsbrief-2026.txt"
    f.write_text(TEXT.replace("Programmabegroting", "Raadsinformatiebrief"), encoding="utf-8")
    ingest(workspace, [f], organisation="GM0363", doc_type="raadsbrief", year=2026, progress=False)
    assert str(_scores(workspace, "GM0363")["2.2"].score) == "Nog niet beoordeeld"


def test_assess_document_stored_during_a_scan_is_not_scanned(
    workspace: Workspace, tmp_path: Path, monkeypatch
) -> None:
    """Freshness is by passage id, not by clock: a document that arrives while a scan
    runs (after it read the passages) is not covered by that scan."""
    import weerbaar.search.core as core

    first = tmp_path / "begroting-2026.txt"
    first.write_text(TEXT, encoding="utf-8")
    ingest(workspace, [first], organisation="GM0363", doc_type="begroting", progress=False)
    other = tmp_path / "begroting-2026-zwolle.txt"
    other.write_text(TEXT.replace("fietspaden", "voetpaden"), encoding="utf-8")
    ingest(workspace, [other], organisation="GM0193", doc_type="begroting", progress=False)

    late = tmp_path / "raadsbrief-2026.txt"
    late.write_text(TEXT.replace("Programmabegroting", "Raadsinformatiebrief"), encoding="utf-8")
    real_load = core.open_lexical

    def load_then_ingest(ws, *args, **kwargs):  # type: ignore[no-untyped-def]
        data = real_load(ws, *args, **kwargs)
        ingest(ws, [late], organisation="GM0363", doc_type="raadsbrief", progress=False)
        return data

    monkeypatch.setattr(core, "open_lexical", load_then_ingest)
    monkeypatch.setenv("WEERBAAR_SCAN_MIN_SCORE", "1.01")
    scan(workspace, progress=False)
    # GM0363 got a document the scan did not read; GM0193 did not
    assert str(_scores(workspace, "GM0363")["2.2"].score) == "Nog niet beoordeeld"
    assert str(_scores(workspace, "GM0193")["2.2"].score) == "Laag"
    monkeypatch.setattr(core, "open_lexical", real_load)
    scan(workspace, progress=False)
    assert str(_scores(workspace, "GM0363")["2.2"].score) == "Laag"
