"""When a question asks about, and whether it wants a target or a result.

「2024年城镇新增就业目标」 wants the plan part of the 2024 report; 「2024年城镇新增
就业完成了多少」 the review part of the 2025 report; 「2018年政府工作报告里…」 names
the report itself. `time_match` scores a passage's `PassageTime` (see
corpus/timeline.py) against what the question asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import cn2an

from qa.corpus.timeline import plan_periods
from qa.types import PLAN, REVIEW, PassageTime

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# A year that names the report: 「2018年政府工作报告」, 「2025年的统计公报」.
_REPORT_YEAR = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*年?度?的?\S{0,8}?(?:政府工作报告|工作报告|统计公报|工作计划|工作安排|报告)"
)
_TARGET_WORDS = re.compile(
    r"目标|预期|计划|力争|打算|准备|争取(?!到)|安排|部署|拟|定了|定在|定为|设定|要求|任务|将|(?<![主重需])要"
)
_RESULT_WORDS = re.compile(
    r"完成|实现了|达到了|增长了|取得|成效|成绩|成就|回顾|去年|过去|已经|累计|实际|全年.{0,4}(?:增长|达到)"
    r"|[接降增减建超]了(?!解)"  # 接待了, 降了, 新增了: what happened
)

# Words by which an answer sentence shows its tense: a target is 左右 or 以上, a result 增长了 or 比上年.
TENSE_WORDS = {
    PLAN: re.compile(r"目标|预期|力争|左右|以上|以内|控制在|确保|将|计划"),
    REVIEW: re.compile(r"比上年|同比|增长了|完成|实现|达到|突破|累计|年均"),
}


# Years said relative to now: offsets (first, last) from 今年. 近三年 is the three years
# before this one: what this year's report can look back on.
_RELATIVE = re.compile(r"今年|本年|去年|上年|上一年|前年|明年|来年|(?:近|过去|最近)([两二三四五六七八九十\d]{1,2})年")
_RELATIVE_OFFSETS = {"今年": 0, "本年": 0, "去年": -1, "上年": -1, "上一年": -1, "前年": -2, "明年": 1, "来年": 1}


# For a question naming no year: what a passage in the tense asked gets, and what a
# passage of its place's latest report gets (the latest answer first, other years after).
TENSE_FIT = 0.3  # 0.2 let a 2016 result beat the 2017 report's own target in compare by 0.003
LATEST_REPORT = 0.3
# An answer sentence about several years (年均, 五年来) fits a question about one year less.
MULTI_YEAR_SENTENCE = 0.5
_SEVERAL_YEARS = re.compile(r"年均(?:增长|增速|递增|提高)|年平均增长|五年来|这五年|过去五年|五年间")  # not 年均浓度
# A year's figure asked with no word of intent (「2025年粮食总产量是多少」) is more often
# its outcome than its target: a plan passage fits a little less.
UNSTATED_PLAN = 0.85
REPORT_NAMED = 0.5  # the least fit of a passage of the very report the question names


@dataclass(frozen=True)
class TimeAsked:
    first: int | None = None  # the years asked about, inclusive; None: no year named
    last: int | None = None
    report_year: int | None = None  # the year of the report the question names
    tense: str | None = None  # PLAN (a target) | REVIEW (a result) | None: either
    # 今年, 去年, 近三年 …: the word and its years as offsets from 今年, until resolved
    # against the reports indexed (see `resolved`); then `this_year` is the year taken as 今年.
    relative: str | None = None
    offsets: tuple[int, int] | None = None
    this_year: int | None = None

    @property
    def named(self) -> bool:
        return self.first is not None or self.report_year is not None

    @property
    def spans_years(self) -> bool:
        return self.first is not None and self.last is not None and self.last > self.first

    def resolved(self, this_year: int) -> TimeAsked:
        """The years asked, with 今年 taken to be this_year."""
        if self.offsets is None:
            return self
        first, last = (this_year + offset for offset in self.offsets)
        return replace(self, first=first, last=last, this_year=this_year)

    @property
    def understood(self) -> str | None:
        """How a relative year was read: 「去年=2025」, 「近三年=2023—2025」."""
        if self.relative is None or self.this_year is None or self.first is None:
            return None
        years = f"{self.first}" if self.first == self.last else f"{self.first}—{self.last}"
        return f"{self.relative}={years}"


def speaks_of_years(text: str) -> bool:
    """Whether a text speaks of several years at once (年均增长, 五年来, “十四五”时期)."""
    return _SEVERAL_YEARS.search(text) is not None


def time_asked(question: str) -> TimeAsked:
    report = _REPORT_YEAR.search(question)
    report_year = int(report.group(1)) if report else None
    years = [int(y) for y in _YEAR.findall(question)]
    spans = [(y, y) for y in years if y != report_year] + plan_periods(question)
    targets, results = len(_TARGET_WORDS.findall(question)), len(_RESULT_WORDS.findall(question))
    tense = PLAN if targets > results else REVIEW if results > targets else None
    if spans:
        return TimeAsked(min(s[0] for s in spans), max(s[1] for s in spans), report_year, tense)
    relative = _RELATIVE.search(question)
    if relative is not None and report_year is None:
        return TimeAsked(tense=tense, relative=relative.group(0), offsets=_offsets(relative))
    return TimeAsked(report_year=report_year, tense=tense)


def _offsets(relative: re.Match) -> tuple[int, int]:
    count = relative.group(1)
    if count is None:
        offset = _RELATIVE_OFFSETS[relative.group(0)]
        return offset, offset
    try:
        n = int(cn2an.cn2an(count, "smart"))  # 三, 两, 十二, 5
    except ValueError:  # 二二: no number
        n = 3
    return -n, -1


def time_match(asked: TimeAsked, time: PassageTime | None, doc_year: int | None, *, latest: bool = False) -> float:
    """How well a passage's time fits the question's, 0..1; latest: the passage's report
    is the latest of its place (what a question naming no year is taken to mean)."""
    if not asked.named:  # no year: a target is still planned, a result still reviewed
        if asked.tense is None or time is None:  # a passage of unknown time may be of the tense asked
            tense_fit = TENSE_FIT / 2 if asked.tense is not None else 0.0
        else:
            tense_fit = TENSE_FIT if time.tense == asked.tense else 0.0
        return tense_fit + (LATEST_REPORT if latest else 0.0)
    if asked.report_year is not None:
        if doc_year != asked.report_year:
            return 0.0
        # The report asked for: its passages' own times are only a preference within it
        # (the 1956 report states what 1955 achieved under a heading of 1956's tasks).
        return max(REPORT_NAMED, _years_match(asked, time, doc_year))
    return _years_match(asked, time, doc_year)


def _years_match(asked: TimeAsked, time: PassageTime | None, doc_year: int | None) -> float:
    tense_fits = asked.tense is None or time is None or time.tense == asked.tense
    if asked.first is None or asked.last is None:  # only the report's year: it matches
        return 1.0 if tense_fits else 0.6
    if time is not None:
        shared = min(time.last, asked.last) - max(time.first, asked.first) + 1
        if shared <= 0:
            return 0.0
        # A passage about just the years asked beats one about a longer stretch
        # (a year's target vs the five-year plan's).
        together = max(time.last, asked.last) - min(time.first, asked.first) + 1
        fit = 0.6 + 0.4 * shared / together
        if asked.tense is None and time.tense == PLAN:
            fit *= UNSTATED_PLAN
        return fit if tense_fits else 0.4 * fit
    # The passage does not say: a report of year N plans N and reviews N−1.
    if doc_year is None:
        return 0.0
    if asked.first <= doc_year <= asked.last:
        return 0.6 if asked.tense != REVIEW else 0.3
    if asked.first <= doc_year - 1 <= asked.last:
        return 0.5 if asked.tense != PLAN else 0.2
    return 0.0
