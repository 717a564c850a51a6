"""Developer tool: run mypy and hold its errors to a baseline that only shrinks.

Usage: .venv/bin/python scripts/typecheck.py [--update]

mypy runs with the settings in pyproject.toml ([tool.mypy]). Its errors are counted per
file and compared with mypy-baseline.txt ("count path" per line):

- a file with more errors than its baseline, or a file with errors that is not in the
  baseline, fails the check (fix the new errors);
- a file with fewer errors than its baseline passes with a note: run with --update to
  write the lower counts (so that the errors fixed cannot come back). It does not fail,
  so that one engineer's fix never breaks `make lint` for the others.

--update writes the current counts, but refuses when any count would go up (the first
--update, without a baseline file, writes whatever mypy finds).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.txt"
HEADER = (
    "# mypy errors per file (scripts/typecheck.py). Counts may only go down:\n"
    "# fix errors, then run: .venv/bin/python scripts/typecheck.py --update\n"
)
ERROR_LINE = re.compile(r"^(?P<path>[^:\s]+\.py):\d+(?::\d+)?: error: ")


def count_errors(mypy_output: str) -> Counter[str]:
    """Errors per file in mypy's output (notes and the summary line are not errors)."""
    counts: Counter[str] = Counter()
    for line in mypy_output.splitlines():
        match = ERROR_LINE.match(line)
        if match:
            counts[match["path"]] += 1
    return counts


def read_baseline(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        count, path = line.split(maxsplit=1)
        out[path] = int(count)
    return out


def format_baseline(counts: dict[str, int]) -> str:
    lines = [f"{n} {path}" for path, n in sorted(counts.items()) if n > 0]
    return HEADER + "\n".join(lines) + ("\n" if lines else "")


def compare(current: dict[str, int], baseline: dict[str, int]) -> tuple[list[str], list[str]]:
    """(grown, shrunk): one line per file whose error count went up or down."""
    grown, shrunk = [], []
    for path in sorted(set(current) | set(baseline)):
        now, before = current.get(path, 0), baseline.get(path, 0)
        if now > before:
            grown.append(f"{path}: {now} errors, baseline {before}")
        elif now < before:
            shrunk.append(f"{path}: {now} errors, baseline {before}")
    return grown, shrunk


def run_mypy() -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode not in (0, 1) or proc.stderr.strip():
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"mypy did not run (exit code {proc.returncode})")
    return proc.stdout


def main(argv: list[str]) -> int:
    update = "--update" in argv
    output = run_mypy()
    current = dict(count_errors(output))
    baseline = read_baseline(BASELINE.read_text(encoding="utf-8")) if BASELINE.exists() else {}
    grown, shrunk = compare(current, baseline)
    total = sum(current.values())
    if grown and (BASELINE.exists() or not update):
        sys.stdout.write(output)
        sys.stdout.write("\nmypy: more errors than the baseline allows:\n")
        sys.stdout.writelines(f"  {line}\n" for line in grown)
        return 1
    if update:
        BASELINE.write_text(format_baseline(current), encoding="utf-8")
        sys.stdout.write(f"mypy: baseline written, {total} errors in {len(current)} files\n")
        return 0
    if shrunk:
        sys.stdout.write("mypy: fewer errors than the baseline, lower it with --update:\n")
        sys.stdout.writelines(f"  {line}\n" for line in shrunk)
    where = "below" if shrunk else "at"
    sys.stdout.write(f"mypy: {where} the baseline, {total} errors in {len(current)} files\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
