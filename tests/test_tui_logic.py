"""The TUI's plain logic: input parsing, history, export and citation text."""

from __future__ import annotations

from datetime import UTC, datetime

from qa.render import citation, passage_text
from qa.search.query import Query
from qa.search.searcher import SearchResult
from qa.tui.commands import filters_text, parse_filters, parse_line
from qa.tui.format import clip, index_age, markdown_export
from qa.tui.history import History, Recall
from qa.types import Filters, Hit, Passage

PASSAGE = Passage("p1", "d1", "(二)产业", 11, 0, 20, "积极布局新基建,重点完成851个基站建设。[bold]x[/]")
HIT = Hit(
    1, 1.25, PASSAGE, "斗门区2020年工作计划", "珠海市斗门区", 2020, "a.txt", "重点完成851个基站建设", 8, 20, ((11, 13),)
)


def test_filters_lead_the_line_and_stay():
    p = parse_line("@斗门 2020 建多少基站？", Filters())
    assert (p.question, p.filters) == ("建多少基站？", Filters("斗门", 2020))
    p = parse_line("@2021 就业", p.filters)
    assert (p.question, p.filters) == ("就业", Filters("斗门", 2021))
    assert parse_line("2020 年的目标", Filters()) == parse_line("2020 年的目标", Filters())
    assert parse_line("2020 年的目标", Filters()).question == "2020 年的目标"
    assert parse_line("@金湾", Filters()).question == ""


def test_commands():
    assert parse_line("/k 8", Filters()).k == 8
    assert parse_line("/k 99", Filters()).error
    assert parse_line("/nope", Filters()).error


def test_compare_command_and_filter_line():
    p = parse_line("/compare 城镇新增就业目标是多少？", Filters(year=2020))
    assert (p.compare, p.question, p.filters) == ("城镇新增就业目标是多少？", "", Filters(year=2020))
    p = parse_line("/compare @2024 就业目标", Filters())
    assert (p.compare, p.filters) == ("就业目标", Filters(year=2024))
    assert parse_line("/compare", Filters()).error and parse_line("/compare  @金湾 ", Filters()).error
    level = Filters(level="镇")
    assert parse_filters("@斗门 @2020", level) == Filters("斗门", 2020, "镇")
    assert parse_filters("金湾 2024", level) == Filters("金湾", 2024, "镇")
    assert parse_filters("  ", Filters("斗门", 2020, "镇")) == level  # an empty line clears place and year
    assert filters_text(Filters("斗门", 2020, "镇")) == "@斗门 @2020" and filters_text(level) == ""


def test_clip_counts_terminal_cells():
    assert clip("城镇新增就业0.8万人", 40) == "城镇新增就业0.8万人"
    assert clip("城镇新增就业0.8万人", 9) == "城镇新增…"
    assert clip("a\nb", 5) == "a b"


def test_history_recall(tmp_path):
    history = History(tmp_path / "h.jsonl")
    for q in ["一", "二", "二"]:
        history.add(q)
    assert History(tmp_path / "h.jsonl").entries == ["一", "二"]
    recall = Recall(history)
    assert [recall.older("草稿"), recall.older(""), recall.older(""), recall.newer(), recall.newer()] == [
        "二",
        "一",
        None,
        "二",
        "草稿",
    ]
    history.clear()
    assert History(tmp_path / "h.jsonl").entries == []


def test_citation_and_highlight_never_parse_markup():
    assert citation(HIT) == "斗门区2020年工作计划 · 珠海市斗门区 · 2020 · (二)产业 · ¶11"
    text = passage_text(HIT, "bold", "underline")
    assert text.plain == PASSAGE.text  # "[bold]" stays literal text
    assert {(s.start, s.end) for s in text.spans} == {(8, 20), (11, 13)}


def test_markdown_export():
    result = SearchResult("建多少基站？", Query("建多少基站?", [], {}, None, True), [HIT], True, Filters("斗门"))
    md = markdown_export([result])
    assert "## 建多少基站？" in md and "地点 斗门" in md and "仅词法匹配" in md
    assert f"**{citation(HIT)}**" in md and "答句：重点完成851个基站建设" in md


def test_index_age_is_coarse():
    now = datetime(2025, 1, 10, tzinfo=UTC)
    assert index_age("2025-01-10T00:00:00+00:00", now) == "1小时内"
    assert index_age("2025-01-09T00:00:00+00:00", now) == "24小时前"
    assert index_age("2025-01-01T00:00:00+00:00", now) == "9天前"
    assert index_age("garbage", now) == "?"
