"""Users' words ↔ reports' words, and one spelling for numbers.

People type GDP, CPI, 规上, 研发强度; reports write 地区生产总值, 居民消费价格,
规模以上, 研发投入强度. Each entry below is a *concept*: the ways it is said,
first the user's, then the reports'. A question word that names a concept is
searched for in all its forms, and a sentence holding any form covers it.

Numbers: full-width forms fold to ASCII (NFKC, in query analysis), and the
Chinese numerals people type in percentages and years (百分之八, 二〇二五年) are
written as the reports write them (8%, 2025年). Other Chinese numerals are left
alone: 一带一路 and 十四五 are names, not numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import cn2an

# One concept a line: every form is a way users or reports say it.
CONCEPTS: tuple[tuple[str, ...], ...] = (
    ("gdp", "国内生产总值", "地区生产总值", "生产总值", "经济总量", "经济增长", "经济增速"),
    ("cpi", "居民消费价格", "消费价格", "物价"),
    ("ppi", "工业生产者出厂价格", "出厂价格"),
    ("r&d", "研发", "研究与试验发展", "研发经费", "研发投入", "研发经费投入"),
    ("研发强度", "研发投入强度", "研发经费投入强度", "研究与试验发展经费投入强度", "研发经费支出"),
    ("pm2.5", "细颗粒物", "pm2.5浓度"),
    ("规上", "规模以上"),
    ("社零", "社会消费品零售总额", "社会消费品零售额"),
    ("固投", "固定资产投资"),
    ("外贸", "进出口", "进出口总额", "外贸进出口"),
    ("新增就业", "城镇新增就业", "新增城镇就业"),
    ("赤字", "赤字率", "财政赤字"),
    ("专项债", "专项债券", "地方政府专项债券"),
    ("财政收入", "一般公共预算收入", "地方一般公共预算收入", "公共预算收入"),
    ("居民收入", "人均可支配收入", "居民人均可支配收入"),
    ("个税", "个人所得税"),
    ("新能源车", "新能源汽车"),
    ("高企", "高新技术企业"),
    ("棚改", "棚户区改造", "棚户区住房改造"),
    ("医保", "医疗保险", "基本医疗保险", "医疗保障"),
    ("养老金", "基本养老金", "养老保险"),
    ("能耗", "单位国内生产总值能耗", "单位地区生产总值能耗", "能源消耗"),
    ("城镇化率", "常住人口城镇化率", "城镇化"),
    ("外资", "实际使用外资", "利用外资", "外商投资"),
    ("增速", "增长", "增幅"),
    ("涨幅", "上涨", "涨幅"),
    ("扶贫", "脱贫", "贫困人口", "减贫", "脱贫攻坚", "贫困户", "贫困村", "摘帽"),
    ("5g", "5g基站", "第五代移动通信"),
    ("4g", "第四代移动通信"),
    ("粮食产量", "粮食总产量", "粮食产量"),
    ("大棚", "蔬菜大棚", "温室大棚", "设施蔬菜", "设施农业"),
    ("去产能", "压减", "化解过剩产能"),
    ("降费", "降低企业成本", "减税降费"),
    ("地方债", "地方政府债券", "地方政府债务"),
    ("央企", "中央企业"),
    ("国企", "国有企业"),
    ("民企", "民营企业"),
    ("中小企业", "中小微企业"),
    ("双碳", "碳达峰", "碳中和"),
)

# Names of indicators whose absence from a passage means it cannot answer:
# the reports' compound terms and the users' shorthands for them.
INDICATORS = frozenset(
    "cpi ppi pm2.5 规上 社零 固投 研发强度 研发投入强度 城镇调查失业率 城镇登记失业率 城镇新增就业 "
    "居民消费价格 一般公共预算收入 社会消费品零售总额 固定资产投资 人均可支配收入 "
    "细颗粒物 赤字率 常住人口城镇化率 实际使用外资 进出口总额 工业生产者出厂价格 专项债券".split()
)

# A general word and the narrower ones reports write for it: a question saying
# 失业率 may mean either rate, one saying 城镇调查失业率 means that one.
NARROWER: dict[str, tuple[str, ...]] = {
    "失业率": ("城镇调查失业率", "城镇登记失业率", "调查失业率", "登记失业率"),
    "就业": ("城镇新增就业", "新增就业"),
}

_SPACING = re.compile(r"[\s_]+")
_PERCENT = re.compile(r"百分之([零〇一二两三四五六七八九十点]+)")
_CN_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})年")
_CN_DIGIT = str.maketrans("〇零一二三四五六七八九", "00123456789")


def numbers_as_reports_write_them(text: str) -> str:
    """Each 百分之X becomes X% (百分之八 → 8%), 二〇二五年 becomes 2025年."""
    text = _CN_YEAR.sub(lambda m: m.group(1).translate(_CN_DIGIT) + "年", text)
    return _PERCENT.sub(_percent, text)


def _percent(match: re.Match[str]) -> str:
    try:
        return f"{cn2an.cn2an(match.group(1), 'normal'):g}%"
    except (ValueError, KeyError):
        return match.group(0)


@cache
def _concept_of() -> dict[str, tuple[str, ...]]:
    return {form: concept for concept in CONCEPTS for form in concept}


def concept_forms(word: str) -> tuple[str, ...]:
    """Every way of saying the concept a word names; the word alone if it names none."""
    word = word.lower()
    return _concept_of().get(word) or (word, *NARROWER.get(word, ()))


def indicators(words: Iterable[str]) -> list[tuple[str, ...]]:
    """The forms of each statistical indicator the question names by its report
    name or a user's shorthand (城镇调查失业率, CPI, PM2.5): a passage that holds
    none of an indicator's forms does not answer the question."""
    return [concept_forms(w) for w in dict.fromkeys(words) if w.lower() in INDICATORS]


def holds_any(text: str, forms: Iterable[str]) -> bool:
    """Whether the text writes any of the forms, however it spaces them (PM_2.5, PM 2.5)."""
    squashed = _SPACING.sub("", text.lower())
    return any(_SPACING.sub("", form) in squashed for form in forms)


def expansions(text: str, words: Iterable[str]) -> list[str]:
    """The report forms of the concepts a question names (by its words, or by a
    form written inside a longer word: 「GDP增速」, 「研发强度」), not already in it."""
    lowered = text.lower()
    named = {concept for form, concept in _concept_of().items() if len(form) > 1 and form in lowered}
    named |= {_concept_of()[w] for w in words if w in _concept_of()}
    named |= {NARROWER[w] for w in words if w in NARROWER}
    return [form for concept in sorted(named) for form in concept if form not in lowered]
