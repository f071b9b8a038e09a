"""Every command and group of the `frontdesk` command line has --help text a content designer can follow."""

import click
import pytest
from click.testing import CliRunner

from cli import cli


def all_commands(group: click.Group, prefix=()):
    for name, command in sorted(group.commands.items()):
        path = prefix + (name,)
        yield path, command
        if isinstance(command, click.Group):
            yield from all_commands(command, path)


COMMANDS = list(all_commands(cli))


def test_design_commands_exist():
    names = {" ".join(path) for path, _ in COMMANDS}
    expected = {
        "ask", "search", "self-test", "kb build", "kb validate", "kb diff", "kb keygen", "kb sign", "kb verify",
        "kb install", "kb list", "kb rollback", "kb eval", "model list", "model verify", "model bench",
        "feedback export",
    }
    assert expected <= names, f"missing: {sorted(expected - names)}"


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p))
def test_every_command_has_help(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: " in result.output
    command = COMMANDS[[p for p, _ in COMMANDS].index(path)][1]
    assert command.help and len(command.help.split()) >= 4, f"{' '.join(path)} needs a real help text"
