"""Questions tokenized from the piece table get the whole tokenizer's ids (qa/model/pieces.py)."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tokenizers import Tokenizer

from qa.model.encoder import Encoder
from qa.model.pieces import PIECES_FILE, PieceTokenizer, write_piece_table

from .conftest import seed_paragraphs

EDGE_CASES = [
    "",
    " ",
    "  a  b ",
    "   leading",
    "trailing   ",
    "中 文 空 格",
    "\t\n",
    "\x00\x01",
    "é",
    "a\u0301b",
    "x\u200by",
    "🦜🦜 ＡＢＣ",
    "👍🏽👍🏽",
    "ｑｕｅｒｙ：斗門區",
    "Ⅻ㍻①㎡",
    "Ｇ Ｄ Ｐ增长６．５％",
    "A" * 600,
    "斗门" * 2500,
    "What is the GDP growth target?",
    "DROP TABLE passages;--",
    "[a-z]+.*(",
    "ấ稣",
]
# Characters of reports and questions, and of the tokenizer's hard cases.
ALPHABET = list(
    "斗门区珠海市年城镇新增就业目标是多少万人基站建设，。！？：；“”《》（）()、 　\t\nabcXYZ019０５％%.-_①Ⅻ㎡é\u0301\u200b🦜"
)


@pytest.fixture(scope="module")
def whole(model_dir) -> Tokenizer:
    return Tokenizer.from_file(str(model_dir / "tokenizer.json"))


@pytest.fixture(scope="module")
def pieces(model_dir) -> PieceTokenizer:
    table = PieceTokenizer.load(model_dir / "tokenizer.json", model_dir / PIECES_FILE)
    assert table is not None  # written while the model was prepared (the export reads the tokenizer)
    return table


def test_same_ids_on_seeds_questions_and_edge_cases(whole, pieces, dev_questions):
    texts = seed_paragraphs() + [q["question"] for q in dev_questions] + EDGE_CASES
    for prompt in ("query: ", "passage: ", ""):
        for text in texts:
            assert pieces.ids(prompt + text) == whole.encode(prompt + text).ids, text[:40]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.sampled_from(ALPHABET), max_size=40) | st.text(max_size=20))
def test_same_ids_on_generated_text(whole, pieces, text):
    if pieces.handles(text):
        assert pieces.ids(text) == whole.encode(text).ids


def test_special_token_text_goes_to_the_whole_tokenizer(model_dir, whole, pieces):
    text = "斗门<s>基站</s>"
    assert not pieces.handles(text)
    assert Encoder(model_dir).token_ids(text, is_query=True) == whole.encode("query: " + text).ids


def test_a_question_does_not_read_the_whole_tokenizer(model_dir, whole):
    encoder = Encoder(model_dir)
    vector = encoder.encode_queries(["斗门2020年准备建多少座5G基站？"])[0]
    assert encoder._onnx._tokenizer is None
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-5)
    encoder.encode_passages(["重点完成851个基站建设。"])  # passages read it
    assert encoder._onnx._tokenizer is not None


def test_table_missing_or_stale_is_rebuilt(model_dir, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(model_dir, folder)
    table = folder / PIECES_FILE
    table.unlink()
    assert PieceTokenizer.load(folder / "tokenizer.json", table) is None
    Encoder(folder)  # reads the whole tokenizer, writes the table
    assert PieceTokenizer.load(folder / "tokenizer.json", table) is not None
    stat = (folder / "tokenizer.json").stat()
    os.utime(folder / "tokenizer.json", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert PieceTokenizer.load(folder / "tokenizer.json", table) is None  # another tokenizer.json
    table.write_bytes(b"not a table")
    assert PieceTokenizer.load(folder / "tokenizer.json", table) is None
    assert write_piece_table(folder / "tokenizer.json", table)
    assert PieceTokenizer.load(folder / "tokenizer.json", table) is not None
