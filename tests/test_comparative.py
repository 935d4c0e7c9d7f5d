"""Which questions ask across reports, and what they narrow the comparison to (real question analysis)."""

from __future__ import annotations

import pytest

from qa.search.compare import comparison_filters
from qa.types import Filters


@pytest.mark.parametrize(
    "question, expected",
    [
        ("驻马店历年GDP增长目标", Filters(place="河南省驻马店市")),  # a place no report of which is indexed
        ("各省2026年城镇新增就业目标分别是多少", Filters(year=2026, level="省")),
        ("斗门历年城镇新增就业目标", Filters(place="广东省珠海市斗门区")),
        ("各区县2020年城镇新增就业目标", Filters(year=2020, level="区县")),
        ("对比斗门和金湾的城镇新增就业目标", Filters()),  # two places: across all
        ("比较2020年和2024年的就业目标", Filters()),
        ("2025年各省GDP实际增长了多少", Filters(level="省")),  # a result: reviewed in the next year's report
        ("各镇历年城镇新增就业目标", Filters(level="镇")),
        # plain questions
        ("斗门2020年准备建多少座5G基站？", None),
        ("江门2020年要承办哪项国际排球赛事的分站比赛？", None),
        ("斗门2020年城镇新增就业和登记失业率分别是多少", None),  # one place, one year: one report
    ],
)
def test_questions_across_reports(searcher, question, expected):
    query, _ = searcher.analyse(question)
    assert comparison_filters(query) == expected


def test_the_users_filters_stay():
    """The chat's @place @year are kept; the question fills in the rest."""
    from qa.search.intent import time_asked
    from qa.search.query import Query

    query = Query(
        "各省城镇新增就业目标", ["城镇", "新增", "就业", "目标"], {}, time_asked("各省城镇新增就业目标"), True
    )
    assert comparison_filters(query, Filters(year=2024)) == Filters(year=2024, level="省")
