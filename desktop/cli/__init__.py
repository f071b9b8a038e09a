"""The `frontdesk` command line: a thin face over knowledge/ and models/ (DESIGN.md, "Command line").

Each subcommand lives in a module of this package, named for what it does; this module only
assembles them and turns a FrontdeskError into one line on stderr and exit code 1.
"""

from __future__ import annotations

import sys

import click

from desktop.cli.groups import cli
from knowledge.errors import FrontdeskError

# Importing a command module registers its commands on the groups.
from desktop.cli import kb_build, kb_trust, search, model, ask, app, report  # noqa: E402,F401


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `frontdesk` script."""
    try:
        cli.main(args=argv, prog_name="frontdesk", standalone_mode=False)
    except FrontdeskError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo("Stopped.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)


__all__ = ["cli", "main"]
