"""Whether a question asks for a sum of money, and whether a page gives any.

"What's the weekly amount for the enhanced rate of the PIP mobility part?" finds the PIP page first, and
rightly: it is about PIP's mobility part. But the page never gives a figure, so it cannot answer, and a
draft from it reads as an answer that leaves out the one thing asked. A question that plainly asks how
much something is, whose best page holds no sum of money anywhere (no "£", no per cent), is not answered
by it (knowledge/search.py). Only plain asks count: "how much notice", "will waiting cost him anything"
or "the embassy fees" ask something a page without a figure can still answer.
"""

from __future__ import annotations

import re

# "how much is/does/are/will ... cost", "what's the (weekly) amount/rate/cost/fee", "how much do/can I get";
# not "how much time/notice/food", and not "how much of my pension", which asks a share.
ASKS_FOR_MONEY = re.compile(
    r"\bhow\s+much\b(?!\s+(?:time|longer|notice|of|earlier|later|sooner|food|evidence|information|detail|work)\b)"
    r"|\bwhat(?:'s|’s|\s+is|\s+are)\s+the\s+(?:\w+\s+){0,2}?(?:amount|rate|cost|fee|price)s?\b"
    r"|\bwhat\s+(?:does|do|will)\s+(?:[\w'’]+\s+){1,4}?cost\b"
    r"|\bfaint\s+(?:yw|ydy|mae|fydd)\b(?!\s+o\s+amser)",  # Welsh "faint yw ...?": how much is ...?
    re.I,
)
# A sum of money as guidance writes one: "£81.90", "85%", "85 per cent", "50p".
GIVES_MONEY = re.compile(r"£\s?\d|\d\s?%|\b\d+(?:\.\d+)?\s?p\b|\b\d+\s+per\s?cent\b|\b\d+\s+y\s+cant\b", re.I)


# "how much ... lasts" or "how much ... takes" asks a time, in the same clause: looked for a few words on
# only, so a 100,000-character paste saying "how much" thousands of times is read in one pass, not one each.
ASKS_FOR_TIME_AFTER = re.compile(r"[^?.!]{0,80}?\b(?:lasts?|take|takes)\b", re.I)


def asks_for_money(question: str) -> bool:
    """Whether the question plainly asks how much something is (ASKS_FOR_MONEY)."""
    return any(not (ask.group(0).lower().startswith("how") and ASKS_FOR_TIME_AFTER.match(question, ask.end()))
               for ask in ASKS_FOR_MONEY.finditer(question))


def gives_money(text: str) -> bool:
    """Whether the text holds a sum of money or a share of one."""
    return bool(GIVES_MONEY.search(text))
