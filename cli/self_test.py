"""The self-test command IT runs after installing."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.output import echo_json
from cli.root import cli


@cli.command("self-test")
@click.option("--bundle", type=click.Path(path_type=Path), help="Bundle file to check (default: the installed guidance).")
@click.option("--model", type=click.Path(path_type=Path), help="Model file to check (default: the policy's, else the embedded model).")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as one JSON object.")
def self_test(bundle, model, as_json):
    """Check this installation works: model loads and drafts, guidance verifies and answers, history can be saved.

    Exits 1 if any check fails. Needs no network and no display.
    """
    from app.selftest import run_self_test

    report = run_self_test(bundle, model)
    if as_json:
        echo_json(report)
    else:
        for c in report.checks:
            click.echo(f"{'PASS' if c.ok else 'FAIL'}  {c.name:<18} {c.detail}  ({c.elapsed_ms:.0f} ms)")
        click.echo("All checks passed." if report.ok else "Some checks failed.")
    if not report.ok:
        sys.exit(1)
