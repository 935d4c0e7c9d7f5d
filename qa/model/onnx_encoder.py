"""The lean runtime: an exported ONNX model run with onnxruntime + `tokenizers` + numpy.

Nothing here imports torch, transformers or sentence-transformers, so a
question can be embedded within about a second of a cold start. It does what
the sentence-transformers pipeline of the converted folder does: prompt +
text → Unigram tokenizer (tokenizer.json, truncated to the model's window) →
BertModel (ONNX) → mean pooling over the attention mask → L2 normalisation.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from qa.config import usable_cores
from qa.model.pieces import PIECES_FILE, PieceTokenizer, write_piece_table

# Rows times padded length per onnxruntime call: passages are cut into
# sub-batches of about this many tokens (small batches of similar length pad
# least and stay in cache; scripts/bench_model.py --budgets measures it).
TOKENS_PER_RUN = 1024
DEFAULT_THREADS = 2


class OnnxSession:
    """One ONNX file: (input_ids, attention_mask) → last_hidden_state."""

    def __init__(self, path: Path, threads: int | None = None, *, spinning: bool = True) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = usable_cores(threads, DEFAULT_THREADS)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3  # errors only
        if not spinning:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    def hidden_states(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feed = {"input_ids": input_ids, "attention_mask": attention_mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        return self._session.run(None, feed)[0]


class OnnxEmbedder:
    """Embeds texts with the ONNX files of a converted model folder.

    `query_file` and `passage_file` are paths inside the folder; each side has
    its own session, tuned for its use (one question at a time, or passages in
    bulk), created on first use (or up front with `load`), so `qa ask` never
    loads the passage side. `passage_threads` is how many cores embed passages
    (`qa index --workers`; None: up to DEFAULT_THREADS).
    """

    def __init__(
        self,
        model_dir: Path,
        query_file: str,
        passage_file: str,
        threads: int | None = None,
        passage_threads: int | None = None,
    ) -> None:
        self.model_dir = model_dir
        self.files = {"query": query_file, "passage": passage_file}
        self._threads = {"query": threads, "passage": passage_threads or threads}
        self._sessions: dict[str, OnnxSession] = {}
        self._lock = threading.Lock()

        settings = _read_json(model_dir / "config_sentence_transformers.json")
        self.prompts: dict[str, str] = settings.get("prompts") or {}
        config = _read_json(model_dir / "config.json")
        self.dim = int(config["hidden_size"])
        limits = [
            _read_json(model_dir / "sentence_bert_config.json").get("max_seq_length"),
            _read_json(model_dir / "tokenizer_config.json").get("model_max_length"),
            config.get("max_position_embeddings"),
        ]
        self.max_tokens = int(min(n for n in limits if isinstance(n, int)))
        self.pad_id = int(config.get("pad_token_id") or 0)
        # No truncation or padding set on the tokenizer: token_ids are the full
        # sequence, and `_truncate` cuts exactly as transformers does.
        self._tokenizer_file = model_dir / "tokenizer.json"
        self._tokenizer = None
        self._tokenizer_lock = threading.Lock()
        # Questions are tokenized from the piece table (pieces.py: the same ids without
        # reading the whole tokenizer, 0.6 s); when it is missing or stale, the whole
        # tokenizer is read now and the table written for the next start.
        self._pieces = PieceTokenizer.load(self._tokenizer_file, model_dir / PIECES_FILE)
        if self._pieces is None:
            _ = self.tokenizer
            write_piece_table(self._tokenizer_file, model_dir / PIECES_FILE)

    @property
    def tokenizer(self):
        """The whole tokenizer (tokenizers.Tokenizer), read on first use."""
        with self._tokenizer_lock:
            if self._tokenizer is None:
                from tokenizers import Tokenizer

                self._tokenizer = Tokenizer.from_file(str(self._tokenizer_file))
            return self._tokenizer

    def _token_ids(self, texts: list[str], side: str) -> list[list[int]]:
        pieces = self._pieces
        if side == "query" and self._tokenizer is None and pieces and all(pieces.handles(t) for t in texts):
            return [pieces.ids(t) for t in texts]
        return [e.ids for e in self.tokenizer.encode_batch(texts)]

    def load(self, side: str) -> OnnxSession:
        with self._lock:
            if side not in self._sessions:
                # Threads that spin waiting for the next run speed up bulk passage
                # encoding (60 vs 53 passages/s), but after a question's single run
                # they steal the CPU from BM25 and FAISS (a search at 100k passages
                # took 23 ms with spinning, 12 ms without).
                self._sessions[side] = OnnxSession(
                    self.model_dir / self.files[side], self._threads[side], spinning=side == "passage"
                )
            return self._sessions[side]

    def token_ids(self, text: str, side: str) -> list[int]:
        return self._token_ids([self.prompts.get(side, "") + text], side)[0]

    def embed(self, texts: Sequence[str], side: str) -> np.ndarray:
        """Unit vectors for `texts` in order, with the side's prompt (query/passage)."""
        out = np.zeros((len(texts), self.dim), np.float32)
        if not len(texts):
            return out
        session = self._sessions.get(side) or self.load(side)
        prompt = self.prompts.get(side, "")
        ids = [self._truncate(i) for i in self._token_ids([prompt + t for t in texts], side)]
        # Similar lengths together, then runs of about TOKENS_PER_RUN tokens.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        start = 0
        while start < len(order):
            end = start + 1  # rows are sorted, so the last one is the longest
            while end < len(order) and (end - start + 1) * len(ids[order[end]]) <= TOKENS_PER_RUN:
                end += 1
            rows = order[start:end]
            out[rows] = self._embed_rows(session, [ids[i] for i in rows])
            start = end
        return out

    def _truncate(self, ids: list[int]) -> list[int]:
        # As transformers truncates "<s> A </s>": the text's tokens are cut, the closing token kept.
        if len(ids) <= self.max_tokens:
            return ids
        return ids[: self.max_tokens - 1] + ids[-1:]

    def _embed_rows(self, session: OnnxSession, rows: list[list[int]]) -> np.ndarray:
        width = max(len(r) for r in rows)
        input_ids = np.full((len(rows), width), self.pad_id, np.int64)
        mask = np.zeros((len(rows), width), np.int64)
        for i, r in enumerate(rows):
            input_ids[i, : len(r)] = r
            mask[i, : len(r)] = 1
        hidden = session.hidden_states(input_ids, mask)
        return mean_pool_normalise(hidden, mask)


def mean_pool_normalise(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask.astype(np.float32)[:, :, None]
    summed = np.einsum("bsh,bsk->bh", hidden, weights)
    vectors = summed / np.maximum(weights.sum(axis=1), 1e-9)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
