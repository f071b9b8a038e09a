"""The system libraries Qt's window needs on Linux, and the command that installs the missing ones (Qt-free).

PySide6 brings Qt itself but not the X11/xcb, OpenGL, font and D-Bus libraries its xcb platform
plugin links to. On a fresh machine Qt stops with "Could not load the Qt platform plugin xcb", which
names neither the library nor the fix. So before the window opens, the launcher asks the dynamic
loader (`ldd`, the same resolution Qt's own dlopen makes) which of the plugin's libraries it cannot
find, and says what to install on Debian/Ubuntu and on Fedora. This module never imports Qt: it
runs before Qt is loaded, in the source tree and in the frozen folder alike.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Each library the xcb plugin and the Qt libraries it pulls in link to (readelf -d, PySide6 6.11),
# with the Debian/Ubuntu package and the Fedora package that hold it.
PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libpng16.so.16": ("libpng16-16", "libpng"),
    "libz.so.1": ("zlib1g", "zlib"),
}
# The Qt files the window loads: the xcb platform plugin, and the Python modules the app imports.
QT_FILES = ("Qt/plugins/platforms/libqxcb.so", "QtWidgets.abi3.so", "QtGui.abi3.so", "QtPrintSupport.abi3.so")
NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$", re.MULTILINE)
# Qt's own libraries travel with PySide6 (and in the frozen folder): already loaded by the time Qt
# loads the plugin, whatever a fresh ldd finds. Only the system's are worth naming.
BUNDLED = re.compile(r"^lib(Qt6|icu|pyside6|shiboken6|python3)")


@dataclass(frozen=True, slots=True)
class MissingLibraries:
    """The system libraries Qt needs that this machine lacks, and how to install them."""

    libraries: tuple[str, ...]

    @property
    def debian_packages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(PACKAGES[lib][0] for lib in self.libraries if lib in PACKAGES))

    @property
    def fedora_packages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(PACKAGES[lib][1] for lib in self.libraries if lib in PACKAGES))

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(lib for lib in self.libraries if lib not in PACKAGES)

    def describe(self) -> str:
        """What is missing and the exact commands that install it, for the terminal and the log."""
        lines = [
            "The window cannot open: Qt needs system libraries this machine does not have:",
            "  " + ", ".join(self.libraries),
            "Install them, then start Frontdesk again:",
        ]
        if self.debian_packages:
            lines.append("  Debian/Ubuntu: sudo apt-get install -y " + " ".join(self.debian_packages))
        if self.fedora_packages:
            lines.append("  Fedora:        sudo dnf install -y " + " ".join(self.fedora_packages))
        for lib in self.unknown:
            lines.append(f"  {lib}: find its package with `apt-file search {lib}` or `dnf provides '*/{lib}'`")
        lines.append("(Without a screen, `frontdesk ask`, `search` and `kb` still work, and the window runs under xvfb-run.)")
        return "\n".join(lines)


def missing_from_ldd(output: str) -> tuple[str, ...]:
    """The libraries `ldd` reported as "not found", each once, in its order."""
    return tuple(dict.fromkeys(lib for lib in NOT_FOUND.findall(output) if not BUNDLED.match(lib)))


def qt_files() -> list[Path]:
    """The Qt files the window loads, found without importing Qt (which would fail the same way)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(list(spec.submodule_search_locations)[0])
    return [root / name for name in QT_FILES if (root / name).exists()]


def ldd_output(files: list[Path]) -> str:
    """What the dynamic loader says about `files` ("" where ldd is not there to ask)."""
    ldd = shutil.which("ldd")
    if not ldd or not files:
        return ""
    done = subprocess.run([ldd, *map(str, files)], capture_output=True, text=True, timeout=30)
    return done.stdout


def uses_xcb(environ=os.environ) -> bool:
    """Whether Qt will open its window through xcb: Linux, and no other platform asked for."""
    platform = environ.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    return sys.platform.startswith("linux") and platform in ("", "xcb")


def missing_qt_libraries(ldd_report: str | None = None) -> MissingLibraries | None:
    """The system libraries Qt's window needs and cannot find, or None when nothing is missing.

    `ldd_report` stands in for the loader's answer (the tests give a made-up one); by default ldd is
    asked about the PySide6 in use.
    """
    if ldd_report is None:
        if not uses_xcb():
            return None
        try:
            ldd_report = ldd_output(qt_files())
        except (OSError, subprocess.SubprocessError):
            return None  # the check cannot run: let Qt try, rather than refuse a machine that may work
    missing = missing_from_ldd(ldd_report)
    return MissingLibraries(missing) if missing else None
