"""Exports a converted model folder to ONNX for the lean runtime (onnx_encoder.py).

Run by `prepare_model` after the sentence-transformers folder is written; needs
torch, transformers, onnx and onnxruntime's tools, none of which the runtime needs.

1. `torch.onnx.export` of the BertModel with eager attention (the pattern
   onnxruntime's fusers recognise): (input_ids, attention_mask) → last_hidden_state,
   batch and sequence axes dynamic.
2. onnxruntime's transformer optimizer fuses it (EmbedLayerNormalization,
   Attention, SkipLayerNormalization, BiasGelu) → `onnx/model.onnx`, float32,
   the same vectors as sentence-transformers.
3. Dynamic int8 quantisation, per output channel, → `onnx/model_qint8.onnx`.
   Activations are quantised per tensor at run time, which fails where a few
   activations are outliers: a matrix product whose input has max|x| more than
   OUTLIER_RATIO times its 99.9th percentile on the calibration sample stays
   float32 (in e5-small, the FFN output of layers 4 and 5: min cosine to fp32
   0.991 → 0.997 for ~5% of the speed).
4. The int8 file is kept only if its vectors are within INT8_MIN_COSINE of the
   fp32 file's on the calibration sample; otherwise the fp32 file serves both sides.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ONNX_DIR = "onnx"
FP32_FILE = f"{ONNX_DIR}/model.onnx"
INT8_FILE = f"{ONNX_DIR}/model_qint8.onnx"
OPSET = 17
OUTLIER_RATIO = 20.0
INT8_MIN_COSINE = 0.99

Progress = Callable[[str], None]


@dataclass(frozen=True)
class OnnxExport:
    fp32: str
    int8: str | None  # None: int8 was below INT8_MIN_COSINE and was not kept
    int8_min_cosine: float  # int8 vs fp32 on the calibration sample
    int8_float_matmuls: int  # matrix products kept float32 for outlier activations
    fused_attention: int  # Attention nodes after fusion (one per layer when fusion worked)


def calibration_texts() -> list[str]:
    from qa.model.parity import SAMPLE_PASSAGES, SAMPLE_QUERIES

    passages = [f"passage: {p}" for p in SAMPLE_PASSAGES]
    return passages + [f"query: {q}" for q in SAMPLE_QUERIES] + ["passage: " + "".join(SAMPLE_PASSAGES) * 3]


@contextlib.contextmanager
def _quiet():
    """The exporters' tracer warnings and the quantiser's advice, which we act on ourselves."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.setLevel(level)


def _export_fp32(model_dir: Path, raw: Path) -> tuple[int, int]:
    import torch
    from transformers import BertModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    bert = BertModel.from_pretrained(
        str(model_dir), add_pooling_layer=False, attn_implementation="eager", local_files_only=True
    ).eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    input_ids = torch.full((2, 16), 5, dtype=torch.long)
    attention_mask = torch.ones((2, 16), dtype=torch.long)
    attention_mask[1, 10:] = 0
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad():
        torch.onnx.export(
            LastHiddenState(bert),
            (input_ids, attention_mask),
            str(raw),
            dynamo=False,
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=OPSET,
            do_constant_folding=True,
        )
    return bert.config.num_attention_heads, bert.config.hidden_size


def _fuse(raw: Path, out: Path, heads: int, hidden: int) -> int:
    from onnxruntime.transformers import optimizer

    model = optimizer.optimize_model(str(raw), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=0)
    model.save_model_to_file(str(out))
    return int(model.get_fused_operator_statistics().get("Attention", 0))


def _outlier_matmuls(fp32: Path, ids: np.ndarray, mask: np.ndarray) -> list[str]:
    """Matrix products whose input activations have outliers on the calibration batch."""
    import onnx
    import onnxruntime as ort

    model = onnx.load(str(fp32))
    weights = {i.name for i in model.graph.initializer}
    matmuls = [n for n in model.graph.node if n.op_type == "MatMul" and n.input[1] in weights]
    for node in matmuls:
        model.graph.output.append(onnx.helper.make_tensor_value_info(node.input[0], onnx.TensorProto.FLOAT, None))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    del model
    activations = session.run(None, {"input_ids": ids, "attention_mask": mask})[1:]
    real = mask.astype(bool)
    outliers = []
    for node, x in zip(matmuls, activations):
        values = np.abs(x[real])
        if values.max() > OUTLIER_RATIO * max(float(np.quantile(values, 0.999)), 1e-6):
            outliers.append(node.name)
    return outliers


def _quantise(fp32: Path, out: Path, keep_float: list[str]) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(fp32),
        str(out),
        per_channel=True,
        weight_type=QuantType.QInt8,
        nodes_to_exclude=keep_float,
        # The fused contrib ops defeat shape inference; their outputs are float.
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def export_onnx(model_dir: Path, progress: Progress = lambda _m: None) -> OnnxExport:
    """Write FP32_FILE and (if good enough) INT8_FILE into the sentence-transformers folder `model_dir`."""
    from qa.model.onnx_encoder import OnnxEmbedder, OnnxSession

    onnx_dir = model_dir / ONNX_DIR
    onnx_dir.mkdir(exist_ok=True)
    raw = onnx_dir / "exported.onnx"
    fp32, int8 = model_dir / FP32_FILE, model_dir / INT8_FILE
    with _quiet():
        progress("exporting the model to ONNX")
        heads, hidden = _export_fp32(model_dir, raw)
        progress("fusing attention and layer norms for onnxruntime")
        attention = _fuse(raw, fp32, heads, hidden)
        raw.unlink()

        embedder = OnnxEmbedder(model_dir, FP32_FILE, FP32_FILE)
        texts = calibration_texts()
        rows = [embedder._truncate(embedder.tokenizer.encode(t).ids) for t in texts]
        width = max(map(len, rows))
        ids = np.full((len(rows), width), embedder.pad_id, np.int64)
        mask = np.zeros_like(ids)
        for i, r in enumerate(rows):
            ids[i, : len(r)], mask[i, : len(r)] = r, 1

        progress("quantising to int8 (dynamic, per channel)")
        keep_float = _outlier_matmuls(fp32, ids, mask)
        _quantise(fp32, int8, keep_float)

    progress("checking the int8 model against float32")
    from qa.model.onnx_encoder import mean_pool_normalise

    reference = mean_pool_normalise(OnnxSession(fp32).hidden_states(ids, mask), mask)
    quantised = mean_pool_normalise(OnnxSession(int8).hidden_states(ids, mask), mask)
    min_cosine = float(np.min(np.sum(reference * quantised, axis=1)))
    kept = min_cosine >= INT8_MIN_COSINE
    if not kept:
        progress(f"int8 model too far from float32 (cosine {min_cosine:.4f}); using float32 only")
        int8.unlink()
    return OnnxExport(FP32_FILE, INT8_FILE if kept else None, round(min_cosine, 6), len(keep_float), attention)
