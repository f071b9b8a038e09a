"""How sources and drafts read, in one place: the window's Sources panel (HTML), the command line
and a saved draft (text), a printed letter (HTML), and the words around a finished draft (its
heading, notes and timing). Qt-free: the window sets the text and HTML it gets.

A source is a search result, or the record history kept of one (a dict with title, heading, url);
`source_items` turns either into SourceItems, numbered as the draft cites them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

from knowledge.sentences import without_emphasis

SNIPPET_CHARS = 320  # the window's preview of a passage
TEXT_SNIPPET_CHARS = 200  # `frontdesk search`'s preview

NO_GUIDANCE_HTML = ("<p><b>No guidance found for this question.</b> The closest sources are below, "
                    "but they do not answer it. Check with a colleague.</p>")
NO_PASSAGES_HTML = "<p>No passages matched. Try other words, or check with a colleague.</p>"


@dataclass(frozen=True, slots=True)
class SourceItem:
    number: int
    title: str
    heading: str
    url: str
    text: str = ""  # the passage, when the source is a live search result
    matched_terms: tuple[str, ...] = ()
    updated: date | None = None
    review_due: date | None = None

    @property
    def where(self) -> str:
        """"Title > Heading", or the title alone."""
        return self.title + (f" > {self.heading}" if self.heading else "")


def source_items(sources) -> list[SourceItem]:
    """Number the sources from 1, reading search results and history's stored dicts alike."""
    items = []
    for n, source in enumerate(sources, 1):
        if isinstance(source, dict):
            items.append(SourceItem(n, source.get("title", ""), source.get("heading", ""), source.get("url", "")))
            continue
        p = source.passage
        items.append(SourceItem(n, p.title, p.heading, p.url, without_emphasis(p.text), tuple(getattr(source, "matched_terms", ())),
                                p.updated, getattr(p, "review_due", None)))
    return items


# -- text: the command line and a saved draft --------------------------------------------------
def sources_text(sources, *, snippets: bool = False, scores: bool = False) -> str:
    """One source a paragraph: "[n] Title > Heading", its address, and with `snippets` the passage's start."""
    lines = []
    for item, source in zip(source_items(sources), sources):
        score = f"  ({source.score:.2f})" if scores else ""
        lines.append(f"[{item.number}] {item.where}{score}")
        lines.append(f"    {item.url}")
        if snippets:
            flat = item.text[:TEXT_SNIPPET_CHARS].replace("\n", " ")
            lines.append(f"    {flat}{'...' if len(item.text) > TEXT_SNIPPET_CHARS else ''}")
    return "\n".join(lines)


def saved_draft_text(final_text: str, sources, as_at: str = "") -> str:
    """The file Save writes: the draft, its "as at" line, then its sources."""
    return f"{final_text}\n\n" + (f"{as_at}\n\n" if as_at else "") + f"Sources:\n{sources_text(sources)}\n"


# -- HTML: the window's Sources panel ----------------------------------------------------------
def sources_html(sources, covered: bool, colours: dict[str, str], today: date | None = None) -> str:
    """The Sources panel: each source a link (source:N), its passage with the matched words bold, its date."""
    today = today or date.today()
    parts = [] if covered else [NO_GUIDANCE_HTML]
    for item in source_items(sources):
        parts.append(f"<p><a href='source:{item.number}' style='color:{colours['accent']}'><b>[{item.number}] "
                     f"{html.escape(item.where)}</b></a><br/>{snippet_html(item)}{dates_html(item, colours, today)}</p>")
    if not sources:
        parts.append(NO_PASSAGES_HTML)
    return "".join(parts)


def history_sources_html(stored: list[dict]) -> str:
    """The Sources panel for a draft reopened from history: titles and addresses as they were then."""
    items = "".join(f"<p>[{i.number}] <b>{html.escape(i.title)}</b> &gt; {html.escape(i.heading)}<br/>{html.escape(i.url)}</p>"
                    for i in source_items(stored))
    return items or "<p>No sources.</p>"


def snippet_html(item: SourceItem) -> str:
    if not item.text:
        return html.escape(item.url)
    snippet = html.escape(item.text[:SNIPPET_CHARS] + ("…" if len(item.text) > SNIPPET_CHARS else ""))
    for term in sorted(set(w for t in item.matched_terms for w in t.split()), key=len, reverse=True):
        if len(term) > 2:
            snippet = bold_word(snippet, term)
    return snippet


def dates_html(item: SourceItem, colours: dict[str, str], today: date) -> str:
    dates = f"<br/><i>updated {item.updated:%d %b %Y}</i>" if item.updated else "<br/><i></i>"
    if item.review_due and item.review_due < today:
        dates += f" <span style='background:{colours['warning']}'>⚠ review date passed ({item.review_due:%d %b %Y})</span>"
    return dates


def bold_word(escaped: str, term: str) -> str:
    """`escaped` with each word starting with `term` in bold (never inside an HTML entity or tag)."""
    return re.sub(rf"(?<![\w<])({re.escape(html.escape(term))}\w*)", r"<b>\1</b>", escaped, flags=re.IGNORECASE)


# -- HTML: the printed letter ------------------------------------------------------------------
def letter_sources_html(sources) -> str:
    """The letter's "Where this comes from" list: title and address of each source with one."""
    return "".join(f"<li>[{i.number}] {html.escape(i.title)}<br/>{html.escape(i.url)}</li>" for i in source_items(sources) if i.url)


# -- the words around a finished draft ---------------------------------------------------------
def draft_heading(draft) -> str:
    """What the draft is: "No guidance found", the guidance's own sentences, or the model's checked text."""
    if draft.no_guidance:
        return "No guidance found"
    if draft.mode == "approved" and draft.approved_answer is not None:
        return f"{draft.approved_answer.label} (edit freely)"
    if draft.mode == "extractive":
        return "Draft (from the guidance's own sentences · edit freely)"
    return "Draft (written by the model, checked · edit freely)"


def draft_notes(draft) -> str:
    """The notes under a draft: why this mode, the flagged sentences, the model's unchecked text."""
    notes = [draft.notice] if draft.notice else []
    if draft.unsupported:
        notes.append(f"⚠ {len(draft.unsupported)} sentence(s) not found in the sources they cite are marked in red. Check them.")
    if draft.alternative and draft.mode == "extractive":
        notes.append(f"Unchecked model text: {draft.alternative}")
    if draft.closest_answer is not None:
        notes.append(f"Closest approved answer ({draft.closest_answer.label}), for \"{draft.closest_answer.question}\": "
                     f"{draft.closest_answer.text}")
    return "\n".join(notes)


def draft_description(draft) -> str:
    """The draft for a screen reader: which sentences are flagged."""
    if not draft.unsupported:
        return "The draft answer. No sentences are flagged."
    return f"The draft answer. {len(draft.unsupported)} sentences are flagged as not found in their sources: " + " ".join(draft.unsupported)


def draft_speed(timings) -> str:
    """"Last draft: 1.2 s, 45 tokens/s" for the status bar."""
    took = f"{timings.total_ms:.0f} ms" if timings.total_ms < 1000 else f"{timings.total_ms / 1000:.1f} s"
    return f"Last draft: {took}" + (f", {timings.tokens_per_s:.0f} tokens/s" if timings.tokens_per_s else "")
