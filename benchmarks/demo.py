"""Time of ``weerbaar demo`` per step (target: the whole demo in under five minutes on
2 cores), run in a temporary folder so nothing of the user's is touched."""

from __future__ import annotations

import os
import resource
import sys
import tempfile
from pathlib import Path

from weerbaar.demo import run_demo

TARGET_SECONDS = 300


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="weerbaar-demo-bench-") as tmp:
        result = run_demo(Path(tmp) / "demo-uitvoer")
    print(f"demo: {len(result.steps)} stappen, cpu's: {os.cpu_count()}")
    for s in result.steps:
        print(f"  {s.name:<34} {s.status:<16} {s.seconds:7.1f} s")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  {'totaal':<34} {'':<16} {result.seconds:7.1f} s  (doel < {TARGET_SECONDS} s)")
    print(
        f"  documenten gelezen: {result.documents_ok}, passages: {result.passages}, "
        f"beoordelingen: {result.decisions_recorded}, piekgeheugen: {peak_mb:.0f} MB"
    )
    if not result.ok:
        print("  niet alle stappen gelukt", file=sys.stderr)
        return 1
    return 0 if result.seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
