"""The command line through typer's runner, against the real index and model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from qa import __version__
from qa.cli import app
from qa.eval import load_eval_set

from .conftest import DEV_SET, SEEDS

runner = CliRunner()


def _run(settings, *args, input=None):
    options = ["--index-dir", str(settings.index_dir), "--cache-dir", str(settings.cache_dir)]
    return runner.invoke(app, [*args, *options], input=input)


def test_ask_prints_cited_passages(settings):
    result = _run(settings, "ask", "江门2020年要承办哪项国际排球赛事的分站比赛？", "-k", "2")
    assert result.exit_code == 0, result.output
    assert "2020年江门市人民政府工作报告" in result.stdout
    assert "世界排球联赛江门站" in result.stdout.replace("\n", "").replace("│", "").replace(" ", "")


def test_search_json_lines(settings):
    """One output line per input line, blank lines included, so a script can zip them."""
    questions = ["斗门2020年准备建多少座5G基站？", "", "南朗镇2021年GDP增速目标是多少？", "？？？", "   "]
    result = _run(settings, "search", "--json", "-k", "3", input="\n".join(questions) + "\n")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in records] == [q.strip() for q in questions]
    first = records[0]["results"][0]
    assert set(first) >= {
        "rank",
        "score",
        "text",
        "answer_sentence",
        "doc_id",
        "title",
        "place",
        "year",
        "section",
        "paragraph",
        "start",
        "end",
        "source",
    }
    assert "851个基站" in first["text"] and first["rank"] == 1
    assert "力争GDP增长8%" in records[2]["results"][0]["text"]
    unanswerable = records[3]
    assert unanswerable["results"] == [] and "no words" in unanswerable["error"]
    for blank in (records[1], records[4]):
        assert blank == {**unanswerable, "question": ""}


def test_documents_lists_each_report_with_its_metadata(settings):
    result = _run(settings, "documents", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert sorted(row["source"] for row in rows) == sorted(path.name for path in SEEDS.glob("*.txt"))
    assert all(set(row) == {"doc_id", "source", "title", "place", "level", "year", "passages"} for row in rows)
    # By level (city, counties, towns), then place, then year.
    assert [(row["level"], row["place"]) for row in rows] == [
        ("市", "广东省江门市"),
        ("区县", "广东省珠海市斗门区"),
        ("区县", "广东省珠海市金湾区"),
        ("镇", "广东省中山市东区"),
        ("镇", "广东省中山市南朗镇"),
    ]
    east = rows[3]
    assert (east["title"], east["place"], east["level"], east["year"]) == (
        "2020年中山市东区工作计划",
        "广东省中山市东区",
        "镇",
        2020,
    )
    info = json.loads(_run(settings, "info", "--json").stdout)
    assert sum(row["passages"] for row in rows) == info["passages"]
    table = _run(settings, "documents")
    assert table.exit_code == 0 and "级别" in table.stdout and "区县" in table.stdout


def test_search_without_json_is_refused(settings):
    result = _run(settings, "search")
    assert result.exit_code == 1
    assert "--json" in result.stderr


def test_eval_json(settings):
    result = _run(settings, "eval", str(DEV_SET), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["questions"] == 40
    assert report["hit_at"]["1"] >= 0.85


def test_info_json_reports_current_index(settings):
    result = runner.invoke(
        app,
        ["info", "--json", "--index-dir", str(settings.index_dir), "--cache-dir", str(settings.cache_dir)],
        env={"QA_CORPUS_DIR": str(settings.corpus_dir)},
    )
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["documents"] == 5 and info["built"] and info["problems"] == []


def test_index_command_builds_and_reports(tmp_path, settings):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "report.txt").write_text(
        (settings.corpus_dir / "003_a583efe6823e7960.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    result = runner.invoke(
        app, ["index", str(corpus), "--index-dir", str(tmp_path / "idx"), "--cache-dir", str(settings.cache_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "indexed 1 documents" in result.stdout
    assert "broken.txt" in result.stdout and "NUL" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["ask", "斗门的GDP？"], "run `qa index`"),
        (["ask", "？？？"], None),
        (["eval", "/nonexistent.jsonl"], "cannot read"),
    ],
)
def test_errors_are_one_line(tmp_path, settings, args, message):
    index_dir = tmp_path if message == "run `qa index`" else settings.index_dir
    result = runner.invoke(app, [*args, "--index-dir", str(index_dir), "--cache-dir", str(settings.cache_dir)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error:") and result.stderr.strip().count("\n") == 0
    if message:
        assert message in result.stderr


@pytest.mark.parametrize("corpus", ["missing", "empty"])
def test_index_of_a_bad_corpus_is_one_line_error(tmp_path, settings, corpus):
    folder = tmp_path / corpus
    if corpus == "empty":
        folder.mkdir()
    result = runner.invoke(
        app, ["index", str(folder), "--index-dir", str(tmp_path / "idx"), "--cache-dir", str(settings.cache_dir)]
    )
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert str(folder) in result.stderr


def test_index_prepares_the_model_on_first_use(tmp_path):
    """An empty cache folder: `qa index` converts the model itself (about a minute), saying so."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / "003_a583efe6823e7960.txt", corpus)
    options = ["--index-dir", str(tmp_path / "idx"), "--cache-dir", str(tmp_path / "cache")]
    result = runner.invoke(app, ["index", str(corpus), *options])
    assert result.exit_code == 0, result.output
    assert "preparing the embedding model (once)" in result.stderr
    assert "indexed 1 documents" in result.stdout
    result = runner.invoke(app, ["ask", "东区2020年要打通哪两条市级瓶颈路？", *options])
    assert result.exit_code == 0, result.output
    assert "preparing" not in result.stderr and "悦宾路" in result.stdout


@pytest.mark.parametrize(
    "args, usage, wrong, hint",
    [
        (["ask"], "Usage: qa ask [OPTIONS]", "Missing argument 'question'", "Try 'qa ask --help'"),
        (["ask", "x", "-k", "abc"], "Usage: qa ask [OPTIONS]", "Invalid value for '-k'", "Try 'qa ask --help'"),
        (["nosuchcommand"], "Usage: qa [OPTIONS] COMMAND", "No such command 'nosuchcommand'", "Try 'qa --help'"),
    ],
)
def test_usage_mistakes_get_typers_usage_message(args, usage, wrong, hint):
    result = runner.invoke(app, args, prog_name="qa")
    assert result.exit_code == 2
    assert usage in result.stderr and wrong in result.stderr and hint in result.stderr
    assert not any(name in result.output for name in ("MissingParameter", "BadParameter", "UsageError", "QA_DEBUG"))


def test_version():
    completed = subprocess.run([sys.executable, "-m", "qa", "--version"], capture_output=True, text=True)
    assert completed.returncode == 0 and completed.stdout == f"qa {__version__}\n"


def test_compare_json_has_a_row_per_report(settings):
    result = _run(settings, "compare", "城镇新增就业目标是多少？", "--json")
    assert result.exit_code == 0, result.output
    comparison = json.loads(result.stdout)
    assert comparison["question"] == "城镇新增就业目标是多少？"
    assert len(comparison["rows"]) == 5  # every seed report, found or not
    keys = {
        "doc_id",
        "source",
        "title",
        "place",
        "level",
        "year",
        "value",
        "answer_sentence",
        "text",
        "section",
        "paragraph",
        "start",
        "end",
        "score",
        "weak",
    }
    assert all(set(row) == keys for row in comparison["rows"])
    [doumen] = [row for row in comparison["rows"] if row["place"] == "广东省珠海市斗门区"]
    assert not doumen["weak"] and "城镇新增就业0.8万人" in doumen["value"]


def test_compare_refuses_an_unknown_level(settings):
    result = _run(settings, "compare", "赤字率", "--level", "国")
    assert result.exit_code == 2 and "全国, 省, 市, 区县, 镇" in result.output


def test_compare_csv_opens_in_excel(settings):
    result = _run(settings, "compare", "城镇新增就业目标是多少？", "--csv")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.startswith("\ufeffdoc_id,source,title,place,level,year,value,answer_sentence")
    assert len(rows) >= 5 and any("城镇新增就业0.8万人" in row for row in rows)


def test_compare_with_no_report_passing_the_filters(settings):
    result = _run(settings, "compare", "赤字率", "--level", "全国")
    assert result.exit_code == 0 and "没有符合过滤条件的报告" in result.stdout


def test_ask_across_reports_shows_the_comparison_first(settings):
    result = _run(settings, "ask", "各区县城镇新增就业目标分别是多少", "-k", "2")
    assert result.exit_code == 0, result.output
    table, _, cards = result.stdout.partition("╭─")  # the comparison, then the cards
    assert "份报告有答案" in table and "城镇新增就业0.8万人" in table and "金湾区" in table
    assert "广东省江门市" not in table  # 各区县: the level 区县 only
    assert cards
    plain = _run(settings, "ask", "斗门2020年准备建多少座5G基站？", "-k", "2")
    assert plain.exit_code == 0 and "份报告有答案" not in plain.stdout


def test_compare_fits_80_columns(settings, searcher):
    """At 80 columns each row is at most 3 lines high; --wide keeps every cell whole."""
    import io

    from rich.console import Console

    from qa.render import print_comparison
    from qa.search.compare import compare

    comparison = compare(searcher, "城镇新增就业目标是多少？")
    for width in (80, 100, 140):
        out = io.StringIO()
        print_comparison(Console(file=out, width=width, color_system=None), comparison)
        lines = out.getvalue().splitlines()
        assert all(len(line) <= width for line in lines)
        header_rule = next(i for i, line in enumerate(lines) if line.startswith("┡"))
        body = lines[header_rule + 1 :]
        heights, height = [], 0
        for line in body:
            if line.startswith(("├", "└")):  # a rule between rows, or the end
                heights.append(height)
                height = 0
            else:
                height += 1
        assert len(heights) == len(comparison.rows) and max(heights) <= 3, heights
        assert all(h.place for h in (row.hit for row in comparison.rows))
        text = out.getvalue()
        assert "地点" in text and "年份" in text and "值" in text and "出处" in text
        if width == 80:
            assert "答句" not in text  # only where it fits
        if width == 140:
            assert "答句" in text
    wide = io.StringIO()
    print_comparison(Console(file=wide, width=80, color_system=None), comparison, wide=True)
    assert "答句" in wide.getvalue()  # everything, however tall


def test_compare_in_an_80_column_terminal(settings):
    """The real command with COLUMNS=80: the rows stay short."""
    result = subprocess.run(
        [sys.executable, "-m", "qa", "compare", "城镇新增就业目标是多少？", "--index-dir", str(settings.index_dir),
         "--cache-dir", str(settings.cache_dir)],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "80"}, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80 and "城镇新增就业0.8万人" in result.stdout
    assert len(lines) <= 4 + 5 * 4  # title, header, rules and five rows of at most 3 lines


def test_search_piped_into_a_reader_that_stops_early(settings):
    """`qa search --json < questions | head -1`: the rest goes unread, and qa stops quietly."""
    questions = "".join(f"{q.question}\n" for q in load_eval_set(DEV_SET))
    process = subprocess.Popen(
        [sys.executable, "-m", "qa", "search", "--json", "--index-dir", str(settings.index_dir),
         "--cache-dir", str(settings.cache_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    process.stdin.write(questions)
    process.stdin.close()
    first = json.loads(process.stdout.readline())
    process.stdout.close()
    errors = process.stderr.read()
    assert process.wait(timeout=300) == 1
    assert first["results"] and errors == ""
