"""The layer rules of DESIGN.md, held by import-linter: knowledge <- models <- app <- desktop <- cli, Qt only in desktop (and cli, to open the window)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken" in result.stdout


def test_command_line_starts_without_qt():
    """`frontdesk kb build` and `frontdesk ask` must start on a server with no display: no Qt at import."""
    code = "import sys, cli; assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt imported'"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_drafting_knows_runtimes_only_by_their_protocol():
    """A restart is a typed event (models.runtime_protocol.Restart): drafting needs nothing of the endpoint."""
    code = "import sys, models.drafting; assert 'models.endpoint' not in sys.modules, 'drafting imported the endpoint'"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
