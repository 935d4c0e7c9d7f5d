"""Encoder: the one door to the embedding model.

Two backends stand behind it, chosen per model folder:
- ONNX (onnx_encoder.py: onnxruntime + `tokenizers` + numpy, no torch), when
  the folder has the files `qa model prepare` exports (see convert.py):
  passages through the int8 file, questions through QUERY_BACKEND's file;
- sentence-transformers (torch) for any other folder whose prompts include
  `query` and `passage` (or none, for models without prompts), e.g. `--model-dir`.
QA_ENCODER_BACKEND=sentence-transformers|onnx-fp32|onnx-int8 forces one (to
compare them); unset or `auto` is the choice above. Heavy libraries are
imported only by the backend that needs them. The model never touches the network.

The device (`qa index --device`, QA_DEVICE) is where passages are embedded: on a
CUDA GPU they go through sentence-transformers in fp16, in large batches of
similar length (the int8 ONNX file is a CPU format); questions stay on their CPU
path whatever the device, since one question is milliseconds there and a GPU
would only add its start-up. On the CPU, `workers` is the number of cores
onnxruntime's threads embed passages with.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from qa.config import DEVICES, ENV_ENCODER_BACKEND
from qa.errors import QAError
from qa.model.convert import read_manifest
from qa.model.onnx_export import FP32_FILE, INT8_FILE

SENTENCE_TRANSFORMERS = "sentence-transformers"
ONNX_FP32 = "onnx-fp32"
ONNX_INT8 = "onnx-int8"
BACKENDS = ("auto", SENTENCE_TRANSFORMERS, ONNX_FP32, ONNX_INT8)
# int8 for questions too: 2.1 vs 5.2 ms a question and a cold start of 1.1 vs
# 1.7 s, for a cosine ≥ 0.998 to float32 and the same dev-set Hit@1/MRR.
QUERY_BACKEND = ONNX_INT8
PASSAGE_BACKEND = ONNX_INT8
_FILES = {ONNX_FP32: FP32_FILE, ONNX_INT8: INT8_FILE}
CPU_BATCH = 32  # passages per encode call on the CPU (the ONNX path cuts its own runs inside it)
# Passages per forward pass on a GPU: the model's arithmetic on an H200 ran at
# 16,000 passages/s in fp16 at batch 256 (fp32: 4,500), see the README.
GPU_BATCH = 256


def _gpu_driver() -> bool:
    """Whether a GPU driver could be there: without one torch sees no GPU, and importing
    torch only to ask costs `qa index` seconds and ~300 MB (Linux; elsewhere torch is asked)."""
    if sys.platform != "linux":
        return True
    return any(Path(path).exists() for path in ("/proc/driver/nvidia/version", "/dev/nvidia0", "/dev/kfd"))


def resolve_device(device: str) -> str:
    """ "cpu" or "cuda" for a device setting; `auto` is CUDA when torch sees a GPU."""
    if device not in DEVICES:
        raise QAError(f"device {device!r}: expected one of {', '.join(DEVICES)}")
    if device == "cpu" or (device == "auto" and not _gpu_driver()):
        return "cpu"
    _offline()
    try:
        import torch

        gpu = torch.cuda.is_available()
    except ImportError:
        gpu = False
    if device == "cuda" and not gpu:
        raise QAError("--device cuda: torch sees no CUDA GPU here; use --device cpu (or auto)")
    return "cuda" if gpu else "cpu"


class ModelNotReady(QAError):
    """No usable sentence-transformers model in the configured folder."""


def _offline() -> None:
    # Set before sentence-transformers / huggingface_hub are imported, which read them once.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def choose_backends(model_dir: Path, backend: str | None = None) -> dict[str, str]:
    """{"query": backend, "passage": backend} for the folder, from the ONNX files it has."""
    backend = backend or os.environ.get(ENV_ENCODER_BACKEND) or "auto"
    if backend not in BACKENDS:
        raise QAError(f"{ENV_ENCODER_BACKEND}={backend!r}: expected one of {', '.join(BACKENDS)}")
    present = {name for name, file in _FILES.items() if (model_dir / file).is_file()}
    if backend == "auto":

        def pick(preferred: str) -> str:
            if preferred in present:
                return preferred
            return ONNX_FP32 if ONNX_FP32 in present else SENTENCE_TRANSFORMERS

        return {"query": pick(QUERY_BACKEND), "passage": pick(PASSAGE_BACKEND)}
    if backend != SENTENCE_TRANSFORMERS and backend not in present:
        raise ModelNotReady(f"no {_FILES[backend]} in {model_dir}; run `qa model prepare`")
    return {"query": backend, "passage": backend}


class Encoder:
    def __init__(
        self,
        model_dir: Path,
        backend: str | None = None,
        *,
        device: str = "cpu",
        workers: int | None = None,
        half: bool | None = None,
    ) -> None:
        """`device` (cpu | cuda | auto) embeds passages; `workers` CPU cores embed them
        on the CPU (None: up to 2); `half` runs the torch path in fp16 (None: on CUDA
        only, where it is 3.6× faster; tests set it on the CPU to run the GPU's code)."""
        if not (model_dir / "modules.json").is_file():
            raise ModelNotReady(f"no sentence-transformers model in {model_dir}; run `qa model prepare`")
        self.model_dir = model_dir
        self.device = resolve_device(device)
        self.backends = choose_backends(model_dir, backend)
        if self.device == "cuda":
            self.backends["passage"] = SENTENCE_TRANSFORMERS
        self._half = self.device == "cuda" if half is None else half
        self.passage_batch = GPU_BATCH if self.device == "cuda" else CPU_BATCH
        self._st = None
        self._st_lock = threading.Lock()
        self._onnx = None
        sides = [side for side, name in self.backends.items() if name != SENTENCE_TRANSFORMERS]
        if sides:
            from qa.model.onnx_encoder import OnnxEmbedder

            files = {side: _FILES.get(name, FP32_FILE) for side, name in self.backends.items()}
            self._onnx = OnnxEmbedder(model_dir, files["query"], files["passage"], passage_threads=workers)
            # Questions come first in every interactive use: load their session now
            # (callers load the Encoder in a worker thread); passages on first use.
            if "query" in sides:
                self._onnx.load("query")
        if len(sides) < 2:
            self._sentence_transformer()
        manifest = read_manifest(model_dir)
        self.model_id = manifest.model_id if manifest else model_dir.name
        if self._onnx is not None:
            self.dim = self._onnx.dim
        else:
            self.dim = int(self._sentence_transformer().get_embedding_dimension())

    def _sentence_transformer(self):
        with self._st_lock:
            if self._st is None:
                _offline()
                # A GPU waits on the CPU's tokenizing: tokenizers' own threads cut each batch
                # there (an H200's passages/s: 1,069–2,119 → 3,082–3,795, see the README). On
                # the CPU its cores embed, and a process forked after those threads ran would warn.
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "true" if self.device == "cuda" else "false")
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.set_verbosity_error()
                transformers_logging.disable_progress_bar()
                model = SentenceTransformer(str(self.model_dir), device=self.device, local_files_only=True)
                self._st = model.half() if self._half else model
            return self._st

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query", batch_size=32)

    def encode_passages(
        self,
        texts: Sequence[str],
        batch_size: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Unit vectors, one row per text; `progress(n)` after each batch of n texts
        (default: the device's batch size).

        Texts are batched by length so that a batch pads to its own longest
        text, not to the corpus's; rows come back in the input order.
        """
        batch_size = batch_size or self.passage_batch
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), self.dim), np.float32)
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._encode([texts[i] for i in rows], "passage", batch_size)
            if progress:
                progress(len(rows))
        return out

    def _encode(self, texts: Sequence[str], side: str, batch_size: int) -> np.ndarray:
        if self.backends[side] != SENTENCE_TRANSFORMERS and self._onnx is not None:
            return self._onnx.embed(list(texts), side)
        model = self._sentence_transformer()
        vectors = model.encode(
            list(texts),
            prompt_name=side if side in model.prompts else None,
            batch_size=batch_size,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        # Normalised here, in float32: in fp16 the unit vector itself would lose digits.
        vectors = np.asarray(vectors, dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def token_ids(self, text: str, is_query: bool) -> list[int]:
        side = "query" if is_query else "passage"
        if self._onnx is not None:
            return self._onnx.token_ids(text, side)
        model = self._sentence_transformer()
        return model.tokenizer(model.prompts.get(side, "") + text)["input_ids"]

    def token_count(self, text: str, is_query: bool) -> int:
        return len(self.token_ids(text, is_query))
