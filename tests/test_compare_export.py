"""A Comparison as Markdown and CSV: every row with its citation; weak rows kept, marked 未找到."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from qa.compare_export import BOM, CSV_COLUMNS, comparison_csv, comparison_markdown
from qa.search.compare import CompareRow, Comparison
from qa.types import Filters, Hit, Passage

PASSAGE = Passage("p1", "d1", "(二)民生", 4, 100, 140, "城镇新增就业0.8万人,城镇登记失业率控制在3%以内;\n|管道|")
HIT = Hit(
    1,
    0.87654,
    PASSAGE,
    "珠海市斗门区2020年工作计划",
    "广东省珠海市斗门区",
    2020,
    "000.txt",
    "城镇新增就业0.8万人,城镇登记失业率控制在3%以内;",
    0,
    27,
)
WEAK = replace(
    HIT, weak=True, place="广东省江门市", source="002.txt", passage=replace(PASSAGE, doc_id="d2", paragraph=15)
)
COMPARISON = Comparison(
    "城镇新增就业目标是多少？",
    None,  # the query is not written out
    [CompareRow(WEAK, "市", ""), CompareRow(HIT, "区县", "城镇新增就业0.8万人")],
    False,
    Filters(year=2020),
)


def test_markdown_table_with_citations():
    text = comparison_markdown(COMPARISON)
    assert text.startswith("# 对比：城镇新增就业目标是多少？\n")
    assert "2 份报告，1 份找到 · 年份 2020" in text
    assert "| 广东省珠海市斗门区 | 2020 | 区县 | 城镇新增就业0.8万人 |" in text
    assert "| 广东省江门市 | 2020 | 市 | 未找到 |  |" in text  # weak: kept, no answer sentence
    assert "珠海市斗门区2020年工作计划 · (二)民生 · ¶4" in text
    assert "> \\\\|管道\\\\|" not in text and "> |管道|" in text  # quoted passages are not table cells


def test_csv_has_bom_header_and_one_row_per_report():
    text = comparison_csv(COMPARISON)
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert tuple(rows[0]) == CSV_COLUMNS
    weak, found = (dict(zip(rows[0], r)) for r in rows[1:])
    assert found["value"] == "城镇新增就业0.8万人" and found["weak"] == "false" and found["paragraph"] == "4"
    assert found["text"] == PASSAGE.text  # the newline survives quoting
    assert (found["start"], found["end"], found["score"]) == ("0", "27", "0.8765")
    assert weak["value"] == "" and weak["weak"] == "true" and weak["doc_id"] == "d2"
