"""The root command: `frontdesk` with no command, and `frontdesk app`, open the window; every group hangs from it."""

from __future__ import annotations

from pathlib import Path

import click

from knowledge.errors import FrontdeskError


def open_app(bundle: Path | None = None, model: Path | None = None) -> int:
    """Open the window (Qt is imported here and only here in the command line)."""
    from desktop.system_libraries import missing_qt_libraries

    missing = missing_qt_libraries()  # before Qt loads: its own message names neither library nor fix
    if missing:
        raise FrontdeskError(missing.describe())
    from desktop.app import run_app

    return run_app(bundle=bundle, model=model)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="frontdesk")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Frontdesk drafts cited answers from signed guidance, offline.

    Run with no command to open the desktop app.
    """
    from app.config import place_model_files

    place_model_files()  # before any command loads a model
    if ctx.invoked_subcommand is None:
        ctx.exit(open_app())


@cli.command("app")
@click.option("--bundle", type=click.Path(path_type=Path), help="Bundle file to use (default: the installed guidance).")
@click.option("--model", type=click.Path(path_type=Path), help="GGUF model file (default: the policy's, else the embedded model).")
def app_command(bundle, model):
    """Open the Frontdesk desktop app (the same as running frontdesk with no command)."""
    raise SystemExit(open_app(bundle, model))
