"""Opening the desktop app, and the feedback export for content teams."""

from __future__ import annotations

from pathlib import Path

import click

from desktop.cli.groups import cli
from knowledge.errors import FrontdeskError


def open_app(bundle: Path | None = None, model: Path | None = None) -> int:
    """Open the window (Qt is imported here and only here in the command line)."""
    from desktop.system_libraries import missing_qt_libraries

    missing = missing_qt_libraries()  # before Qt loads: its own message names neither library nor fix
    if missing:
        raise FrontdeskError(missing.describe())
    from desktop.app import run_app

    return run_app(bundle=bundle, model=model)


@cli.command("app")
@click.option("--bundle", type=click.Path(path_type=Path), help="Bundle file to use (default: the installed guidance).")
@click.option("--model", type=click.Path(path_type=Path), help="GGUF model file (default: the policy's, else the embedded model).")
def app_command(bundle, model):
    """Open the Frontdesk desktop app (the same as running frontdesk with no command)."""
    raise SystemExit(open_app(bundle, model))


@cli.group()
def feedback() -> None:
    """Feedback staff gave on drafts, for the content team."""


@feedback.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The CSV file to write.")
@click.option("--since", help="Only feedback from this date on (YYYY-MM-DD).")
def feedback_export(output, since):
    """Write staff feedback to a CSV file for the content team, with personal data removed.

    Feedback is grouped by the page the draft cited and the guidance version, with its reasons and
    comments; then the questions that found no guidance, grouped by the words they share, most
    frequent first.
    """
    from app.feedback_export import export_feedback_csv
    from knowledge.config import app_paths

    summary = export_feedback_csv(app_paths().history_db, output, since)
    click.echo(summary.describe(output))
