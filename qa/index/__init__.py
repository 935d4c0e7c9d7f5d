"""The built index, opened read-only: the only door to SQLite, FAISS and BM25."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.errors import QAError
from qa.index.layout import DB_FILE, LEXICAL_DIR, VECTORS_FILE, current_generation
from qa.index.lexical import LexicalIndex
from qa.index.store import IndexCorrupt, Manifest, PassageTimes, Store
from qa.index.vectors import load_vector_index, search_vectors, vectors_for
from qa.types import Document, Passage

__all__ = ["Index", "IndexCorrupt", "IndexMissing", "PassageTimes", "open_index"]


class IndexMissing(QAError):
    pass


@dataclass
class Index:
    path: Path  # the live generation folder
    store: Store
    manifest: Manifest
    _vectors: object  # faiss.Index
    _lexical: LexicalIndex

    def documents(self) -> list[Document]:
        return self.store.documents()

    def document(self, doc_id: str) -> Document | None:
        return self.store.document(doc_id)

    def passages(self, rows: list[int] | None = None) -> list[Passage]:
        return self.store.passages(rows)

    def passage_rows(self, doc_id: str) -> list[int]:
        return self.store.passage_rows(doc_id)

    def passage_summaries(self) -> tuple[list[str], PassageTimes]:
        return self.store.passage_summaries()

    def dense_search(
        self, query_vector: np.ndarray, k: int, allowed_rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(cosines, rows) of the k passages nearest the query, among allowed_rows if given."""
        return search_vectors(self._vectors, query_vector, k, allowed_rows)

    def cosines(self, query_vector: np.ndarray, rows: list[int]) -> np.ndarray:
        """Cosine between the query and each given passage."""
        return vectors_for(self._vectors, np.asarray(rows)) @ query_vector

    def lexical_scores(self, tokens: list[str]) -> np.ndarray:
        return self._lexical.scores(tokens)

    def idf(self, token: str) -> float:
        return self._lexical.idf(token)

    def doc_ids_about(self, first: int, last: int, tense: str | None) -> set[str]:
        return self.store.doc_ids_about(first, last, tense)

    def document_frequency(self, token: str) -> int:
        return self._lexical.document_frequency(token)

    def close(self) -> None:
        self.store.close()


def open_index(index_dir: Path) -> Index:
    generation = current_generation(index_dir)
    if generation is None:
        raise IndexMissing(f"no index in {index_dir}; run `qa index` to build it")
    damaged = f"the index in {index_dir} is damaged; run `qa index --rebuild`"
    store = Store(generation / DB_FILE)
    manifest = store.manifest()
    try:
        vectors = load_vector_index(generation / VECTORS_FILE)
        lexical = LexicalIndex.load(generation / LEXICAL_DIR)
    except (RuntimeError, OSError, ValueError) as exc:
        store.close()
        raise IndexCorrupt(damaged) from exc
    if vectors.ntotal != manifest.passages or vectors.d != manifest.dim:
        store.close()
        raise IndexCorrupt(damaged)
    return Index(generation, store, manifest, vectors, lexical)
