"""How long the carevoice command takes to start, beside bare Python in the same run.

    python benchmarks/cli_startup.py [--rounds 7]

Goal (issue: what new users tripped over): ``carevoice --help`` and ``carevoice flows check``
under 0.5 s on the project's 2-core machine. Each command runs ``--rounds`` times, alternating
targets so that a busy moment hurts all of them alike; the table gives the median wall time and
its ratio to ``python -c pass``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CAREVOICE = str(Path(sys.executable).with_name("carevoice"))
TARGETS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "carevoice --help": [CAREVOICE, "--help"],
    "carevoice flows check fft": [CAREVOICE, "flows", "check", "fft"],
    "carevoice flows check examples/meals_survey.yaml": [
        CAREVOICE,
        "flows",
        "check",
        str(ROOT / "examples/meals_survey.yaml"),
    ],
}
GOAL_S = 0.5


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    times: dict[str, list[float]] = {name: [] for name in TARGETS}
    for _ in range(rounds):
        for name, command in TARGETS.items():
            times[name].append(timed(command))
    bare = statistics.median(times["python -c pass"])
    print(f"{'command':<50} {'median s':>9} {'x bare':>7}  goal < {GOAL_S} s")
    for name, samples in times.items():
        median = statistics.median(samples)
        verdict = "" if name.startswith("python") else ("met" if median < GOAL_S else "MISSED")
        print(f"{name:<50} {median:>9.3f} {median / bare:>7.1f}  {verdict}")


if __name__ == "__main__":
    main()
