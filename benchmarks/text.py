"""Text engines side by side in one run: TextBlob, VADER, the numpy model and the encoder.

    python benchmarks/text.py [--sentiment FILE.csv] [--safeguarding-dir DIR] [--limit N]

Each engine runs in a fresh subprocess, so its load time (imports and model files) and peak
memory are its own. Sentiment is scored on a labelled CSV (``text,label,question_type``); the
default is the NHS *training* file, on which the numpy model and the encoder were trained, so
its sentiment scores there are in-sample and flattering — pass a file they never saw, and read
the cross-validation figures printed from each model's own record for the honest estimate.
Safeguarding (rules alone against rules OR model) is scored on the validation files, which
nothing was trained or tuned on, plus the flag rate on the NHS comments.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.evaluate import read_rows  # noqa: E402
from analysis.metrics import binary_scores, three_class_scores  # noqa: E402

DEFAULT_SENTIMENT = ROOT.parent / "shared" / "data" / "sentiment" / "nhs_fft_train.csv"
DEFAULT_SAFEGUARDING = ROOT / "analysis" / "training_data" / "safeguarding"
SENTIMENT_ENGINES = ("textblob", "vader", "model", "encoder")
SAFEGUARDING_ENGINES = ("rules", "rules+model")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def worker(engine: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Load ``engine``, warm it on one text, then time it over every text."""
    texts, purposes = payload["texts"], payload["purposes"]
    start = time.perf_counter()
    if engine in SAFEGUARDING_ENGINES:
        from analysis import safeguarding

        use_model = engine == "rules+model"
        safeguarding.check_many(texts[:1], use_model=use_model)
        loaded = time.perf_counter()
        out: list[Any] = [r.flagged for r in safeguarding.check_many(texts, use_model=use_model)]
        timed = time.perf_counter()
    else:
        from analysis import sentiment

        sentiment.classify_many(texts[:1], purposes[:1], engine)  # type: ignore[arg-type]
        loaded = time.perf_counter()
        with_context = sentiment.classify_many(texts, purposes, engine)  # type: ignore[arg-type]
        timed = time.perf_counter()
        # Untimed: the encoder has cached these texts' embeddings by now.
        blind = sentiment.classify_many(texts, None, engine)  # type: ignore[arg-type]
        out = [[a.label, b.label] for a, b in zip(with_context, blind, strict=True)]
    rate = len(texts) / (timed - loaded)
    return {"load_s": loaded - start, "texts_per_s": rate, "peak_mb": _peak_mb(), "out": out}


def run(engine: str, texts: list[str], purposes: list[str | None]) -> dict[str, Any]:
    payload = json.dumps({"texts": texts, "purposes": purposes})
    done = subprocess.run(
        [sys.executable, __file__, "--worker", engine],
        input=payload, capture_output=True, text=True, check=True,
        env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def sentiment_table(path: Path, limit: int) -> None:
    rows = read_rows(path)[:limit]
    texts = [r["text"] for r in rows]
    truth = [r["label"] for r in rows]
    purposes = [r.get("question_type") or None for r in rows]
    print(f"## Sentiment on {path.name} ({len(rows)} comments)\n")
    print("| engine | macro-F1 | negative recall | binary negative recall | texts/s | load s "
          "| peak MB |\n|---|---|---|---|---|---|---|")  # fmt: skip
    for engine in SENTIMENT_ENGINES:
        r = run(engine, texts, purposes)
        three = three_class_scores(truth, [o[0] for o in r["out"]])
        binary = binary_scores(truth, [o[1] for o in r["out"]])
        print(f"| {engine} | {three.macro_f1:.3f} | {three.negative_recall:.3f} | "
              f"{binary.negative_recall:.3f} | {r['texts_per_s']:,.0f} | {r['load_s']:.2f} | "
              f"{r['peak_mb']:.0f} |")  # fmt: skip
    from analysis import contextual, sentiment

    cv = contextual.provenance()["cross_validation"]
    numpy_cv = sentiment.model().meta["cross_validation"]
    print("\nCross-validated (grouped, from each model's record): numpy model macro-F1 "
          f"{numpy_cv['three_class']['macro_f1']:.3f}; encoder: see below.")  # fmt: skip
    mode = next(k for k in cv if isinstance(cv[k], dict))
    three = cv[mode]["sentiment_three_class"]
    print(f"encoder ({mode}): macro-F1 {three['macro_f1']:.3f}, negative recall "
          f"{three['negative_recall']:.3f}\n")  # fmt: skip


def safeguarding_table(directory: Path, nhs: Path, limit: int) -> None:
    sets = {}
    for name in ("validation_disclosures", "validation_negatives"):
        path = directory / f"{name}.jsonl"
        if path.is_file():
            sets[name] = [r["text"] for r in read_rows(path)][:limit]
    if nhs.is_file():
        sets["nhs_comments"] = [r["text"] for r in read_rows(nhs)][:limit]
    print("## Safeguarding: share of each set flagged\n")
    print("| engine | " + " | ".join(sets) + " | texts/s | load s | peak MB |")
    print("|---" * (len(sets) + 4) + "|")
    for engine in SAFEGUARDING_ENGINES:
        everything = [t for texts in sets.values() for t in texts]
        r = run(engine, everything, [None] * len(everything))
        shares, start = [], 0
        for texts in sets.values():
            flags = r["out"][start : start + len(texts)]
            shares.append(f"{sum(flags) / len(flags):.3f}")
            start += len(texts)
        print(f"| {engine} | " + " | ".join(shares) + f" | {r['texts_per_s']:,.0f} | "
              f"{r['load_s']:.2f} | {r['peak_mb']:.0f} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentiment", type=Path, default=DEFAULT_SENTIMENT)
    parser.add_argument("--safeguarding-dir", type=Path, default=DEFAULT_SAFEGUARDING)
    parser.add_argument("--limit", type=int, default=100_000, help="rows per set, at most")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, json.load(sys.stdin))))
        return
    sentiment_table(args.sentiment, args.limit)
    safeguarding_table(args.safeguarding_dir, args.sentiment, args.limit)


if __name__ == "__main__":
    main()
