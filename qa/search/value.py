"""The value of an answer: the shortest clause of the answer sentence that holds what was asked.

A report's answer sentence often lists a dozen targets —「主要预期目标是：地区生产总值增长5%左右，
一般公共预算收入增长3%，城镇新增就业45万人以上，…」— and a reader who asked for the GDP target
wants 「地区生产总值增长5%左右」, not the list. `value_clause` cuts the sentence into clauses and
picks the one holding most of the question's terms (a figure counts as one more term when a figure
is asked for); `has_figure` says whether a text states a quantity.

Rules, in order:

- Clauses are cut at ，；：。！？ and their ASCII forms (ASCII . , : only where they are not part of a
  number: 4.5%, 1,000, 11:59), never inside matched brackets or quotes, never at 、 (a list
  「A、B和C」 is one clause).
- A clause ended by ：or : is a lead-in (「主要预期目标是：」) and is never the value while any other
  clause exists.
- The value is a whole clause: a word before the indicator stays (「今年赤字率拟按2.6%安排」, not
  「赤字率拟按2.6%安排」), as 今年/去年 tell the reader which year the figure is for. Only edges are
  trimmed: spaces, punctuation, unmatched brackets and list markers (一是, （一）, 1.).
- Score = the number of terms the clause holds, plus one when a figure is wanted and the clause
  holds both a term and a figure (a figure beside no asked word is not the asked figure); ties go
  to the clause with a figure, then to the earlier one.
- No clause holds a term: the first clause with a figure when one is wanted, else the shortest
  clause (of at least 4 characters when there is one: 同时, 为此 answer nothing).
- A value over 60 characters (MAX_CHARS) is cut at 、 to the run of items that fits and ranks
  best as clauses do (the earliest of equals); an item longer than that alone is cut at 60
  characters, or before a figure the cut would split.

Terms are matched case-insensitively, full-width letters and digits folded, ignoring spaces. The
module reads Simplified text: for Traditional, pass `answer.matchable(sentence)`, whose offsets are
the original's. Standard library only, so it can run anywhere on any text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

MAX_CHARS = 60
# Under this, a clause is a connective (同时, 为此, 总的看) rather than an answer.
_SHORTEST_ANSWER = 4

_CLAUSE_MARKS = frozenset("，；：。！？!?;")
# ASCII marks that also sit inside numbers (4.5, 1,000, 11:59); ． is folded to ".".
_NUMBER_MARKS = frozenset(".,:")
_LEAD_IN_MARKS = frozenset("：:")
_LIST_MARK = "、"
_PAIRS = {
    "（": "）",
    "(": ")",
    "【": "】",
    "[": "]",
    "〔": "〕",
    "“": "”",
    "‘": "’",
    "「": "」",
    "『": "』",
    "《": "》",
    "〈": "〉",
    "{": "}",
}
_OPENERS = frozenset(_PAIRS)
_CLOSERS = frozenset(_PAIRS.values())
_SYMMETRIC_QUOTES = frozenset("\"'")
# Trimmed off a clause's edges: marks, dashes, ellipses, bullets, zero-width characters.
_EDGE = frozenset("，；：。！？!?;.,:、…—–-~～·•●▪◆■□○◎★☆\u200b\u200c\u200d\u2060\ufeff")
# A list marker opening a clause: 一是, （一）, (1), 1., 1、, ①.
_LIST_MARKER = re.compile(
    r"(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.、](?!\d)|[①-⑳])\s*"
)

# Figures. Text is folded first (１００％ → 100%), so ASCII digits and % suffice.
_DIGITS = r"\d+(?:,\d{3})*(?:[.·]\d+)?"
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_CN_NUMBER = f"[{_CN_DIGITS}点]+"
_UNIT = (
    "个百分点|百分点|万亿元|亿元|万元|元|亿美元|万美元|美元|亿斤|万斤|斤|亿吨|万吨|吨|千克|公斤|万人次|人次|万人|人|"
    "万户|户|万亩|亩|平方公里|平方米|立方米|公里|千米|米|公顷|万千瓦|千瓦时|千瓦|兆瓦|度|万辆|辆|万套|套|万台|台|"
    "万家|家|万个|个|座|所|项|条|张|间|床|场|次|倍|岁|天|小时|分钟|标箱|艘|架|件|例|名|位|批|处|栋|层|篇|株|棵|头|只|方"
)
_RANGE = r"(?:—{1,2}|–|-|~|～|到|至)"
_QUALIFIER = r"(?:左右|以上|以内|以下|上下|多|余)?"
_DIGIT_FIGURE = re.compile(
    rf"(?<![A-Za-z\d.·第])(?P<n>{_DIGITS})(?:%|{_UNIT})?(?:{_RANGE}{_DIGITS}(?:%|{_UNIT})?)?{_QUALIFIER}"
)
# Chinese numerals count as figures only as 百分之X, or as a numeral with a digit and a magnitude
# (三千万, 五万, 十五) or two magnitudes (千万, 百万) followed by a unit: 三千万吨, 五万户, 千万吨.
# Otherwise they are names and set phrases: 十四五, 一带一路, 两个一百年, 一座城市, 千家万户, 千方百计.
_CN_FIGURE = re.compile(
    rf"百分之{_CN_NUMBER}|(?<![第{_CN_DIGITS}])(?P<n>[{_CN_DIGITS}]+(?:点[{_CN_DIGITS}]+)?)(?:{_UNIT}){_QUALIFIER}"
)
_CN_QUANTITY = re.compile(r"(?=.*[一二两三四五六七八九])(?=.*[十百千万亿])|.*[十百千万亿].*[十百千万亿]")
# Digits that are not quantities: years (2025年, 2021—2025年), dates (3月, 12日, 1号线),
# list markers (1.), product names (5G), numbers in brackets ((1)).
_NOT_QUANTITY = re.compile(rf"(?:19|20)\d\d(?:{_RANGE}(?:19|20)?\d\d)?年|\d+[月日号]|\d+[.、](?!\d)|\d[Gg](?![A-Za-z])")
_BRACKETED = re.compile(r"(?<=[（(])\d+(?=[）)])")
_SPACE = re.compile(r"[\s_]+")
_THOUSANDS = re.compile(r"\d{3}(?!\d)")


@dataclass(frozen=True)
class Value:
    text: str  # the clause
    start: int  # offsets into the sentence given: sentence[start:end] == text
    end: int


@dataclass(frozen=True)
class _Clause:
    start: int
    end: int
    lead_in: bool


def has_figure(text: str) -> bool:
    """Whether the text states a quantity: 5%, 1100万人以上, 4.5%—5%, １００％, 百分之八, 三千万吨.
    Years, dates, ordinals (第22届), list markers and 5G are not quantities."""
    return bool(_figure_spans(_fold(text)))


def value_clause(sentence: str, terms: Sequence[Sequence[str]], wants_number: bool) -> Value:
    """The clause of `sentence` carrying what the question asks (see the module's rules).
    `terms` are the question's terms, each as its alternative forms. An empty Value (0, 0) only for
    a sentence with nothing but spaces and punctuation."""
    folded = _fold(sentence)
    clauses = _clauses(folded)
    if not clauses:
        return Value("", 0, 0)
    forms = _forms(terms)
    candidates = [c for c in clauses if not c.lead_in] or clauses
    rank = {c: _rank(folded[c.start : c.end], forms, wants_number) for c in candidates}
    if any(score for score, _ in rank.values()):
        best = max(candidates, key=lambda c: (rank[c], -c.start))
    elif any(figure for _, figure in rank.values()):  # a figure is wanted, no clause names a term
        best = next(c for c in candidates if rank[c][1])
    else:
        answers = [c for c in candidates if c.end - c.start >= _SHORTEST_ANSWER] or candidates
        best = min(answers, key=lambda c: (c.end - c.start, c.start))
    start, end = _cap(folded, best.start, best.end, forms, wants_number)
    return Value(sentence[start:end], start, end)


def _fold(text: str) -> str:
    """Full-width letters, digits, ％ and ． as ASCII, one character for one, so offsets keep.
    Other punctuation stays: a folded ，would read as a thousands separator in 「制度，1509万」."""
    return text.translate(_fold_table())


@cache
def _fold_table() -> dict[int, str]:
    """Each character that NFKC turns into one other letter, digit, % or . (built once, ~30 ms:
    folding character by character made value_clause the slowest step of a comparison)."""
    table = {}
    for code in range(0x80, 0x10000):
        folded = unicodedata.normalize("NFKC", chr(code))
        if len(folded) == 1 and folded != chr(code) and (folded.isalnum() or folded in "%."):
            table[code] = folded
    return table


def _forms(terms: Sequence[Sequence[str]]) -> list[list[str]]:
    found = []
    for term in terms:
        forms = [_SPACE.sub("", _fold(form).lower()) for form in term]
        forms = [form for form in forms if form]  # an empty form would be in every clause
        if forms:
            found.append(forms)
    return found


def _rank(text: str, forms: list[list[str]], wants_number: bool) -> tuple[int, bool]:
    """(score, whether it holds a wanted figure): the terms held, plus one for a wanted figure
    beside at least one of them (a figure beside no asked word is not the asked figure)."""
    squashed = _SPACE.sub("", text.lower())
    held = sum(1 for term in forms if any(form in squashed for form in term))
    figure = wants_number and bool(_figure_spans(text))
    return held + (1 if figure and held else 0), figure


def _figure_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the quantities in folded text."""
    excluded = [False] * (len(text) + 1)
    for pattern in (_NOT_QUANTITY, _BRACKETED):
        for m in pattern.finditer(text):
            for i in range(m.start(), m.end()):
                excluded[i] = True
    spans = [(m.start(), m.end()) for m in _DIGIT_FIGURE.finditer(text) if not excluded[m.start("n")]]
    spans += [
        (m.start(), m.end())
        for m in _CN_FIGURE.finditer(text)
        if m.group("n") is None or _CN_QUANTITY.match(m.group("n"))
    ]
    return sorted(spans)


def _protected(text: str) -> list[bool]:
    """Which positions lie inside a matched pair of brackets or quotes (where no cut is made).
    An opener never closed protects nothing, so one stray 「（」 cannot swallow the sentence."""
    inside = [False] * len(text)
    stacks: dict[str, list[int]] = {}
    quote_at: dict[str, int] = {}
    for i, ch in enumerate(text):
        if ch in _OPENERS:
            stacks.setdefault(_PAIRS[ch], []).append(i)
        elif ch in _CLOSERS and stacks.get(ch):
            opened = stacks[ch].pop()
            for j in range(opened + 1, i):
                inside[j] = True
        elif ch in _SYMMETRIC_QUOTES:
            if ch in quote_at:
                for j in range(quote_at.pop(ch) + 1, i):
                    inside[j] = True
            else:
                quote_at[ch] = i
    return inside


def _is_cut(text: str, i: int) -> bool:
    ch = text[i]
    if ch in _CLAUSE_MARKS:
        return True
    if ch in _NUMBER_MARKS:
        before = text[i - 1 : i].isdigit()
        after = text[i + 1 : i + 2].isdigit()
        if ch == ",":  # 1,000 is a number; 增长8%,2021年 two clauses
            return not (before and _THOUSANDS.match(text, i + 1))
        if ch == ":":  # 11:59
            return not (before and after)
        return not (before or after)  # 4.5 a number, 17.学前教育 a list marker
    return False


def _clauses(text: str) -> list[_Clause]:
    inside = _protected(text)
    found = []
    start = 0
    for i in range(len(text) + 1):
        if i < len(text) and (inside[i] or not _is_cut(text, i)):
            continue
        span = _trim(text, start, i)
        if span is not None:
            found.append(_Clause(*span, lead_in=i < len(text) and text[i] in _LEAD_IN_MARKS))
        start = i + 1
    return found


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without edge spaces, punctuation, unmatched brackets and a leading list marker;
    None when nothing is left."""
    while True:
        before = (start, end)
        while start < end and (text[start].isspace() or text[start] in _EDGE or text[start] in _CLOSERS):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in _EDGE or text[end - 1] in _OPENERS):
            end -= 1
        marker = _LIST_MARKER.match(text, start, end)
        if marker and marker.end() < end:
            start = marker.end()
        if (start, end) == before:
            return (start, end) if start < end else None


def _cap(text: str, start: int, end: int, forms: list[list[str]], wants_number: bool) -> tuple[int, int]:
    """The span, or when longer than MAX_CHARS the run of its 、-items that fits and ranks best
    as clauses do (the earliest of equals); an item too long alone is cut at MAX_CHARS, or
    before the figure that the cut would split."""
    if end - start <= MAX_CHARS:
        return start, end
    inside = _protected(text[start:end])
    items = []
    item_start = start
    for i in range(start, end + 1):
        if i == end or (text[i] == _LIST_MARK and not inside[i - start]):
            span = _trim(text, item_start, i)
            if span is not None:
                items.append(span)
            item_start = i + 1
    runs = []  # from each item, as many of the following items as fit
    for first in range(len(items)):
        last = first
        while last + 1 < len(items) and items[last + 1][1] - items[first][0] <= MAX_CHARS:
            last += 1
        runs.append((items[first][0], items[last][1]))
    # The span is trimmed text, so it has at least one item; max keeps the earliest of equals.
    run_start, run_end = max(
        runs, key=lambda run: _rank(text[run[0] : min(run[1], run[0] + MAX_CHARS)], forms, wants_number)
    )
    if run_end - run_start <= MAX_CHARS:
        return run_start, run_end
    cut = run_start + MAX_CHARS
    for figure_start, figure_end in _figure_spans(text[run_start:run_end]):
        if run_start + figure_start < cut < run_start + figure_end and figure_start > 0:
            cut = run_start + figure_start
    return _trim(text, run_start, cut) or (run_start, run_start + MAX_CHARS)
