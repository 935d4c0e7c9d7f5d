"""Engine benchmark: index build, query latency, FAISS at scale, cold start, peak memory.

Usage:
    .venv/bin/python scripts/bench.py                       # seeds + 10k passages + FAISS 1M
    .venv/bin/python scripts/bench.py --passages 10000 100000 --faiss 1000000 3000000
    .venv/bin/python scripts/bench.py --passages --faiss --scale 1000000   # whole engine at 1M
    .venv/bin/python scripts/bench.py --passages --faiss --indexes embeddings   # query an existing index
    .venv/bin/python scripts/bench.py --passages --faiss --compare 1000   # qa compare over 1,000 reports
    .venv/bin/python scripts/bench.py --passages 10000 --devices cpu cuda --faiss   # embedding per device
    .venv/bin/python scripts/bench.py ... --json   # one JSON object on stdout (the tables go to stderr)

Every measurement runs in its own process, so its peak RSS is its own (the
child's ru_maxrss); a corpus is built in one process and queried in another. The larger real-text
corpora are the seeds' sentences re-chunked and shuffled into passages (real
text, real embeddings). `--scale` corpora are real text too, but their passage
vectors are SYNTHETIC (embedding a million passages takes hours), so they
measure the engine's memory and speed at that size, not its answers.
FAISS at 1M/3M alone also uses SYNTHETIC vectors:
mixtures of the seeds' real passage vectors plus Gaussian noise (σ = 0.01 per
dimension, calibrated so that a vector's nearest neighbour is slightly *less*
similar than among the real seed passages: cosine 0.949 vs 0.965 on equal
samples), searched with 200 real questions embedded by the model; they are
labelled as such. Needs a prepared model.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import psutil
from machine import cpu_info, describe  # scripts/machine.py
from rich.console import Console
from rich.table import Table

from qa.config import BUILD_BATCH, DEVICES, PROJECT_ROOT, Settings, load_settings, usable_cores

DEV_SET = PROJECT_ROOT / "tests" / "data" / "dev.jsonl"
SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]")
PASSAGES_PER_FILE = 200
NOISE = 0.01  # σ of the synthetic vectors' noise (see above)
COLD_RUNS = 5


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TreeMemory:
    """The peak of this process's RSS plus its children's (a build's word processes),
    sampled every `every` seconds while in the `with` block. Each process's own peak
    (ru_maxrss) cannot be summed: the word processes do not all peak when the build does."""

    def __init__(self, every: float = 0.1) -> None:
        self.every = every
        self.peak_mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._done.wait(self.every):
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.NoSuchProcess:
                    pass  # ended between the listing and the reading
            self.peak_mb = max(self.peak_mb, total / 2**20)


def in_child(function: Callable[..., dict], *args) -> dict:
    """Run function(*args) in a fresh process; its dict of figures comes back with its peak RSS."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


# -- corpora ---------------------------------------------------------------------


def write_shuffled_corpus(folder: Path, passages: int) -> None:
    """`passages` paragraphs of ~200 characters made of the seeds' sentences, shuffled,
    in report files titled like the seeds (place and year vary)."""
    from qa.corpus import load_corpus

    documents = load_corpus(PROJECT_ROOT / "seeds").documents
    sentences = [s for d in documents for s in SENTENCE.findall(d.text)]
    rng = random.Random(0)
    folder.mkdir(parents=True)
    for file_number in range(0, passages, PASSAGES_PER_FILE):
        doc = documents[file_number // PASSAGES_PER_FILE % len(documents)]
        lines = [f"{doc.place or '某市'}{(doc.year or 2020) + file_number // 1000 % 20}年工作计划(汇编{file_number})"]
        for _ in range(min(PASSAGES_PER_FILE, passages - file_number)):
            paragraph = ""
            while len(paragraph) < 200:
                paragraph += rng.choice(sentences)
            lines.append(paragraph)
        (folder / f"report-{file_number:07d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_report_copies(folder: Path, reports: int) -> None:
    """`reports` report files: the development reports and seeds copied round, each copy
    made distinct by a first line of its own (otherwise the index keeps one of each)."""
    # The development reports lie beside a developer's clone (never in the project); without them, the seeds.
    folders = [f for f in (PROJECT_ROOT.parent / "shared" / "eval" / "reports", PROJECT_ROOT / "seeds") if f.is_dir()]
    sources = [p for folder_ in folders for p in sorted(folder_.iterdir()) if p.suffix in (".txt", ".docx")]
    folder.mkdir(parents=True)
    for n in range(reports):
        source = sources[n % len(sources)]
        if source.suffix == ".txt":
            text = f"本文件为汇编第{n}份，供对比测试使用。\n" + source.read_text(encoding="utf-8")
            (folder / f"{n:04d}-{source.name}").write_text(text, encoding="utf-8")
        else:  # a .docx: a copy differs in its name only, so give it a changed byte-for-byte twin as text
            from qa.corpus.readers import read_document_text

            text = f"本文件为汇编第{n}份，供对比测试使用。\n" + read_document_text(source, source.read_bytes())
            (folder / f"{n:04d}-{source.stem}.txt").write_text(text, encoding="utf-8")


def measure_compare(settings: Settings) -> dict:
    """Time `compare` over every report of the index, with the model loaded (median of 5 rounds)."""
    from qa.search.compare import compare
    from qa.search.searcher import Searcher

    searcher = Searcher.open(settings)
    questions = ["各省2026年GDP增长目标是多少？", "赤字率是多少？", "城镇新增就业目标是多少？", "居民消费价格涨幅目标"]
    for question in questions:
        compare(searcher, question)
    latencies = []
    for question in questions * 5:
        t = time.perf_counter()
        rows = len(compare(searcher, question).rows)
        latencies.append(time.perf_counter() - t)
    return {
        "reports": rows,
        "passages": searcher.index.manifest.passages,
        "p50_s": statistics.median(latencies),
        "max_s": max(latencies),
        "rss_mb": peak_rss_mb(),
    }


class TimedEncoder:
    """The model as a build uses it, with the seconds spent embedding summed: a build
    interleaves embedding with writing rows and cutting words, batch by batch."""

    def __init__(self, encoder) -> None:
        self._encoder = encoder
        self.device = encoder.device
        self.seconds = 0.0

    def encode_passages(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        start = time.perf_counter()
        vectors = self._encoder.encode_passages(texts, progress=progress)
        self.seconds += time.perf_counter() - start
        return vectors


def build_corpus(settings: Settings, label: str, synthetic_from: str | None = None) -> dict:
    """Build an index over settings.corpus_dir, as `qa index` does. With synthetic_from (an
    index folder), passage vectors are SYNTHETIC mixtures of that index's vectors instead of embeddings."""
    from qa.index.build import build_index, model_identity
    from qa.model.encoder import Encoder

    model_id, dim = model_identity(settings)
    loaded: list = []

    def load_encoder():  # loaded when the build needs it, as `qa index` does: its time is the build's
        if synthetic_from is None:
            loaded.append(
                TimedEncoder(Encoder(settings.resolved_model_dir, device=settings.device, workers=settings.workers))
            )
        else:
            loaded.append(SyntheticEncoder(seed_vectors(synthetic_from)))
        return loaded[0]

    start = time.perf_counter()
    with TreeMemory() as memory:
        report = build_index(
            settings.corpus_dir, settings.index_dir, load_encoder, model_id=model_id, dim=dim, workers=settings.workers
        )
    build_s = time.perf_counter() - start
    embed_s = sum(e.seconds for e in loaded if isinstance(e, TimedEncoder))
    from qa.index import open_index

    index = open_index(settings.index_dir)
    devices = index.manifest.devices
    index.close()
    return {
        "label": label,
        "vectors": "real" if synthetic_from is None else "SYNTHETIC",
        "device": "+".join(devices),
        "passages": report.passages,
        "build_s": build_s,
        "embed_per_s": report.embedded / embed_s if synthetic_from is None and embed_s > 0 else float("nan"),
        "pipeline_per_s": report.passages / build_s,
        "build_rss_mb": peak_rss_mb(),
        # With the word processes (none for a corpus of one batch), sampled together.
        "build_workers": usable_cores(settings.workers) if report.passages > BUILD_BATCH else 0,
        "build_total_mb": max(memory.peak_mb, peak_rss_mb()),
    }


def query_corpus(settings: Settings) -> dict:
    """Open the index with the model loaded, then time the dev questions end to end
    (5 rounds after one round of warm-up)."""
    from qa.eval import load_eval_set
    from qa.search.searcher import Searcher

    start = time.perf_counter()
    searcher = Searcher.open(settings)
    open_s = time.perf_counter() - start
    passages = searcher.index.manifest.passages
    questions = [q.question for q in load_eval_set(DEV_SET)]
    for question in questions:  # one round to warm up: steady state, not the disk's first reads
        searcher.search(question, k=5)
    latencies = []
    for question in questions * 5:
        t = time.perf_counter()
        searcher.search(question, k=5)
        latencies.append((time.perf_counter() - t) * 1000)
    return {
        "passages": passages,
        "open_s": open_s,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "query_rss_mb": peak_rss_mb(),
    }


# -- synthetic vectors (FAISS at scale, whole engine at a million passages) -------


def seed_vectors(index_dir: str) -> np.ndarray:
    from qa.index import open_index
    from qa.index.vectors import vectors_for

    index = open_index(Path(index_dir))
    return vectors_for(index._vectors, np.arange(index.manifest.passages))


def synthetic_vectors(real: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n unit vectors, each a random mixture of three real vectors plus noise."""
    out = np.empty((n, real.shape[1]), np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        picks = rng.integers(0, len(real), (m, 3))
        weights = rng.dirichlet(np.ones(3), m).astype(np.float32)
        block = np.einsum("mk,mkd->md", weights, real[picks]) + rng.normal(0, NOISE, (m, real.shape[1]))
        out[start : start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


class SyntheticEncoder:
    """Stands in for the model when building a million-passage index: embedding it
    for real would take hours (see the embedding rate above), and its size, not its
    vectors' meaning, is what the memory and latency figures depend on."""

    device = "synthetic"  # what the index's manifest records as the vectors' origin

    def __init__(self, real: np.ndarray) -> None:
        self._real = real
        self._rng = np.random.default_rng(0)

    def encode_passages(self, texts: list[str], progress: Callable[[int], None] = lambda n: None) -> np.ndarray:
        vectors = synthetic_vectors(self._real, len(texts), self._rng)
        progress(len(texts))
        return vectors


def question_vectors(settings: Settings) -> np.ndarray:
    """200 real questions as the model embeds them: the dev set's 40, and 160 of
    the seeds' sentences asked as queries. (Questions lie farther from passages
    than passages from each other, which is what makes approximate search miss.)"""
    from qa.corpus import load_corpus
    from qa.eval import load_eval_set
    from qa.model.encoder import Encoder

    sentences = [s for d in load_corpus(PROJECT_ROOT / "seeds").documents for s in SENTENCE.findall(d.text)]
    asked = random.Random(1).sample([s for s in sentences if len(s) > 12], 160)
    questions = [q.question for q in load_eval_set(DEV_SET)] + asked
    return Encoder(settings.resolved_model_dir).encode_queries(questions).astype(np.float32)


def measure_faiss(size: int, seeds_settings: Settings) -> dict:
    """FAISS alone over `size` SYNTHETIC passage vectors, searched with real questions
    for the engine's pool of 60; recall@10 against exact search."""
    import faiss

    from qa.index.vectors import build_vector_index, load_vector_index, save_vector_index

    vectors = synthetic_vectors(seed_vectors(str(seeds_settings.index_dir)), size, np.random.default_rng(0))
    queries = question_vectors(seeds_settings)
    start = time.perf_counter()
    approximate = build_vector_index(vectors)
    build_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vectors.faiss"
        save_vector_index(approximate, path)
        file_mb = path.stat().st_size / 2**20
        del approximate
        loaded = load_vector_index(path)
        exact = faiss.IndexFlatIP(vectors.shape[1])
        exact.add(vectors)
        _, truth = exact.search(queries, 10)
        del exact, vectors
        latencies, found = [], []
        for q in range(len(queries)):
            t = time.perf_counter()
            _, rows = loaded.search(queries[q : q + 1], 60)
            latencies.append((time.perf_counter() - t) * 1000)
            found.append(len(set(rows[0][:10]) & set(truth[q])) / 10)
    return {
        "size": size,
        "type": type(loaded).__name__,
        "build_s": build_s,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "recall": statistics.mean(found),
        "file_mb": file_mb,
        "rss_mb": peak_rss_mb(),
    }


# -- cold start --------------------------------------------------------------------


def time_command(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


TUI_PROBE = """
import asyncio, sys, time
start = time.perf_counter()
from qa.config import load_settings
from qa.tui.app import QAApp
from qa.types import Filters

async def main():
    app = QAApp(load_settings())
    async with app.run_test() as pilot:
        while app.searcher is None:
            await pilot.pause(0.01)
        usable = time.perf_counter() - start
        app.search("斗门2020年准备建多少座5G基站？", 5, Filters())
        print(usable, time.perf_counter() - start)

asyncio.run(main())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, nargs="*", default=[10_000], help="real-text corpus sizes")
    parser.add_argument(
        "--scale",
        type=int,
        nargs="*",
        default=[],
        help="real-text corpus sizes indexed with SYNTHETIC vectors (memory and latency at 1M+)",
    )
    parser.add_argument("--faiss", type=int, nargs="*", default=[1_000_000], help="synthetic vector counts")
    parser.add_argument(
        "--compare",
        type=int,
        nargs="*",
        default=[],
        help="report counts for `compare` timing (copies of the development reports, SYNTHETIC vectors)",
    )
    parser.add_argument(
        "--indexes",
        type=Path,
        nargs="*",
        default=[],
        help="existing index folders to query (e.g. embeddings/, or your own corpus's index)",
    )
    parser.add_argument(
        "--devices",
        nargs="*",
        default=["cpu"],
        choices=DEVICES,
        help="embed the --passages corpora on each of these devices (qa index --device)",
    )
    parser.add_argument("--workers", type=int, default=None, help="CPU cores to embed with (qa index --workers)")
    parser.add_argument(
        "--json", action="store_true", help="print every figure as one JSON object on stdout (the tables go to stderr)"
    )
    args = parser.parse_args()
    base = load_settings()
    console = Console(stderr=args.json)
    machine = cpu_info()
    console.print(describe(machine), highlight=False)
    figures: dict = {"machine": machine}

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        seeds_settings = base.with_overrides(
            corpus_dir=PROJECT_ROOT / "seeds", index_dir=root / "seeds-index", device="cpu", workers=args.workers
        )
        runs = [(seeds_settings, "seeds", None)]
        for n, synthetic in [*((n, False) for n in args.passages), *((n, True) for n in args.scale)]:
            name = f"{n}-synthetic" if synthetic else str(n)
            write_shuffled_corpus(root / f"corpus-{name}", n)
            for device in ["cpu"] if synthetic else args.devices:
                settings = base.with_overrides(
                    corpus_dir=root / f"corpus-{name}",
                    index_dir=root / f"index-{name}-{device}",
                    device=device,
                    workers=args.workers,
                )
                runs.append((settings, "shuffled", str(seeds_settings.index_dir) if synthetic else None))
        corpus_rows = []
        for settings, label, synthetic_from in runs:
            row = in_child(build_corpus, settings, label, synthetic_from) | in_child(query_corpus, settings)
            corpus_rows.append(row)
            console.print(f"measured {row}", highlight=False)
        for index_dir in args.indexes:
            row = {"label": str(index_dir)} | in_child(query_corpus, base.with_overrides(index_dir=index_dir))
            corpus_rows.append(row)
            console.print(f"measured {row}", highlight=False)
        figures["corpora"] = corpus_rows
        # Passages/s of the model on each device, from the largest corpus embedded there.
        figures["embedding"] = {
            r["device"]: {"passages": r["passages"], "passages_per_s": r["embed_per_s"], "corpus": r["label"]}
            for r in sorted((r for r in corpus_rows if r.get("vectors") == "real"), key=lambda r: r["passages"])
        }
        figures["scale"] = [
            {
                "passages": r["passages"],
                "build_peak_mb": r["build_total_mb"],
                "build_process_peak_mb": r["build_rss_mb"],
                "query_peak_mb": r["query_rss_mb"],
                "query_p50_ms": r["p50"],
                "query_p95_ms": r["p95"],
                "build_s": r["build_s"],
                "open_s": r["open_s"],
            }
            for r in corpus_rows
            if r.get("vectors") == "SYNTHETIC"
        ]
        build_table = Table(title="index build")
        for column in (
            "corpus",
            "passages",
            "vectors",
            "device",
            "build s",
            "embed/s",
            "pipeline/s",
            "peak RSS MB",
            "+ word processes MB",
        ):
            build_table.add_column(column, justify="right")
        query_table = Table(title="query latency, end to end (embedding + lexical + dense + fusion + answer)")
        for column in ("corpus", "passages", "open s", "p50 ms", "p95 ms", "p99 ms", "peak RSS MB"):
            query_table.add_column(column, justify="right")
        for r in corpus_rows:
            if "build_s" in r:
                build_table.add_row(
                    r["label"],
                    f"{r['passages']:,}",
                    r["vectors"],
                    r["device"],
                    f"{r['build_s']:.1f}",
                    f"{r['embed_per_s']:.1f}",
                    f"{r['pipeline_per_s']:.1f}",
                    f"{r['build_rss_mb']:.0f}",
                    f"{r['build_total_mb']:.0f} ({r['build_workers']})",
                )
            query_table.add_row(
                r["label"],
                f"{r['passages']:,}",
                f"{r['open_s']:.1f}",
                f"{r['p50']:.1f}",
                f"{r['p95']:.1f}",
                f"{r['p99']:.1f}",
                f"{r['query_rss_mb']:.0f}",
            )
        console.print(build_table, query_table)

        compare_table = Table(title="compare: one row per report (report copies, SYNTHETIC vectors), model loaded")
        for column in ("reports", "passages", "build s", "p50 s", "max s", "peak RSS MB"):
            compare_table.add_column(column, justify="right")
        figures["compare"] = []
        for reports in args.compare:
            write_report_copies(root / f"copies-{reports}", reports)
            settings = base.with_overrides(
                corpus_dir=root / f"copies-{reports}", index_dir=root / f"copies-index-{reports}"
            )
            built = in_child(build_corpus, settings, f"{reports} reports", str(seeds_settings.index_dir))
            r = in_child(measure_compare, settings)
            console.print(f"measured {r}", highlight=False)
            figures["compare"].append(r | {"build_s": built["build_s"]})
            compare_table.add_row(
                f"{r['reports']:,}",
                f"{r['passages']:,}",
                f"{built['build_s']:.0f}",
                f"{r['p50_s']:.2f}",
                f"{r['max_s']:.2f}",
                f"{r['rss_mb']:.0f}",
            )
        if args.compare:
            console.print(compare_table)

        faiss_table = Table(
            title="FAISS alone: SYNTHETIC vectors (mixtures of real seed vectors + noise), real questions"
        )
        for column in (
            "vectors",
            "index",
            "build s",
            "p50 ms",
            "p95 ms",
            "recall@10 vs exact",
            "file MB",
            "peak RSS MB",
        ):
            faiss_table.add_column(column, justify="right")
        figures["faiss"] = []
        for size in args.faiss:
            r = in_child(measure_faiss, size, seeds_settings)
            console.print(f"measured {r}", highlight=False)
            figures["faiss"].append(r)
            faiss_table.add_row(
                f"{size:,}",
                r["type"],
                f"{r['build_s']:.0f}",
                f"{r['p50']:.2f}",
                f"{r['p95']:.2f}",
                f"{r['recall']:.3f}",
                f"{r['file_mb']:.0f}",
                f"{r['rss_mb']:.0f}",
            )
        if args.faiss:
            console.print(faiss_table)

        # Median of COLD_RUNS fresh processes: a single start varies with the page cache.
        ask_command = [
            sys.executable,
            "-m",
            "qa",
            "ask",
            "斗门2020年准备建多少座5G基站？",
            "-k",
            "1",
            "--index-dir",
            str(seeds_settings.index_dir),
        ]
        ask = statistics.median(time_command(ask_command) for _ in range(COLD_RUNS))
        probes = [
            [
                float(x)
                for x in subprocess.run(
                    [sys.executable, "-c", TUI_PROBE],
                    check=True,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "QA_INDEX_DIR": str(seeds_settings.index_dir)},
                ).stdout.split()
            ]
            for _ in range(COLD_RUNS)
        ]
        usable, first_answer = (statistics.median(column) for column in zip(*probes))
        figures["cold_start_s"] = {"ask": ask, "tui_usable": usable, "tui_first_answer": first_answer}
        start_table = Table(title=f"cold start (index present), median of {COLD_RUNS} runs")
        start_table.add_column("measure")
        start_table.add_column("s", justify="right")
        start_table.add_row("`qa ask`: process start to first answer printed", f"{ask:.1f}")
        start_table.add_row("TUI: process start to usable (index open, input ready)", f"{usable:.1f}")
        start_table.add_row("TUI: process start to first (lexical) answer", f"{first_answer:.1f}")
        console.print(start_table)
    if args.json:
        # NaN (no embedding rate for synthetic vectors) is no JSON: null instead.
        print(json.dumps(_json_safe(figures), ensure_ascii=False))


def _json_safe(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


if __name__ == "__main__":
    main()
