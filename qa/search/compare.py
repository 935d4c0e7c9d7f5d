"""Compare across reports: one question, the best passage within each report.

「各省2026年GDP增长目标」 over thirty provincial reports is thirty answers side by
side, each with its value clause (「地区生产总值增长5%左右」) and citation. Every
report that passes the filters gets a row; one without a good match is marked
weak (shown as 未找到), never dropped, so a gap is seen.

Each report's candidates are its passages that BM25 and the dense model like
best (PER_REPORT of them, found for all reports at once with vectorised
scores); they then go through the same fusion as a search — sentence evidence
and the time prior pick the report's own target over last year's result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qa.corpus.places import LEVELS
from qa.search.comparative import comparison_filters as comparison_filters  # the interfaces' door
from qa.search.fuse import mix
from qa.search.query import Query
from qa.search.searcher import Searcher, expanded_tokens
from qa.types import Filters, Hit

PER_REPORT = 8  # candidates of each report given the full fusion


@dataclass(frozen=True)
class CompareRow:
    hit: Hit  # the report's best passage (hit.weak: no good match)
    level: str | None
    value: str  # the clause of the answer sentence carrying what was asked; "" when weak


@dataclass(frozen=True)
class Comparison:
    question: str
    query: Query
    rows: list[CompareRow]  # place order (the nation first, then by level and name), then year
    lexical_only: bool
    filters: Filters


def compare(searcher: Searcher, question: str, filters: Filters = Filters()) -> Comparison:
    query, terms = searcher.analyse(question)
    documents = [d for d in searcher.documents() if filters.admits(d)]
    doc_of_row = searcher.row_documents()
    allowed = searcher.rows_of(d.doc_id for d in documents)
    if not len(allowed):  # no report passes the filters: nothing to compare, and nothing to scale
        return Comparison(question, query, [], not searcher.model_loaded, filters)
    lexical = searcher.index.lexical_scores(expanded_tokens(query))
    vector = searcher.query_vector(query)
    cosines = None if vector is None else searcher.index.cosines(vector, allowed.tolist())
    rough = mix(lexical[allowed], cosines)
    picked = _best_per_report(doc_of_row[allowed], rough)
    candidates = allowed[picked].tolist()
    dense = {} if cosines is None else dict(zip(candidates, cosines[picked].tolist()))
    rows_out: list[CompareRow] = []
    if candidates:
        pool = searcher.rank(query, terms, candidates, lexical, dense)
        # Each report's best candidate that answers, else its best one (shown weak).
        best: dict[str, int] = {}
        answering: set[str] = set()
        for i in pool.order:
            doc_id = pool.docs[i].doc_id
            if doc_id not in answering and not pool.weak(i, of_place_asked=False):
                best[doc_id] = i
                answering.add(doc_id)
            best.setdefault(doc_id, i)
        for i in best.values():
            hit = pool.hit(i, rank=1, of_place_asked=False)
            rows_out.append(CompareRow(hit, pool.docs[i].level, "" if hit.weak else hit.value))
    return Comparison(question, query, sorted(rows_out, key=_place_order), vector is None, filters)


def _best_per_report(docs: np.ndarray, rough: np.ndarray) -> np.ndarray:
    """Positions of the PER_REPORT best rough scores of each report (docs[i]: row i's report)."""
    order = np.lexsort((-rough, docs))  # by report, best first within it
    docs_sorted = docs[order]
    starts = np.flatnonzero(np.r_[True, docs_sorted[1:] != docs_sorted[:-1]])
    rank_in_report = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return order[rank_in_report < PER_REPORT]


def _place_order(row: CompareRow) -> tuple:
    level = LEVELS.index(row.level) if row.level in LEVELS else len(LEVELS)
    return (level, row.hit.place or "", row.hit.year or 0, row.hit.source)
