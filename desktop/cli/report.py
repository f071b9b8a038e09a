"""`frontdesk report`: the pilot report from this computer's history."""

from __future__ import annotations

from pathlib import Path

import click

from desktop.cli.groups import cli


@cli.command("report")
@click.option("--since", help="Only drafts from this date on (YYYY-MM-DD).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report, with its charts, to this HTML file.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one anonymous row per draft (no question, no text) to this CSV file.")
@click.option("--history", type=click.Path(dir_okay=False, path_type=Path), help="The history file to read (default: this user's).")
def report(since, output, csv_file, history):
    """The pilot report: drafts made, answered or not, draft mode, how much staff changed, time to copy, feedback.

    Each per guidance version and per week. Reads only this computer's history (kept for the days
    the policy sets) and holds no question, draft or comment text. With neither -o nor --csv, prints
    the figures.
    """
    from app.report import build_report, describe, parse_since, write_report_csv
    from app.report_html import write_report_html
    from knowledge.config import app_paths, load_policy

    policy = load_policy()
    history = history or app_paths().history_db
    since = parse_since(since)
    made = build_report(history, since, retention_days=policy.history_days if policy.history_enabled else None)
    if output:
        click.echo(f"Wrote the report to {write_report_html(made, output)}.")
    if csv_file:
        path, rows = write_report_csv(history, csv_file, since)
        click.echo(f"Wrote {rows} anonymous draft rows to {path}.")
    if not output and not csv_file:
        click.echo(describe(made))
    else:
        click.echo(made.period())
