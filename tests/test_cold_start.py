"""What a cold `qa ask` loads: only the modules and files its answer needs."""

from __future__ import annotations

import json
import subprocess
import sys

# Imported by indexing, evaluation, conversion or the TUI, never needed to answer a question.
NOT_ON_THE_ASK_PATH = (
    "torch",
    "transformers",
    "sentence_transformers",
    "onnx",
    "textual",
    "trafilatura",
    "docx",
    "pypdf",
    "qa.index.build",
    "qa.eval",
    "qa.index.status",
)

ASK = """
import json, sys
from qa.cli import app
app(sys.argv[1:], standalone_mode=False)
print(json.dumps(sorted(m for m in {modules!r} if m in sys.modules)))
"""


def _ask_imports(settings, modules: tuple[str, ...]) -> list[str]:
    """Which of `modules` a fresh process has imported once `qa ask` has answered."""
    options = ["--index-dir", str(settings.index_dir), "--cache-dir", str(settings.cache_dir)]
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            ASK.format(modules=modules),
            "ask",
            "斗门2020年准备建多少座5G基站？",
            "-k",
            "1",
            *options,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "851个基站" in result.stdout.replace("\n", "").replace("│", "").replace(" ", "")
    return json.loads(result.stdout.splitlines()[-1])


def test_ask_imports_nothing_it_does_not_use(settings):
    assert _ask_imports(settings, NOT_ON_THE_ASK_PATH) == []


def test_ask_does_not_load_the_part_of_speech_tagger(settings):
    assert _ask_imports(settings, ("jieba.posseg",)) == []


JIEBA = """
import jieba, sys
jieba.dt.tmp_dir = sys.argv[1]
from qa.words import tokenize
print(" ".join(tokenize("斗门区2020年城镇新增就业目标是多少？")))
"""


def test_jieba_dictionary_cache_is_written_and_read_back(tmp_path):
    """jieba reads and writes its cache through qa.index.lexical's whole-file marshal."""
    runs = [
        subprocess.run([sys.executable, "-c", JIEBA, str(tmp_path)], capture_output=True, text=True, check=True)
        for _ in range(2)  # the first builds the cache from jieba's dictionary, the second loads it
    ]
    assert (tmp_path / "jieba.cache").is_file()
    assert runs[0].stdout == runs[1].stdout
    assert {"斗门", "2020", "城镇", "就业", "目标"} <= set(runs[0].stdout.split())
