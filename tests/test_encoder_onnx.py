"""The ONNX backends against sentence-transformers: same tokens, same vectors, lean imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa.model import convert
from qa.model.convert import MANIFEST, prepare_model, read_manifest
from qa.model.encoder import ONNX_FP32, ONNX_INT8, SENTENCE_TRANSFORMERS, Encoder, ModelNotReady, choose_backends
from qa.model.onnx_export import OnnxExport

from .conftest import seed_paragraphs


@pytest.fixture(scope="module")
def texts(dev_questions) -> dict[str, list[str]]:
    # One paragraph past the 512-token window, to check truncation matches too.
    long = "".join(seed_paragraphs())[:1500]
    return {"passage": seed_paragraphs() + [long], "query": [q["question"] for q in dev_questions]}


def _vectors(encoder: Encoder, texts: dict[str, list[str]]) -> dict[str, np.ndarray]:
    return {"passage": encoder.encode_passages(texts["passage"]), "query": encoder.encode_queries(texts["query"])}


@pytest.fixture(scope="module")
def st_vectors(model_dir, texts):
    return _vectors(Encoder(model_dir, backend=SENTENCE_TRANSFORMERS), texts)


@pytest.fixture(scope="module")
def fp32_vectors(model_dir, texts):
    return _vectors(Encoder(model_dir, backend=ONNX_FP32), texts)


@pytest.fixture(scope="module")
def int8_vectors(model_dir, texts):
    return _vectors(Encoder(model_dir, backend=ONNX_INT8), texts)


@pytest.mark.parametrize("side", ["passage", "query"])
def test_fp32_onnx_gives_sentence_transformers_vectors(st_vectors, fp32_vectors, side):
    cosines = np.sum(st_vectors[side] * fp32_vectors[side], axis=1)
    assert len(cosines) >= 40
    assert cosines.min() >= 0.999


@pytest.mark.parametrize("side", ["passage", "query"])
def test_int8_onnx_stays_close_to_fp32(fp32_vectors, int8_vectors, side):
    cosines = np.sum(fp32_vectors[side] * int8_vectors[side], axis=1)
    assert cosines.min() >= 0.99
    assert cosines.mean() >= 0.995


@pytest.mark.parametrize("backend", [ONNX_FP32, ONNX_INT8])
def test_batching_changes_vectors_at_most_by_quantisation_noise(model_dir, texts, backend):
    """Padding, sub-batching and order leave a float32 vector as it is. int8 quantises
    activations with one scale per run, so a passage's batch-mates move it a little."""
    encoder = Encoder(model_dir, backend=backend)
    passages = texts["passage"][:40]
    batched = encoder.encode_passages(passages, batch_size=16)
    one_by_one = np.vstack([encoder.encode_passages([p]) for p in passages[::-1]])[::-1]
    assert np.allclose(np.linalg.norm(batched, axis=1), 1, atol=1e-5)
    if backend == ONNX_FP32:
        assert np.allclose(batched, one_by_one, atol=1e-5)
    else:
        assert np.sum(batched * one_by_one, axis=1).min() >= 0.99


def test_default_backends_are_int8_onnx(model_dir):
    encoder = Encoder(model_dir)
    assert encoder.backends == {"query": ONNX_INT8, "passage": ONNX_INT8}
    assert encoder.dim == 384
    assert encoder.model_id == read_manifest(model_dir).model_id
    assert encoder.encode_passages([]).shape == (0, 384)


def test_backend_choice_follows_the_files(model_dir, tmp_path, monkeypatch):
    folder = tmp_path / "model"
    (folder / "onnx").mkdir(parents=True)
    assert choose_backends(folder) == {"query": SENTENCE_TRANSFORMERS, "passage": SENTENCE_TRANSFORMERS}
    (folder / "onnx" / "model.onnx").touch()
    assert choose_backends(folder) == {"query": ONNX_FP32, "passage": ONNX_FP32}
    with pytest.raises(ModelNotReady):
        choose_backends(folder, ONNX_INT8)
    monkeypatch.setenv("QA_ENCODER_BACKEND", SENTENCE_TRANSFORMERS)
    assert choose_backends(model_dir) == {"query": SENTENCE_TRANSFORMERS, "passage": SENTENCE_TRANSFORMERS}


def test_onnx_tokens_match_sentence_transformers(model_dir, texts):
    onnx = Encoder(model_dir)
    st = Encoder(model_dir, backend=SENTENCE_TRANSFORMERS)
    for text in texts["passage"][:50] + ["", "🦜🦜 ＡＢＣ"]:
        assert onnx.token_ids(text, False) == st.token_ids(text, False)
    for text in texts["query"]:
        assert onnx.token_ids(text, True) == st.token_ids(text, True)


def test_query_path_imports_no_torch(model_dir):
    """`qa ask` cold start: the Encoder with only onnxruntime, tokenizers and numpy."""
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from qa.model.encoder import Encoder\n"
        f"vector = Encoder(Path({str(model_dir)!r})).encode_queries(['今年计划建设多少个5G基站？'])[0]\n"
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers', 'onnx') if m in sys.modules]\n"
        "print(heavy, round(float(vector @ vector), 4))\n"
    )
    env = {**os.environ, "QA_ENCODER_BACKEND": ""}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.split() == ["[]", "1.0"]


def test_prepare_upgrades_a_folder_made_before_onnx(model_dir, tmp_path, monkeypatch):
    """A complete folder whose manifest has no `onnx` gets the ONNX step only, atomically."""
    dest = tmp_path / "models" / "e5"
    dest.mkdir(parents=True)
    kept = ["config.json", "modules.json", "model.safetensors", "tokenizer.json"]
    for name in kept:
        os.link(model_dir / name, dest / name)
    manifest = json.loads((model_dir / MANIFEST).read_text(encoding="utf-8"))
    old = {k: v for k, v in manifest.items() if k not in ("onnx", "parity")}
    (dest / MANIFEST).write_text(json.dumps(old), encoding="utf-8")
    assert read_manifest(dest).onnx is None

    def fake_export(folder: Path, progress) -> OnnxExport:
        assert folder != dest and (folder / "model.safetensors").is_file()
        assert not (folder / MANIFEST).exists()
        (folder / "onnx").mkdir()
        (folder / "onnx" / "model.onnx").write_bytes(b"fp32")
        return OnnxExport("onnx/model.onnx", None, 0.5, 0, 0)

    def no_conversion(*args):
        raise AssertionError("an upgrade must not convert the model again")

    monkeypatch.setattr("qa.model.onnx_export.export_onnx", fake_export)
    monkeypatch.setattr(convert, "write_model_folder", no_conversion)
    messages: list[str] = []
    upgraded = prepare_model(dest, progress=messages.append)
    assert messages[0] == f"adding the ONNX runtime files to {dest}"
    assert upgraded.onnx["fp32"] == "onnx/model.onnx" and upgraded.onnx["int8"] is None
    assert read_manifest(dest) == upgraded
    assert sorted(p.name for p in dest.iterdir()) == sorted(kept + [MANIFEST, "onnx"])
    assert (dest / "model.safetensors").samefile(model_dir / "model.safetensors")
    assert [p.name for p in dest.parent.iterdir()] == ["e5"]  # no work folder left behind
    # Now complete: nothing more to do.
    messages.clear()
    assert prepare_model(dest, progress=messages.append) == upgraded
    assert messages == [f"model already prepared in {dest}"]
