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
from qa.index.lexical import tokenize
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
        doc_numbers = {doc_id: n for n, doc_id in enumerate(self._documents)}
        self._row_docs = np.array([doc_numbers[d] for d in index.passage_doc_ids()], dtype=np.int32)
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

            self._use_encoder(Encoder(self.settings.resolved_model_dir))

    def _use_encoder(self, encoder) -> None:
        """Take the encoder, if it is the model the index was built with."""
        manifest = self.index.manifest
        if encoder.model_id != manifest.model_id or encoder.dim != manifest.dim:
            raise QAError(
                f"the index was built with {manifest.model_id} ({manifest.dim}-dim), not "
                f"{encoder.model_id} ({encoder.dim}-dim); run `qa index --rebuild`"
            )
        self._encoder = encoder

    def reopen(self) -> "Searcher":
        """A searcher over the index as it is now (after a rebuild), keeping the loaded model."""
        searcher = Searcher(open_index(self.settings.index_dir), self.settings)
        if self._encoder is not None:
            searcher._use_encoder(self._encoder)
        return searcher

    def warm_up(self) -> None:
        """Load the word segmenter now rather than on the first question."""
        tokenize("预热")

    # -- the corpus ----------------------------------------------------------------

    def documents(self) -> list[Document]:
        return sorted(self._documents.values(), key=lambda d: d.source)

    def document(self, doc_id: str) -> Document | None:
        return self._documents.get(doc_id)

    def passages_of(self, doc_id: str) -> list[Passage]:
        return self.index.passages(self.index.passage_rows(doc_id))

    def passage_counts(self) -> dict[str, int]:
        """How many passages each document has, without reading them."""
        counts = np.bincount(self._row_docs, minlength=len(self._documents))
        return {doc_id: int(count) for doc_id, count in zip(self._documents, counts)}

    # -- search --------------------------------------------------------------------

    def search(self, question: str, k: int = 5, filters: Filters = Filters()) -> SearchResult:
        query = analyse(question, self._places)
        if not any(ch.isalnum() for ch in query.text):
            raise EmptyQuestion("the question has no words to search for")
        allowed = self._allowed_rows(filters)
        weights = {t: self.index.idf(t) for t in dict.fromkeys(query.tokens)}

        lexical = self.index.lexical_scores(query.tokens)
        rows = _top_rows(lexical, allowed)
        lexical_only = self._encoder is None
        dense: dict[int, float] = {}
        if not lexical_only:
            vector = self._encoder.encode_queries([query.text])[0]
            allowed_rows = None if allowed is None else np.flatnonzero(allowed)
            cosines, dense_rows = self.index.dense_search(vector, POOL, allowed_rows)
            dense = dict(zip(dense_rows.tolist(), cosines.tolist()))
            lexical_rows = [r for r in rows if r not in dense]
            if lexical_rows:  # lexical candidates the dense pool missed still get their cosine
                dense.update(zip(lexical_rows, self.index.cosines(vector, lexical_rows).tolist()))
            rows = list(dict.fromkeys([*rows, *dense_rows.tolist()]))
        if not rows:
            return SearchResult(question, query, [], lexical_only, filters)
        passages = self.index.passages(rows)
        docs = [self._documents[p.doc_id] for p in passages]
        answers = [best_sentence(p.text, weights, query.wants_number) for p in passages]
        scores = fuse(
            [Candidate(r, float(lexical[r]), dense.get(r, float("nan"))) for r in rows],
            sentence_coverage=np.array([cov for _, cov in answers]),
            place_match=np.array([query.places.get(d.place, 0.0) if d.place else 0.0 for d in docs]),
            year_match=np.array([_year_match(query.year, d.year) for d in docs]),
        )
        order = np.argsort(-scores, kind="stable")[:k]
        hits = []
        for rank, i in enumerate(order, start=1):
            passage, doc, (sentence, cov) = passages[i], docs[i], answers[i]
            weak = cov < WEAK_COVERAGE and (lexical_only or dense[rows[i]] < WEAK_COSINE)
            hits.append(
                Hit(
                    rank=rank,
                    score=round(float(scores[i]), 4),
                    passage=passage,
                    title=doc.title,
                    place=doc.place,
                    year=doc.year,
                    source=doc.source,
                    answer_sentence=passage.text[sentence.start : sentence.end],
                    answer_start=sentence.start,
                    answer_end=sentence.end,
                    # Single characters (建, 年) would mark half the passage.
                    term_spans=term_spans(passage.text, [t for t in weights if len(t) > 1]),
                    weak=weak,
                )
            )
        return SearchResult(question, query, hits, lexical_only, filters)

    def _allowed_rows(self, filters: Filters) -> np.ndarray | None:
        if not filters.active:
            return None
        ok = [
            n
            for n, d in enumerate(self._documents.values())
            if (filters.year is None or d.year == filters.year)
            and (filters.place is None or filters.place in f"{d.place or ''} {d.title}")
        ]
        return np.isin(self._row_docs, ok)


def _top_rows(lexical: np.ndarray, allowed: np.ndarray | None) -> list[int]:
    """The POOL best rows by BM25 (among allowed ones), best first; rows scoring 0 are no candidates."""
    scores = lexical if allowed is None else np.where(allowed, lexical, 0.0)
    if len(scores) > POOL:
        top = np.argpartition(-scores, POOL - 1)[:POOL]  # linear time, unlike a full sort
    else:
        top = np.arange(len(scores))
    top = top[np.argsort(-scores[top], kind="stable")]
    return [int(r) for r in top if scores[r] > 0]


def _year_match(asked: int | None, report: int | None) -> float:
    """A report of the asked year matches; so, nearly, one given the next year,
    which reviews the asked year."""
    if asked is None or report is None:
        return 0.0
    if report == asked:
        return 1.0
    return 0.7 if report == asked + 1 else 0.0
