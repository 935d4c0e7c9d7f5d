"""Report formats, metadata overrides and Traditional-Chinese matching."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest

from qa.config import PROJECT_ROOT
from qa.corpus import CorpusLoad, SkippedFile, load_corpus, passages_for
from qa.corpus.clean import clean_text
from qa.corpus.fingerprint import SUFFIXES, corpus_files, corpus_fingerprint
from qa.corpus.readers import UnreadableFile, read_document_text
from qa.search.query import normalise
from qa.types import Document
from qa.words import tokenize

SEEDS = PROJECT_ROOT / "seeds"
PDF_FIXTURE = PROJECT_ROOT / "tests" / "data" / "formats" / "report.pdf"  # made by make_report_pdf.py beside it

# The seed report as clean lines, which every format can hold.
LINES = clean_text((SEEDS / "000_81e05dd5e9b143b5.txt").read_text(encoding="utf-8")).split("\n")
TEXT = "\n".join(LINES)
SEED_METADATA = ("珠海市斗门区2020年工作计划", "广东省珠海市斗门区", 2020)


def _only(load: CorpusLoad) -> Document:
    assert load.skipped == []
    assert len(load.documents) == 1
    return load.documents[0]


def _metadata(doc: Document) -> tuple[str, str | None, int | None]:
    return doc.title, doc.place, doc.year


def _docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for cells, row in zip(table, grid.rows, strict=True):
            for text, cell in zip(cells, row.cells, strict=True):
                cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _html(body: str, charset: str = "utf-8") -> bytes:
    page = f"""<!DOCTYPE html><html><head><meta charset="{charset}"><title>斗门区人民政府网</title></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; <a href="/ghjh">规划计划</a></div>
<ul class="menu"><li><a href="/a">机构概况</a></li><li><a href="/b">新闻中心</a></li><li><a href="/c">互动交流</a></li></ul>
<div class="article">{body}</div>
<div class="share">分享到：<a>微信</a> <a>微博</a></div>
<div class="footer"><p>版权所有：珠海市斗门区人民政府</p><p>粤ICP备12345678号</p><p>网站标识码：4404030001</p></div>
</body></html>"""
    return page.encode(charset)


def _pdf_writer(blank: bool = False) -> pypdf.PdfWriter:
    if blank:
        writer = pypdf.PdfWriter()
        writer.add_blank_page(width=420, height=595)
        return writer
    return pypdf.PdfWriter(clone_from=PDF_FIXTURE)


def _pdf(writer: pypdf.PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- every format, the same report ------------------------------------------


def test_suffixes_are_the_supported_formats() -> None:
    assert SUFFIXES == {".txt", ".md", ".html", ".htm", ".docx", ".pdf"}


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("report.txt", lambda: TEXT.encode("utf-16")),
        ("report.md", lambda: "\n\n".join(LINES).encode()),
        ("report.docx", lambda: _docx(LINES)),
        ("report.html", lambda: _html("".join(f"<p>{line}</p>" for line in LINES))),
        ("report.htm", lambda: _html("".join(f"<p>{line}</p>" for line in LINES), charset="gb18030")),
    ],
)
def test_each_format_gives_the_same_document(tmp_path: Path, name: str, make: object) -> None:
    (tmp_path / name).write_bytes(make())  # type: ignore[operator]
    doc = _only(load_corpus(tmp_path))
    assert doc.text == TEXT
    assert _metadata(doc) == SEED_METADATA


def test_markdown_markup_is_gone_and_headings_are_sections(tmp_path: Path) -> None:
    source = """# 某县2021年工作计划

各位代表：
现在，我代表**县人民政府**报告[工作](http://example.org)，请予审议。

## 一、经济发展

- 完成投资`100`亿元，引进重点项目35个，新增高新技术企业42家，研发投入增长12%。
- 新增企业200家。

| 指标 | 目标 |
|---|---|
| 城镇新增就业 | 3000人 |
"""
    (tmp_path / "plan.md").write_text(source, encoding="utf-8")
    doc = _only(load_corpus(tmp_path))
    assert doc.text == "\n".join(
        [
            "某县2021年工作计划",
            "各位代表：",
            "现在，我代表县人民政府报告工作，请予审议。",
            "一、经济发展",
            "完成投资100亿元，引进重点项目35个，新增高新技术企业42家，研发投入增长12%。",
            "新增企业200家。",
            "| 指标 | 目标 |",
            "| 城镇新增就业 | 3000人 |",
        ]
    )
    assert _metadata(doc) == ("某县2021年工作计划", None, 2021)  # 某县 is a placeholder, not a place
    passages = passages_for(doc)
    assert [p.section for p in passages] == ["", "一、经济发展", "一、经济发展"]
    assert passages[-1].text == "新增企业200家。\n| 指标 | 目标 |\n| 城镇新增就业 | 3000人 |"


def test_html_keeps_the_report_and_drops_the_site(tmp_path: Path) -> None:
    body = (
        "<h1>某县2021年政府工作报告</h1><p>发布时间：2021-01-20 来源：县政府办</p><p>各位代表：</p>"
        + "".join(f"<p>{line}</p>" for line in LINES[5:9])
        + "<table><tr><th>指标</th><th>目标</th></tr><tr><td>城镇新增就业</td><td>3000人</td></tr></table>"
    )
    (tmp_path / "page.html").write_bytes(_html(body))
    doc = _only(load_corpus(tmp_path))
    assert doc.text.split("\n") == [
        "某县2021年政府工作报告",
        "各位代表：",
        *LINES[5:9],
        "| 指标 | 目标 |",
        "| 城镇新增就业 | 3000人 |",
    ]
    assert (doc.title, doc.year) == ("某县2021年政府工作报告", 2021)


def test_docx_tables_are_read_row_by_row_in_place(tmp_path: Path) -> None:
    data = _docx(["某县2021年政府工作报告", "主要目标如下。"], [["指标", "目标"], ["城镇新增就业", "3000人"]])
    document = docx.Document(io.BytesIO(data))
    merged = document.add_table(rows=2, cols=3)
    merged.cell(0, 0).merge(merged.cell(0, 1)).text = "合并单元格"
    merged.cell(0, 2).text = "右"
    merged.cell(1, 0).add_table(rows=1, cols=2).rows[0].cells[1].text = "嵌套表格"
    document.add_paragraph("以上为全部目标。")
    out = io.BytesIO()
    document.save(out)
    (tmp_path / "report.docx").write_bytes(out.getvalue())
    doc = _only(load_corpus(tmp_path))
    assert doc.text.split("\n") == [
        "某县2021年政府工作报告",
        "主要目标如下。",
        "| 指标 | 目标 |",
        "| 城镇新增就业 | 3000人 |",
        "| 合并单元格 | 右 |",
        "| 嵌套表格 | | |",
        "以上为全部目标。",
    ]


def test_pdf_lines_are_rejoined_into_paragraphs(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(PDF_FIXTURE.read_bytes())
    doc = _only(load_corpus(tmp_path))
    assert doc.text.split("\n") == [
        "某县2021年政府工作报告",
        "各位代表：",
        "现在，我代表县人民政府向大会报告工作，请予审议，并请各位政协委员提出意见。"
        "过去一年，全县地区生产总值增长5%，城镇新增就业3000人，城镇登记失业率控制在3%以内。",
        "一、2021年主要任务",
        "全年完成固定资产投资120亿元，引进重点项目35个，新增高新技术企业42家，研发投入增长12%。",
    ]
    assert _metadata(doc) == ("某县2021年政府工作报告", None, 2021)


def test_a_pdf_with_only_an_owner_password_is_read(tmp_path: Path) -> None:
    writer = _pdf_writer()
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
    (tmp_path / "restricted.pdf").write_bytes(_pdf(writer))
    assert "城镇新增就业3000人" in _only(load_corpus(tmp_path)).text


# --- files a reader cannot use ------------------------------------------------


def _encrypted_pdf() -> bytes:
    writer = _pdf_writer()
    writer.encrypt(user_password="secret", algorithm="AES-128")
    return _pdf(writer)


def _docx_without_body() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx(["某县"])), "r") as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(item, source.read(item))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("scan.pdf", lambda: _pdf(_pdf_writer(blank=True)), "no text layer (a scanned PDF?)"),
        ("locked.pdf", _encrypted_pdf, "encrypted PDF that needs a password"),
        ("truncated.pdf", lambda: PDF_FIXTURE.read_bytes()[:1500], "damaged, or not a PDF file"),
        ("text.pdf", lambda: b"%PDF-1.7\n" + TEXT.encode(), "damaged, or not a PDF file"),
        # Word puts a password-protected .docx in an OLE container; so is an old .doc.
        (
            "locked.docx",
            lambda: bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504),
            "password-protected, or an old .doc file renamed .docx",
        ),
        ("truncated.docx", lambda: _docx(LINES)[:5000], "damaged, or not a Word .docx file"),
        ("no_body.docx", _docx_without_body, "damaged, or not a Word .docx file"),
        ("text.docx", lambda: TEXT[:100].encode(), "damaged, or not a Word .docx file"),
        ("blank.html", lambda: b"<html><body><div></div></body></html>", "no report text found in the web page"),
        ("site_only.html", lambda: _html(""), "empty after cleaning"),
        ("image.html", lambda: b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file (contains NUL bytes)"),
        ("blank.docx", lambda: _docx([" ", ""]), "empty after cleaning"),
    ],
)
def test_unusable_files_are_skipped_with_a_reason(tmp_path: Path, name: str, make: object, reason: str) -> None:
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / name).write_bytes(make())  # type: ignore[operator]
    load = load_corpus(tmp_path)
    assert [doc.source for doc in load.documents] == ["good.txt"]
    assert load.skipped == [SkippedFile(name, reason)]


def test_the_same_report_in_two_formats_is_indexed_once(tmp_path: Path) -> None:
    (tmp_path / "a.docx").write_bytes(_docx(LINES))
    (tmp_path / "b.txt").write_text(TEXT, encoding="utf-8")
    load = load_corpus(tmp_path)
    assert [doc.source for doc in load.documents] == ["a.docx"]
    assert load.skipped == [SkippedFile("b.txt", "same text as a.docx")]


def test_read_document_text_reads_the_file_itself(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(_docx(LINES))
    assert read_document_text(path) == TEXT
    with pytest.raises(UnreadableFile, match="could not be read"):
        read_document_text(tmp_path / "missing.pdf")
    with pytest.raises(UnreadableFile, match="not a supported format"):
        read_document_text(tmp_path / "report.odt", b"")


# --- metadata overrides ---------------------------------------------------------

FRONT_MATTER = "---\ntitle: 斗门区2020年工作计划(修订)\nplace: 广东省珠海市斗门区\nyear: 2021\nauthor: 区政府办\n---\n"


@pytest.mark.parametrize("name", ["report.md", "report.txt"])
def test_front_matter_sets_metadata_and_is_removed(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(FRONT_MATTER + TEXT, encoding="utf-8")
    doc = _only(load_corpus(tmp_path))
    assert _metadata(doc) == ("斗门区2020年工作计划(修订)", "广东省珠海市斗门区", 2021)
    assert doc.text == TEXT


def test_front_matter_may_set_only_some_fields(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text(f"---\nyear: '2019'\n---\n{TEXT}", encoding="utf-8")
    assert _metadata(_only(load_corpus(tmp_path))) == (SEED_METADATA[0], SEED_METADATA[1], 2019)


def test_a_leading_rule_that_sets_nothing_is_text(tmp_path: Path) -> None:
    text = f"---\n{LINES[0]}\n---\n" + "\n".join(LINES[1:])
    (tmp_path / "report.txt").write_text(text, encoding="utf-8")
    doc = _only(load_corpus(tmp_path))
    assert doc.text.startswith(LINES[0]) and _metadata(doc) == SEED_METADATA


def test_front_matter_in_other_formats_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "report.docx").write_bytes(_docx(["---", "year: 2001", "---", *LINES]))
    assert _only(load_corpus(tmp_path)).year == 2020


def test_a_sidecar_sets_metadata_over_front_matter(tmp_path: Path) -> None:
    (tmp_path / "report.md").write_text(FRONT_MATTER + TEXT, encoding="utf-8")
    (tmp_path / "report.meta.json").write_text(json.dumps({"place": "斗门区", "year": 2022}), encoding="utf-8")
    assert _metadata(_only(load_corpus(tmp_path))) == ("斗门区2020年工作计划(修订)", "斗门区", 2022)


def test_an_overridden_place_keeps_its_words_and_gets_its_level(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "report.meta.json").write_text(json.dumps({"place": "斗门区"}), encoding="utf-8")
    doc = _only(load_corpus(tmp_path))
    assert (doc.place, doc.level) == ("斗门区", "区县")
    (tmp_path / "report.meta.json").write_text(json.dumps({"place": "白蕉镇", "level": "镇"}), encoding="utf-8")
    doc = _only(load_corpus(tmp_path))
    assert (doc.place, doc.level) == ("白蕉镇", "镇")


def test_a_sidecar_is_not_a_document_but_is_in_the_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(PDF_FIXTURE.read_bytes())
    before = corpus_fingerprint(tmp_path)
    (tmp_path / "report.meta.json").write_text('{"title": "某县政府工作报告"}', encoding="utf-8")
    assert [p.name for p in corpus_files(tmp_path)] == ["report.pdf"]
    assert corpus_fingerprint(tmp_path) != before
    assert _only(load_corpus(tmp_path)).title == "某县政府工作报告"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("report.txt", "---\ntitle: [unclosed\n---\n", "front matter is not valid YAML on line 3"),
        ("report.txt", "---\nyear: 二〇二〇\n---\n", "front matter: year must be a year such as 2020"),
        ("report.txt", "---\ntitle:\n  - a\n---\n", "front matter: title must be a non-empty text"),
        (
            "report.meta.json",
            "{year: 2020}",
            "report.meta.json is not valid JSON (Expecting property name enclosed in double quotes on line 1)",
        ),
        ("report.meta.json", '["2020"]', 'report.meta.json must hold an object such as {"year": 2020}'),
        (
            "report.meta.json",
            '{"yaer": 2020}',
            "report.meta.json has unknown key 'yaer' (use title, place, level, year)",
        ),
        ("report.meta.json", '{"year": 20200}', "report.meta.json: year must be a year such as 2020"),
        ("report.meta.json", '{"place": ""}', "report.meta.json: place must be a non-empty text"),
        ("report.meta.json", '{"level": "县"}', "report.meta.json: level must be one of 全国, 省, 市, 区县, 镇"),
    ],
)
def test_bad_overrides_skip_the_report_with_a_reason(tmp_path: Path, name: str, content: str, reason: str) -> None:
    (tmp_path / "other.txt").write_text("某镇2019年工作计划\n全镇完成投资3亿元。", encoding="utf-8")
    report = tmp_path / "report.txt"
    report.write_text(TEXT, encoding="utf-8")
    (tmp_path / name).write_text(content + (TEXT if name == "report.txt" else ""), encoding="utf-8")
    load = load_corpus(tmp_path)
    assert [doc.source for doc in load.documents] == ["other.txt"]
    assert load.skipped == [SkippedFile("report.txt", reason)]


# --- Traditional and Simplified Chinese -------------------------------------------

TRADITIONAL_QUESTION = "斗門區2020年城鎮新增就業目標是多少？"
SIMPLIFIED_QUESTION = "斗门区2020年城镇新增就业目标是多少？"


def test_a_traditional_question_has_the_simplified_words() -> None:
    assert tokenize(TRADITIONAL_QUESTION) == tokenize(SIMPLIFIED_QUESTION)
    assert normalise(TRADITIONAL_QUESTION) == normalise(SIMPLIFIED_QUESTION)


def test_a_traditional_report_has_the_simplified_words_but_keeps_its_text(tmp_path: Path) -> None:
    traditional = "珠海市斗門區2020年工作計劃\n全區城鎮新增就業5000人，城鎮登記失業率控制在3%以內。"
    (tmp_path / "report.txt").write_text(traditional, encoding="utf-8")
    doc = _only(load_corpus(tmp_path))
    assert doc.text == traditional
    words = set(tokenize(passages_for(doc)[0].text))
    assert {"城镇", "新增", "就业"} <= words


def test_conversion_costs_well_under_a_millisecond_a_question() -> None:
    tokenize(TRADITIONAL_QUESTION)  # dictionaries loaded
    started = time.perf_counter()
    for _ in range(200):
        normalise(TRADITIONAL_QUESTION)
    assert (time.perf_counter() - started) / 200 < 0.001
