"""Whatever text comes in, cleaning and chunking hold their promises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qa.config import CHUNK_MAX
from qa.corpus.chunk import chunk_document
from qa.corpus.clean import clean_text
from qa.corpus.metadata import extract_metadata
from qa.corpus.readers import UnreadableFile, read_text
from qa.types import Document

# Characters that exercise the structure rules: numbering, sentence and clause
# marks, closing quotes, title words, furniture words, whitespace of all kinds.
REPORT_CHARACTERS = list(
    "一二三四五六七八九十第部分章()（）1234567890.．、。！？；!?;，,：:“”》】"
    "年市区县镇街道报告计划工作政府发展建设首页>来源分享微信打印版权"
    " \u3000\t\n\r\xa0\u200b•◆"
)
report_like = st.lists(
    st.one_of(
        st.text(alphabet=st.sampled_from(REPORT_CHARACTERS), max_size=80),
        st.text(alphabet=st.sampled_from(list("推进建设发展")), min_size=400, max_size=1500),
    ),
    max_size=30,
).map("".join)


def check_clean_and_chunk(raw: str) -> None:
    text = clean_text(raw)
    assert clean_text(text) == text
    assert all(line and line == line.strip() for line in text.split("\n")) or text == ""
    title, place, year = extract_metadata(text, "report.txt")
    assert title
    assert place is None or place in text
    doc = Document("0" * 16, "report.txt", title, place, year, text, "0" * 64)
    passages = chunk_document(doc)
    for passage in passages:
        assert 1 <= len(passage.text) <= CHUNK_MAX
        assert passage.text == text[passage.start : passage.end]
        assert passage.paragraph == text.count("\n", 0, passage.start) + 1
        assert len(passage.section) <= 60
    assert len({p.passage_id for p in passages}) == len(passages)
    assert all(a.end <= b.start for a, b in zip(passages, passages[1:]))


# No deadline: the first example pays for loading jieba's dictionary.
@settings(deadline=None)
@given(st.text())
def test_any_unicode_text(raw: str) -> None:
    check_clean_and_chunk(raw)


@settings(max_examples=150, deadline=None)
@given(report_like)
def test_report_like_text(raw: str) -> None:
    check_clean_and_chunk(raw)


@settings(deadline=None)
@given(st.binary())
def test_any_bytes_read_as_text_or_are_refused(data: bytes) -> None:
    try:
        text = read_text(data)
    except UnreadableFile as error:
        assert str(error)
    else:
        check_clean_and_chunk(text)
