"""Retrieval evaluation: Hit@k and MRR@10 over a JSONL set of questions with answer spans.

A passage answers a question when it contains the answer span once all
whitespace is removed from both (see tests/data/README in the eval set).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import QAError
from qa.search.searcher import Searcher

CUTOFFS = (1, 3, 5, 10)
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answer: str
    doc: str = ""
    kind: str = ""


@dataclass(frozen=True)
class Miss:
    id: str
    question: str
    answer: str
    kind: str
    rank: int | None  # rank of the first answering passage within 10, else None
    top_source: str  # the document of the passage ranked first
    top_text: str


@dataclass
class EvalReport:
    questions: int
    hit_at: dict[int, float]
    mrr_at_10: float
    misses: list[Miss] = field(default_factory=list)  # questions not answered at rank 1


def load_eval_set(path: Path) -> list[EvalQuestion]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise QAError(f"cannot read {path}: {error.strerror}") from None
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            questions.append(
                EvalQuestion(
                    id=str(item.get("id", number)),
                    question=item["question"],
                    answer=item["answer"],
                    doc=item.get("doc", ""),
                    kind=item.get("kind", ""),
                )
            )
        except (ValueError, KeyError, TypeError):
            raise QAError(f"{path}:{number} is not a JSON object with question and answer") from None
    if not questions:
        raise QAError(f"{path} holds no questions")
    return questions


def _squash(text: str) -> str:
    return _WHITESPACE.sub("", text)


def evaluate(searcher: Searcher, questions: list[EvalQuestion]) -> EvalReport:
    depth = max(CUTOFFS)
    ranks: list[int | None] = []
    misses = []
    for q in questions:
        result = searcher.search(q.question, k=depth)
        answer = _squash(q.answer)
        rank = next((h.rank for h in result.hits if answer in _squash(h.passage.text)), None)
        ranks.append(rank)
        if rank != 1:
            top = result.hits[0] if result.hits else None
            misses.append(
                Miss(q.id, q.question, q.answer, q.kind, rank,
                     top.source if top else "", top.passage.text if top else "")
            )
    n = len(questions)
    return EvalReport(
        questions=n,
        hit_at={k: sum(1 for r in ranks if r is not None and r <= k) / n for k in CUTOFFS},
        mrr_at_10=sum(1 / r for r in ranks if r is not None) / n,
        misses=misses,
    )
