"""The sentence inside a passage that best answers a question, and the spans to highlight."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.words import to_simplified

# A sentence ends at 。！？； (or their ASCII forms) plus any closing quotes or brackets.
_SENTENCE = re.compile(r"[^。！？；!?;]+(?:[。！？；!?;]+[”’」』)）]*)?")
_NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class Term:
    """One thing the question asks about: the ways it may be written, and its weight (idf)."""

    forms: tuple[str, ...]
    weight: float


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


def coverage(text: str, terms: Sequence[Term]) -> float:
    """Share of the question's term weight that occurs in `text`, in any form (0..1)."""
    total = sum(t.weight for t in terms)
    return _weight_in(text.lower(), terms) / total if total > 0 else 0.0


def _weight_in(lowered: str, terms: Sequence[Term]) -> float:
    return sum(t.weight for t in terms if any(form in lowered for form in t.forms))


def matchable(text: str) -> str:
    """The text as question words are matched against it: in Simplified
    characters, when that keeps every offset (the conversion is per character)."""
    simplified = to_simplified(text)
    return simplified if len(simplified) == len(text) else text


def best_sentence(
    text: str, terms: Sequence[Term], wants_number: bool, tense_words: re.Pattern[str] | None = None
) -> tuple[Sentence, float]:
    """The sentence covering most of the question's terms (a figure, and words of
    the asked tense — 目标 or 完成 — break ties), with its coverage. Offsets are into `text`."""
    text = matchable(text)
    total = sum(t.weight for t in terms)
    # Only the terms the passage holds can be in one of its sentences (most are not: a 10× saving).
    lowered = text.lower()
    held = [t for t in terms if any(form in lowered for form in t.forms)]

    def covered(s: Sentence) -> float:
        return _weight_in(s.text.lower(), held) / total if total > 0 else 0.0

    def score(s: Sentence) -> float:
        bonus = 0.15 if wants_number and _NUMBER.search(s.text) else 0.0
        if tense_words is not None and tense_words.search(s.text):
            bonus += 0.1
        return covered(s) + bonus

    best = max(sentences(text), key=score)
    return best, covered(best)


def term_spans(text: str, terms: Sequence[str]) -> tuple[tuple[int, int], ...]:
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
