"""Which corpus folder an index follows.

An index remembers the folder it was built from (its manifest's corpus_dir).
Without a folder named on the command line, every command keeps to that one:
QA_CORPUS_DIR, or seeds/, only names the folder of a new index. Otherwise
`qa index` with no argument would plan to swap a user's reports for the seeds.
"""

from __future__ import annotations

from pathlib import Path

from qa.config import Settings
from qa.index.layout import DB_FILE, current_generation
from qa.index.store import IndexCorrupt, Store


def recorded_corpus_dir(index_dir: Path) -> Path | None:
    """The folder the live index was built from; None when there is no index yet."""
    generation = current_generation(index_dir)
    if generation is None:
        return None
    try:
        store = Store(generation / DB_FILE)
        try:
            return Path(store.manifest().corpus_dir)
        finally:
            store.close()
    except IndexCorrupt:
        raise IndexCorrupt(
            f"the index in {index_dir} is damaged and does not say which corpus folder it follows; "
            "run `qa index CORPUS_DIR --rebuild`"
        ) from None


def corpus_dir(settings: Settings) -> Path:
    """The folder to read reports from: the one named, else the index's own, else the default."""
    return settings.corpus_dir or recorded_corpus_dir(settings.index_dir) or settings.default_corpus_dir


def corpus_switch(settings: Settings) -> Path | None:
    """The folder the index follows, when settings name a different one (a switch that
    removes the index's reports); None when nothing would switch."""
    if settings.corpus_dir is None:
        return None
    try:
        recorded = recorded_corpus_dir(settings.index_dir)
    except IndexCorrupt:
        return None  # nothing to keep: a build replaces a damaged index
    return recorded if recorded is not None and recorded != settings.corpus_dir.resolve() else None
