"""Engine benchmark on the seeds: index build, query latency, start-up to first answer, peak RSS.

Usage: .venv/bin/python scripts/bench.py
Builds a fresh index in a temporary folder (the model must be prepared: `qa model prepare`).
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from qa.config import PROJECT_ROOT, load_settings
from qa.eval import load_eval_set
from qa.index.build import build_index
from qa.model.convert import read_manifest
from qa.search.searcher import Searcher

DEV_SET = PROJECT_ROOT / "tests" / "data" / "dev.jsonl"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def main() -> None:
    settings = load_settings()
    manifest = read_manifest(settings.resolved_model_dir)
    if manifest is None:
        sys.exit("error: the model is not prepared; run `qa model prepare`")
    table = Table(title="qa engine on the seeds (2 cores, no GPU)")
    table.add_column("measure")
    table.add_column("value", justify="right")

    with tempfile.TemporaryDirectory() as tmp:
        settings = settings.with_overrides(index_dir=Path(tmp) / "index")
        from qa.model.encoder import Encoder

        start = time.perf_counter()
        report = build_index(
            settings.corpus_dir, settings.index_dir, lambda: Encoder(settings.resolved_model_dir),
            model_id=manifest.model_id, dim=manifest.dim,
        )
        build_s = time.perf_counter() - start
        table.add_row("index build, cold (s, incl. model load)", f"{build_s:.1f}")
        table.add_row("  passages", str(report.passages))
        table.add_row("  passages/s, whole pipeline", f"{report.passages / build_s:.1f}")

        start = time.perf_counter()
        again = build_index(
            settings.corpus_dir, settings.index_dir, lambda: Encoder(settings.resolved_model_dir),
            model_id=manifest.model_id, dim=manifest.dim,
        )
        table.add_row("index rebuild, nothing changed (s)", f"{time.perf_counter() - start:.2f}")
        assert again.embedded == 0

        searcher = Searcher.open(settings)
        questions = [q.question for q in load_eval_set(DEV_SET)]
        searcher.search(questions[0])  # warm-up
        latencies = []
        for question in questions * 3:
            start = time.perf_counter()
            searcher.search(question, k=5)
            latencies.append((time.perf_counter() - start) * 1000)
        table.add_row(f"query latency p50 (ms, {len(latencies)} queries)", f"{statistics.median(latencies):.1f}")
        table.add_row("query latency p95 (ms)", f"{percentile(latencies, 0.95):.1f}")
        table.add_row("peak RSS of this process (MB)", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")

        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "qa", "ask", questions[0], "-k", "1", "--index-dir", str(settings.index_dir)],
            check=True, capture_output=True,
        )
        table.add_row("start-up to first answer, `qa ask` (s)", f"{time.perf_counter() - start:.1f}")
    Console().print(table)


if __name__ == "__main__":
    main()
