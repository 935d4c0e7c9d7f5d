"""Passage time, question intent and vocabulary: pure functions, no model."""

from __future__ import annotations

import pytest

from qa.corpus.chunk import chunk_document
from qa.corpus.timeline import five_year_plan, passage_times, plan_periods
from qa.search.intent import TimeAsked, time_asked, time_match
from qa.search.vocabulary import concept_forms, expansions, holds_any, indicators, numbers_as_reports_write_them
from qa.types import PLAN, REVIEW, Document, PassageTime


def document(text: str, title: str = "2024年某某市政府工作报告", year: int | None = 2024) -> Document:
    return Document("d", "d.txt", title, "某某市", year, text, "h")


@pytest.mark.parametrize(
    ("number", "years"), [("十四", (2021, 2025)), ("十五", (2026, 2030)), ("十三", (2016, 2020)), ("九", (1996, 2000))]
)
def test_five_year_plans(number, years):
    assert five_year_plan(number) == years


def test_plan_periods_need_a_plan_context():
    assert plan_periods("“十四五”时期主要目标") == [(2021, 2025)]
    assert plan_periods("十五五规划开局") == [(2026, 2030)]
    assert plan_periods("全市十五个镇街") == []


REPORT = "\n".join(
    [
        "2024年某某市政府工作报告",
        "一、2023年工作回顾",
        "过去一年，全市地区生产总值增长5.2%，城镇新增就业3.1万人。",
        "(一)产业发展取得新成效",
        "新引进项目120个，完成投资300亿元，工业投资增长8%。",
        "二、2024年工作安排",
        "今年经济社会发展的主要预期目标是：地区生产总值增长5%左右，城镇新增就业3万人以上。",
        "主要预期目标",
        "力争规上工业增加值增长6%，确保粮食产量稳定在50万吨以上。",
        "(一)加快建设现代化产业体系",
        "实施制造业当家战略，推动传统产业转型升级，培育新兴产业集群。",
    ]
)


def test_headings_give_each_passage_its_years_and_tense():
    passages = chunk_document(document(REPORT))
    times = {p.text[:6]: p.time for p in passages}
    assert times["过去一年，全"] == PassageTime(2023, 2023, REVIEW)
    assert times["新引进项目1"] == PassageTime(2023, 2023, REVIEW)  # under a sub-heading of the review
    assert times["今年经济社会"] == PassageTime(2024, 2024, PLAN)
    # an unnumbered heading inside a numbered section names a part of it, and keeps it open
    [targets] = [p for p in passages if p.text.startswith("力争")]
    assert targets.section == "二、2024年工作安排 › 主要预期目标" and targets.time.tense == PLAN


def test_a_report_without_headings_reviews_until_its_plan_opens():
    texts = [
        "过去一年，我们坚持稳中求进，经济运行总体平稳。",
        "全年完成固定资产投资1200亿元，增长6.1%。",
        "2024年是实施“十四五”规划的关键一年。做好今年工作，要坚持稳中求进。",
        "加快建设现代化产业体系，推动制造业高质量发展。",
    ]
    times = passage_times("某某市政府工作报告", 2024, [([], t) for t in texts])
    assert [t.tense for t in times] == [REVIEW, REVIEW, PLAN, PLAN]
    assert times[1] == PassageTime(2023, 2023, REVIEW)


def test_a_bulletin_states_its_own_year_and_a_review_widens_to_its_plan_period():
    assert passage_times("2023年某某市国民经济和社会发展统计公报", 2023, [([], "全年地区生产总值增长5%。")]) == [
        PassageTime(2023, 2023, REVIEW)
    ]
    [time] = passage_times("政府工作报告", 2026, [(["一、2025年工作回顾"], "“十四五”时期年均增长5.5%。")])
    assert time == PassageTime(2021, 2025, REVIEW)


def test_no_year_no_time():
    assert passage_times("政府工作报告", None, [([], "今年目标是增长5%。")]) == [None]


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("斗门区2020年城镇新增就业目标是多少？", TimeAsked(2020, 2020, None, PLAN)),
        ("2023年全市GDP实际增长了多少？", TimeAsked(2023, 2023, None, REVIEW)),
        ("2018年政府工作报告里赤字率定了多少？", TimeAsked(None, None, 2018, PLAN)),
        ("“十四五”期间PM2.5浓度下降了多少？", TimeAsked(2021, 2025, None, REVIEW)),  # 降了: what happened
        ("冀2024年争取到的国债资金有多少？", TimeAsked(2024, 2024, None, None)),
        ("城镇新增就业", TimeAsked()),
        # Relative years wait for the index to say which year 今年 is (see Searcher).
        ("西藏去年GDP增长了多少？", TimeAsked(None, None, None, REVIEW, "去年", (-1, -1))),
        ("浙江今年的GDP增长目标", TimeAsked(None, None, None, PLAN, "今年", (0, 0))),
        ("明年粮食产量", TimeAsked(relative="明年", offsets=(1, 1))),
        ("近三年粮食产量", TimeAsked(relative="近三年", offsets=(-3, -1))),
        ("过去5年新增就业", TimeAsked(tense=REVIEW, relative="过去5年", offsets=(-5, -1))),
        ("2020年今年的目标", TimeAsked(2020, 2020, None, PLAN)),  # a year named outright wins
        ("近年来生态环境", TimeAsked()),  # no count: no years
    ],
)
def test_time_asked(question, asked):
    assert time_asked(question) == asked


@pytest.mark.parametrize(
    ("question", "this_year", "years", "understood"),
    [
        ("西藏去年GDP增长了多少？", 2026, (2025, 2025), "去年=2025"),
        ("今年赤字率", 2025, (2025, 2025), "今年=2025"),
        ("近三年粮食产量", 2026, (2023, 2025), "近三年=2023—2025"),
    ],
)
def test_relative_years_resolved(question, this_year, years, understood):
    asked = time_asked(question).resolved(this_year)
    assert (asked.first, asked.last, asked.this_year, asked.understood) == (*years, this_year, understood)
    assert asked.named and time_asked("城镇新增就业").resolved(this_year) == TimeAsked()


def test_time_match_prefers_the_years_and_tense_asked():
    target_2024 = TimeAsked(2024, 2024, None, PLAN)
    plan_2024, review_2023 = PassageTime(2024, 2024, PLAN), PassageTime(2023, 2023, REVIEW)
    five_year_plan_ = PassageTime(2024, 2028, PLAN)
    assert time_match(target_2024, plan_2024, 2024) == 1.0
    assert time_match(target_2024, review_2023, 2024) == 0.0
    assert 0 < time_match(target_2024, five_year_plan_, 2024) < 1.0
    assert time_match(TimeAsked(2024, 2024, None, REVIEW), PassageTime(2024, 2024, REVIEW), 2025) == 1.0
    assert time_match(TimeAsked(2024, 2024, None, REVIEW), plan_2024, 2024) < 0.5
    assert time_match(TimeAsked(None, None, 2018, None), None, 2018) == 1.0
    assert time_match(TimeAsked(None, None, 2018, None), None, 2017) == 0.0
    assert time_match(TimeAsked(), plan_2024, 2024) == 0.0


def test_numbers_as_reports_write_them():
    assert numbers_as_reports_write_them("增长百分之八左右") == "增长8%左右"
    assert numbers_as_reports_write_them("百分之二点五") == "2.5%"
    assert numbers_as_reports_write_them("二〇二五年的目标") == "2025年的目标"
    assert numbers_as_reports_write_them("一带一路和十四五") == "一带一路和十四五"  # names, not numbers


def test_users_words_reach_the_reports_words():
    assert "地区生产总值" in expansions("广东2026年gdp增长目标", ["广东", "gdp"])
    assert "居民消费价格" in concept_forms("CPI")
    # a general word reaches the narrower ones, a narrow one stays narrow
    assert "城镇调查失业率" in concept_forms("失业率")
    assert "城镇登记失业率" not in concept_forms("城镇调查失业率")
    assert indicators(["城镇调查失业率", "目标"]) == [("城镇调查失业率",)]
    assert holds_any("全省PM_2.5平均浓度下降", concept_forms("pm2.5"))
    assert not holds_any("城镇登记失业率4.5%以内", concept_forms("城镇调查失业率"))
