"""Whether a question asks across reports, and the filters to compare with.

「驻马店历年GDP增长目标」 asks one place over the years; 「各省2026年城镇新增就业目标
分别是多少」 one year over the provinces; 「对比斗门和金湾的就业目标」 two places. Such a
question is answered by a comparison (search/compare.py: one row per report), narrowed
by what it names: 各省 → level 省, one place → that place, one year (not 历年) → that year.
A plain question (「斗门2020年准备建多少座5G基站？」) is not one, nor is a question with a
comparison word that names one place and one year (「斗门2020年…分别是多少」: one report).
"""

from __future__ import annotations

import re
from dataclasses import replace

from qa.corpus import places
from qa.search.query import Query
from qa.types import REVIEW, Filters

# Words that ask across places or years. 分别/对比/比较 alone do not narrow.
_ACROSS_YEARS = re.compile(r"历年|历次|逐年|各年|每年|这几年|近几年|近年来|多年来")
_ACROSS = re.compile(r"对比|比较|相比|分别|各地|各自|哪些(?:省|市|地方|地区)")
_EACH_LEVEL = (  # 各省 → 省; longest first
    (re.compile(r"各(?:省份|省区市|省市区|省|自治区)"), "省"),
    (re.compile(r"各(?:地级市|城市|市州|市)"), "市"),
    (re.compile(r"各(?:区县|县区|县市区|县市|区|县)"), "区县"),
    (re.compile(r"各(?:乡镇|镇街|街道|镇)"), "镇"),
)


def comparison_filters(query: Query, filters: Filters = Filters()) -> Filters | None:
    """The filters to compare the question's reports with, or None if it is a plain question.

    `filters` (the user's own, e.g. the chat's @place @year) stay; the question fills in
    the rest."""
    text = query.text
    level = next((name for pattern, name in _EACH_LEVEL if pattern.search(text)), None)
    across_years = bool(_ACROSS_YEARS.search(text))
    if level is None and not across_years and not _ACROSS.search(text):
        return None
    place = _one_place(query)
    year = None if across_years else _one_year(query)
    if level is None and not across_years and place is not None and year is not None:
        return None  # 「斗门2020年…分别是多少」: one report, a plain question
    return replace(
        filters,
        place=filters.place or place,
        year=filters.year or year,
        level=filters.level or level,
    )


def _one_place(query: Query) -> str | None:
    """The one place the question names outright (indexed or not), else None."""
    named = [place for place, score in query.places.items() if score >= 1.0 and place != places.NATION]
    if len(named) == 1:
        return named[0]
    if named:
        return None  # 斗门 and 金湾: across both
    phrases = places.place_phrases(query.text)  # a place no report of which is indexed
    resolved = {p.name for p in map(places.resolve, phrases) if p is not None}
    return resolved.pop() if len(resolved) == 1 else None


def _one_year(query: Query) -> int | None:
    """The report year to compare: the one year asked, when a target (planned in that
    year's report) or the report itself is asked; a result is reviewed a year later, so
    its reports are left to the time prior."""
    time = query.time
    if time.report_year is not None:
        return time.report_year
    if time.first is not None and time.first == time.last and time.tense != REVIEW:
        return time.first
    return None
