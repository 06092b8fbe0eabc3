"""The training-time encoder (PyTorch) and the exported ONNX graph give the same embeddings.
Needs the ``train`` extra; skipped where PyTorch is not installed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.datafiles import packaged_bytes
from analysis.encoder import Encoder

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")


def test_onnx_export_matches_torch(tmp_path: Path) -> None:
    from analysis.bert_torch import BertConfig, SentenceEncoder
    from analysis.encoder_train import export_onnx

    torch.manual_seed(0)
    model = SentenceEncoder(BertConfig(hidden=32, layers=2, heads=4, intermediate=64)).eval()
    path = tmp_path / "tiny.onnx"
    export_onnx(model, path, quantise=False)
    encoder = Encoder(path.read_bytes(), packaged_bytes("tokenizer.json"))
    texts = ["I don't feel safe with him", "ok"]
    ours = encoder.embed(texts)
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_str(packaged_bytes("tokenizer.json").decode())
    tokenizer.enable_padding()
    batch = tokenizer.encode_batch(texts)
    ids = torch.tensor([e.ids for e in batch])
    mask = torch.tensor([e.attention_mask for e in batch])
    with torch.no_grad():
        expected = model(ids, mask).numpy()
    assert ours.shape == (2, 32)
    assert np.allclose(ours, expected, atol=1e-5)
