"""The sentence inside a passage that best answers a question, and the spans to highlight."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from qa.index.lexical import to_simplified

# A sentence ends at 。！？； (or their ASCII forms) plus any closing quotes or brackets.
_SENTENCE = re.compile(r"[^。！？；!?;]+(?:[。！？；!?;]+[”’」』)）]*)?")
_NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    found = []
    for m in _SENTENCE.finditer(text):
        raw = m.group()
        stripped = raw.strip()
        if stripped:
            start = m.start() + raw.index(stripped)
            found.append(Sentence(start, start + len(stripped), stripped))
    return found or [Sentence(0, len(text), text)]


def coverage(text: str, weights: Mapping[str, float]) -> float:
    """Share of the question's word weight that occurs in `text` (0..1)."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w for term, w in weights.items() if term in text) / total


def matchable(text: str) -> str:
    """The text as question words are matched against it: in Simplified
    characters, when that keeps every offset (the conversion is per character)."""
    simplified = to_simplified(text)
    return simplified if len(simplified) == len(text) else text


def best_sentence(text: str, weights: Mapping[str, float], wants_number: bool) -> tuple[Sentence, float]:
    """The sentence covering most of the question's words (a figure breaks ties
    when the question asks for one), with its coverage. Offsets are into `text`."""
    text = matchable(text)

    def score(s: Sentence) -> float:
        bonus = 0.15 if wants_number and _NUMBER.search(s.text) else 0.0
        return coverage(s.text, weights) + bonus

    scored = [(score(s), s) for s in sentences(text)]
    best_score, best = max(scored, key=lambda pair: pair[0])
    return best, coverage(best.text, weights)


def term_spans(text: str, terms: list[str]) -> tuple[tuple[int, int], ...]:
    """Non-overlapping spans of the question's words in `text`, longest words first."""
    text = matchable(text)
    taken = [False] * len(text)
    spans = []
    for term in sorted(set(terms), key=len, reverse=True):
        if not term:
            continue
        for m in re.finditer(re.escape(term), text, flags=re.IGNORECASE):
            if not any(taken[m.start() : m.end()]):
                spans.append((m.start(), m.end()))
                for i in range(m.start(), m.end()):
                    taken[i] = True
    return tuple(sorted(spans))
