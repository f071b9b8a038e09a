"""The command groups every command module attaches to."""

from __future__ import annotations

import click


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="frontdesk")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Frontdesk drafts cited answers from signed guidance, offline.

    Run with no command to open the desktop app.
    """
    if ctx.invoked_subcommand is None:
        from desktop.cli.app import open_app  # Qt loads only here

        ctx.exit(open_app())


@cli.group()
def kb() -> None:
    """Build, check, sign and install knowledge bundles (for content teams)."""


@cli.group()
def model() -> None:
    """List, verify and benchmark the local language models."""
