"""The sentences of a passage a draft can quote: what the extractive draft chooses from, and what the
bundle stores a vector for (knowledge/vectors.py), so the two always mean the same sentences."""

from __future__ import annotations

import re

# After a full stop, question or exclamation mark (and any closing quote or bracket), or a line break.
SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")
# A sentence break after "e.g." or "i.e." is none ("... when you can, e.g. if you're seriously ill."). The
# bundle's sentence vectors follow SENTENCE_BREAK as it is, so a draft joins such a sentence to its rest.
ENDS_ON_ABBREVIATION = re.compile(r"\b(e\.g|i\.e|eg|ie|etc|incl|approx)\.$", re.I)
# Markdown bold as published ("You should be aged **50 or over**"); a lone "**" is a mark whose pair
# the passage split left elsewhere ("**Example:** You're 67 ..." cut after "Example").
EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def without_emphasis(text: str, bold: str = r"\2") -> str:
    """`text` with Markdown's bold marks taken out: a draft quotes the words, which a letter to a citizen
    would otherwise carry with the marks. `bold` is what each bold run becomes (r"<b>\2</b>" keeps it bold in HTML)."""
    return EMPHASIS.sub(bold, text).replace("**", "")


# A worked example's label, "**Example**" or "Example:" (Welsh "Enghraifft"), at the start of a paragraph:
# the bundle builder puts it before every part of a publisher's example box (knowledge/govspeak.py), and a
# draft never quotes what it labels (models/extractive.worked_examples).
EXAMPLE_LABEL = re.compile(r"^(?:(?:\*\*|__)(?:example|enghraifft):?(?:\*\*|__):?|(?:example|enghraifft):)", re.I)
# A list of short items is one sentence when none of its items runs past this ("£348 if you are single").
JOINED_ITEM_WORDS = 8
# How an item ends when it runs into the next ("maths, or"): the joined list says its own commas.
LIST_JOIN = re.compile(r"[\s,;.]*(\b(or|and)\b)?[\s,;.]*$", re.I)
# An email or web address or a phone number: a line holding one is quotable however short ("Email:
# enquiries@pensions-ombudsman.org.uk"), where a line under four words is otherwise a label, not a sentence.
CONTACT_DETAIL = re.compile(r"[\w.+-]+@[\w-]+\.\w|\bwww\.\w|https?://\w|\b0\d{2,4}[\s\d]{6,}")


def passage_sentences(text: str) -> list[tuple[str, str]]:
    """(sentence, context) for each whole sentence of a passage; a list item carries its lead-in.

    The context is the sub-heading the sentence sits under ("How much you get") and, for a list
    item, the line that introduces the list ("You get:"): "£8.50 each week" means little alone.
    A list with short items (is_short_item) is said as a person quotes it, one sentence with its
    lead-in: "... your debt must be below: £500 for gas, £500 for electricity."
    """
    found: list[tuple[str, str]] = []
    heading, lead_in = "", ""
    items: list[str] = []  # the current list's items, said when the list ends

    def say_list() -> None:
        # The whole list is one sentence when it has a short item and no long one; else its short items are.
        whole = any(map(is_short_item, items)) and all(len(i.split()) <= JOINED_ITEM_WORDS and not SENTENCE_BREAK.search(i) for i in items)
        joined = [LIST_JOIN.sub("", item) for item in items if whole or is_short_item(item)]
        if joined:
            joiner = "; " if any("," in item for item in joined) else ", "
            found.append((f"{lead_in}: {joiner.join(joined)}.", heading))
        for item in items:
            if not whole and not is_short_item(item):
                say_line(item, is_item=True)
        items.clear()

    def say_line(line: str, is_item: bool) -> None:
        for sentence in (p.strip() for p in SENTENCE_BREAK.split(line)):
            # A question in the guidance ("Can I transfer?") is a heading or an FAQ's prompt, never an answer.
            if (len(sentence.split()) >= 4 or CONTACT_DETAIL.search(sentence)) and not sentence.rstrip(" *_\"'”’)").endswith("?"):
                found.append((f"{lead_in} {sentence}" if is_item and lead_in else sentence, heading))

    for line in text.split("\n"):
        raw = line.strip()
        if not raw:
            continue
        is_item = raw[:1] in "-*•"
        line = raw.lstrip("-*• ").strip()
        if is_item and lead_in and not line.endswith(":"):
            if any(c.isalnum() for c in line):  # an empty bullet ("-", "* —") says nothing
                items.append(line)
            continue
        say_list()
        if raw.startswith("#"):
            heading, lead_in = raw.lstrip("# "), ""
            continue
        if line.endswith(":"):
            if len(line.split()) <= 6 and not is_item and line[:1].isupper() and "." not in line:
                heading = line[:-1]  # a joined section's sub-heading ("How much you get:")
            lead_in = line[:-1]
            continue
        if not is_item:
            lead_in = ""
        say_line(line, is_item)
    say_list()
    return found


def is_short_item(item: str) -> bool:
    """Whether a list item is too short to quote alone ("£500 for gas", "a passport", "Year 1"): under
    four words, not a question, with a letter or digit in it. Such items had been left out of drafts,
    and with them the figure asked for."""
    words = LIST_JOIN.sub("", item).split()
    return 0 < len(words) < 4 and not item.endswith("?") and any(c.isalnum() for c in item) and "**" not in item
