"""Searcher: the small API the CLI and the TUI call.

    searcher = Searcher.open(settings)          # index now, model on demand
    result = searcher.search("斗门区2020年城镇新增就业目标是多少？", k=5)

Without the model (not loaded yet), search is lexical only and says so.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from qa.config import Settings
from qa.errors import QAError
from qa.index import Index, open_index
from qa.search.answer import best_sentence, term_spans
from qa.search.fuse import POOL, Candidate, fuse
from qa.search.query import PlaceMatcher, Query, analyse
from qa.types import Document, Filters, Hit, Passage

# Below both, a best hit is shown as a weak match rather than an answer.
WEAK_COVERAGE = 0.34  # share of the question's word weight in the best sentence
WEAK_COSINE = 0.86  # e5 cosine between question and passage (e5 cosines sit in 0.7–0.95)


class EmptyQuestion(QAError):
    pass


@dataclass(frozen=True)
class SearchResult:
    question: str
    query: Query
    hits: list[Hit]
    lexical_only: bool  # the dense model was not used
    filters: Filters = field(default_factory=Filters)

    @property
    def found(self) -> bool:
        """True when the best hit is a real answer, not just the least bad match."""
        return bool(self.hits) and not self.hits[0].weak


class Searcher:
    def __init__(self, index: Index, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self._encoder = None
        self._model_lock = threading.Lock()
        self._documents = {d.doc_id: d for d in index.documents()}
        self._row_doc_ids = np.array(index.passage_doc_ids())
        self._places = PlaceMatcher(d.place for d in self._documents.values() if d.place)

    @classmethod
    def open(cls, settings: Settings, *, load_model: bool = True) -> "Searcher":
        searcher = cls(open_index(settings.index_dir), settings)
        if load_model:
            searcher.load_model()
        return searcher

    # -- the model ---------------------------------------------------------------

    @property
    def model_loaded(self) -> bool:
        return self._encoder is not None

    def load_model(self) -> None:
        """Load the embedding model (seconds); safe to call from a worker thread."""
        with self._model_lock:
            if self._encoder is not None:
                return
            from qa.model.encoder import Encoder

            encoder = Encoder(self.settings.resolved_model_dir)
            manifest = self.index.manifest
            if encoder.model_id != manifest.model_id or encoder.dim != manifest.dim:
                raise QAError(
                    f"the index was built with {manifest.model_id} ({manifest.dim}-dim), not "
                    f"{encoder.model_id} ({encoder.dim}-dim); run `qa index --rebuild`"
                )
            self._encoder = encoder

    # -- the corpus ----------------------------------------------------------------

    def documents(self) -> list[Document]:
        return sorted(self._documents.values(), key=lambda d: d.source)

    def document(self, doc_id: str) -> Document | None:
        return self._documents.get(doc_id)

    def passages_of(self, doc_id: str) -> list[Passage]:
        return self.index.passages(self.index.passage_rows(doc_id))

    # -- search --------------------------------------------------------------------

    def search(self, question: str, k: int = 5, filters: Filters = Filters()) -> SearchResult:
        query = analyse(question, self._places)
        if not any(ch.isalnum() for ch in query.text):
            raise EmptyQuestion("the question has no words to search for")
        allowed = self._allowed_rows(filters)
        weights = {t: self.index.idf(t) for t in dict.fromkeys(query.tokens)}

        lexical = self.index.lexical_scores(query.tokens)
        dense = np.full(len(lexical), np.nan, dtype=np.float32)
        lexical_only = self._encoder is None
        if not lexical_only:
            vector = self._encoder.encode_queries([query.text])[0]
            scores, rows = self.index.dense_search(vector, k=len(lexical))
            dense[rows] = scores

        rows = self._candidates(lexical, dense, allowed)
        if not rows:
            return SearchResult(question, query, [], lexical_only, filters)
        passages = self.index.passages(rows)
        docs = [self._documents[p.doc_id] for p in passages]
        answers = [best_sentence(p.text, weights, query.wants_number) for p in passages]
        scores = fuse(
            [Candidate(r, float(lexical[r]), float(dense[r])) for r in rows],
            sentence_coverage=np.array([cov for _, cov in answers]),
            place_match=np.array([query.places.get(d.place, 0.0) if d.place else 0.0 for d in docs]),
            year_match=np.array([_year_match(query.year, d.year) for d in docs]),
        )
        order = np.argsort(-scores, kind="stable")[:k]
        hits = []
        for rank, i in enumerate(order, start=1):
            passage, doc, (sentence, cov) = passages[i], docs[i], answers[i]
            weak = cov < WEAK_COVERAGE and (lexical_only or float(dense[rows[i]]) < WEAK_COSINE)
            hits.append(
                Hit(
                    rank=rank,
                    score=round(float(scores[i]), 4),
                    passage=passage,
                    title=doc.title,
                    place=doc.place,
                    year=doc.year,
                    source=doc.source,
                    answer_sentence=sentence.text,
                    answer_start=sentence.start,
                    answer_end=sentence.end,
                    term_spans=term_spans(passage.text, list(weights)),
                    weak=weak,
                )
            )
        return SearchResult(question, query, hits, lexical_only, filters)

    def _allowed_rows(self, filters: Filters) -> np.ndarray | None:
        if not filters.active:
            return None
        ok = [
            doc_id
            for doc_id, d in self._documents.items()
            if (filters.year is None or d.year == filters.year)
            and (filters.place is None or filters.place in f"{d.place or ''} {d.title}")
        ]
        return np.isin(self._row_doc_ids, ok)

    @staticmethod
    def _candidates(lexical: np.ndarray, dense: np.ndarray, allowed: np.ndarray | None) -> list[int]:
        """Top rows by each retriever, together; only allowed rows."""
        mask = np.ones(len(lexical), bool) if allowed is None else allowed
        pool: dict[int, None] = {}
        lex = np.where(mask & (lexical > 0), lexical, -np.inf)
        for r in np.argsort(-lex)[:POOL]:
            if np.isfinite(lex[r]):
                pool[int(r)] = None
        den = np.where(mask & np.isfinite(dense), dense, -np.inf)
        for r in np.argsort(-den)[:POOL]:
            if np.isfinite(den[r]):
                pool[int(r)] = None
        return list(pool)


def _year_match(asked: int | None, report: int | None) -> float:
    """A report of the asked year matches; so, nearly, one given the next year,
    which reviews the asked year."""
    if asked is None or report is None:
        return 0.0
    if report == asked:
        return 1.0
    return 0.7 if report == asked + 1 else 0.0
