"""Without a scan, "nothing in the queue" means "not looked yet", never Laag."""

from __future__ import annotations

import time
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

    # a new document after the scan: not looked at yet again
    time.sleep(1.1)  # stored times have whole seconds: make the document clearly newer
    f = tmp_path / "raadsbrief-2026.txt"
    f.write_text(TEXT.replace("Programmabegroting", "Raadsinformatiebrief"), encoding="utf-8")
    ingest(workspace, [f], organisation="GM0363", doc_type="raadsbrief", year=2026, progress=False)
    assert str(_scores(workspace, "GM0363")["2.2"].score) == "Nog niet beoordeeld"
