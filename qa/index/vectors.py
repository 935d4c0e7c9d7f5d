"""FAISS vector index over unit-length passage embeddings (inner product = cosine).

The type is chosen by size:
- up to EXACT_LIMIT vectors, exact `IndexFlatIP` (brute force over 200k × 384
  floats is a few milliseconds, and nothing is lost);
- above it, `IVF{nlist},Flat`: the vectors in nlist ≈ 4·√n clusters, of which
  NPROBE are scanned per query (1M passages: 1.5 GB, under a millisecond).
  Scalar quantisation (SQ8) would take 4× less memory but capped recall@10 at
  ~0.955 in scripts/bench.py's measurements, too close to the 0.95 floor.
  scripts/bench.py measures recall@10 against exact search and latency at 1M and 3M.
"""

from __future__ import annotations

import math
from pathlib import Path

import faiss
import numpy as np

EXACT_LIMIT = 200_000
NPROBE = 48
TRAINING_SAMPLE = 100_000  # vectors used to learn the clusters and the quantiser
BRUTE_FORCE_LIMIT = 50_000  # filtered searches over fewer rows score them all, exactly


def build_vector_index(vectors: np.ndarray) -> faiss.Index:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape
    if n <= EXACT_LIMIT:
        index = faiss.IndexFlatIP(dim)
    else:
        nlist = 2 ** round(math.log2(4 * math.sqrt(n)))
        index = faiss.index_factory(dim, f"IVF{nlist},Flat", faiss.METRIC_INNER_PRODUCT)
        faiss.extract_index_ivf(index).cp.niter = 10  # k-means converges early; 25 rounds cost minutes at 1M
        sample = vectors[np.random.default_rng(0).choice(n, min(n, TRAINING_SAMPLE), replace=False)]
        index.train(sample)
    index.add(vectors)
    return index


def save_vector_index(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load_vector_index(path: Path) -> faiss.Index:
    """The exact index is memory-mapped: opening costs nothing and pages load as
    searched. An IVF index is read into memory: each query touches NPROBE lists
    scattered over the file, and faulting them in through a map made a search at
    1M vectors 7 ms instead of about 1."""
    index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
    if isinstance(index, faiss.IndexIVF):
        index = faiss.read_index(str(path))
        index.nprobe = NPROBE
    return index


def _top(scores: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    if len(scores) > k:
        keep = np.argpartition(-scores, k - 1)[:k]
        scores, rows = scores[keep], rows[keep]
    order = np.argsort(-scores, kind="stable")
    return scores[order], rows[order]


def search_vectors(
    index: faiss.Index, query: np.ndarray, k: int, allowed_rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, rows) of the k nearest passages, best first, among allowed_rows if given."""
    query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    if allowed_rows is not None and len(allowed_rows) <= BRUTE_FORCE_LIMIT:
        rows = np.asarray(allowed_rows, dtype=np.int64)
        if len(rows) == 0:
            return np.zeros(0, np.float32), rows
        return _top(vectors_for(index, rows) @ query[0], rows, k)
    params = None
    if allowed_rows is not None:
        selector = faiss.IDSelectorBatch(np.asarray(allowed_rows, dtype=np.int64))
        params = (
            faiss.SearchParametersIVF(sel=selector, nprobe=index.nprobe)
            if isinstance(index, faiss.IndexIVF)
            else faiss.SearchParameters(sel=selector)
        )
    k = max(1, min(k, index.ntotal))
    scores, rows = index.search(query, k, params=params)
    keep = rows[0] >= 0
    return scores[0][keep], rows[0][keep]


def vectors_for(index: faiss.Index, rows: np.ndarray) -> np.ndarray:
    """The stored vectors of the given rows."""
    if isinstance(index, faiss.IndexIVF) and index.direct_map.type == faiss.DirectMap.NoMap:
        index.make_direct_map()  # IVF lists are addressable by row only through it (built once)
    return index.reconstruct_batch(np.asarray(rows, dtype=np.int64))
