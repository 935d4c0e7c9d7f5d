"""A question's token ids without building the whole tokenizer: the same ids, sooner.

Reading tokenizer.json builds a Unigram model of 250,002 pieces (a trie and a map):
0.6 s, holding the GIL, the largest single step of a cold `qa ask`. But a Unigram
segmentation of a text only ever uses pieces that occur in the text, and otherwise
depends only on the lowest score in the vocabulary (an unknown character costs that
minus 10). So a question is tokenized by a model of just the pieces occurring in it
(plus one lowest-scored piece), with tokenizer.json's normaliser, pre-tokeniser and
special tokens, and the small model's positions are mapped back to the vocabulary's
ids. The pieces' ids and scores are kept beside tokenizer.json (PIECES_FILE, read in
~0.1 s), written the first time the whole tokenizer is read. Texts holding a special
token's text, and tokenizers of another shape, go to the whole tokenizer. Tests check
the ids against the whole tokenizer on every seed paragraph, the dev questions, edge
cases and generated text (tests/test_encoder_onnx.py).
"""

from __future__ import annotations

import json
import marshal
import os
import threading
from array import array
from bisect import bisect_left
from pathlib import Path

PIECES_FILE = "onnx/tokenizer_pieces.marshal"
_FORMAT = 1
_METASPACE = "▁"
_HEAD_LIMIT = 1000  # special tokens must sit among the first ids


def _source_stamp(tokenizer_file: Path) -> list[int]:
    stat = tokenizer_file.stat()
    return [stat.st_size, stat.st_mtime_ns]


def write_piece_table(tokenizer_file: Path, dest: Path) -> bool:
    """Write the piece table of tokenizer.json to dest (atomically); False when the
    tokenizer is not of the shape PieceTokenizer handles, or dest cannot be written."""
    try:
        stamp = _source_stamp(tokenizer_file)
        config = json.loads(tokenizer_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    model = config.get("model") or {}
    pre = config.get("pre_tokenizer") or {}
    metaspaces = [p for p in ([pre] + pre.get("pretokenizers", [])) if p.get("type") == "Metaspace"]
    added = [int(t["id"]) for t in config.get("added_tokens", [])]
    unk_id = model.get("unk_id")
    if (
        model.get("type") != "Unigram"
        or model.get("byte_fallback")
        or unk_id is None
        or len(metaspaces) != 1
        or metaspaces[0].get("replacement") != _METASPACE
        or metaspaces[0].get("prepend_scheme") != "always"
    ):
        return False
    head = 1 + max([int(unk_id), *added])
    vocab = model["vocab"]
    if head > _HEAD_LIMIT or head > len(vocab):
        return False
    lowest = min(range(len(vocab)), key=lambda i: vocab[i][1])
    skeleton = {**config, "model": {**model, "vocab": vocab[:head]}}
    by_name = sorted(range(len(vocab)), key=lambda i: vocab[i][0])
    table = {
        "format": _FORMAT,
        "source": stamp,
        "skeleton": json.dumps(skeleton, ensure_ascii=False),
        "unk_id": int(unk_id),
        "always": {i: (vocab[i][0], float(vocab[i][1])) for i in [*range(head), lowest]},
        "specials": [t["content"] for t in config.get("added_tokens", [])],
        # Sorted pieces (searched by bisection: a list reads 4× faster than a dict), their ids and scores.
        "names": [vocab[i][0] for i in by_name],
        "ids": array("q", by_name).tobytes(),
        "scores": array("d", [float(vocab[i][1]) for i in by_name]).tobytes(),
    }
    temporary = dest.with_name(f".{dest.name}.{os.getpid()}")
    try:
        temporary.write_bytes(marshal.dumps(table))
        os.replace(temporary, dest)
    except OSError:
        temporary.unlink(missing_ok=True)
        return False
    return True


class PieceTokenizer:
    """Token ids of tokenizer.json for short texts, from its piece table."""

    def __init__(self, table: dict) -> None:
        from tokenizers import Tokenizer

        self._base = Tokenizer.from_str(table["skeleton"])
        self._unk_id = table["unk_id"]
        self._specials = [s for s in table["specials"] if s]
        self._names: list[str] = table["names"]
        self._ids = array("q", table["ids"])
        self._scores = array("d", table["scores"])
        # The first `head` ids (special tokens, <unk>) and a lowest-scored piece are always in the model.
        self._always = {i: (piece, score) for i, (piece, score) in table["always"].items()}
        self._lock = threading.Lock()  # the base tokenizer's model is swapped per text

    @classmethod
    def load(cls, tokenizer_file: Path, table_file: Path) -> PieceTokenizer | None:
        """The table's tokenizer, or None when the table is missing, unreadable or stale."""
        try:
            table = marshal.loads(table_file.read_bytes())
            if table.get("format") == _FORMAT and table.get("source") == _source_stamp(tokenizer_file):
                return cls(table)
        except (OSError, ValueError, EOFError, TypeError, AttributeError, KeyError):
            pass
        return None

    def handles(self, text: str) -> bool:
        """False for a text holding a special token's text (<s>, </s>…): the whole tokenizer takes those."""
        return not any(special in text for special in self._specials)

    def ids(self, text: str) -> list[int]:
        from tokenizers import models

        normaliser = self._base.normalizer
        normalized = normaliser.normalize_str(text) if normaliser is not None else text
        spaced = _METASPACE + normalized.replace(" ", _METASPACE)
        # Every piece that can occur in a pre-tokenized part of the text: the
        # normalised text's substrings, as Metaspace writes them, with or without ▁.
        found = dict(self._always)
        names, count = self._names, len(self._names)
        for start in range(len(spaced)):
            prefixes = ["", _METASPACE]  # each dropped once no piece begins with it + the text
            end = start
            while prefixes and end < len(spaced):
                end += 1
                for prefix in list(prefixes):
                    candidate = prefix + spaced[start:end]
                    at = bisect_left(names, candidate)
                    if at == count or not names[at].startswith(candidate):
                        prefixes.remove(prefix)
                    elif names[at] == candidate:
                        found[self._ids[at]] = (candidate, self._scores[at])
        order = sorted(found)  # the vocabulary's own order, its first `head` ids in place
        model = models.Unigram([found[i] for i in order], unk_id=self._unk_id, byte_fallback=False)
        with self._lock:
            self._base.model = model
            positions = self._base.encode(text).ids
        return [order[p] for p in positions]  # the first `head` ids map to themselves: special tokens keep theirs
