"""Cleaned report → passages that follow its headings, paragraphs and sentences.

Each line of a cleaned text is a paragraph. Heading lines are not passages:
they name the section of the passages below them. The other lines are grouped
into blocks, any very short paragraphs (a lead-in such as "为实现上述目标,重点
抓好以下工作:") followed by one ordinary paragraph, so that a lead-in travels
with the text it introduces. A block is cut into windows of whole sentences up
to CHUNK_TARGET characters.

Measured with BM25 over the dev questions (MRR@10): keeping headings out of the
passage text and prefixing every passage with its section when indexing scored
0.785, against 0.682 for putting each heading at the start of only the first
passage under it; joining short paragraphs to the next one added ~0.01, and
cutting long paragraphs into near-equal windows another ~0.02.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from qa.config import CHUNK_MAX, CHUNK_TARGET
from qa.corpus.timeline import passage_times
from qa.types import Document, Passage

_STOPS = "。！？；!?;"
_CLOSERS = "”’」』）)】》\"'"
_CLAUSE_MARKS = "，、：,:"

_SENTENCE = re.compile(rf"[^{_STOPS}]*[{_STOPS}]+[{_CLOSERS}]*|[^{_STOPS}]+")
_CLAUSE = re.compile(rf"[^{_CLAUSE_MARKS}]*[{_CLAUSE_MARKS}]+|[^{_CLAUSE_MARKS}]+")

_CN_NUMBER = "一二三四五六七八九十百零〇"
# Numbering styles, outermost first; the group that matches is the level.
NUMBERED_HEADING = re.compile(
    rf"(?P<part>第[{_CN_NUMBER}\d]+[部分章节篇])"
    rf"|(?P<chinese>[{_CN_NUMBER}]+[、.．])"
    rf"|(?P<bracketed>[(（][{_CN_NUMBER}]+[)）])"
    r"|(?P<arabic>\d{1,2}[.．、](?!\d))"
    r"|(?P<bracketed_arabic>[(（]\d{1,2}[)）]|[①-⑳])"
)
_LEVELS = {"part": 0, "chinese": 1, "bracketed": 2, "arabic": 3, "bracketed_arabic": 4}
# A heading without a number names a part of the numbered section it is in
# ("主要预期目标" under "三、2026年工作安排") and must not close it; outside
# any, or when it opens an appendix ("名词解释", "附件"), it is top-level.
_UNNUMBERED_LEVEL = 1
_APPENDIX = re.compile(r"名词解释|名词注释|附件|附录|附表|注释|说明$")

_HEADING_MAX = 60  # a numbered line longer than this is a paragraph
_UNNUMBERED_HEADING_MAX = 30
_RUN_IN_MAX = 40  # "(一)全力以赴拼经济,发展盘子更稳。全年新引进…": first sentence as heading
_SHORT_PARAGRAPH = 40  # shorter paragraphs are joined to the next one
_SECTION_MAX = 60
_BYLINE_MAX = 60
_PUNCTUATION = re.compile(rf"[{_STOPS}{_CLAUSE_MARKS}]")
_SECTION_JOIN = " › "


@dataclass(frozen=True)
class _Unit:
    """A piece of text that is never split: a sentence, or a clause of an over-long one."""

    line: int  # 1-based line number
    start: int
    end: int


def ends_sentence(text: str) -> bool:
    """Whether text ends with sentence-final punctuation (closing quotes allowed)."""
    return text.rstrip(_CLOSERS).endswith(tuple(_STOPS))


def chunk_document(doc: Document) -> list[Passage]:
    """Passages covering the document: text == doc.text[start:end], ≤ CHUNK_MAX chars."""
    passages: list[Passage] = []
    windows_in_line: dict[int, int] = {}
    headings_of: list[list[str]] = []  # each passage's open headings
    for headings, units in _blocks(doc):
        if _is_byline(doc.text[units[0].start : units[-1].end]):
            continue
        section = _section(headings)
        for window in _windows(units):
            first, last = window[0], window[-1]
            windows_in_line[first.line] = windows_in_line.get(first.line, 0) + 1
            passages.append(
                Passage(
                    passage_id=f"{doc.doc_id}-{first.line:04d}-{windows_in_line[first.line]:02d}",
                    doc_id=doc.doc_id,
                    section=section,
                    paragraph=first.line,
                    start=first.start,
                    end=last.end,
                    text=doc.text[first.start : last.end],
                )
            )
            headings_of.append(headings)
    times = passage_times(doc.title, doc.year, [(h, p.text) for h, p in zip(headings_of, passages)])
    return [replace(p, time=time) for p, time in zip(passages, times)]


def _blocks(doc: Document) -> Iterator[tuple[list[str], list[_Unit]]]:
    """(open headings, outermost first; units) per block, in text order."""
    sections: list[tuple[int, str]] = []  # open headings, outermost first
    numbered_depth: int | None = None  # level of the innermost open numbered heading
    block: list[_Unit] = []  # short paragraphs waiting for the paragraph they lead into
    in_body = False  # past the title, byline and date lines above the first paragraph
    offset = 0
    for number, line in enumerate(doc.text.split("\n"), start=1):
        start, offset = offset, offset + len(line) + 1
        if not line:
            continue
        level = _heading_level(line)
        if level is not None:
            if block:
                yield _headings(sections), block
                block = []
            if NUMBERED_HEADING.match(line) is None:
                if not in_body:
                    continue  # the title and byline (「国务院总理 李克强」) belong to the document
                if _APPENDIX.search(line):
                    numbered_depth = None  # an appendix closes the report's own sections
                level = _UNNUMBERED_LEVEL if numbered_depth is None else numbered_depth + 1
            else:
                numbered_depth = level
            sections = [(lvl, text) for lvl, text in sections if lvl < level] + [(level, _trim_heading(line))]
            continue
        in_body = True
        run_in = _run_in_heading(line)
        if run_in is not None:
            sections = [(lvl, text) for lvl, text in sections if lvl < run_in[0]] + [run_in]
            numbered_depth = run_in[0]
        block.extend(_sentences(line, number, start))
        if len(line) >= _SHORT_PARAGRAPH:
            yield _headings(sections), block
            block = []
    if block:
        yield _headings(sections), block


def _is_byline(text: str) -> bool:
    """A short line without a single punctuation mark is a byline, date line or
    caption under the title (「2025年1月13日在…第三次会议上」), not a passage: it
    would match any question naming its place and year."""
    return len(text) <= _BYLINE_MAX and _PUNCTUATION.search(text) is None


def _heading_level(line: str) -> int | None:
    """The level of a heading line, or None for a paragraph."""
    if any(mark in line for mark in "：:"):
        return None  # "4.“厕所革命”:是指…" defines a term; headings name a topic
    if line.startswith("|"):
        return None  # a table row (see readers.table_row)
    numbered = NUMBERED_HEADING.match(line)
    if numbered is not None:
        one_sentence = not any(stop in line.rstrip(_STOPS + _CLOSERS) for stop in _STOPS)
        return _LEVELS[numbered.lastgroup or ""] if len(line) <= _HEADING_MAX and one_sentence else None
    if len(line) <= _UNNUMBERED_HEADING_MAX and not ends_sentence(line) and not line.endswith(tuple(_CLAUSE_MARKS)):
        return _UNNUMBERED_LEVEL
    return None


def _run_in_heading(line: str) -> tuple[int, str] | None:
    """(level, heading) when a numbered paragraph opens with a short topic sentence."""
    numbered = NUMBERED_HEADING.match(line)
    if numbered is None:
        return None
    first = _SENTENCE.match(line)
    if first is None or len(first.group()) > _RUN_IN_MAX or any(mark in first.group() for mark in "：:"):
        return None
    return _LEVELS[numbered.lastgroup or ""], _trim_heading(first.group())


def _trim_heading(text: str) -> str:
    return text.strip().rstrip(_STOPS)[:_SECTION_MAX]


def _headings(sections: list[tuple[int, str]]) -> list[str]:
    return [text for _, text in sections if text]


def _section(names: list[str]) -> str:
    """The open headings joined, or the innermost one if that reads too long."""
    joined = _SECTION_JOIN.join(names)
    return joined if len(joined) <= _SECTION_MAX else (names[-1] if names else "")


def _sentences(line: str, number: int, start: int) -> Iterator[_Unit]:
    """Sentence units of a paragraph; an over-long sentence is cut at clause
    marks, and a clause still over CHUNK_MAX is cut hard."""
    for sentence in _SENTENCE.finditer(line):
        if sentence.end() - sentence.start() <= CHUNK_MAX:
            yield _Unit(number, start + sentence.start(), start + sentence.end())
            continue
        for clause in _CLAUSE.finditer(sentence.group()):
            base = start + sentence.start() + clause.start()
            for cut in range(0, clause.end() - clause.start(), CHUNK_MAX):
                yield _Unit(number, base + cut, base + min(cut + CHUNK_MAX, len(clause.group())))


def _windows(units: list[_Unit]) -> Iterator[list[_Unit]]:
    """Runs of whole units up to CHUNK_TARGET characters, cut near equal sizes
    so that a long paragraph does not end in a scrap (493 + 71 → 282 + 282)."""
    if not units:
        return
    total = units[-1].end - units[0].start
    goal = total / math.ceil(total / CHUNK_TARGET)
    window: list[_Unit] = []
    for unit in units:
        if window:
            current = window[-1].end - window[0].start
            extended = unit.end - window[0].start
            if extended > CHUNK_TARGET or extended - goal > goal - current:
                yield window
                window = []
        window.append(unit)
    yield window
