"""The `frontdesk` command line: a thin face over app/, models/ and knowledge/ (DESIGN.md, "Command line").

Each command group lives in a module of this package named for its commands (kb, model, ask and
search, feedback, self-test; root opens the window); this module only assembles them and turns a FrontdeskError into one line on stderr and exit code 1.
"""

from __future__ import annotations

import sys

import click

from cli.root import cli
from knowledge.errors import FrontdeskError

# Importing a command module registers its commands on the root group.
from cli import ask, feedback, kb, model, report, self_test  # noqa: E402,F401


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
