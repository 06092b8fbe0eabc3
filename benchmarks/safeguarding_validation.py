"""Safeguarding figures on the validation files, overall and per category, for each setting.

    python benchmarks/safeguarding_validation.py [--json OUT.json]

Scores the packaged model as it runs (``analysis.safeguarding.check_many``): rules alone,
rules OR model at the *likely* threshold and at the *possible* (recall) threshold, on
``validation_*.jsonl`` (measurement only: never train, tune or pick a threshold on these) and
the flag rate on the NHS comments. Run it once per model, after every choice is made.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.train_data import nhs_comments, read_jsonl, validation_files  # noqa: E402

NHS = Path("/work/shared/data/sentiment/nhs_fft_train.csv")
SETTINGS = ("off", "likely", "recall")


def flags(texts: list[str], setting: str) -> list[bool]:
    from analysis import safeguarding

    os.environ[safeguarding.MODE_VAR] = setting
    return [r.flagged for r in safeguarding.check_many(texts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--nhs", type=Path, default=NHS)
    args = parser.parse_args()
    rows = [r for path in validation_files() for r in read_jsonl(path)]
    nhs = [r.text for r in nhs_comments(args.nhs)] if args.nhs.exists() else []
    report: dict[str, Any] = {}
    for setting in SETTINGS:
        flagged = flags([r.text for r in rows], setting)
        by: dict[tuple[int, str], list[bool]] = defaultdict(list)
        for row, hit in zip(rows, flagged, strict=True):
            by[(row.label, row.category)].append(hit)
            by[(row.label, "all")].append(hit)
        nhs_rate = sum(flags(nhs, setting)) / len(nhs) if nhs else None
        report[setting] = {
            "disclosures_caught": {c: [sum(v), len(v)] for (y, c), v in sorted(by.items()) if y},
            "negatives_flagged": {c: [sum(v), len(v)] for (y, c), v in sorted(by.items()) if not y},
            "nhs_flag_rate": nhs_rate,
        }
        part = report[setting]
        shown = "n/a" if nhs_rate is None else f"{nhs_rate:.4f}"
        print(f"\n== {setting} ==  NHS flag rate {shown}")
        for name in ("disclosures_caught", "negatives_flagged"):
            print(" ", name)
            for category, (hit, n) in part[name].items():
                print(f"    {category:28s} {hit:4d}/{n:<4d} {hit / n:.3f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
