"""Training: the numpy runtime matches scikit-learn, and training is reproducible."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis import features
from analysis.metrics import binary_scores, three_class_scores
from analysis.model import Vocabulary, read_model
from analysis.sentiment import model as shipped_model
from analysis.train import DEFAULT_DATA, Config, Example, fit, group_ids, read_examples, write_model

SMALL = Config(members=(("word", "dense"), ("char", "dense")), folds=2)
needs_data = pytest.mark.skipif(not DEFAULT_DATA.exists(), reason="training CSV not checked out")


def _examples() -> list[Example]:
    texts = {
        "positive": ["Lovely staff", "Very kind and caring", "Nothing", "Brilliant service"],
        "negative": ["Answer the phone quicker", "Rude driver", "Waited hours", "Nothing"],
        "neutral": ["Not applicable", "It was ok I suppose"],
    }
    purposes = {"positive": "could_improve", "negative": "what_good", "neutral": "nonspecific"}
    return [Example(t, label, purposes[label]) for label, ts in texts.items() for t in ts] * 2


def test_vocabulary_vector_equals_scikit_learn_tfidf() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    texts = ["Rude, rude driver", "Kind staff", "Rude staff but kind driver", "Unseen words"]
    docs = [features.char_tokens(features.words(t)) for t in texts]
    vectorizer = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True).fit(docs[:3])
    index = {str(t): int(i) for t, i in vectorizer.vocabulary_.items()}
    vocab = Vocabulary(index, np.asarray(vectorizer.idf_, dtype=np.float64))
    expected = vectorizer.transform(docs).toarray()
    for doc, row in zip(docs, expected, strict=True):
        columns, values = vocab.vector(doc)
        ours = np.zeros(row.size)
        ours[columns] = values
        assert np.allclose(ours, row, rtol=0, atol=1e-12)


def test_training_twice_gives_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    for path in (first, second):
        write_model(fit(_examples(), SMALL), {"members": [{"blocks": ["word", "dense"]},
                    {"blocks": ["char", "dense"]}], "negative_threshold": 0.33,
                    "neutral_weight": 1.2}, path)  # fmt: skip
    assert first.read_bytes() == second.read_bytes()
    reloaded = read_model(first.read_bytes())
    assert reloaded.decide(reloaded.probabilities(features.featurise("Rude driver", "none"))) in {
        "negative", "neutral", "positive"}  # fmt: skip


def test_groups_join_texts_equal_after_normalisation() -> None:
    assert group_ids(["Nothing.", "nothing", " NOTHING!! ", "Nothing else"]) == [0, 0, 0, 1]


def test_metrics_by_hand() -> None:
    truth = ["negative", "negative", "neutral", "positive"]
    predicted = ["negative", "positive", "negative", "positive"]
    three = three_class_scores(truth, predicted)
    assert (three.accuracy, three.negative_recall) == (0.5, 0.5)
    assert three.macro_f1 == pytest.approx((0.5 + 0 + 2 / 3) / 3)
    binary = binary_scores(truth, ["neutral", "negative", "negative", "positive"])
    assert (binary.n, binary.accuracy, binary.negative_recall) == (3, 2 / 3, 0.5)


@pytest.mark.slow
@needs_data
def test_retraining_on_the_csv_reproduces_the_shipped_model() -> None:
    model = fit(read_examples(DEFAULT_DATA), Config())
    shipped = shipped_model()
    assert model.vocabularies["word"].index == shipped.vocabularies["word"].index
    assert np.array_equal(model.dense_mean, shipped.dense_mean)
    for ours, theirs in zip(model.members, shipped.members, strict=True):
        # The BLAS's thread count changes the order of its sums: 3e-9 apart on one thread,
        # against coefficients up to 3.5. Any change to the data or the recipe moves them far more.
        assert np.allclose(ours.coef, theirs.coef, rtol=0, atol=1e-7)
