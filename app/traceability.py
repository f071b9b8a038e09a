"""The "as at" line that goes with every draft that leaves the app, so a reply can be checked later against the guidance then in force."""

from __future__ import annotations

from datetime import date, datetime
from typing import Sequence

from models.support import cited_numbers, split_sentences


def _day(value: date | str | None) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            return value[:10]
    return f"{value.day} {value:%B %Y}" if value else ""


def as_at_line(text: str, bundle_title: str, bundle_version: int, bundle_date: date | str | None,
               pages: Sequence[tuple[str, date | None]]) -> str:
    """"As at Jobcentre guidance v12 (1 March 2026). Pages cited: [1] Universal Credit: advances (updated 15 September 2025)."

    `pages` are the draft's sources in number order, each (title, updated); only those `text` cites are
    named (all of them when it cites none, as the person may have removed the markers).
    """
    cited = sorted({n for s in split_sentences(text) for n in cited_numbers(s) if 1 <= n <= len(pages)})
    numbers = cited or list(range(1, len(pages) + 1))
    named = []
    seen = set()
    for n in numbers:
        title, updated = pages[n - 1]
        if (title, updated) in seen and not cited:
            continue
        seen.add((title, updated))
        named.append(f"[{n}] {title}" + (f" (updated {_day(updated)})" if updated else ""))
    when = _day(bundle_date)
    line = f"As at {bundle_title} v{bundle_version}" + (f" ({when})" if when else "") + "."
    if named:
        line += (" Pages cited: " if cited else " Pages used: ") + "; ".join(named) + "."
    return line
