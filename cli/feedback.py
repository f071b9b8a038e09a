"""The feedback commands, for content teams: feedback export."""

from __future__ import annotations

from pathlib import Path

import click

from cli.root import cli


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
    from app.config import app_paths
    from app.feedback_export import export_feedback_csv

    summary = export_feedback_csv(app_paths().history_db, output, since)
    click.echo(summary.describe(output))
