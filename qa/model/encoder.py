"""Encoder: the one door to the embedding model.

Any sentence-transformers folder whose prompts include `query` and `passage`
(or none, for models without prompts) can stand behind it. The model never
touches the network.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from qa.errors import QAError

from qa.model.convert import read_manifest


class ModelNotReady(QAError):
    """No usable sentence-transformers model in the configured folder."""


def _offline() -> None:
    # Set before sentence-transformers / huggingface_hub are imported, which read them once.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


class Encoder:
    def __init__(self, model_dir: Path) -> None:
        if not (model_dir / "modules.json").is_file():
            raise ModelNotReady(f"no sentence-transformers model in {model_dir}; run `qa model prepare`")
        _offline()
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()

        self.model_dir = model_dir
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        manifest = read_manifest(model_dir)
        self.model_id = manifest.model_id if manifest else model_dir.name
        self.dim = int(self._model.get_embedding_dimension())

    def _prompt(self, name: str) -> str | None:
        return name if name in self._model.prompts else None

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query", batch_size=32)

    def encode_passages(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Unit vectors, one row per text; `progress(n)` after each batch of n texts.

        Texts are batched by length so that a batch pads to its own longest
        text, not to the corpus's; rows come back in the input order.
        """
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), self.dim), np.float32)
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._encode([texts[i] for i in rows], "passage", batch_size)
            if progress:
                progress(len(rows))
        return out

    def _encode(self, texts: Sequence[str], prompt: str, batch_size: int) -> np.ndarray:
        vectors = self._model.encode(
            list(texts),
            prompt_name=self._prompt(prompt),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def token_ids(self, text: str, is_query: bool) -> list[int]:
        prompt = self._model.prompts.get("query" if is_query else "passage", "")
        return self._model.tokenizer(prompt + text)["input_ids"]

    def token_count(self, text: str, is_query: bool) -> int:
        return len(self.token_ids(text, is_query))
