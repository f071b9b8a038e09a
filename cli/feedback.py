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
    """Write staff feedback on drafts to a CSV file, with personal data removed."""
    from app.feedback import export_feedback_csv
    from app.history import HistoryStore

    store = HistoryStore()
    try:
        count = export_feedback_csv(store, output, since)
    finally:
        store.close()
    click.echo(f"Wrote {count} feedback record(s) to {output}. Questions and comments have personal data removed.")
