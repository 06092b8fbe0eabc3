"""The labelled texts the encoder's heads learn from, and the hashes that record them.

Safeguarding training data: the JSON-lines files in ``analysis/training_data/safeguarding/``
whose names start with ``train_`` (disclosures, label 1, and hard negatives, label 0), the
disclosures and safe comments of the repository's own tests, and the ordinary NHS comments
(all label 0). Files starting ``validation_`` are read only to measure, never to train or to
choose a threshold. Cross-validation groups by ``batch`` so that texts written from one
template never sit on both sides of a split.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAFEGUARDING_DIR = ROOT / "analysis" / "training_data" / "safeguarding"
REPOSITORY_TESTS = ROOT / "tests" / "analysis" / "test_safeguarding.py"
NHS_COMMENTS = ROOT.parent / "shared" / "data" / "sentiment" / "nhs_fft_train.csv"  # as train.py


@dataclass(frozen=True)
class Labelled:
    text: str
    label: int  # 1 disclosure, 0 benign
    category: str
    batch: str  # the group for cross-validation: one writing batch or template


def read_jsonl(path: Path) -> list[Labelled]:
    """Rows of ``{"text","label","category","voice","batch"}``; blank lines are skipped."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                label = int(row["label"])
                if label not in (0, 1) or not str(row["text"]).strip():
                    raise ValueError("label must be 0 or 1 and text non-empty")
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: {exc}") from exc
            batch = f"{path.stem}:{row.get('batch', '')}"
            rows.append(Labelled(str(row["text"]), label, str(row.get("category", "")), batch))
    return rows


def repository_examples(path: Path = REPOSITORY_TESTS) -> list[Labelled]:
    """``DISCLOSURES`` and ``SAFE`` from the repository's safeguarding tests, read as literals
    (never imported: training must not run test code)."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id in ("DISCLOSURES", "SAFE")
            and node.value is not None
        ):
            found[node.target.id] = ast.literal_eval(node.value)
    disclosures = found.get("DISCLOSURES", [])
    safe = found.get("SAFE", [])
    if not isinstance(disclosures, list) or not isinstance(safe, list):
        raise ValueError(f"{path}: DISCLOSURES and SAFE must be lists")
    rows = [Labelled(text, 1, category, f"repo:{category}") for category, text in disclosures]
    rows += [Labelled(text, 0, "safe", f"repo:safe{i % 5}") for i, text in enumerate(safe)]
    return rows


def nhs_comments(path: Path = NHS_COMMENTS) -> list[Labelled]:
    """Ordinary NHS feedback as benign examples, grouped in tens so folds mix them."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        texts = [row["text"] for row in csv.DictReader(handle) if row["text"].strip()]
    return [Labelled(t, 0, "nhs_comment", f"nhs:{i // 10}") for i, t in enumerate(texts)]


def training_files(directory: Path = SAFEGUARDING_DIR) -> list[Path]:
    return sorted(directory.glob("train_*.jsonl")) if directory.is_dir() else []


def validation_files(directory: Path = SAFEGUARDING_DIR) -> list[Path]:
    return sorted(directory.glob("validation_*.jsonl")) if directory.is_dir() else []


def safeguarding_training_set(files: Iterable[Path], nhs: Path = NHS_COMMENTS) -> list[Labelled]:
    rows = repository_examples() + nhs_comments(nhs)
    for path in files:
        rows += read_jsonl(path)
    return dedupe(rows)


def dedupe(rows: Sequence[Labelled]) -> list[Labelled]:
    """One row per text (case and spacing ignored); a text seen with both labels keeps 1,
    because a missed disclosure costs more than a false alarm."""
    kept: dict[str, Labelled] = {}
    for row in rows:
        key = " ".join(row.text.lower().split())
        if key not in kept or row.label > kept[key].label:
            kept[key] = row
    return list(kept.values())


def file_record(path: Path) -> dict[str, object]:
    data = path.read_bytes()
    return {"file": path.name, "sha256": hashlib.sha256(data).hexdigest(),
            "rows": sum(1 for line in data.splitlines() if line.strip())}  # fmt: skip
