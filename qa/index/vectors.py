"""FAISS vector index over unit-length passage embeddings (inner product = cosine).

The type is chosen by size:
- up to EXACT_LIMIT vectors, exact `IndexFlatIP` (scanning 200k × 384 floats
  is ~15 ms with numpy's BLAS on 2 cores, and nothing is lost);
- above it, `IVF{nlist},SQfp16`: the vectors in nlist ≈ 4·√n clusters, of which
  NPROBE are scanned per query. Real questions sit farther from passages than
  passages from each other, so they need more clusters scanned than passage-like
  queries do: at 1M vectors, recall@10 against exact search for real questions
  was 0.88 / 0.94 / 0.97 / 0.99 at nprobe 48 / 96 / 192 / 384 (0.9 / 1.5 / 2.8 /
  5.4 ms); 192 keeps recall above 0.95 and the search under 5 ms.
  The vectors are kept as 16-bit floats: a search reads half the memory (1M
  vectors: 4.4 → 3.5 ms, 1.5 → 0.75 GB), and cosines move by about 1e-5 (the
  60 nearest of the dev questions: 99.9% the same). 8-bit scalar quantisation
  (SQ8) capped recall@10 at ~0.955 even for passage-like queries.
  scripts/bench.py measures all of this.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

# FAISS's OpenMP threads otherwise spin for a while after each search, on a core the next
# question's embedding and BM25 need (1M passages: a question's CPU time 42 → 36 ms, its
# latency unchanged within the noise). Read when OpenMP starts: set before FAISS is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from qa.config import BUILD_BATCH  # noqa: E402

EXACT_LIMIT = 200_000
NPROBE = 192
TRAINING_PER_LIST = 40  # k-means sample per cluster (FAISS warns below 39)
# Filtered searches over fewer rows score them all, exactly. A flat index reads them from
# its map; an IVF index rebuilds each from its list (20k rows: 9 ms, 5k: 0.8 ms at 1M).
BRUTE_FORCE_LIMIT = 50_000
IVF_BRUTE_FORCE_LIMIT = 5_000


def build_vector_index(vectors: np.ndarray) -> faiss.Index:
    """The index over vectors held in memory (benchmarks, tests)."""
    return fill_vector_index(len(vectors), vectors.shape[1], lambda rows: vectors[rows])


def fill_vector_index(
    n: int, dim: int, read: Callable[[Sequence[int]], np.ndarray], batch: int = BUILD_BATCH
) -> faiss.Index:
    """The index over n vectors that read(rows) returns, rows 0..n-1, taken a batch at a
    time (a build reads them back from disk: only the index itself is held whole).
    An IVF index is trained first on a fixed sample of rows, read in one go."""
    if n <= EXACT_LIMIT:
        index = faiss.IndexFlatIP(dim)
    else:
        nlist = 2 ** round(math.log2(4 * math.sqrt(n)))
        index = faiss.index_factory(dim, f"IVF{nlist},SQfp16", faiss.METRIC_INNER_PRODUCT)
        faiss.extract_index_ivf(index).cp.niter = 10  # k-means converges early; 25 rounds cost minutes at 1M
        sample = np.random.default_rng(0).choice(n, min(n, TRAINING_PER_LIST * nlist), replace=False)
        index.train(np.ascontiguousarray(read(sample), dtype=np.float32))
    for start in range(0, n, batch):
        index.add(np.ascontiguousarray(read(range(start, min(n, start + batch))), dtype=np.float32))
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
        # One question at a time: scan its lists on every core, not one core per question
        # (FAISS's default; 1M vectors: 7.6 → 2.3 ms on 2 cores, same results).
        index.parallel_mode = 1
    return index


def _top(scores: np.ndarray, rows: np.ndarray | None, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best (scores, rows), best first; rows None means row i scored scores[i]."""
    keep = np.argpartition(-scores, k - 1)[:k] if len(scores) > k else np.arange(len(scores))
    keep = keep[np.argsort(-scores[keep], kind="stable")]
    return scores[keep], (keep if rows is None else rows[keep])


def search_vectors(
    index: faiss.Index, query: np.ndarray, k: int, allowed_rows: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, rows) of the k nearest passages, best first, among allowed_rows if given."""
    query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    limit = IVF_BRUTE_FORCE_LIMIT if isinstance(index, faiss.IndexIVF) else BRUTE_FORCE_LIMIT
    if allowed_rows is not None and len(allowed_rows) <= limit:
        rows = np.asarray(allowed_rows, dtype=np.int64)
        if len(rows) == 0:
            return np.zeros(0, np.float32), rows
        return _top(vectors_for(index, rows) @ query[0], rows, k)
    if isinstance(index, faiss.IndexFlat) and allowed_rows is None:
        # FAISS scans a flat index for a single query on one thread; numpy's BLAS
        # matrix-vector product uses every core (100k passages: 14 ms → 7 ms on 2 cores).
        return _top(_stored(index) @ query[0], None, k)
    params = None
    if allowed_rows is not None:
        # A bitmap of the rows: made in microseconds, where a hash set of 200k ids took 13 ms.
        # The selector points into it: it stays referenced here until the search is done.
        allowed = np.zeros(index.ntotal, dtype=bool)
        allowed[np.asarray(allowed_rows, dtype=np.int64)] = True
        bitmap = np.packbits(allowed, bitorder="little")
        selector = faiss.IDSelectorBitmap(bitmap)
        params = (
            faiss.SearchParametersIVF(sel=selector, nprobe=index.nprobe)
            if isinstance(index, faiss.IndexIVF)
            else faiss.SearchParameters(sel=selector)
        )
    k = max(1, min(k, index.ntotal))
    scores, rows = index.search(query, k, params=params)
    keep = rows[0] >= 0
    return scores[0][keep], rows[0][keep]


def _stored(index: faiss.IndexFlat) -> np.ndarray:
    """A flat index's vectors as an (n, d) array over its own memory."""
    return faiss.rev_swig_ptr(index.get_xb(), index.ntotal * index.d).reshape(index.ntotal, index.d)


def vectors_for(index: faiss.Index, rows: np.ndarray) -> np.ndarray:
    """The stored vectors of the given rows."""
    if isinstance(index, faiss.IndexFlat):  # read straight from the (mapped) storage: no per-row copy calls
        return _stored(index)[np.asarray(rows, dtype=np.int64)]
    if isinstance(index, faiss.IndexIVF) and index.direct_map.type == faiss.DirectMap.NoMap:
        index.make_direct_map()  # IVF lists are addressable by row only through it (built once)
    return index.reconstruct_batch(np.asarray(rows, dtype=np.int64))
