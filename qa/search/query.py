"""Question analysis: the place and year a question names, and its content words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from qa.corpus.places import PlaceMatcher as HierarchyMatcher
from qa.search.intent import TimeAsked, time_asked
from qa.search.vocabulary import expansions, numbers_as_reports_write_them
from qa.words import to_simplified, tokenize

# Words that shape a question but never appear in its answer.
QUESTION_WORDS = frozenset(
    "多少 几 几个 多大 多长 多高 哪 哪些 哪个 哪里 哪儿 哪几个 哪座 哪家 哪两条 哪项 什么 啥 "
    "怎么 怎样 怎么样 如何 为何 为什么 是否 有没有 吗 呢 吧 么 请问 具体 分别 一共 大概 "
    "打算 准备 计划 要 想 能 会 报告 里 提 提到 常提 说 讲 那个 这个 所在 给 定 定了 提出 叫 名字".split()
)
# Questions asking for a figure prefer sentences that state one.
NUMBER_CUES = ("多少", "几", "多大", "多高", "多长", "比例", "增速", "增长", "目标", "达到", "占比", "率")
# Question phrases jieba keeps as words: 哪几, 哪所, 第几, 几条, 第几名.
_QUESTION_PHRASE = re.compile(r"^(?:哪|第几|几)")
MAX_QUESTION_CHARS = 1000  # longer input is cut: no question needs more
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Query:
    text: str  # the question, normalised
    tokens: list[str]  # content words for lexical matching
    places: dict[str, float]  # indexed places the question names → how specifically (0..1]
    time: TimeAsked  # the years asked about, and whether a target or a result is wanted
    wants_number: bool
    expansions: tuple[str, ...] = ()  # report forms of the concepts the question names (GDP → 地区生产总值)

    @property
    def year(self) -> int | None:
        """The year the question names (the report's, or the first asked about)."""
        return self.time.report_year or self.time.first


def normalise(question: str) -> str:
    """NFKC (full-width → half-width), Simplified characters (for matching
    reports in either script), no control characters, single spaces."""
    text = unicodedata.normalize("NFKC", question)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return _SPACES.sub(" ", to_simplified(text)).strip()


class PlaceMatcher(HierarchyMatcher):
    """Which indexed places a question names, and how specifically (see
    qa.corpus.places.PlaceMatcher); names are matched in Simplified characters,
    as questions are."""

    def __init__(self, names: Iterable[str]) -> None:
        super().__init__(names, simplify=to_simplified)


def analyse(question: str, places: PlaceMatcher) -> Query:
    text = numbers_as_reports_write_them(normalise(question)[:MAX_QUESTION_CHARS])
    tokens = [t for t in tokenize(text) if t not in QUESTION_WORDS and not _QUESTION_PHRASE.match(t)]
    return Query(
        text=text,
        tokens=tokens,
        places=places.find(text),
        time=time_asked(text),
        wants_number=any(cue in text for cue in NUMBER_CUES),
        expansions=tuple(expansions(text, tokens)),
    )
