"""How commands print: one JSON object for --json, progress bars on a terminal only."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import click

from knowledge.jsonable import to_jsonable


def echo_json(payload: Any) -> None:
    """Print `payload` as a single JSON object on stdout."""
    click.echo(json.dumps(to_jsonable(payload), ensure_ascii=False, indent=2))


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int, str], None]]:
    """Yield a report(done, total, item) callback that draws a bar on a TTY and is silent otherwise."""
    if not sys.stderr.isatty():
        yield lambda done, total, item="": None
        return
    state: dict[str, Any] = {"bar": None, "last": 0}

    def report(done: int, total: int, item: str = "") -> None:
        if state["bar"] is None:
            # A percentage and the file at hand: the count behind the bar is not one a reader knows.
            state["bar"] = click.progressbar(length=max(total, 1), label=label, file=sys.stderr, show_percent=True,
                                             show_pos=False, item_show_func=lambda item: item or "")
            state["bar"].__enter__()
        state["bar"].update(done - state["last"], current_item=item)
        state["last"] = done

    try:
        yield report
    finally:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)
