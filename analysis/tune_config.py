"""What a fine-tuning run is given: its settings and its examples.

Apart from ``analysis.finetune`` so that the training pipeline (and its tests) can be read and
run without PyTorch, which only the fine-tuning itself needs (the ``train`` extra).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TuneConfig:
    trainable_layers: int = 3
    epochs: int = 2
    batch: int = 32
    lr: float = 4e-5
    head_lr: float = 1e-3
    max_tokens: int = 64
    sentiment_weight: float = 0.5
    seed: int = 0
    threads: int = 2
    warmup: float = 0.1  # share of the steps the learning rate rises over, then falls linearly


@dataclass(frozen=True)
class TuneExample:
    text: str
    safeguarding: int  # 1 disclosure, 0 benign
    sentiment: int  # class index, or -1 when the text has no sentiment label
    purpose: int  # 0..3 (what_good, could_improve, nonspecific, none)
    # Weight of this text in the safeguarding loss: the caller balances disclosures against
    # hard negatives and lets the (easy, numerous) ordinary comments count for less.
    weight: float = 1.0
