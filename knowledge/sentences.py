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


def passage_sentences(text: str) -> list[tuple[str, str]]:
    """(sentence, context) for each whole sentence of a passage; a list item carries its lead-in.

    The context is the sub-heading the sentence sits under ("How much you get") and, for a list
    item, the line that introduces the list ("You get:"): "£8.50 each week" means little alone.
    """
    found: list[tuple[str, str]] = []
    heading, lead_in = "", ""
    for line in text.split("\n"):
        raw = line.strip()
        if not raw:
            continue
        if raw.startswith("#"):
            heading, lead_in = raw.lstrip("# "), ""
            continue
        is_item = raw[:1] in "-*•"
        line = raw.lstrip("-*• ").strip()
        if line.endswith(":"):
            if len(line.split()) <= 6 and not is_item and line[:1].isupper() and "." not in line:
                heading = line[:-1]  # a joined section's sub-heading ("How much you get:")
            lead_in = line[:-1]
            continue
        if not is_item:
            lead_in = ""
        for sentence in (p.strip() for p in SENTENCE_BREAK.split(line)):
            # A question in the guidance ("Can I transfer?") is a heading or an FAQ's prompt, never an answer.
            if len(sentence.split()) >= 4 and not sentence.rstrip(" *_\"'”’)").endswith("?"):
                found.append((f"{lead_in} {sentence}" if is_item and lead_in else sentence, heading))
    return found
