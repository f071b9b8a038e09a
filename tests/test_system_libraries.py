"""A fresh Linux machine: the launcher names the system libraries Qt's window lacks and how to install them."""

import ctypes

import pytest

import desktop.system_libraries as system_libraries
from desktop.cli import main
from desktop.system_libraries import MissingLibraries, ldd_output, missing_from_ldd, missing_qt_libraries, qt_files, uses_xcb

# What ldd printed for PySide6's libqxcb.so on a fresh Debian 12 (trimmed).
FRESH_DEBIAN_LDD = """/venv/PySide6/Qt/plugins/platforms/libqxcb.so:
	linux-vdso.so.1 (0x00007ffc8b1f2000)
	libQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f3a1c000000)
	libxcb-cursor.so.0 => not found
	libxcb-icccm.so.4 => not found
	libxcb-keysyms.so.1 => not found
	libxkbcommon-x11.so.0 => not found
	libEGL.so.1 => /lib/x86_64-linux-gnu/libEGL.so.1 (0x00007f3a1bf00000)
	libxcb-icccm.so.4 => not found
/venv/PySide6/QtWidgets.abi3.so:
	libfontconfig.so.1 => not found
	libQt6Gui.so.6 => not found
	libxcb-made-up.so.9 => not found
"""


def test_every_missing_library_is_named_once_with_the_exact_install_commands():
    missing = missing_qt_libraries(FRESH_DEBIAN_LDD)
    assert missing.libraries == ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1",
                                 "libxkbcommon-x11.so.0", "libfontconfig.so.1", "libxcb-made-up.so.9")
    text = missing.describe()
    assert "Debian/Ubuntu: sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libfontconfig1\n" in text
    assert "Fedora:        sudo dnf install -y xcb-util-cursor xcb-util-wm xcb-util-keysyms libxkbcommon-x11 fontconfig\n" in text
    assert "libxcb-made-up.so.9: find its package with `apt-file search libxcb-made-up.so.9` or `dnf provides '*/libxcb-made-up.so.9'`" in text


def test_nothing_missing_is_no_message():
    assert missing_qt_libraries("libqxcb.so:\n\tlibxcb.so.1 => /lib/libxcb.so.1 (0x1)\n") is None
    assert missing_from_ldd("") == ()


@pytest.mark.parametrize("platform, xcb", [("", True), ("xcb", True), ("offscreen", False), ("wayland", False), ("minimal:x=1", False)])
def test_the_check_is_for_the_xcb_window_only(platform, xcb, monkeypatch):
    assert uses_xcb({"QT_QPA_PLATFORM": platform}) is xcb


def test_the_real_check_on_this_machine_agrees_with_the_loader():
    files = qt_files()
    assert files and files[0].name == "libqxcb.so"
    missing = missing_qt_libraries(ldd_output(files))
    for library in (missing.libraries if missing else ()):
        with pytest.raises(OSError):
            ctypes.CDLL(library)  # really absent, not a parsing slip
        assert library in system_libraries.PACKAGES, f"{library} has no package named: add it to PACKAGES"
    for library in ("libxcb.so.1", "libX11.so.6"):
        if not missing or library not in missing.libraries:
            ctypes.CDLL(library)  # reported present, and it loads


def test_the_launcher_stops_before_qt_with_the_commands(monkeypatch, capsys):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(system_libraries, "ldd_output", lambda files: FRESH_DEBIAN_LDD)
    with pytest.raises(SystemExit) as stopped:
        main(["app"])
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: The window cannot open: Qt needs system libraries this machine does not have:")
    assert "sudo apt-get install -y libxcb-cursor0" in err and "sudo dnf install -y xcb-util-cursor" in err


def test_describe_without_known_packages_still_says_how_to_find_them():
    text = MissingLibraries(("libodd.so.1",)).describe()
    assert "apt-get" not in text and "apt-file search libodd.so.1" in text


def test_the_readme_set_up_installs_every_library_the_check_can_name():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    apt = next(line for line in readme.splitlines() if "sudo apt-get install" in line).split()
    dnf = next(line for line in readme.splitlines() if "sudo dnf install" in line).split()
    assert not {debian for debian, _ in system_libraries.PACKAGES.values()} - set(apt)
    assert not {fedora for _, fedora in system_libraries.PACKAGES.values()} - set(dnf)
