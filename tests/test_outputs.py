"""Every output survives every question, on a folder of many years of the same places.

The index (conftest.multi_year_settings) holds the seeds, the development reports
and the further corpora: national reports of seventy years, provinces' 2025 and
2026 reports. Each development question goes through the commands scripts use
(`qa search --json`, `qa compare --json`, `qa eval --json`, `qa documents --json`,
`qa info --json`) as separate processes, and generated questions through the same
code paths; a record that is not valid JSON, or a traceback, fails.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opencc import OpenCC

from qa.config import Settings
from qa.eval import load_eval_set
from qa.records import comparison_json, result_json
from qa.search.compare import compare
from qa.search.searcher import EmptyQuestion, Searcher

from .conftest import CORPORA, DEV_SET, EVAL_REPORTS, REPORTS_SET, SEEDS, report_files

PLAIN = (bool, int, float, str, type(None))


def development_questions() -> list[str]:
    return [q.question for path in (DEV_SET, REPORTS_SET) for q in load_eval_set(path)]


def qa(settings: Settings, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    """The real command, in its own process, as a script runs it."""
    options = ["--index-dir", str(settings.index_dir), "--cache-dir", str(settings.cache_dir)]
    return subprocess.run(
        [sys.executable, "-m", "qa", *args, *options], input=input, capture_output=True, text=True, timeout=600
    )


def assert_plain(value: object, path: str = "") -> None:
    """Every value inside a dataclass (nested dataclasses, lists, tuples, dicts) is a
    plain Python bool, int, float, str or None: exactly those types, not numpy's."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            assert_plain(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            assert_plain(item, f"{path}[{n}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            assert_plain(key, f"{path} key")
            assert_plain(item, f"{path}[{key!r}]")
    else:
        assert type(value) in PLAIN, f"{path} is a {type(value).__module__}.{type(value).__name__}"


def check_search_record(record: dict) -> None:
    assert "error" not in record, record
    assert type(record["found"]) is bool
    assert record["notice"] is None or isinstance(record["notice"], str)
    for hit in record["results"]:
        assert type(hit["weak"]) is bool and type(hit["rank"]) is int and type(hit["paragraph"]) is int
        assert hit["year"] is None or type(hit["year"]) is int


def check_comparison_record(record: dict) -> None:
    assert record["rows"], record["question"]
    for row in record["rows"]:
        assert type(row["weak"]) is bool and isinstance(row["value"], str)
        assert row["year"] is None or type(row["year"]) is int


# -- the dataclasses leaving search/ ------------------------------------------------


def test_hits_and_rows_hold_plain_python_values(multi_year_searcher: Searcher) -> None:
    questions = development_questions()
    time_weak = 0
    for question in questions:
        result = multi_year_searcher.search(question, k=10)
        assert_plain(result, "SearchResult")
        time_weak += result.query.time.named and any(h.weak for h in result.hits)
    assert time_weak, "no question reached the time test that decides weakness"
    for question in questions[::8]:
        assert_plain(compare(multi_year_searcher, question), "Comparison")


# -- the commands, in their own processes -------------------------------------------


def test_search_json_answers_every_development_question(multi_year_settings: Settings) -> None:
    questions = development_questions()
    done = qa(multi_year_settings, "search", "--json", "-k", "10", input="\n".join(questions) + "\n")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(questions), done.stderr
    for question, line in zip(questions, lines):
        record = json.loads(line)
        assert record["question"] == question
        check_search_record(record)
        assert len(record["results"]) == 10


def test_compare_json_over_every_report(multi_year_settings: Settings) -> None:
    documents = len(report_files(SEEDS)) + len(report_files(EVAL_REPORTS)) + len(report_files(CORPORA))
    for question in development_questions()[::8]:  # a dozen
        done = qa(multi_year_settings, "compare", question, "--json")
        assert done.returncode == 0, done.stderr
        record = json.loads(done.stdout)
        check_comparison_record(record)
        assert len(record["rows"]) == documents


@pytest.mark.parametrize("eval_set", [DEV_SET, REPORTS_SET], ids=["dev", "reports"])
def test_eval_json(multi_year_settings: Settings, eval_set) -> None:
    done = qa(multi_year_settings, "eval", str(eval_set), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert 0.0 <= report["mrr_at_10"] <= 1.0 and report["questions"] > 0


def test_documents_and_info_json(multi_year_settings: Settings) -> None:
    files = [*report_files(SEEDS), *report_files(EVAL_REPORTS), *report_files(CORPORA)]
    done = qa(multi_year_settings, "documents", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert sorted(row["source"] for row in rows) == sorted(path.name for path in files)
    for row in rows:
        assert type(row["passages"]) is int and row["passages"] > 0
        assert row["year"] is None or type(row["year"]) is int
    done = qa(multi_year_settings, "info", "--json")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["documents"] == len(files) and info["passages"] == sum(row["passages"] for row in rows)


# -- generated questions --------------------------------------------------------------

PLACES = ["斗门区", "广东", "全国", "西藏", "上海市", "清苑县", "驻马店", "火星市", "青海省", "中山南朗镇", "江门"]
INDICATORS = [
    "GDP",
    "地区生产总值",
    "城镇新增就业",
    "赤字率",
    "粮食产量",
    "居民消费价格",
    "5G基站",
    "PM2.5",
    "研发投入",
]
ENDINGS = ["是多少？", "目标是多少", "完成了多少？", "增长了多少", "有哪些措施？", "", "吗", "怎么样"]
CHINESE_DIGITS = "〇一二三四五六七八九"
to_traditional = OpenCC("s2t")


def _year(n: int, style: str) -> str:
    if style == "chinese":
        return "".join(CHINESE_DIGITS[int(d)] for d in str(n)) + "年"
    if style == "full-width":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n)) + "年"
    return f"{n}年"


@st.composite
def questions(draw) -> str:
    parts = [
        draw(st.sampled_from(PLACES)) if draw(st.booleans()) else "",
        draw(
            st.one_of(
                st.builds(_year, st.integers(1950, 2030), st.sampled_from(["arabic", "chinese", "full-width"])),
                st.sampled_from(["今年", "去年", "明年", "上年", "近三年", "十四五期间", ""]),
            )
        ),
        draw(st.sampled_from(INDICATORS)),
        draw(st.sampled_from(ENDINGS)),
    ]
    question = "".join(parts)
    if draw(st.booleans()):
        question = to_traditional.convert(question)
    if draw(st.booleans()):
        question += draw(st.sampled_from(["😀", "🚀🚀", "\u200b", "  ", "\t", "！！"]))
    if draw(st.booleans()):
        question = draw(st.text(max_size=12)) + question
    if draw(st.integers(0, 9)) == 0:
        question *= 200  # very long input
    return question


def search_record(searcher: Searcher, question: str) -> dict:
    """What `qa search --json` writes for one line."""
    try:
        return result_json(searcher.search(question, k=10))
    except EmptyQuestion as error:
        return {"question": question, "results": [], "error": str(error)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=questions())
def test_generated_questions_through_search_and_compare(multi_year_searcher: Searcher, question: str) -> None:
    record = json.loads(json.dumps(search_record(multi_year_searcher, question), ensure_ascii=False, allow_nan=False))
    wordless = not any(ch.isalnum() for ch in question)
    if "error" in record:
        assert wordless, record
    else:
        check_search_record(record)
        comparison = comparison_json(compare(multi_year_searcher, question))
        check_comparison_record(json.loads(json.dumps(comparison, ensure_ascii=False, allow_nan=False)))


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(questions(), min_size=20, max_size=30))
def test_generated_questions_through_the_search_command(multi_year_settings: Settings, batch: list[str]) -> None:
    lines = [" ".join(q.split()) for q in batch]  # one question a line, as a script writes them
    done = qa(multi_year_settings, "search", "--json", "-k", "5", input="\n".join(lines) + "\n")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(records) == len(lines)
    for record in records:
        if "error" in record:
            assert not any(ch.isalnum() for ch in record["question"]), record
        else:
            check_search_record(record)


# -- the chat ------------------------------------------------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_chat_answers_a_sample_on_the_multi_year_index(multi_year_settings, multi_year_searcher, tmp_path):
    from qa.tui.app import QAApp
    from qa.tui.widgets.turn import Turn

    from .test_tui import ask

    sample = [
        *development_questions()[::12],
        "西藏去年GDP增长了多少？",
        "今年粮食产量目标",
        "１９５５年钢产量😀",
        "？？？",
    ]
    app = QAApp(dataclasses.replace(multi_year_settings, data_dir=tmp_path / "data"), searcher=multi_year_searcher)
    async with app.run_test(size=(100, 36)) as pilot:
        for question in sample:
            await ask(pilot, question)
        answered = [turn.result.question for turn in app.screen.query(Turn) if turn.result is not None]
    assert answered == [q for q in sample if q != "？？？"]
