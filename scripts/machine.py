"""The CPU a benchmark runs on, for its output: the model name and the vector
instruction sets that decide onnxruntime's kernels (and so the embedding speed,
and the model's floats in their last digits)."""

from __future__ import annotations

import os
import platform
from pathlib import Path

# /proc/cpuinfo flag → how the output names it
FLAGS = {"avx512f": "AVX-512", "avx512_vnni": "AVX512-VNNI", "avx2": "AVX2"}


def cpu_info() -> dict:
    """{"cpu": model name, "cpus": n, "AVX-512": bool, "AVX512-VNNI": bool, "AVX2": bool} (Linux; else flags unknown)."""
    model, flags = platform.processor() or platform.machine(), None
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            model = value.strip()
        elif key.strip() == "flags" and flags is None:
            flags = set(value.split())
    info: dict = {"cpu": model, "cpus": os.cpu_count()}
    info.update({name: None if flags is None else flag in flags for flag, name in FLAGS.items()})
    return info


def describe(info: dict) -> str:
    """One line: "CPU: AMD EPYC (2 CPUs); AVX-512 yes, AVX512-VNNI yes, AVX2 yes"."""
    marks = {True: "yes", False: "no", None: "unknown"}
    sets = ", ".join(f"{name} {marks[info[name]]}" for name in FLAGS.values())
    return f"CPU: {info['cpu']} ({info['cpus']} CPUs); {sets}"
