"""Brief multi-task fine-tuning of the encoder's top layers on two CPU cores.

Frozen sentence embeddings read "I don't feel safe" much like "I feel safe"; fine-tuning the
top transformer layers on disclosures against hard negatives (denials, praise that mentions a
bruise, resolved events) teaches it the difference. Sentiment is learnt in the same run so the
shared encoder keeps what the sentiment head needs. The bottom layers stay frozen and their
outputs are computed once, which makes an epoch several times cheaper. Seeds are fixed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from analysis.bert_torch import SentenceEncoder


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


@dataclass(frozen=True)
class TuneExample:
    text: str
    safeguarding: int  # 1 disclosure, 0 benign
    sentiment: int  # class index, or -1 when the text has no sentiment label
    purpose: int  # 0..3 (what_good, could_improve, nonspecific, none)


class _Heads(nn.Module):
    def __init__(self, hidden: int = 384) -> None:
        super().__init__()
        self.safeguarding = nn.Linear(hidden, 1)
        self.sentiment = nn.Linear(hidden + 4, 3)


def _batches(
    tokenizer: Any, examples: Sequence[TuneExample], config: TuneConfig
) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Length-bucketed batches (ids, mask, labels…), fixed once so cached activations fit."""
    tokenizer.enable_truncation(config.max_tokens)
    tokenizer.no_padding()
    encoded = tokenizer.encode_batch([e.text for e in examples])
    order = sorted(range(len(examples)), key=lambda i: len(encoded[i].ids))
    batches = []
    for start in range(0, len(order), config.batch):
        chunk = order[start : start + config.batch]
        width = max(len(encoded[i].ids) for i in chunk)
        ids = torch.zeros((len(chunk), width), dtype=torch.int64)
        mask = torch.zeros_like(ids)
        for row, i in enumerate(chunk):
            ids[row, : len(encoded[i].ids)] = torch.tensor(encoded[i].ids)
            mask[row, : len(encoded[i].ids)] = 1
        pick = [examples[i] for i in chunk]
        batches.append((
            ids, mask,
            torch.tensor([e.safeguarding for e in pick], dtype=torch.float32),
            torch.tensor([e.sentiment for e in pick], dtype=torch.int64),
            torch.tensor([e.purpose for e in pick], dtype=torch.int64),
        ))  # fmt: skip
    return batches


def _bias(mask: torch.Tensor) -> torch.Tensor:
    return ((1.0 - mask.to(torch.float32)) * -1e4)[:, None, None, :]


def _pool(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.to(torch.float32).unsqueeze(-1)
    pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return nn.functional.normalize(pooled, p=2.0, dim=1)


def fine_tune(
    model: SentenceEncoder, tokenizer: Any, examples: Sequence[TuneExample], config: TuneConfig,
    log: Any = print,
) -> SentenceEncoder:  # fmt: skip
    """Fine-tune ``model`` in place (its top ``trainable_layers``) and return it."""
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    layers = list(model.encoder.layer)
    split = len(layers) - config.trainable_layers
    for parameter in model.parameters():
        parameter.requires_grad = False
    trainable = [p for layer in layers[split:] for p in layer.parameters()]
    for parameter in trainable:
        parameter.requires_grad = True
    batches = _batches(tokenizer, examples, config)
    model.eval()
    with torch.no_grad():  # the frozen bottom, once
        cached = []
        for ids, mask, *_ in batches:
            x, bias = model.embeddings(ids), _bias(mask)
            for layer in layers[:split]:
                x = layer(x, bias)
            cached.append(x)
    heads = _Heads()
    optimiser = torch.optim.AdamW([
        {"params": trainable, "lr": config.lr, "weight_decay": 0.01},
        {"params": heads.parameters(), "lr": config.head_lr, "weight_decay": 0.0},
    ])  # fmt: skip
    steps = config.epochs * len(batches)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / (0.1 * steps)) * max(0.0, 1 - step / steps)
    )
    # Disclosures are the minority once the ordinary comments join; weight them up.
    labels = np.array([e.safeguarding for e in examples])
    positive_weight = torch.tensor(float((labels == 0).sum()) / max(float(labels.sum()), 1.0))
    generator = np.random.default_rng(config.seed)
    for epoch in range(config.epochs):
        for layer in layers[split:]:
            layer.train()
        started, total = time.perf_counter(), 0.0
        for index in generator.permutation(len(batches)):
            ids, mask, sg, sent, purpose = batches[index]
            x, bias = cached[index], _bias(mask)
            for layer in layers[split:]:
                x = layer(x, bias)
            pooled = _pool(x, mask)
            # Scaled up: normalised embeddings are short vectors, heads learn faster on them.
            loss = nn.functional.binary_cross_entropy_with_logits(
                heads.safeguarding(pooled * 10).squeeze(1), sg, pos_weight=positive_weight
            )
            labelled = sent >= 0
            if labelled.any():
                features = torch.cat([pooled * 10, nn.functional.one_hot(purpose, 4)], dim=1)
                loss = loss + config.sentiment_weight * nn.functional.cross_entropy(
                    heads.sentiment(features[labelled]), sent[labelled]
                )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach())
        log(f"epoch {epoch + 1}: loss {total / len(batches):.4f}, "
            f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    model.eval()
    return model
