"""BM25 over the passages' words (bm25s), persisted beside the vectors (words: qa/words.py)."""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path

# bm25s runs a JAX computation when it is imported, if JAX is installed; on a GPU
# machine that takes 75% of the GPU's memory in every process that imports bm25s, and
# the model then has none. qa never uses JAX (bm25s's own top-k), so it stays on the CPU.
os.environ["JAX_PLATFORMS"] = "cpu"

import bm25s  # noqa: E402
import numpy as np  # noqa: E402
from bm25s.scoring import _build_idf_array, _select_idf_scorer, _select_tfc_scorer  # noqa: E402

# A word this rare adds at most MIN_IDF·(k1 + 1) to a passage's score: held by all of
# over 500 passages, or all but one of over 1,500.
MIN_IDF = 1e-3
PAIRS_CHUNK = 50_000  # passages read at a time while the BM25 matrix is built (~100 MB of pairs)


class WordIdFile:
    """Passages' words as int32 word ids in a file, appended a batch of passages at a
    time and read back a chunk of passages at a time: a build holds the vocabulary and
    one length per passage, never every passage's words (at a million passages those
    were gigabytes even as id arrays)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.vocab: dict[str, int] = {}
        self._lengths = array("i")
        self._file = path.open("wb")

    def add(self, token_lists: Iterable[list[str]]) -> None:
        vocab = self.vocab
        for tokens in token_lists:
            ids = array("i", [vocab.setdefault(w, len(vocab)) for w in tokens])
            self._lengths.append(len(ids))
            ids.tofile(self._file)

    def __len__(self) -> int:
        return len(self._lengths)

    @property
    def lengths(self) -> np.ndarray:
        """Each passage's number of words (repeats counted), in row order."""
        return np.frombuffer(self._lengths, dtype=np.int32)

    def pairs(self) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(rows, word ids, counts): each passage's distinct words with how often it
        has them, ordered by row then word id, a chunk of passages at a time."""
        self._file.flush()
        lengths = self.lengths
        with self.path.open("rb") as f:
            for first in range(0, len(lengths), PAIRS_CHUNK):
                chunk = lengths[first : first + PAIRS_CHUNK]
                ids = np.fromfile(f, dtype=np.int32, count=int(chunk.sum()))
                rows = np.repeat(np.arange(first, first + len(chunk), dtype=np.int64), chunk)
                keys, counts = np.unique((rows << 32) | ids, return_counts=True)
                yield keys >> 32, (keys & 0xFFFFFFFF).astype(np.int32), counts

    def close(self) -> None:
        """Closes and deletes the file (its words are in the built index by then)."""
        self._file.close()
        self.path.unlink(missing_ok=True)


class _StreamingBM25(bm25s.BM25):
    """bm25s's BM25, its score matrix built from a WordIdFile in two passes (the hook
    bm25s's docs offer for building "in a different way"): bm25s's own build holds
    every (passage, word) pair several times over while it sorts them into columns,
    4-5 GB at a million passages, where this holds the finished matrix (8 bytes a
    pair) and one chunk. Scores are bm25s's own formulas, to the bit."""

    def build_index_from_ids(self, unique_token_ids, corpus_token_ids, show_progress=True, leave_progress=False):
        words: WordIdFile = corpus_token_ids
        n_words = len(unique_token_ids)
        lengths = words.lengths
        average_length = lengths.mean() if len(lengths) else 0.0
        # Pass 1: each word's number of passages, which fixes its column's place and idf.
        frequencies = np.zeros(n_words, np.int64)
        for _, ids, _ in words.pairs():
            frequencies += np.bincount(ids, minlength=n_words)
        idf = _build_idf_array(
            dict(enumerate(frequencies.tolist())), len(words), _select_idf_scorer(self.idf_method), self.dtype
        )
        indptr = np.zeros(n_words + 1, np.int64)
        np.cumsum(frequencies, out=indptr[1:])
        data = np.empty(int(indptr[-1]), self.dtype)
        indices = np.empty(int(indptr[-1]), self.int_dtype)
        # Pass 2: scores into their columns; rows come in order, so each column stays sorted.
        filled = indptr[:-1].copy()
        term_frequency = _select_tfc_scorer(self.method)
        for rows, ids, counts in words.pairs():
            scores = idf[ids] * term_frequency(
                tf_array=counts.astype(self.dtype), l_d=lengths[rows], l_avg=average_length, k1=self.k1, b=self.b
            )
            by_word = np.argsort(ids, kind="stable")
            ids_by_word = ids[by_word]
            per_word = np.bincount(ids, minlength=n_words)
            run_starts = np.cumsum(per_word) - per_word
            slots = filled[ids_by_word] + np.arange(len(ids)) - run_starts[ids_by_word]
            data[slots] = scores[by_word]
            indices[slots] = rows[by_word]
            filled += per_word
        self.nonoccurrence_array = None  # lucene scoring has none
        return {"data": data, "indices": indices, "indptr": indptr, "num_docs": len(words)}


class LexicalIndex:
    def __init__(self, retriever: bm25s.BM25) -> None:
        self._retriever = retriever

    @classmethod
    def build(cls, words: WordIdFile) -> LexicalIndex:
        """Index the passages' words, in row order."""
        retriever = _StreamingBM25()
        retriever.index(bm25s.tokenization.Tokenized(ids=words, vocab=words.vocab), show_progress=False)
        return cls(retriever)

    def save(self, directory: Path) -> None:
        self._retriever.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        return cls(bm25s.BM25.load(str(directory), mmap=True, show_progress=False))

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every passage, in row order. Words of idf below MIN_IDF are left
        out: one that every passage of a large index holds (年, from every report's title)
        tells no passage from another, and costs a posting per passage to add (at a million
        passages, a third of a question's postings)."""
        telling = [t for t in query_tokens if self.idf(t) >= MIN_IDF]
        if not telling:
            return np.zeros(int(self._retriever.scores["num_docs"]), dtype=np.float32)
        return np.asarray(self._retriever.get_scores(telling), dtype=np.float32)

    def document_frequency(self, token: str) -> int:
        """How many passages hold the word."""
        column = self._retriever.vocab_dict.get(token)
        indptr = self._retriever.scores["indptr"]
        return 0 if column is None else int(indptr[column + 1] - indptr[column])

    def idf(self, token: str) -> float:
        """BM25 (Lucene) inverse document frequency of a word. A word the corpus
        lacks gets the idf of df = 0: it is the most specific word of all, so a
        question about something absent is not mistaken for a covered one."""
        df = self.document_frequency(token)
        n = int(self._retriever.scores["num_docs"])
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
