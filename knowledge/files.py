"""Files: writing the ones a person cares about atomically (temp file in the same folder, fsync,
rename), and where a frozen build keeps the files it ships."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def frozen_root() -> Path | None:
    """The folder a PyInstaller build unpacks its files into (models/, bundle/, libraries); None when not frozen."""
    if not getattr(sys, "frozen", False):
        return None
    return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (a no-op where folders cannot be opened, as on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_file_atomically(path: Path, content: str | bytes) -> Path:
    """Replace `path` with `content` so that a crash leaves the old file or the new one, never half of one."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content.encode("utf-8") if isinstance(content, str) else content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    fsync_folder(path.parent)
    return path


def data_lines(path: Path, what: str, fix: str) -> list[tuple[int, str]]:
    """(line number, text) of each line of a shipped data file (a lexicon, a list of names), blank
    lines and # comments left out; a file that cannot be read says which, what it is, and `fix`."""
    from knowledge.errors import SourceError

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(f"{path}: {what} cannot be read ({exc.strerror}). {fix}") from exc
    return [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip() and not line.lstrip().startswith("#")]
