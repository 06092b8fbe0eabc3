"""Can the numpy sentiment model and the encoder's head do better together? (issue 11)

    python benchmarks/sentiment_stacking.py SPLIT_DIR [--nhs nhs_fft_train.csv]

Needs the ``train`` extra and the output of ``python -m analysis.train encoder-split`` (its
encoder was fine-tuned on 4 of 5 folds of the training data). On that run's held-out NHS comments
— training data the split encoder never saw — it scores: the encoder head (fitted on the
training part's comments), the numpy model (refitted on the file's rows whose text is not held
out), the average of their probabilities, and a small logistic regression on both engines'
log-probabilities and the question's purpose, measured by grouped 5-fold CV inside the held-out
comments. Only the training file is read. Figures of the b3 run are in the README.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import head_train as ht  # noqa: E402
from analysis.encoder import Encoder  # noqa: E402
from analysis.encoder_pipeline import default_plan, embed, joint_set  # noqa: E402
from analysis.features import NO_PURPOSE, PURPOSES, featurise  # noqa: E402
from analysis.metrics import binary_scores, three_class_scores  # noqa: E402
from analysis.model import CLASSES  # noqa: E402
from analysis.train import DEFAULT_DATA, Config, fit, group_ids, read_examples  # noqa: E402


def decide(p: np.ndarray, negative: float = 0.33, neutral_weight: float = 1.2) -> list[str]:
    """The numpy model's rule: negative from a lowered threshold, else the weighted argmax."""
    weights = np.array([1.0, neutral_weight, 1.0])
    return [
        "negative" if row[0] >= negative else CLASSES[int(np.argmax(row * weights))] for row in p
    ]


def show(name: str, truth: Sequence[str], pred: list[str], blind: list[str]) -> None:
    three, binary = three_class_scores(truth, pred), binary_scores(truth, blind)
    print(f"{name:28} {three.row()}  | binary macro-F1={binary.macro_f1:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("split", type=Path, help="out of an encoder-split run")
    parser.add_argument("--nhs", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    plan = default_plan(nhs=args.nhs)
    joint = joint_set(plan.data_files, plan.nhs)
    with np.load(args.split / "holdout_scores.npz", allow_pickle=False) as saved:
        held = set(saved["index"].tolist())
    train_l = [i for i in range(len(joint.texts)) if joint.sentiment[i] and i not in held]
    test_l = [i for i in sorted(held) if joint.sentiment[i]]
    texts = [joint.texts[i] for i in test_l]
    purposes = [joint.purposes[i] for i in test_l]
    truth = [joint.sentiment[i] for i in test_l]
    blind_purposes = [NO_PURPOSE] * len(texts)
    encoder = Encoder(
        (args.split / "encoder.int8.onnx").read_bytes(),
        (args.split / "tokenizer.json").read_bytes(),
    )
    head = ht.fit_sentiment(
        embed(encoder, [joint.texts[i] for i in train_l]),
        [joint.texts[i] for i in train_l],
        [joint.purposes[i] for i in train_l],
        [joint.sentiment[i] for i in train_l],
        plan.heads,
    )
    emb = embed(encoder, texts)
    p_enc = head.probabilities(emb, ht.sentiment_dense(texts, purposes))
    p_enc_blind = head.probabilities(emb, ht.sentiment_dense(texts, blind_purposes))
    held_keys = {" ".join(t.lower().split()) for t in texts}
    rows = [e for e in read_examples(args.nhs) if " ".join(e.text.lower().split()) not in held_keys]
    numpy_model = fit(rows, Config())
    p_np = np.array(
        [numpy_model.probabilities(featurise(t, p)) for t, p in zip(texts, purposes, strict=True)]
    )
    p_np_blind = np.array([numpy_model.probabilities(featurise(t, NO_PURPOSE)) for t in texts])
    print(f"held-out NHS comments {len(texts)}; numpy model refitted on {len(rows)} rows")
    show("numpy", truth, decide(p_np), decide(p_np_blind))
    show("encoder", truth, [CLASSES[head.decide(r)] for r in p_enc],
         [CLASSES[head.decide(r)] for r in p_enc_blind])  # fmt: skip
    for w in (0.3, 0.5, 0.7):
        show(f"average, encoder weight {w}", truth, decide(w * p_enc + (1 - w) * p_np, 0.33, 1.0),
             decide(w * p_enc_blind + (1 - w) * p_np_blind, 0.33, 1.0))  # fmt: skip
    stacked(texts, purposes, truth, (p_enc, p_np), (p_enc_blind, p_np_blind))


Pair = tuple[np.ndarray, np.ndarray]


def stacked(
    texts: list[str], purposes: list[str], truth: list[str], probs: Pair, blind: Pair
) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedGroupKFold

    def features(pair: tuple[np.ndarray, np.ndarray], purs: Sequence[str]) -> np.ndarray:
        onehot = np.array([[p == q for q in (*PURPOSES, NO_PURPOSE)] for p in purs], dtype=float)
        return np.hstack([np.log(pair[0] + 1e-6), np.log(pair[1] + 1e-6), onehot])

    x, xb = features(probs, purposes), features(blind, [NO_PURPOSE] * len(texts))
    y = np.array([CLASSES.index(t) for t in truth])
    for c in (0.1, 1.0):
        oof, oofb = np.zeros((len(y), 3)), np.zeros((len(y), 3))
        splitter = StratifiedGroupKFold(5, shuffle=True, random_state=0)
        for tr, te in splitter.split(x, y, group_ids(texts)):
            lr = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
            lr.fit(np.vstack([x[tr], xb[tr]]), np.concatenate([y[tr], y[tr]]))
            oof[te], oofb[te] = lr.predict_proba(x[te]), lr.predict_proba(xb[te])
        for negative in (0.3, 0.33):
            show(f"stacked C={c} negative>={negative}", truth, decide(oof, negative, 1.0),
                 decide(oofb, negative, 1.0))  # fmt: skip


if __name__ == "__main__":
    main()
