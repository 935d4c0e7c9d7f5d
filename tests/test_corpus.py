"""Corpus loading, cleaning, metadata and chunking, on the real seed reports."""

from __future__ import annotations

import hashlib
import json
import re
import time
import zlib
from pathlib import Path

import pytest

from qa.config import CHUNK_MAX, CHUNK_TARGET, PROJECT_ROOT
from qa.corpus import CorpusError, CorpusLoad, SkippedFile, load_corpus, passages_for
from qa.corpus.chunk import chunk_document
from qa.corpus.clean import clean_text
from qa.corpus.fingerprint import corpus_files
from qa.types import Document, Passage

SEEDS = PROJECT_ROOT / "seeds"
DEV_SET = PROJECT_ROOT / "tests" / "data" / "dev.jsonl"  # the project's copy of shared/eval/dev.jsonl

STOPS = "。！？；!?;"
CLOSERS = "”’」』）)】》\"'"
SENTENCE = re.compile(rf"[^{STOPS}\n]*(?:[{STOPS}]+[{CLOSERS}]*|(?=\n)|$)")


@pytest.fixture(scope="module")
def seeds() -> CorpusLoad:
    return load_corpus(SEEDS)


@pytest.fixture(scope="module")
def seed_passages(seeds: CorpusLoad) -> dict[str, list[Passage]]:
    return {doc.source: passages_for(doc) for doc in seeds.documents}


def by_source(load: CorpusLoad, source: str) -> Document:
    return next(doc for doc in load.documents if doc.source == source)


def no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- cleaning -------------------------------------------------------------


def test_all_seeds_load(seeds: CorpusLoad) -> None:
    assert [doc.source for doc in seeds.documents] == sorted(path.name for path in SEEDS.glob("*.txt"))
    assert seeds.skipped == []


@pytest.mark.parametrize(
    "furniture",
    [
        "您现在所在的位置",
        "您当前的位置",
        "首页 >",
        "导航菜单",
        "无障碍",
        "长者助手",
        "字体",
        "来源:",
        "发布机构",
        "发布日期",
        "分享",
        "加入收藏",
        "阅读时长",
        "扫一扫",
        "微信扫码",
        "领取福利",
        "网站地图",
        "联系我们",
        "版权所有",
        "主办单位",
        "ICP",
        "公网安备",
        "网站标识码",
        "不代表本站立场",
        "本文地址",
        "评论",
        "验证码",
        "观山文库",
        "221381",
        "第2/2页",
        "•",
    ],
)
def test_page_furniture_is_gone(seeds: CorpusLoad, furniture: str) -> None:
    for doc in seeds.documents:
        assert furniture not in doc.text, doc.source


def test_report_text_is_kept_whole(seeds: CorpusLoad) -> None:
    first_and_last = {
        "000_81e05dd5e9b143b5.txt": ("珠海市斗门区2020年工作计划", "驾驭风险本领八大本领。"),
        "001_c9b0bbd917161d38.txt": (
            "(广东省)珠海市金湾区人民政府工作报告(2024年)",
            "有效减轻义务教育阶段学生过重作业负担和校外培训负担。",
        ),
        "002_cb3364e8ed5811c5.txt": ("2020年江门市人民政府工作报告(全文)", '当好"两个重要窗口"作出江门贡献!'),
        "003_a583efe6823e7960.txt": ("2020年,东区工作的总体要求是:", "提高纪检干部发现和处置问题的能力。"),
        "004_c01f39cf84c2ed32.txt": (
            "2021年工作安排(节选自政府工作报告)",
            "着力提升财政信息化建设和财政管理现代化水平。",
        ),
    }
    for source, (first, last) in first_and_last.items():
        lines = by_source(seeds, source).text.split("\n")
        assert lines[0].startswith(first)
        assert lines[-1].endswith(last)


def test_every_long_raw_line_survives_except_the_site_disclaimer(seeds: CorpusLoad) -> None:
    for doc in seeds.documents:
        raw = (SEEDS / doc.source).read_text(encoding="utf-8")
        kept = {no_space(line) for line in doc.text.split("\n")}
        dropped = [
            line.strip()[:9] for line in raw.splitlines() if len(line.strip()) > 100 and no_space(line) not in kept
        ]
        assert dropped == (["本文仅代表作者观点"] if doc.source.startswith("001") else []), doc.source


def test_cleaned_text_is_one_stripped_paragraph_per_line(seeds: CorpusLoad) -> None:
    for doc in seeds.documents:
        for line in doc.text.split("\n"):
            assert line and line == line.strip() and "  " not in line


def test_prose_is_kept_even_with_furniture_words() -> None:
    prose = (
        "推广“粤省事”微信小程序和政务微博,群众扫码即可办理社保、公积金等高频事项,"
        "信息来源:各部门共享数据。全年通过网上办理业务超过120万件,办理时间平均缩短一半,"
        "群众满意率达到98%以上。继续完善网站地图式的政务服务事项清单,推动更多事项一网通办、就近可办。"
    )
    assert len(prose) < 150
    assert clean_text(f"首页 > 新闻\n{prose}\n分享到: 微信 微博 QQ空间") == prose


def test_short_headings_with_button_words_are_kept() -> None:
    raw = (
        "(三)推进政务微博微信建设\n微信  微博\n【 大 中 小 】\n打印本页 关闭窗口\n  ●  发布时间:2020-01-01\n"
        "\u3000\u3000加快发展北斗导航产业。\n全面推行扫码办事、亮码通行,让群众办事少跑腿、不跑腿。"
    )
    assert (
        clean_text(raw)
        == "(三)推进政务微博微信建设\n加快发展北斗导航产业。\n全面推行扫码办事、亮码通行,让群众办事少跑腿、不跑腿。"
    )


def test_lines_above_the_title_are_page_header() -> None:
    raw = "某某网◆记住我\n欢迎访问\n\n某某县2021年政府工作报告(第1/3页)\n\n各位代表:\n现在,我代表县人民政府向大会报告工作。"
    assert clean_text(raw) == "某某县2021年政府工作报告\n各位代表:\n现在,我代表县人民政府向大会报告工作。"


def test_ids_and_hashes_come_from_the_raw_bytes(seeds: CorpusLoad) -> None:
    for doc in seeds.documents:
        digest = hashlib.sha256((SEEDS / doc.source).read_bytes()).hexdigest()
        assert doc.content_hash == digest
        assert doc.doc_id == digest[:16]


# --- passages -------------------------------------------------------------


def test_passages_are_within_limits_and_point_at_their_text(
    seeds: CorpusLoad, seed_passages: dict[str, list[Passage]]
) -> None:
    for doc in seeds.documents:
        passages = seed_passages[doc.source]
        assert passages
        for passage in passages:
            assert 1 <= len(passage.text) <= CHUNK_MAX
            assert passage.text == doc.text[passage.start : passage.end]
            assert passage.doc_id == doc.doc_id
            assert passage.paragraph == doc.text.count("\n", 0, passage.start) + 1
            assert passage.passage_id.startswith(f"{doc.doc_id}-{passage.paragraph:04d}-")
            assert len(passage.section) <= 60
        assert len({p.passage_id for p in passages}) == len(passages)
        assert all(a.end <= b.start for a, b in zip(passages, passages[1:]))


def test_passage_ids_are_stable(seeds: CorpusLoad, seed_passages: dict[str, list[Passage]]) -> None:
    doc = seeds.documents[0]
    assert passages_for(doc) == seed_passages[doc.source]
    assert seed_passages[doc.source][0].passage_id == f"{doc.doc_id}-0002-01"


def _cut_is_clean(text: str, position: int) -> bool:
    """A cut at a paragraph or sentence end, or inside a sentence too long to keep whole."""
    if position in (0, len(text)) or "\n" in (text[position - 1], text[position]):
        return True
    at_sentence_end = text[:position].rstrip(CLOSERS).endswith(tuple(STOPS)) and text[position] not in STOPS + CLOSERS
    if at_sentence_end:
        return True
    sentence = next(m for m in SENTENCE.finditer(text) if m.start() < position < m.end())
    return len(sentence.group()) > CHUNK_MAX


def test_no_sentence_is_cut(seeds: CorpusLoad, seed_passages: dict[str, list[Passage]]) -> None:
    for doc in seeds.documents:
        for passage in seed_passages[doc.source]:
            assert _cut_is_clean(doc.text, passage.start), passage.passage_id
            assert _cut_is_clean(doc.text, passage.end), passage.passage_id


def test_only_headings_are_left_out_of_passages(seeds: CorpusLoad, seed_passages: dict[str, list[Passage]]) -> None:
    for doc in seeds.documents:
        covered = set()
        for passage in seed_passages[doc.source]:
            covered.update(range(passage.start, passage.end))
        offset = 0
        for line in doc.text.split("\n"):
            if offset not in covered:
                assert len(line) <= 60 and not any(offset + i in covered for i in range(len(line))), line
            offset += len(line) + 1


def test_sections_name_the_headings_above(seeds: CorpusLoad, seed_passages: dict[str, list[Passage]]) -> None:
    doc = by_source(seeds, "001_c9b0bbd917161d38.txt")
    sections = {passage.section for passage in seed_passages[doc.source]}
    assert "一、2023年工作回顾 › (一)全力以赴拼经济,发展盘子更稳、动能更足" in sections
    assert "名词解释和有关情况说明" in sections
    first = seed_passages[doc.source][0]
    # The lines above the first paragraph (title, 「2024年政府工作报告」) belong to the document, not a section.
    assert first.section == "" and first.text.startswith("各位代表:\n现在,我代表")


def test_every_dev_answer_is_in_exactly_one_passage(seeds: CorpusLoad, seed_passages: dict[str, list[Passage]]) -> None:
    questions = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert questions
    for question in questions:
        answer = no_space(question["answer"])
        holding = [p.passage_id for p in seed_passages[question["doc"]] if answer in no_space(p.text)]
        assert len(holding) == 1, (question["id"], holding)


def _doc(text: str, title: str = "") -> Document:
    return Document("0" * 16, "t.txt", title, None, None, text, "0" * 64)


def test_long_paragraphs_become_windows_of_whole_sentences() -> None:
    sentence = "加快推进重点项目建设,确保全年完成投资目标任务。"  # 24 chars
    text = sentence * 60
    passages = chunk_document(_doc(text))
    assert len(passages) == 3
    assert all(len(p.text) <= CHUNK_TARGET and p.text.endswith("。") for p in passages)
    assert "".join(p.text for p in passages) == text
    assert [p.passage_id[-5:] for p in passages] == ["01-01", "01-02", "01-03"]


def test_an_over_long_sentence_is_cut_at_clause_marks_then_hard() -> None:
    with_commas = "推进城市更新改造项目建设," * 80 + "完成。"
    for passage in chunk_document(_doc(with_commas)):
        assert len(passage.text) <= CHUNK_MAX
        assert passage.text.endswith((",", "。"))
    no_marks = "推" * 1500
    assert [len(p.text) for p in chunk_document(_doc(no_marks))] == [600, 600, 300]


def test_headings_set_sections_and_lead_ins_join_what_follows() -> None:
    text = "\n".join(
        [
            "某县2020年工作计划",
            "一、经济发展",
            "为实现目标,重点抓好以下工作:",
            "(一)招商引资",
            "引进项目30个。" * 10,
            "1.做好园区建设。园区面积扩大到10平方公里。",
        ]
    )
    passages = chunk_document(_doc(text, title="某县2020年工作计划"))
    assert [(p.section, p.paragraph) for p in passages] == [
        ("一、经济发展", 3),
        ("一、经济发展 › (一)招商引资", 5),
        ("一、经济发展 › (一)招商引资 › 1.做好园区建设", 6),
    ]


# --- reading files --------------------------------------------------------

# The seed as text every encoding under test can hold (GBK lacks • and NBSP).
SAMPLE = (SEEDS / "000_81e05dd5e9b143b5.txt").read_text(encoding="utf-8").encode("gbk", "replace").decode("gbk")


def _only(load: CorpusLoad) -> Document:
    assert len(load.documents) == 1
    return load.documents[0]


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-8-sig", "utf-32"])
def test_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "report.txt").write_bytes(SAMPLE.encode(encoding))
    doc = _only(load_corpus(tmp_path))
    assert doc.text == clean_text(SAMPLE)
    assert (doc.title, doc.place, doc.year) == ("珠海市斗门区2020年工作计划", "广东省珠海市斗门区", 2020)


def test_a_few_bad_bytes_are_replaced_not_fatal(tmp_path: Path) -> None:
    data = SAMPLE.encode("utf-8")
    middle = data.index("尖峰山公园".encode())
    (tmp_path / "damaged.txt").write_bytes(data[:middle] + b"\xff\xfe" + data[middle:])
    doc = _only(load_corpus(tmp_path))
    assert "\ufffd\ufffd尖峰山公园" in doc.text
    assert doc.text.replace("\ufffd", "") == clean_text(SAMPLE)


def test_unusable_files_are_skipped_with_a_reason(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + zlib.compress(bytes(range(256)) * 8)
    (tmp_path / "a_report.txt").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "b_copy.txt").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "c_gbk_copy.txt").write_bytes(SAMPLE.encode("gb18030"))
    (tmp_path / "d_image.txt").write_bytes(png)
    (tmp_path / "e_empty.txt").write_bytes(b"")
    (tmp_path / "f_blank.txt").write_text(" \n\u3000\n\t\n", encoding="utf-8")
    (tmp_path / "g_furniture.txt").write_text("首页 > 政务公开\n版权所有:某某网\n2020-01-01", encoding="utf-8")
    (tmp_path / "h_latin1_noise.txt").write_bytes(bytes(range(0x80, 0x100)) * 4)
    (tmp_path / "notes.odt").write_text(SAMPLE, encoding="utf-8")  # not a supported format: not even listed
    load = load_corpus(tmp_path)
    assert [doc.source for doc in load.documents] == ["a_report.txt"]
    assert {(s.path, s.reason) for s in load.skipped} == {
        ("b_copy.txt", "same content as a_report.txt"),
        ("c_gbk_copy.txt", "same text as a_report.txt"),
        ("d_image.txt", "not a text file (contains NUL bytes)"),
        ("e_empty.txt", "empty file"),
        ("f_blank.txt", "empty after cleaning"),
        ("g_furniture.txt", "empty after cleaning"),
        ("h_latin1_noise.txt", "not valid text in UTF-8 or GB18030"),
    }


def test_folders_are_read_recursively_in_path_order(tmp_path: Path) -> None:
    reports = ["b/2021.txt", "a/z.TXT", "a/sub/y.txt", "c.txt"]
    for number, name in enumerate(reports):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"某镇{2010 + number}年工作计划\n全镇完成投资{number}亿元。", encoding="utf-8")
    load = load_corpus(tmp_path)
    assert [doc.source for doc in load.documents] == ["a/sub/y.txt", "a/z.TXT", "b/2021.txt", "c.txt"]
    assert [doc.year for doc in load.documents] == [2012, 2011, 2010, 2013]


@pytest.mark.parametrize("setup", ["missing", "a file", "empty", "unreadable only"])
def test_a_folder_without_reports_is_an_error(tmp_path: Path, setup: str) -> None:
    folder = tmp_path / "corpus"
    if setup == "a file":
        folder.write_text(SAMPLE, encoding="utf-8")
    elif setup != "missing":
        folder.mkdir()
    if setup == "unreadable only":
        (folder / "x.txt").write_bytes(b"\x00\x01\x02")
    with pytest.raises(CorpusError) as error:
        load_corpus(folder)
    message = str(error.value)
    assert str(folder) in message and "\n" not in message


def test_a_damaged_utf16_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("某县2020年工作计划", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes("某县2020年工作计划".encode("utf-16") + b"\x00\xd8")  # lone surrogate
    assert load_corpus(tmp_path).skipped == [SkippedFile("b.txt", "marked as UTF-16 but not valid UTF-16")]


# --- bad input --------------------------------------------------------------


def test_a_50_mb_file_loads_in_linear_time(tmp_path: Path) -> None:
    # Measured on the 2-core dev machine: load 2.9 s, chunking 1.4 s, peak RSS
    # ~270 MB, 84,000 passages; a quarter of the size takes a quarter of the time.
    seed = "\n".join(path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))).encode()
    (tmp_path / "big.txt").write_bytes(seed * (50 * 2**20 // len(seed) + 1))
    started = time.perf_counter()
    doc = _only(load_corpus(tmp_path))
    passages = passages_for(doc)
    assert time.perf_counter() - started < 60
    assert len(passages) > 50_000
    assert all(1 <= len(p.text) <= CHUNK_MAX for p in passages)
    assert passages[-1].text == doc.text[passages[-1].start : passages[-1].end]


def test_one_200000_character_line_becomes_windows(tmp_path: Path) -> None:
    line = ("全面推进乡村振兴战略实施" * 20 + "，") * 800  # 200,800 characters, no sentence end
    (tmp_path / "one_line.txt").write_text(f"某县2021年政府工作报告\n{line}", encoding="utf-8")
    doc = _only(load_corpus(tmp_path))
    passages = passages_for(doc)
    assert all(1 <= len(p.text) <= CHUNK_MAX for p in passages)
    assert "".join(p.text for p in passages) == line


def test_vanished_and_odd_entries_are_reported_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "x.txt").symlink_to(tmp_path / "gone.txt")  # its target is gone
    (tmp_path / "y.txt").mkdir()  # a folder with a report's name is searched like any folder
    (tmp_path / "y.txt" / "z.txt").write_text("某镇2019年工作计划\n全镇完成投资3亿元。", encoding="utf-8")
    listed = corpus_files(tmp_path)
    assert [p.name for p in listed] == ["a.txt", "x.txt", "z.txt"]
    # A file deleted between listing the folder and reading it.
    monkeypatch.setattr("qa.corpus.corpus_files", lambda folder: [*listed, folder / "deleted.txt"])
    load = load_corpus(tmp_path)
    assert [doc.source for doc in load.documents] == ["a.txt", "y.txt/z.txt"]
    assert load.skipped == [
        SkippedFile("x.txt", "could not be read (No such file or directory)"),
        SkippedFile("deleted.txt", "could not be read (No such file or directory)"),
    ]
