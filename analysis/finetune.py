"""Multi-task fine-tuning of the encoder on CPU.

Frozen sentence embeddings read "I don't feel safe" much like "I feel safe"; fine-tuning the
transformer layers on disclosures against hard negatives (denials, praise that mentions a
bruise, resolved events) teaches it the difference. Sentiment is learnt in the same run so the
shared encoder keeps what the sentiment head needs. Layers below ``trainable_layers`` stay
frozen and their outputs are computed once (cheaper); with all six trained, only the token
embeddings are frozen. The safeguarding loss is weighted per text (``TuneExample.weight``).
Seeds are fixed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from analysis.bert_torch import SentenceEncoder
from analysis.tune_config import TuneConfig, TuneExample


class _Heads(nn.Module):
    def __init__(self, hidden: int = 384) -> None:
        super().__init__()
        self.safeguarding = nn.Linear(hidden, 1)
        self.sentiment = nn.Linear(hidden + 4, 3)


def _batches(
    tokenizer: Any, examples: Sequence[TuneExample], config: TuneConfig
) -> list[tuple[torch.Tensor, ...]]:
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
            torch.tensor([e.weight for e in pick], dtype=torch.float32),
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
    return fine_tune_with_heads(model, tokenizer, examples, config, log)[0]


def safeguarding_weights(head: Any) -> tuple[np.ndarray, np.ndarray]:
    """The jointly trained safeguarding head as (384×1 weights, bias) on the unit embedding,
    with the ×10 scale of training folded in, for ``heads.npz``."""
    weight = head.safeguarding.weight.detach().numpy().astype(np.float64).T * 10.0
    return weight, head.safeguarding.bias.detach().numpy().astype(np.float64)


def fine_tune_with_heads(
    model: SentenceEncoder, tokenizer: Any, examples: Sequence[TuneExample], config: TuneConfig,
    log: Any = print,
) -> tuple[SentenceEncoder, Any]:  # fmt: skip
    """As ``fine_tune``, also returning the heads trained with it (``_Heads``): the
    safeguarding head that learnt beside the encoder scores held-out texts as it was trained,
    where a head refitted on the training texts' (now well separated) embeddings is
    overconfident. ``trainable_layers`` = 6 fine-tunes every transformer layer; the token
    embeddings stay frozen (they are half the weights and the texts few)."""
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
        optimiser,
        lambda step: (
            min(1.0, (step + 1) / max(config.warmup * steps, 1.0)) * max(0.0, 1 - step / steps)
        ),
    )
    mean_weight = float(np.mean([e.weight for e in examples])) or 1.0
    generator = np.random.default_rng(config.seed)
    for epoch in range(config.epochs):
        for layer in layers[split:]:
            layer.train()
        started, total = time.perf_counter(), 0.0
        for index in generator.permutation(len(batches)):
            ids, mask, sg, sent, purpose, weight = batches[index]
            x, bias = cached[index], _bias(mask)
            for layer in layers[split:]:
                x = layer(x, bias)
            pooled = _pool(x, mask)
            # Scaled up: normalised embeddings are short vectors, heads learn faster on them.
            # Per-text weights (see TuneExample.weight) instead of one pos_weight over all
            # benign texts, which let thousands of easy NHS comments push every score up.
            loss = nn.functional.binary_cross_entropy_with_logits(
                heads.safeguarding(pooled * 10).squeeze(1), sg, weight=weight, reduction="sum"
            ) / (len(weight) * mean_weight)  # not per batch: length buckets differ in make-up
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
    heads.eval()
    return model, heads
