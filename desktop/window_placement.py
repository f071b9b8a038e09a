"""Where the main window goes on the screen: last session's place, kept inside the screen it opens on (Qt-free).

The most common office laptop screen is 1366x768, and a taskbar takes 30 to 48 pixels of it: a
fixed 1200x780 window ran off the bottom and hid the status bar. Rectangles here are the window's
inside (what Qt's geometry() means); the title bar and borders sit around it, so room is left for
them.
"""

from __future__ import annotations

from typing import NamedTuple

DEFAULT_SIZE = (1200, 780)
# Room for the title bar and borders around the window's inside (Windows 10/11, GNOME, KDE are 30-40 px).
FRAME_TOP = 40
FRAME_SIDE = 8


class Rect(NamedTuple):
    x: int
    y: int
    width: int
    height: int


def fitted_rect(available: Rect, saved: Rect | None = None, default: tuple[int, int] = DEFAULT_SIZE) -> Rect:
    """The window's inside: the saved one (else the default size, centred), shrunk and moved to fit `available`."""
    room_w = max(1, available.width - 2 * FRAME_SIDE)
    room_h = max(1, available.height - FRAME_TOP - FRAME_SIDE)
    if saved is None or saved.width <= 0 or saved.height <= 0:
        width, height = min(default[0], room_w), min(default[1], room_h)
        x = available.x + (available.width - width) // 2
        y = available.y + FRAME_TOP + (room_h - height) // 2
        return Rect(x, y, width, height)
    width, height = min(saved.width, room_w), min(saved.height, room_h)
    left, top = available.x + FRAME_SIDE, available.y + FRAME_TOP
    x = min(max(saved.x, left), available.x + available.width - FRAME_SIDE - width)
    y = min(max(saved.y, top), available.y + available.height - FRAME_SIDE - height)
    return Rect(x, y, width, height)


def saved_placement(values) -> tuple[Rect | None, bool]:
    """The rectangle and maximised flag kept in the personal settings ((x, y, width, height, maximised))."""
    if not values or len(values) != 5:
        return None, False
    x, y, width, height, maximised = (int(v) for v in values)
    return Rect(x, y, width, height), bool(maximised)
