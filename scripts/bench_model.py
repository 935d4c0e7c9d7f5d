"""Embedding model benchmark: load time, passages/s by batch size, query latency, peak RSS.

Usage: .venv/bin/python scripts/bench_model.py [--model-dir DIR]
Prepare the model first (`qa model prepare`).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from qa.config import PROJECT_ROOT, load_settings

QUERIES = [
    "斗门区2020年城镇新增就业目标是多少？",
    "今年计划建设多少个5G基站？",
    "乡村振兴有哪些重点工作？",
    "如何优化营商环境？",
]


def seed_paragraphs() -> list[str]:
    return [
        line.strip()
        for path in sorted((PROJECT_ROOT / "seeds").glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-dir", type=Path, default=None)
    args = parser.parse_args()
    model_dir = args.model_dir or load_settings().resolved_model_dir

    start = time.perf_counter()
    from qa.model.encoder import Encoder

    encoder = Encoder(model_dir)
    encoder.encode_queries(["预热"])
    load_s = time.perf_counter() - start

    paragraphs = seed_paragraphs()
    chars = sum(len(p) for p in paragraphs)
    table = Table(title=f"embedding model: {encoder.model_id}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("model load + first query (s)", f"{load_s:.2f}")
    for batch_size in (8, 32, 64):
        start = time.perf_counter()
        encoder.encode_passages(paragraphs, batch_size=batch_size)
        elapsed = time.perf_counter() - start
        table.add_row(
            f"passages/s, batch {batch_size} ({len(paragraphs)} seed paragraphs, {chars} chars)",
            f"{len(paragraphs) / elapsed:.1f}",
        )
    latencies = []
    for _ in range(5):
        for query in QUERIES:
            start = time.perf_counter()
            encoder.encode_queries([query])
            latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    table.add_row("query encoding p50 (ms)", f"{statistics.median(latencies):.1f}")
    table.add_row("query encoding p95 (ms)", f"{latencies[int(0.95 * (len(latencies) - 1))]:.1f}")
    table.add_row("peak RSS (MB)", f"{peak_rss_mb():.0f}")
    Console().print(table)


if __name__ == "__main__":
    main()
