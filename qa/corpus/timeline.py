"""The years a passage speaks about, and whether it reviews them or plans them.

A work report of year N reviews year N−1 (and, every five years, the whole
plan period) and sets the targets of year N; a bulletin (统计公报) of year N
states what year N achieved; a work plan (工作计划, 工作安排) plans its year. A
question about year N's *target* is answered by the plan part of the report of
year N, one about what N *achieved* by the review part of the report of N+1. So
each passage gets a `PassageTime`: the span of years it is about and its tense.

Headings decide first (「一、2023年工作回顾」, 「二、2024年工作安排」, 「过去五年工
作回顾」, 「“十五五”时期主要目标」): the innermost heading that says something
wins. A passage under no telling heading (reports without headings, single-line
texts) is read from its own words (过去一年 / 今年, 完成 / 力争).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa.types import PLAN, REVIEW, PassageTime

# Five-year plans from the third on run 1966–1970, 1971–1975, …: 十四五 = 2021–2025.
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_FIVE_YEAR_PLAN = re.compile(r"(十?[一二三四五六七八九])五(?:规划|时期|期间|计划|末|以来|发展)?")
_FIVE_YEAR_CONTEXT = re.compile(r"[“\"「]|规划|时期|期间|计划|以来|收官|开局")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")

_REVIEW_HEADING = re.compile(r"回顾|总结|成就|成绩|过去一年|过去五年|一年来|五年来|进展|成效")
_PLAN_HEADING = re.compile(r"安排|目标|任务|部署|重点工作|建议|要求|计划|举措|思路|展望|关于\d{4}年")
_REVIEW_WORDS = re.compile(
    r"过去一年|过去五年|一年来|五年来|去年|上年|比上年|已经|取得|完成了|实现了|达到了|超额完成|预计全年|年均增长|累计"
)
_PLAN_WORDS = re.compile(r"今年|明年|力争|确保|预期目标|主要目标|目标是|计划|将|要|拟|建议|安排|部署|打算")
_PAST_FIVE_YEARS = re.compile(r"过去五年|五年来")
# A passage whose subject is one year: 「刚刚过去的2025年，」, 「2024年，」, 「过去一年，」.
_YEAR_OPENING = re.compile(
    r"\W{0,3}(?:刚刚过去的|过去的|回顾)?(?:((?:19|20)\d{2})\s*年|过去一年|一年来|刚刚过去的一年)[，,：:]?"
)
# Where the plan part of a report without headings opens; {year} is the report's year.
_PLAN_OPENING = r"今年是|今年(?:经济社会发展|政府工作|的?工作|主要)|做好今年|{year}年(?:是|的?工作|经济社会发展|主要)|主要预期目标|总体要求"

# Document kinds whose whole text has one tense.
_BULLETIN = re.compile(r"统计公报")
_WORK_PLAN = re.compile(r"工作计划|工作安排|工作要点")


def five_year_plan(number: str) -> tuple[int, int] | None:
    """十四 → (2021, 2025); plans before the third (1953–1962) are not reports' business."""
    value = _CN_DIGITS[number[-1]] + (10 if len(number) == 2 else 0)
    if value < 3:
        return None
    first = 1966 + 5 * (value - 3)
    return first, first + 4


def plan_periods(text: str) -> list[tuple[int, int]]:
    """Five-year plan periods named in a text (“十四五”, 十五五时期)."""
    periods = []
    for match in _FIVE_YEAR_PLAN.finditer(text):
        # 十五 alone is a number (十五个); quoted or with 规划/时期 it is a plan.
        around = text[max(0, match.start() - 1) : match.end() + 1]
        if match.group(0) != match.group(1) + "五" or _FIVE_YEAR_CONTEXT.search(around):
            period = five_year_plan(match.group(1))
            if period:
                periods.append(period)
    return periods


def _tense_of_heading(heading: str) -> str | None:
    review, plan = _REVIEW_HEADING.search(heading), _PLAN_HEADING.search(heading)
    if review and not plan:
        return REVIEW
    if plan and not review:
        return PLAN
    return None


def _tense_of_text(text: str) -> str | None:
    review, plan = len(_REVIEW_WORDS.findall(text)), len(_PLAN_WORDS.findall(text))
    if review > plan:
        return REVIEW
    if plan > review:
        return PLAN
    return None


def _span(text: str, tense: str, year: int) -> tuple[int, int] | None:
    """The years a telling text names, else those its tense implies."""
    periods = plan_periods(text)
    years = [int(y) for y in _YEAR.findall(text) if abs(int(y) - year) <= 6]
    if years:
        first, last = min(years), max(years)
        for p_first, p_last in periods:
            first, last = min(first, p_first), max(last, p_last)
        return first, last
    if periods:
        return min(p[0] for p in periods), max(p[1] for p in periods)
    if tense == REVIEW and _PAST_FIVE_YEARS.search(text):
        return year - 5, year - 1
    return None


def passage_times(
    title: str, year: int | None, passages: Sequence[tuple[Sequence[str], str]]
) -> list[PassageTime | None]:
    """When each passage of a document is about, from its (headings, outermost
    first; text) in document order; None where nothing tells, or the document has no year."""
    if year is None:
        return [None] * len(passages)
    if _BULLETIN.search(title):
        return [PassageTime(year, year, REVIEW)] * len(passages)
    times = [_time_from_headings(headings, year) for headings, _ in passages]
    if not any(times):
        # No heading tells: a report reviews first and plans after; the plan part
        # opens with 「今年是…」, 「2024年工作」, 「主要预期目标」 …
        opening = re.compile(_PLAN_OPENING.format(year=year))
        start = (
            0
            if _WORK_PLAN.search(title)
            else next((i for i, (_, text) in enumerate(passages) if i > 0 and opening.search(text)), None)
        )
        if start is not None:
            times = [PassageTime(*_default_span(REVIEW, year), REVIEW)] * start
            times += [PassageTime(year, year, PLAN)] * (len(passages) - start)
    times = [time or _time_from_text(text, year) for time, (_, text) in zip(times, passages)]
    times = [_with_periods_reviewed(time, text, year) for time, (_, text) in zip(times, passages)]
    return [_narrowed_to_its_year(time, text, year) for time, (_, text) in zip(times, passages)]


def _time_from_headings(headings: Sequence[str], year: int) -> PassageTime | None:
    """The innermost heading that tells decides."""
    for heading in reversed(headings):
        tense = _tense_of_heading(heading)
        if tense is not None:
            return PassageTime(*(_span(heading, tense, year) or _default_span(tense, year)), tense)
    return None


def _time_from_text(text: str, year: int) -> PassageTime | None:
    tense = _tense_of_text(text)
    if tense is None:
        return None
    if tense == REVIEW and _PAST_FIVE_YEARS.search(text):
        return PassageTime(year - 5, year - 1, REVIEW)
    return PassageTime(*_default_span(tense, year), tense)


def _with_periods_reviewed(time: PassageTime | None, text: str, year: int) -> PassageTime | None:
    """A review passage that speaks of a finished plan period (“十四五”时期) is about all its years."""
    if time is None or time.tense != REVIEW:
        return time
    # Only the period just finished: an older one is named in comparisons (较“十三五”增长).
    periods = [p for p in plan_periods(text) if year - 6 <= p[1] < year]
    if not periods:
        return time
    return PassageTime(min(time.first, *(p[0] for p in periods)), max(time.last, *(p[1] for p in periods)), REVIEW)


def _narrowed_to_its_year(time: PassageTime | None, text: str, year: int) -> PassageTime | None:
    """A review passage under a heading of several years (「2025年和“十四五”工作回顾」)
    that opens on one of them (「刚刚过去的2025年，…」, 「过去一年，…」) is about that year."""
    if time is None or time.tense != REVIEW or time.first == time.last:
        return time
    opening = _YEAR_OPENING.match(text)
    if opening is None:
        return time
    subject = int(opening.group(1)) if opening.group(1) else year - 1
    return PassageTime(subject, subject, REVIEW) if time.covers(subject) else time


def _default_span(tense: str, year: int) -> tuple[int, int]:
    return (year - 1, year - 1) if tense == REVIEW else (year, year)
