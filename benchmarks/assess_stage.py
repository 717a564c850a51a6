"""Accuracy of the stage suggestion (cues alone, classifier, combined) on the test split of
the development set and on the external labels in ../shared/corpus/labels.json."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from weerbaar.assess.stage import (
    STAGE_RANK,
    StageClassifier,
    combine,
    cue_stage,
    load_devset,
    stage_cues,
)

REPO = Path(__file__).resolve().parents[1]


def evaluate(name: str, rows: list[dict], clf: StageClassifier | None) -> None:
    if not rows:
        print(f"{name}: geen gelabelde rijen")
        return
    n = len(rows)
    cue = sum(cue_stage(r["text"])[0] == r["stage"] for r in rows)
    line = f"{name}: n={n}  cues={cue / n:.3f}"
    if clf is not None:
        cl = sum(clf.predict(r["text"])[0] == r["stage"] for r in rows)
        co = sum(
            combine(stage_cues(r["text"]), clf.proba(r["text"]))[0] == r["stage"] for r in rows
        )
        line += f"  classifier={cl / n:.3f}  combined={co / n:.3f}"
    print(line)


def main() -> int:
    train = load_devset("!test")
    test = load_devset("test")
    print(f"ontwikkelset: {len(train)} trainingsrijen, {len(test)} testrijen met fase")
    t = time.perf_counter()
    clf = (
        StageClassifier([r["text"] for r in train], [r["stage"] for r in train])
        if len({r["stage"] for r in train}) > 1
        else None
    )
    print(f"training: {time.perf_counter() - t:.2f} s")
    evaluate("test split", test, clf)
    labels = REPO.parent / "shared" / "corpus" / "labels.json"
    if labels.is_file():
        data = json.loads(labels.read_text(encoding="utf-8"))
        rows = [r for r in data if r.get("stage") in STAGE_RANK]
        evaluate("extern (corpus/labels.json)", rows, clf)
    return 0


if __name__ == "__main__":
    sys.exit(main())
