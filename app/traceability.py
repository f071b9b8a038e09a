"""The "as at" line that goes with every draft that leaves the app, so a reply can be checked later against the guidance then in force."""

from __future__ import annotations

from datetime import date, datetime
from typing import Sequence

from models.draft import Draft
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


def draft_as_at(text: str, draft: Draft | None, draft_id: int | None, in_force, history) -> str:
    """The "as at" line for the draft in hand, as edited (`text`).

    A draft made here carries its guidance and sources; one reopened from history (no Draft) is
    dated by the guidance in force (`in_force`, a BundleInfo) and names its sources as recorded.
    """
    info = in_force if draft is None or draft.bundle is None else draft.bundle
    if draft is not None:
        pages = [(r.passage.title, r.passage.updated) for r in draft.sources]
    else:
        entry = history.get_entry(draft_id) if draft_id is not None else None
        pages = [(s["title"], None) for s in entry.sources] if entry else []
    return as_at_line(text, info.title, info.version, info.created_at, pages)
