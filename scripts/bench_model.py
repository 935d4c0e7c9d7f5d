"""Embedding model benchmark, per backend: load time, passages/s by batch size,
query latency, peak RSS, and the cold start of a fresh process that embeds one question.

Usage: .venv/bin/python scripts/bench_model.py [--model-dir DIR] [--backends a,b] [--repeat N]
                                              [--cold N] [--budgets]
Prepare the model first (`qa model prepare`). Each backend runs in its own
process (so peak RSS is its own); each throughput figure is the best and the
median of --repeat runs, the cold start of --cold fresh processes. The machine
may be shared: run it more than once and read the best and the median.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from machine import cpu_info, describe  # scripts/machine.py

QUERIES = [
    "斗门区2020年城镇新增就业目标是多少？",
    "今年计划建设多少个5G基站？",
    "乡村振兴有哪些重点工作？",
    "如何优化营商环境？",
]
BACKENDS = ["sentence-transformers", "onnx-fp32", "onnx-int8"]
BATCHES = (8, 32, 64)
PASSAGE_CHARS = 200
PASSAGES = 192

COLD_START = """
import sys, time
start = time.perf_counter()
from pathlib import Path
from qa.model.encoder import Encoder
encoder = Encoder(Path(sys.argv[1]), backend=sys.argv[2])
encoder.encode_queries(["斗门区2020年城镇新增就业目标是多少？"])
heavy = [m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules]
print(time.perf_counter() - start, ",".join(heavy) or "-")
"""


def seed_text() -> str:
    from qa.config import PROJECT_ROOT

    return "".join(
        line.strip()
        for path in sorted((PROJECT_ROOT / "seeds").glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    )


def typical_passages() -> list[str]:
    """PASSAGES windows of PASSAGE_CHARS characters of report prose."""
    text = seed_text()
    step = max(1, (len(text) - PASSAGE_CHARS) // PASSAGES)
    return [text[i : i + PASSAGE_CHARS] for i in range(0, step * PASSAGES, step)]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(model_dir: Path, backend: str, repeat: int, budgets: bool) -> dict:
    """Runs in its own process; prints one JSON object."""
    start = time.perf_counter()
    from qa.model.encoder import Encoder

    encoder = Encoder(model_dir, backend=backend)
    encoder.encode_queries(["预热"])
    result: dict = {"backend": backend, "load_s": time.perf_counter() - start, "machine": cpu_info()}
    passages = typical_passages()
    encoder.encode_passages(passages[:16])  # warm-up
    for batch_size in BATCHES:
        rates = []
        for _ in range(repeat):
            start = time.perf_counter()
            encoder.encode_passages(passages, batch_size=batch_size)
            rates.append(len(passages) / (time.perf_counter() - start))
        result[f"batch_{batch_size}"] = (max(rates), statistics.median(rates))
    if budgets and encoder._onnx is not None:
        import qa.model.onnx_encoder as onnx_encoder

        for budget in (256, 512, 1024, 2048, 4096):
            onnx_encoder.TOKENS_PER_RUN = budget
            rates = []
            for _ in range(repeat):
                start = time.perf_counter()
                encoder.encode_passages(passages, batch_size=64)
                rates.append(len(passages) / (time.perf_counter() - start))
            result[f"budget_{budget}"] = (max(rates), statistics.median(rates))
    latencies = []
    for _ in range(10):
        for query in QUERIES:
            start = time.perf_counter()
            encoder.encode_queries([query])
            latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    result["query_p50_ms"] = statistics.median(latencies)
    result["query_p95_ms"] = latencies[int(0.95 * (len(latencies) - 1))]
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def cold_start(model_dir: Path, backend: str, runs: int) -> tuple[float, float, str]:
    """Wall time of fresh processes that import the Encoder and embed one question."""
    times, inner, heavy = [], [], "-"
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", COLD_START, str(model_dir), backend],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        times.append(time.perf_counter() - start)
        inner.append(float(out[0]))
        heavy = out[1]
    return min(times), statistics.median(times), heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold", type=int, default=5, help="fresh processes for the cold start")
    parser.add_argument("--budgets", action="store_true", help="also sweep onnx_encoder.TOKENS_PER_RUN")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    from qa.config import load_settings

    model_dir = args.model_dir or load_settings().resolved_model_dir
    if args.worker:
        print(json.dumps(worker(model_dir, args.worker, args.repeat, args.budgets)))
        return

    from rich.console import Console
    from rich.table import Table

    Console().print(describe(cpu_info()), highlight=False)

    backends = args.backends.split(",")
    results = []
    for backend in backends:
        out = subprocess.run(
            [sys.executable, __file__, "--worker", backend, "--model-dir", str(model_dir), "--repeat", str(args.repeat)]
            + (["--budgets"] if args.budgets else []),
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["cold"] = cold_start(model_dir, backend, args.cold)
        results.append(result)

    load = os.getloadavg()
    table = Table(
        title=f"embedding backends, {model_dir.name}; best / median of {args.repeat} "
        f"(load average at the end {load[0]:.1f}, {os.cpu_count()} CPUs)"
    )
    table.add_column("measure")
    for backend in backends:
        table.add_column(backend, justify="right")

    def row(label: str, cell) -> None:
        table.add_row(label, *(cell(r) for r in results))

    row("model load + first query (s)", lambda r: f"{r['load_s']:.2f}")
    for batch_size in BATCHES:
        row(
            f"passages/s, batch {batch_size} ({PASSAGES} × {PASSAGE_CHARS} chars)",
            lambda r, b=batch_size: "{:.1f} / {:.1f}".format(*r[f"batch_{b}"]),
        )
    if args.budgets:
        for budget in (256, 512, 1024, 2048, 4096):
            row(
                f"passages/s, {budget} tokens per run",
                lambda r, b=budget: "{:.1f} / {:.1f}".format(*r[f"budget_{b}"]) if f"budget_{b}" in r else "",
            )
    row("query encoding p50 (ms)", lambda r: f"{r['query_p50_ms']:.1f}")
    row("query encoding p95 (ms)", lambda r: f"{r['query_p95_ms']:.1f}")
    row("peak RSS (MB)", lambda r: f"{r['peak_rss_mb']:.0f}")
    row(
        f"cold start: new process → 1 query vector (s), of {args.cold}",
        lambda r: "{:.2f} / {:.2f}".format(*r["cold"][:2]),
    )
    row("heavy modules imported on the query path", lambda r: r["cold"][2])
    Console().print(table)


if __name__ == "__main__":
    main()
