"""The worker's time limit grows with slow but steady work (OCR, page by page), up to the
OCR time budget of a file; past it the file still gets ``timeout``."""

from __future__ import annotations

from pathlib import Path

import pytest

from weerbaar.ingest import Status, ingest
from weerbaar.settings import load_settings
from weerbaar.store import Workspace

# processes, OCR, PDF rendering or real corpora: left out of `make test-fast`
pytestmark = pytest.mark.slow

STEADY = "ingest_helpers:steady_parser"


def test_steady_work_extends_the_time_limit_up_to_the_budget(
    workspace: Workspace, tmp_path: Path
) -> None:
    src = tmp_path / "stap-voor-stap.txt"
    src.write_text("STEADY De gemeente leest elke pagina met OCR, stap voor stap.\n")
    # 10.5 s of work against a 5 s limit: every step asks for 3 s more, within the budget
    ok = ingest(
        workspace,
        [src],
        progress=False,
        parser=STEADY,
        settings=load_settings(parse_timeout_s=5, ocr_budget_s=60),
    )
    assert ok.items[0].status == Status.ok, ok.items[0].reason
    # the same work with a budget of 1 s on top of the limit: stopped after about 6 s
    capped = ingest(
        workspace,
        [src],
        progress=False,
        force=True,
        parser=STEADY,
        settings=load_settings(parse_timeout_s=5, ocr_budget_s=1),
    )
    assert capped.items[0].status == Status.timeout
