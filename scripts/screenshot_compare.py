"""The compare screen as an SVG, for the README: `/compare 城镇新增就业目标是多少？` on an index of the seeds.

Usage:
    .venv/bin/python scripts/screenshot_compare.py [--index-dir DIR] [--out docs/compare.svg]

The index must exist and be current (`qa index seeds --index-dir DIR`); the model
must be prepared (~/.cache/qa). Drives the real app with Textual's Pilot at 100x30.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from qa.config import load_settings
from qa.search.searcher import Searcher
from qa.tui.app import QAApp

QUESTION = "/compare 城镇新增就业目标是多少？"
SIZE = (100, 30)


async def shoot(index_dir: Path, out: Path) -> None:
    settings = load_settings().with_overrides(index_dir=index_dir)
    searcher = Searcher.open(settings, load_model=True)
    app = QAApp(settings, searcher=searcher)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#question").value = QUESTION
        await pilot.press("enter")
        for _ in range(200):  # the comparison runs in a worker
            await app.workers.wait_for_complete()
            await pilot.pause(0.05)
            if getattr(app.screen, "comparison", None) is not None and not any(w.is_running for w in app.workers):
                break
        await pilot.press("j")  # a row with an answer under the cursor
        await pilot.pause()
        out.parent.mkdir(parents=True, exist_ok=True)
        app.save_screenshot(filename=out.name, path=str(out.parent))
    print(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=load_settings().index_dir)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs" / "compare.svg")
    args = parser.parse_args()
    asyncio.run(shoot(args.index_dir, args.out))


if __name__ == "__main__":
    main()
