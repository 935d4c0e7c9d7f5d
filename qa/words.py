"""Words: the jieba cut that BM25 indexes passages by and looks questions up with.

Text is cut with jieba's search mode, which also emits the shorter words inside
long compounds (城镇新增就业 → 城镇, 新增, 就业, …), so a question phrased with
other compounds still meets the passage's words. Punctuation and function words
carry no evidence and are dropped on both sides. Traditional characters are
read as Simplified, so that 斗門區 in a question meets 斗门区 in a report and
the other way round, and full-width forms as ASCII (２０２４, ％); only the
words are converted, never the text shown.

A module of its own, importing jieba and OpenCC only: a build's word processes
import it, and nothing of the index (FAISS, bm25s) needs to load in each of them.
"""

from __future__ import annotations

import logging
import marshal
import re
import unicodedata
from functools import cache

import jieba
import opencc

jieba.setLogLevel(logging.WARNING)


class _WholeFileMarshal:
    """jieba's `marshal`, reading its dictionary cache in one read: marshal.load(file)
    calls file.readinto once per object (0.6 s for the cache's 500k words, the
    slowest step of a cold `qa ask`), marshal.loads of the bytes takes 0.2 s."""

    dump = staticmethod(marshal.dump)

    @staticmethod
    def load(file):
        return marshal.loads(file.read())


jieba.marshal = _WholeFileMarshal  # jieba's only uses: load and dump its cache

# Function words and fillers common in reports and questions alike.
STOP_WORDS = frozenset(
    "的 了 和 与 及 以及 或 等 在 是 为 对 把 被 将 由 从 向 于 其 之 也 都 就 还 又 并 而 "
    "这 那 这个 那个 这些 那些 有 有关 进行 一个 个 上 下 中 内 我们 我 你 他 它 它们 要 会 "
    "能 可 可以 按照 通过 根据 关于 方面 工作 今年 全年".split()
)
_WORD = re.compile(r"\w", re.UNICODE)
# Reports' compound terms, kept whole by jieba (search mode still emits their parts),
# so that a question's 城镇新增就业 meets the report's as one word too.
REPORT_TERMS = (
    "城镇新增就业",
    "城镇调查失业率",
    "城镇登记失业率",
    "研发投入强度",
    "研发经费投入强度",
    "专项债券",
    "地区生产总值",
    "国内生产总值",
    "居民消费价格",
    "一般公共预算收入",
    "规模以上",
    "规上",
    "社会消费品零售总额",
    "固定资产投资",
    "人均可支配收入",
    "细颗粒物",
    "高新技术企业",
    "赤字率",
    "常住人口城镇化率",
    "实际使用外资",
    "减税降费",
    "新能源汽车",
    "棚户区改造",
    "进出口总额",
    "专精特新",
    "营商环境",
    "碳达峰",
    "碳中和",
    "5G基站",
)


@cache
def _ensure_jieba() -> None:
    jieba.initialize()
    for term in REPORT_TERMS:
        jieba.add_word(term, freq=20000)


@cache
def _traditional_to_simplified() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")  # characters and phrases, ~1 µs a question, ~6 µs a passage


def to_simplified(text: str) -> str:
    """The text in Simplified characters; Simplified text comes back as it was
    (bar a few characters that are Traditional too, e.g. 乾 → 干, alike on both sides)."""
    try:
        return _traditional_to_simplified().convert(text)
    except UnicodeEncodeError:  # a lone surrogate, from undecodable command-line bytes
        return _traditional_to_simplified().convert(text.encode("utf-8", "replace").decode("utf-8"))


def tokenize(text: str) -> list[str]:
    """Lower-cased jieba search-mode words of the text in Simplified
    characters, without punctuation or stop words."""
    _ensure_jieba()
    return [
        w
        for w in (w.strip().lower() for w in jieba.cut_for_search(to_simplified(unicodedata.normalize("NFKC", text))))
        if w and _WORD.search(w) and w not in STOP_WORDS
    ]
