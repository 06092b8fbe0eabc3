"""The contextual sentence encoder at run time: ONNX Runtime and tokenizers, never PyTorch.

``all-MiniLM-L6-v2`` (fine-tuned and int8-quantised by ``python -m analysis.train encoder``)
turns a text into one 384-dimensional unit vector; the safeguarding and sentiment heads read
that vector. Every model file is listed with its sha256 in ``analysis/data/encoder.json``
(the provenance written at training time) and checked before it is used, so a file changed
after review is refused rather than silently scored with.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.datafiles import packaged_bytes, packaged_path
from analysis.errors import DataFileError
from analysis.memory import give_back_freed_memory

PROVENANCE_FILE = "encoder.json"
MAX_TOKENS = 64  # disclosures are short; longer texts are read in overlapping windows
_WINDOW_STRIDE = 48
# One window per run: dynamic int8 quantisation scales activations per run, so batching texts
# together would make a text's score depend on its neighbours. Determinism costs some speed.
_BATCH = 1
# The runner asks safeguarding and sentiment about the same message, and many people send the
# same few words ("fine", "no"); kept small, as it holds what people wrote (and 4,096 entries
# were ~7 MB of a service's memory once its traffic varied).
_CACHE_SIZE = 512
FloatMatrix = NDArray[np.float32]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_provenance(data: bytes, source: str = PROVENANCE_FILE) -> dict[str, Any]:
    try:
        provenance = json.loads(data)
        if not isinstance(provenance.get("files"), dict) or not provenance["files"]:
            raise ValueError("no 'files' table of sha256 hashes")
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataFileError(source, f"not a valid model provenance file ({exc})") from exc
    return dict(provenance)


def verified_bytes(name: str, provenance: dict[str, Any], data: bytes) -> bytes:
    """``data`` if its sha256 is the one recorded for ``name``; otherwise refuse it."""
    expected = provenance["files"].get(name, {}).get("sha256")
    if expected is None:
        raise DataFileError(f"analysis/data/{name}", "not listed in the model provenance")
    actual = _sha256(data)
    if actual != expected:
        raise DataFileError(
            f"analysis/data/{name}",
            f"sha256 {actual} differs from {expected} recorded in {PROVENANCE_FILE}: the file "
            "was changed after training; refusing to load it (retrain or restore the file)",
        )
    return data


@dataclass(frozen=True)
class ModelFiles:
    """The verified bytes of every model file, and their provenance."""

    provenance: dict[str, Any]
    files: dict[str, bytes]


def load_model_files(reader: Any = packaged_bytes) -> ModelFiles:
    """Read and verify every file the provenance lists (``reader(name) -> bytes``)."""
    provenance = read_provenance(reader(PROVENANCE_FILE), f"analysis/data/{PROVENANCE_FILE}")
    files = {}
    for name in provenance["files"]:
        try:
            data = reader(name)
        except OSError as exc:
            raise DataFileError(f"analysis/data/{name}", f"cannot read model file ({exc})") from exc
        files[name] = verified_bytes(name, provenance, data)
    return ModelFiles(provenance, files)


class Encoder:
    """Texts → mean-pooled, L2-normalised embeddings (float32, one row per text)."""

    def __init__(self, onnx_model: bytes | str, tokenizer_json: bytes, threads: int = 1) -> None:
        """``onnx_model``: the model's bytes, or the path of a file already verified (ONNX
        Runtime keeps a copy of bytes it is given for the session's life: 22 MB more)."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        # One core per message keeps the web and worker processes responsive side by side.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            onnx_model, options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_str(tokenizer_json.decode("utf-8"))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._cache: OrderedDict[str, FloatMatrix] = OrderedDict()

    def _windows(self, text: str) -> list[list[int]]:
        """Token ids of ``text`` in windows of at most ``MAX_TOKENS`` (with [CLS] and [SEP]),
        so a disclosure at the end of a long message is still read."""
        encoding = self._tokenizer.encode(text)
        ids = encoding.ids[1:-1]  # without [CLS] … [SEP]
        cls, sep = encoding.ids[0], encoding.ids[-1]
        body = MAX_TOKENS - 2
        starts = range(0, max(len(ids) - body, 0) + 1, _WINDOW_STRIDE) if ids else [0]
        spans = [ids[s : s + body] for s in starts]
        if len(ids) > body and (len(ids) - body) % _WINDOW_STRIDE:
            spans.append(ids[-body:])
        return [[cls, *span, sep] for span in spans]

    def _run(self, windows: Sequence[list[int]]) -> FloatMatrix:
        width = max(len(w) for w in windows)
        ids = np.zeros((len(windows), width), dtype=np.int64)
        mask = np.zeros((len(windows), width), dtype=np.int64)
        for row, window in enumerate(windows):
            ids[row, : len(window)] = window
            mask[row, : len(window)] = 1
        out = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return np.asarray(out, dtype=np.float32)

    def windows(self, texts: Sequence[str]) -> list[FloatMatrix]:
        """One matrix per text: the embedding of each of its windows (usually one)."""
        result: list[FloatMatrix | None] = [self._recalled(t) for t in texts]
        todo = [(i, w) for i, t in enumerate(texts) if result[i] is None for w in self._windows(t)]
        # Similar lengths in a batch waste little padding.
        todo.sort(key=lambda item: len(item[1]))
        parts: dict[int, list[FloatMatrix]] = {}
        for start in range(0, len(todo), _BATCH):
            chunk = todo[start : start + _BATCH]
            vectors = self._run([w for _, w in chunk])
            for (index, _), vector in zip(chunk, vectors, strict=True):
                parts.setdefault(index, []).append(vector)
        for index, found in parts.items():
            result[index] = matrix = np.stack(found)
            self._remember(texts[index], matrix)
        return [m for m in result if m is not None]

    def _recalled(self, text: str) -> FloatMatrix | None:
        found = self._cache.get(text)
        if found is not None:
            self._cache.move_to_end(text)  # least recently used goes first
        return found

    def _remember(self, text: str, matrix: FloatMatrix) -> None:
        self._cache[text] = matrix
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """The first window's embedding of each text (what the sentiment head reads)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([m[0] for m in self.windows(texts)])

    @property
    def dimension(self) -> int:
        return int(self._session.get_outputs()[0].shape[-1] or 384)


@dataclass(frozen=True)
class Contextual:
    """The verified model files, loaded: the encoder and the heads' arrays."""

    encoder: Encoder
    heads: dict[str, NDArray[Any]]
    provenance: dict[str, Any]


def load_contextual(reader: Any = packaged_bytes) -> Contextual:
    import io

    files = load_model_files(reader)
    names = files.provenance["roles"]
    onnx_model: bytes | str = files.files[names["encoder"]]
    on_disk = packaged_path(names["encoder"]) if reader is packaged_bytes else None
    if on_disk is not None and Path(on_disk).is_file():  # not inside a zip: see Encoder
        onnx_model = on_disk  # the file just verified
    encoder = Encoder(onnx_model, files.files[names["tokenizer"]])
    try:
        with np.load(io.BytesIO(files.files[names["heads"]]), allow_pickle=False) as arrays:
            heads = {key: arrays[key] for key in arrays.files}
    except (OSError, ValueError) as exc:
        raise DataFileError(f"analysis/data/{names['heads']}", f"not valid heads ({exc})") from exc
    provenance = files.provenance
    del files, onnx_model
    give_back_freed_memory()
    return Contextual(encoder, heads, provenance)


@cache
def default_contextual() -> Contextual:
    """The packaged encoder and heads, loaded once per process."""
    return load_contextual()
