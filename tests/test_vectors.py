"""The FAISS layer on real FAISS indexes: the exact and the clustered type, filters, reload."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from qa.index import vectors


def _unit_vectors(n: int, dim: int = 64, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


# An IVF index keeps 16-bit floats: a vector comes back within fp16's precision.
@pytest.mark.parametrize(
    "limit, kind, tolerance", [(10_000, faiss.IndexFlatIP, 1e-6), (1_000, faiss.IndexIVFScalarQuantizer, 1e-3)]
)
def test_type_by_size_and_round_trip(tmp_path, monkeypatch, limit, kind, tolerance):
    monkeypatch.setattr(vectors, "EXACT_LIMIT", limit)
    x = _unit_vectors(5_000)
    built = vectors.build_vector_index(x)
    assert isinstance(built, kind)
    vectors.save_vector_index(built, tmp_path / "v.faiss")
    loaded = vectors.load_vector_index(tmp_path / "v.faiss")
    scores, rows = vectors.search_vectors(loaded, x[123], k=5)
    assert rows[0] == 123 and scores[0] == pytest.approx(1.0, abs=1e-4)
    assert list(scores) == sorted(scores, reverse=True)
    np.testing.assert_allclose(vectors.vectors_for(loaded, np.array([7, 4000])), x[[7, 4000]], atol=tolerance)


@pytest.mark.parametrize("limit", [10_000, 1_000])
def test_filtered_search_stays_inside_the_allowed_rows(monkeypatch, limit):
    monkeypatch.setattr(vectors, "EXACT_LIMIT", limit)
    x = _unit_vectors(5_000)
    index = vectors.build_vector_index(x)
    allowed = np.arange(100, 200)
    _, rows = vectors.search_vectors(index, x[150], k=10, allowed_rows=allowed)
    assert rows[0] == 150 and set(rows) <= set(allowed)
    # Above the brute-force limits, FAISS's own selector (a bitmap of the rows) does the filtering.
    monkeypatch.setattr(vectors, "BRUTE_FORCE_LIMIT", 10)
    monkeypatch.setattr(vectors, "IVF_BRUTE_FORCE_LIMIT", 10)
    for allowed in (np.arange(100, 200), np.arange(3, 5_000, 7)):
        _, rows = vectors.search_vectors(index, x[150], k=10, allowed_rows=allowed)
        assert set(rows) <= set(allowed) and rows[0] == 150
    _, rows = vectors.search_vectors(index, x[150], k=10, allowed_rows=np.array([], dtype=np.int64))
    assert len(rows) == 0


def test_exact_search_ranks_as_faiss_does(tmp_path):
    """The exact index is scanned with numpy (all cores); the ranking must be FAISS's own."""
    vectors.save_vector_index(vectors.build_vector_index(_unit_vectors(5_000)), tmp_path / "v.faiss")
    loaded = vectors.load_vector_index(tmp_path / "v.faiss")  # memory-mapped
    queries = _unit_vectors(20, seed=1)
    expected_scores, expected_rows = loaded.search(queries, 60)
    for query, want_scores, want_rows in zip(queries, expected_scores, expected_rows):
        scores, rows = vectors.search_vectors(loaded, query, k=60)
        np.testing.assert_allclose(scores, want_scores, rtol=1e-5)
        # Row for row, but for near-ties (consecutive scores here come within 2e-6):
        # numpy's BLAS and FAISS round differently, and differently again on another CPU.
        assert np.all((rows == want_rows) | np.isclose(scores, want_scores, rtol=0, atol=1e-5))
    scores, rows = vectors.search_vectors(loaded, queries[0], k=10_000)  # k beyond the index
    assert len(rows) == 5_000 and list(scores) == sorted(scores, reverse=True)


def test_filled_batch_by_batch_as_built_at_once(monkeypatch):
    """A build trains the clustered index on a sample and fills it a batch at a time from
    disk (only the index is held whole): the index is the one built from every vector at once."""
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 1_000)
    x = _unit_vectors(5_000)
    reads: list[int] = []

    def read(rows):
        reads.append(len(rows))
        return x[rows]

    streamed = vectors.fill_vector_index(len(x), x.shape[1], read, batch=300)
    at_once = vectors.build_vector_index(x)
    assert isinstance(streamed, faiss.IndexIVFScalarQuantizer) and streamed.ntotal == len(x)
    assert max(reads[1:]) == 300  # the training sample, then batches
    queries = _unit_vectors(20, seed=1)
    for index in (streamed, at_once):
        index.nprobe = vectors.NPROBE
    assert np.array_equal(streamed.search(queries, 10)[1], at_once.search(queries, 10)[1])
