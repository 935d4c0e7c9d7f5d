"""Whatever text or bytes come in, reading, cleaning and chunking hold their promises."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import docx
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.config import CHUNK_MAX, PROJECT_ROOT
from qa.corpus.chunk import chunk_document
from qa.corpus.clean import clean_text
from qa.corpus.fingerprint import SUFFIXES
from qa.corpus.metadata import InvalidMetadata, extract_metadata, split_front_matter
from qa.corpus.places import NATION, place_of, unit_aliases
from qa.corpus.readers import UnreadableFile, read_document_text, read_text
from qa.search.query import normalise
from qa.types import Document
from qa.words import to_simplified, tokenize

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
    found = extract_metadata(text, "report.txt")
    assert found.title
    if found.place is not None:  # a place the text names, whose stored name gives back its level
        place = place_of(found.place)
        assert found.level == place.level
        assert place.level == NATION or any(alias in to_simplified(text) for alias in unit_aliases(place.unit))
    doc = Document("0" * 16, "report.txt", found.title, found.place, found.year, text, "0" * 64, found.level)
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


# --- readers ----------------------------------------------------------------------

# Openings that get random bytes past each format's first check.
_MAGIC = [b"", b"%PDF-1.7\n", b"PK\x03\x04", bytes.fromhex("d0cf11e0a1b11ae1"), b"<html><body><p>", b"---\ntitle: "]


@cache
def _valid_files() -> dict[str, bytes]:
    document = docx.Document()
    document.add_paragraph("某县2021年政府工作报告")
    document.add_table(rows=2, cols=2).cell(1, 1).text = "3000人"
    out = io.BytesIO()
    document.save(out)
    return {".docx": out.getvalue(), ".pdf": (PROJECT_ROOT / "tests/data/formats/report.pdf").read_bytes()}


def _read_or_refuse(suffix: str, data: bytes) -> None:
    try:
        text = read_document_text(Path(f"report{suffix}"), data)
    except UnreadableFile as error:
        assert str(error) and "\n" not in str(error)
    else:
        check_clean_and_chunk(text)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(SUFFIXES)), st.sampled_from(_MAGIC), st.binary(max_size=2000))
def test_any_bytes_in_any_format_read_or_are_refused(suffix: str, magic: bytes, data: bytes) -> None:
    _read_or_refuse(suffix, magic + data)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([".docx", ".pdf"]), st.data())
def test_damaged_docx_and_pdf_read_or_are_refused(suffix: str, data: st.DataObject) -> None:
    valid = _valid_files()[suffix]
    start = data.draw(st.integers(0, len(valid)), label="start")
    patch = data.draw(st.binary(max_size=64), label="patch")
    cut = data.draw(st.booleans(), label="truncate")
    damaged = valid[:start] + patch + (b"" if cut else valid[start + len(patch) :])
    _read_or_refuse(suffix, damaged)


@settings(deadline=None)
@given(st.text())
def test_front_matter_is_read_or_refused(text: str) -> None:
    try:
        _, rest = split_front_matter("---\ntitle: " + text)
    except InvalidMetadata as error:
        assert str(error)
    else:
        assert ("---\ntitle: " + text).endswith(rest)


@settings(deadline=None)
@given(st.text())
def test_any_text_tokenizes(text: str) -> None:
    assert all(token.strip() for token in tokenize(text))
    assert normalise(text) == normalise(normalise(text))
