"""The sentence inside a passage that best answers a question, and the spans to highlight."""

from __future__ import annotations

import re
from bisect import bisect_right
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


# The most a sentence's figure and tense words add to its coverage (see best_sentence).
NUMBER_BONUS = 0.15
TENSE_BONUS = 0.1


def best_sentence(
    text: str, terms: Sequence[Term], wants_number: bool, tense_words: re.Pattern[str] | None = None
) -> tuple[Sentence, float]:
    """The sentence covering most of the question's terms (a figure, and words of
    the asked tense — 目标 or 完成 — break ties), with its coverage. Offsets are into `text`."""
    text = matchable(text)
    found = sentences(text)
    covered = _sentence_coverage(text, found, terms)

    def bonus(s: Sentence) -> float:
        extra = NUMBER_BONUS if wants_number and _NUMBER.search(s.text) else 0.0
        if tense_words is not None and tense_words.search(s.text):
            extra += TENSE_BONUS
        return extra

    # The first sentence of the highest score; those that cannot reach it even with both
    # bonuses are not searched for figures and tense words (most of a passage's sentences).
    best, best_score = 0, -1.0
    for i, (s, coverage_) in enumerate(zip(found, covered)):
        if coverage_ + NUMBER_BONUS + TENSE_BONUS + 1e-9 < best_score:
            continue
        score = coverage_ + bonus(s)
        if score > best_score:
            best, best_score = i, score
    return found[best], covered[best]


def _sentence_coverage(text: str, found: list[Sentence], terms: Sequence[Term]) -> list[float]:
    """coverage(s.text, terms) of each sentence, from one search of the passage per term form."""
    total = sum(t.weight for t in terms)
    lowered = text.lower()
    if total <= 0:
        return [0.0] * len(found)
    if len(lowered) != len(text):  # lowering moved offsets (rare scripts): sentence by sentence
        return [coverage(s.text, terms) for s in found]
    starts = [s.start for s in found]
    weights = [0.0] * len(found)
    for term in terms:
        holding = set()
        for form in term.forms:
            at = lowered.find(form)
            while at != -1:
                i = bisect_right(starts, at) - 1
                if i >= 0 and at + len(form) <= found[i].end:
                    holding.add(i)
                at = lowered.find(form, at + 1) if form else -1
            if not form:  # the empty form is in every sentence, as `in` says
                holding.update(range(len(found)))
        for i in holding:
            weights[i] += term.weight
    return [w / total for w in weights]


def term_spans(text: str, terms: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """Non-overlapping spans of the question's words in `text`, longest words first."""
    text = matchable(text)
    taken = [False] * len(text)
    spans = []
    for term in sorted(set(terms), key=lambda t: (-len(t), t)):  # not set order: it differs run to run
        if not term:
            continue
        for m in re.finditer(re.escape(term), text, flags=re.IGNORECASE):
            if not any(taken[m.start() : m.end()]):
                spans.append((m.start(), m.end()))
                for i in range(m.start(), m.end()):
                    taken[i] = True
    return tuple(sorted(spans))
