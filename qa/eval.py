"""Retrieval evaluation: Hit@k and MRR@10 over a JSONL set of questions with answer spans.

A passage answers a question when it contains the answer span once all
whitespace is removed from both and, where the row names its `doc`, comes from
that file. Rows of kind `unanswerable` have no answer: the corpus holds none,
and the right behaviour is to mark the best hit weak. Scores are given over all
answerable rows and per kind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from qa.errors import QAError
from qa.search.searcher import Searcher

CUTOFFS = (1, 3, 5, 10)
UNANSWERABLE = "unanswerable"
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answer: str = ""  # empty for unanswerable rows
    doc: str = ""  # the file that answers it; empty: any document may
    kind: str = ""

    @property
    def answerable(self) -> bool:
        return self.kind != UNANSWERABLE


@dataclass(frozen=True)
class Outcome:
    """What the searcher did with one question."""

    id: str
    question: str
    answer: str
    kind: str
    rank: int | None  # rank of the first answering passage within 10, else None
    weak: bool  # the best hit was marked weak (the tool said it found no good answer)
    top_source: str  # the document of the passage ranked first
    top_text: str


@dataclass(frozen=True)
class Scores:
    questions: int
    hit_at: dict[int, float]
    mrr_at_10: float


@dataclass
class EvalReport:
    questions: int  # answerable ones
    hit_at: dict[int, float]
    mrr_at_10: float
    by_kind: dict[str, Scores] = field(default_factory=dict)
    unanswerable: int = 0
    unanswerable_flagged: int = 0  # unanswerable rows whose best hit was weak (right)
    answerable_flagged: int = 0  # answerable rows whose best hit was weak (wrong)
    misses: list[Outcome] = field(default_factory=list)  # answerable rows not answered at rank 1
    unflagged: list[Outcome] = field(default_factory=list)  # unanswerable rows not flagged weak


def load_eval_set(path: Path) -> list[EvalQuestion]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise QAError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise QAError(f"{path} is not UTF-8 text") from None
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            kind = str(item.get("kind", ""))
            question = EvalQuestion(
                id=str(item.get("id", number)),
                question=item["question"],
                answer="" if kind == UNANSWERABLE else item["answer"],
                doc=item.get("doc", ""),
                kind=kind,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise QAError(
                f"{path}:{number} is not a JSON object with question and answer (or kind unanswerable)"
            ) from None
        questions.append(question)
    if not questions:
        raise QAError(f"{path} holds no questions")
    return questions


def _squash(text: str) -> str:
    return _WHITESPACE.sub("", text)


def _same_file(source: str, doc: str) -> bool:
    """A row's doc names a file by its name; the index keeps paths relative to the corpus."""
    return not doc or source == doc or PurePath(source).name == PurePath(doc).name


def evaluate(searcher: Searcher, questions: Sequence[EvalQuestion]) -> EvalReport:
    depth = max(CUTOFFS)
    outcomes = []
    for q in questions:
        result = searcher.search(q.question, k=depth)
        answer = _squash(q.answer)
        rank = None
        if q.answerable:
            rank = next(
                (h.rank for h in result.hits if _same_file(h.source, q.doc) and answer in _squash(h.passage.text)),
                None,
            )
        top = result.hits[0] if result.hits else None
        outcomes.append(
            Outcome(
                q.id,
                q.question,
                q.answer,
                q.kind,
                rank,
                weak=not result.found,
                top_source=top.source if top else "",
                top_text=top.passage.text if top else "",
            )
        )
    answerable = [o for o in outcomes if o.kind != UNANSWERABLE]
    unanswerable = [o for o in outcomes if o.kind == UNANSWERABLE]
    overall = _scores(answerable)
    kinds = sorted({o.kind for o in answerable if o.kind})
    return EvalReport(
        questions=overall.questions,
        hit_at=overall.hit_at,
        mrr_at_10=overall.mrr_at_10,
        by_kind={kind: _scores([o for o in answerable if o.kind == kind]) for kind in kinds},
        unanswerable=len(unanswerable),
        unanswerable_flagged=sum(o.weak for o in unanswerable),
        answerable_flagged=sum(o.weak for o in answerable),
        misses=[o for o in answerable if o.rank != 1],
        unflagged=[o for o in unanswerable if not o.weak],
    )


def _scores(outcomes: Sequence[Outcome]) -> Scores:
    n = len(outcomes)
    if n == 0:
        return Scores(0, {k: 0.0 for k in CUTOFFS}, 0.0)
    ranks = [o.rank for o in outcomes]
    return Scores(
        questions=n,
        hit_at={k: sum(1 for r in ranks if r is not None and r <= k) / n for k in CUTOFFS},
        mrr_at_10=sum(1 / r for r in ranks if r is not None) / n,
    )
