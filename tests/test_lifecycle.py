"""The index over time: incremental updates, add/remove, mismatches, bad states, crashes."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest
from typer.testing import CliRunner

from qa.cli import app
from qa.config import CHUNKING_VERSION
from qa.index import IndexCorrupt, open_index
from qa.index import build as build_module
from qa.index.build import IndexMismatch, build_index, build_lock, current_generation
from qa.index.vectors import vectors_for
from qa.model.encoder import ONNX_FP32, Encoder
from qa.search.searcher import Searcher

from .conftest import SEEDS, build, make_settings

runner = CliRunner()
EAST = "003_a583efe6823e7960.txt"  # 中山东区, 18 passages: the smallest seed
NANLANG = "004_c01f39cf84c2ed32.txt"


@pytest.fixture
def small(tmp_path, cache_dir, model_dir):
    """Settings over a corpus folder holding one seed."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / EAST, corpus)
    return make_settings(tmp_path, cache_dir, corpus)


def _passage_count(settings) -> int:
    index = open_index(settings.index_dir)
    try:
        return index.manifest.passages
    finally:
        index.close()


def test_updates_are_incremental_and_reported(small):
    first = build(small)
    assert first.added == [EAST] and first.embedded == first.passages

    shutil.copy(SEEDS / NANLANG, small.corpus_dir)
    second = build(small)
    assert (second.added, second.unchanged) == ([NANLANG], [EAST])
    assert second.reused == first.passages and second.embedded == second.passages - first.passages

    east = small.corpus_dir / EAST
    east.write_text(
        east.read_text(encoding="utf-8") + "\n新增一段:东区将新建三座公园,改善居民休闲环境。\n", encoding="utf-8"
    )
    (small.corpus_dir / NANLANG).unlink()
    third = build(small)
    assert (third.replaced, third.removed, third.added) == ([EAST], [NANLANG], [])
    assert third.embedded == 1  # only the new paragraph
    assert current_generation(small.index_dir) is not None
    assert list(small.index_dir.glob("gen-*")) == [current_generation(small.index_dir)]


def test_dry_run_reports_and_writes_nothing(small):
    build(small)
    live = current_generation(small.index_dir)
    shutil.copy(SEEDS / NANLANG, small.corpus_dir)
    report = build_index(
        small.corpus_dir,
        small.index_dir,
        lambda: pytest.fail("a dry run loads no model"),
        model_id=open_index(small.index_dir).manifest.model_id,
        dim=384,
        dry_run=True,
    )
    assert report.dry_run and report.added == [NANLANG] and report.embedded > 0
    assert current_generation(small.index_dir) == live


def test_rebuild_re_embeds_everything(small):
    build(small)
    report = build_index(
        small.corpus_dir,
        small.index_dir,
        lambda: Encoder(small.resolved_model_dir),
        model_id=open_index(small.index_dir).manifest.model_id,
        dim=384,
        rebuild=True,
    )
    assert report.embedded == report.passages and report.unchanged == [EAST]


def test_another_model_is_never_mixed_in(small):
    build(small)
    with pytest.raises(IndexMismatch, match="qa index --rebuild"):
        build_index(small.corpus_dir, small.index_dir, lambda: None, model_id="some/other-model", dim=384)
    with pytest.raises(IndexMismatch):
        build_index(
            small.corpus_dir,
            small.index_dir,
            lambda: None,
            model_id=open_index(small.index_dir).manifest.model_id,
            dim=768,
        )


def test_another_chunking_is_rebuilt_reusing_the_vectors_of_unchanged_text(small):
    build(small)
    db = current_generation(small.index_dir) / "index.sqlite"
    with sqlite3.connect(db) as connection:  # as an index of an older qa left it
        connection.execute("UPDATE manifest SET value = '\"0\"' WHERE key = 'chunking_version'")
    assert open_index(small.index_dir).manifest.chunking_version == "0"
    report = build(small)
    assert report.embedded == 0 and report.reused == report.passages > 0
    assert open_index(small.index_dir).manifest.chunking_version == CHUNKING_VERSION


def test_an_index_without_document_years_answers_alike_until_rebuilt(settings, tmp_path):
    """Which reports speak of which years is read from document_years; an index from
    before it (CHUNKING_VERSION 4) has none and is read from its passages, the same."""
    old = tmp_path / "old-index"
    shutil.copytree(current_generation(settings.index_dir), old / "gen-old")
    (old / "current").symlink_to("gen-old")
    with sqlite3.connect(old / "gen-old" / "index.sqlite") as connection:
        connection.execute("DROP TABLE document_years")
    new_index, old_index = open_index(settings.index_dir), open_index(old)
    asked = [(y, y, tense) for y in range(2015, 2027) for tense in (None, "plan", "review")] + [(2016, 2020, None)]
    answers = [new_index.doc_ids_about(*a) for a in asked]
    assert answers == [old_index.doc_ids_about(*a) for a in asked]
    assert sum(map(len, answers)) >= 10  # the seeds speak of several of these years
    question = "斗门区2019年的5G基站建设目标是多少？"
    searchers = [Searcher(index, settings) for index in (new_index, old_index)]
    assert len({searcher.search(question).gap for searcher in searchers}) == 1


def test_failed_build_keeps_the_previous_index(small):
    build(small)
    (small.corpus_dir / EAST).unlink()  # the corpus is now empty
    with pytest.raises(Exception, match="no readable report"):
        build(small)
    result = Searcher.open(small, load_model=False).search("东区2020年要打通哪两条市级瓶颈路？")
    assert "悦宾路" in result.hits[0].passage.text


def test_truncated_database_is_one_line_error(small):
    build(small)
    db = current_generation(small.index_dir) / "index.sqlite"
    db.write_bytes(db.read_bytes()[:2048])
    with pytest.raises(IndexCorrupt):
        open_index(small.index_dir)
    result = runner.invoke(
        app, ["ask", "东区", "--index-dir", str(small.index_dir), "--cache-dir", str(small.cache_dir)]
    )
    assert result.exit_code == 1
    assert "qa index --rebuild" in result.stderr and result.stderr.strip().count("\n") == 0


def test_cli_refuses_a_second_build(small):
    small.index_dir.mkdir()
    with build_lock(small.index_dir):
        result = runner.invoke(
            app,
            ["index", str(small.corpus_dir), "--index-dir", str(small.index_dir), "--cache-dir", str(small.cache_dir)],
        )
    assert result.exit_code == 1 and "another `qa index`" in result.stderr


def test_cli_add_and_remove(small, tmp_path):
    options = [
        "--corpus",
        str(small.corpus_dir),
        "--index-dir",
        str(small.index_dir),
        "--cache-dir",
        str(small.cache_dir),
    ]
    build(small)
    result = runner.invoke(app, ["add", str(SEEDS / NANLANG), *options])
    assert result.exit_code == 0, result.output
    assert (small.corpus_dir / NANLANG).is_file() and "added" in result.stdout
    assert {d.source for d in Searcher.open(small, load_model=False).documents()} == {EAST, NANLANG}

    result = runner.invoke(app, ["remove", NANLANG, *options])
    assert result.exit_code == 0, result.output
    assert not (small.corpus_dir / NANLANG).exists()
    assert list((small.index_dir / "removed").iterdir())  # the file is kept, not deleted
    assert {d.source for d in Searcher.open(small, load_model=False).documents()} == {EAST}

    odd = tmp_path / "notes.xyz"
    odd.write_text("x")
    result = runner.invoke(app, ["add", str(odd), *options])
    assert result.exit_code == 1 and "notes.xyz" in result.stderr
    result = runner.invoke(app, ["remove", "nothing-like-this", *options])
    assert result.exit_code == 1 and "no indexed document" in result.stderr


def _sources(settings) -> set[str]:
    return {d.source for d in Searcher.open(settings, load_model=False).documents()}


def test_an_index_keeps_to_its_own_corpus_folder(small):
    """With no corpus argument, `qa index` and `qa info` use the folder the index was built
    from, even with QA_CORPUS_DIR naming another (it names only a new index's folder)."""
    options = ["--index-dir", str(small.index_dir), "--cache-dir", str(small.cache_dir)]
    env = {"QA_CORPUS_DIR": str(SEEDS)}
    build(small)
    result = runner.invoke(app, ["index", "--dry-run", *options], env=env)
    assert result.exit_code == 0, result.output
    assert "removed" not in result.stdout and "unchanged: 1 files" in result.stdout
    result = runner.invoke(app, ["index", *options], env=env)
    assert result.exit_code == 0, result.output
    assert _sources(small) == {EAST}
    info = json.loads(runner.invoke(app, ["info", "--json", *options], env=env).stdout)
    assert info["problems"] == [] and info["corpus_dir"] == str(small.corpus_dir.resolve())


def test_switching_to_another_corpus_folder_needs_yes(small, tmp_path):
    options = ["--index-dir", str(small.index_dir), "--cache-dir", str(small.cache_dir)]
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(SEEDS / NANLANG, other)
    build(small)

    result = runner.invoke(app, ["index", str(other), *options])
    assert result.exit_code == 1
    assert f"removed {EAST}" in result.stdout  # what the switch would remove
    assert "--yes" in result.stderr and result.stderr.strip().count("\n") == 0
    assert _sources(small) == {EAST}
    result = runner.invoke(app, ["add", str(SEEDS / NANLANG), "--corpus", str(other), *options])
    assert result.exit_code == 1 and "--yes" in result.stderr
    assert _sources(small) == {EAST}

    result = runner.invoke(app, ["index", str(other), "--yes", *options])
    assert result.exit_code == 0, result.output
    assert _sources(small) == {NANLANG}
    info = json.loads(runner.invoke(app, ["info", "--json", *options]).stdout)
    assert info["problems"] == [] and info["corpus_dir"] == str(other.resolve())


def test_killed_builds_leave_old_or_new_index(small):
    """SIGKILL `qa index` at random moments: the index is always whole, and the next build completes."""
    build(small)
    old = _passage_count(small)
    shutil.copy(SEEDS / NANLANG, small.corpus_dir)
    env = {**os.environ, "QA_CACHE_DIR": str(small.cache_dir)}
    command = [sys.executable, "-m", "qa", "index", str(small.corpus_dir), "--index-dir", str(small.index_dir)]
    rng = random.Random(7)
    for _ in range(4):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 12.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert _passage_count(small) in (old, old + 43)
        Searcher.open(small, load_model=False).search("东区")  # whole and searchable
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert _passage_count(small) == old + 43
    assert list(small.index_dir.glob("gen-*")) == [current_generation(small.index_dir)]


def _contents(settings) -> dict:
    """What an index holds: rows, vectors (from FAISS), BM25 arrays, manifest figures."""
    index = open_index(settings.index_dir)
    try:
        lexical = {f.name: np.load(f) for f in (index.path / "lexical").glob("*.npy")}
        return {
            "passages": index.passages(),
            "vectors": vectors_for(index._vectors, np.arange(index.manifest.passages)),
            "lexical": lexical,
            "manifest": (index.manifest.passages, index.manifest.documents, index.manifest.devices),
            "files": sorted(p.name for p in index.path.iterdir()),
        }
    finally:
        index.close()


def test_a_build_streams_in_batches_to_the_same_index(small, monkeypatch):
    """Passages go to disk BUILD_BATCH at a time (so a million-passage build holds a batch,
    not the corpus); the batch size changes nothing in the index, nor in what an update reuses.
    fp32 vectors: int8 ones move a little with their batch-mates."""
    shutil.copy(SEEDS / NANLANG, small.corpus_dir)

    def run():
        manifest_model = Encoder(small.resolved_model_dir).model_id
        return build_index(
            small.corpus_dir,
            small.index_dir,
            lambda: Encoder(small.resolved_model_dir, backend=ONNX_FP32),
            model_id=manifest_model,
            dim=384,
        )

    whole = run()
    expected = _contents(small)
    shutil.rmtree(small.index_dir)
    monkeypatch.setattr(build_module, "BUILD_BATCH", 7)
    streamed = run()
    got = _contents(small)
    assert streamed.passages == whole.passages == 61 and streamed.embedded == 61
    assert got["passages"] == expected["passages"] and got["manifest"] == expected["manifest"] == (61, 2, ("cpu",))
    np.testing.assert_allclose(got["vectors"], expected["vectors"], atol=1e-5)
    assert got["lexical"].keys() == expected["lexical"].keys()
    assert all(np.array_equal(got["lexical"][name], array) for name, array in expected["lexical"].items())
    assert got["files"] == ["index.sqlite", "lexical", "vectors.faiss"]  # the words file is gone

    east = small.corpus_dir / EAST
    east.write_text(
        east.read_text(encoding="utf-8") + "\n新增一段:东区将新建三座公园,改善居民休闲环境。\n", encoding="utf-8"
    )
    update = run()
    assert (update.embedded, update.reused) == (1, 61)


def test_index_device_options(small):
    options = [str(small.corpus_dir), "--index-dir", str(small.index_dir), "--cache-dir", str(small.cache_dir)]
    result = runner.invoke(app, ["index", *options, "--device", "cpu", "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["embedded"] == 18
    assert open_index(small.index_dir).manifest.devices == ("cpu",)
    result = runner.invoke(app, ["index", *options, "--device", "tpu"])
    assert result.exit_code == 1 and "auto, cpu, cuda" in result.stderr
    import torch

    if not torch.cuda.is_available():
        result = runner.invoke(app, ["index", *options, "--rebuild", "--device", "cuda"])
        assert result.exit_code == 1 and "no CUDA GPU" in result.stderr
        assert open_index(small.index_dir).manifest.passages == 18  # the index is as it was
        assert list(small.index_dir.glob("gen-*")) == [current_generation(small.index_dir)]


def test_python_m_qa_does_not_run_again_in_word_processes():
    """A build's word processes are spawned, and each runs the parent's main module as
    __mp_main__: under `python -m qa index` that is qa/__main__.py, which must not start
    the command again there (it did, and the pool broke on the first large corpus)."""
    spawned = "import runpy; runpy.run_module('qa.__main__', run_name='__mp_main__', alter_sys=True); print('ok')"
    result = subprocess.run([sys.executable, "-c", spawned], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout.strip()) == (0, "ok"), result.stderr


def test_word_processes_load_jieba_not_the_index_libraries():
    """A word process imports qa.words for its cut: not FAISS, torch, nor bm25s, whose import
    starts JAX where JAX is installed (on a GPU machine, 75% of the GPU's memory per process)."""
    probe = "import sys, qa.words; print(sorted(m for m in ('bm25s', 'faiss', 'jax', 'torch') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stderr
