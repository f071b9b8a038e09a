"""The extractive draft: the guidance's own most relevant sentences, each cited, in reading order.

With a small model this is the draft shown first (DESIGN.md, trust rules): it cannot lose a fact
the guidance states, because every word of it is the guidance's.
"""

from __future__ import annotations

import math
import re
from typing import Sequence

from knowledge.passage import SearchResult
from knowledge.query import STOP_WORDS, tokenize
from models.support import split_sentences

MAX_WORDS = 120
MAX_SENTENCES = 4
PASSAGES_USED = 3
# A source scoring under this share of the top source's search score is shown but not drawn on:
# its sentences mostly answer a neighbouring question. Measured on the sample set (benchmarks/
# draft_quality.py): key facts 62% -> 64%, sentences citing an expected page 61% -> 73%. The
# ASKS_WHAT_IS, LEANS_BACK and SAME_SENTENCE rules below then took unsupported sentences from 5.6%
# to 4.2% with no key fact lost.
MIN_SOURCE_SHARE = 0.6
TIME = re.compile(r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(working\s+)?(day|week|month|year)s?\b|\b(january|february|march|april|june|july|august|september|october|november|december)\b", re.I)
# What kind of figure a question asks for, and how a sentence that carries one looks.
ASKS_FOR_AMOUNT = re.compile(r"\b(how much|how many|amount|rate|cost|much is|£)", re.I)
ASKS_FOR_TIME = re.compile(r"\b(how long|when|time limit|deadline|how soon|what date|how often|days?|weeks?|months?)\b", re.I)
AMOUNT = re.compile(r"£\s?\d|\b\d+p\b|\d+%")
# "What is a sanction?" is answered by the sentence that says what one is.
ASKS_WHAT_IS = re.compile(r"^\W*(what|whats|what's)\s+(is|are|does)\b", re.I)
# A sentence that leans on the one before it ("If you do not, ...") cannot open a draft.
LEANS_BACK = re.compile(r"^(this|that|these|those|they|he|she|if you do not|if not|otherwise|also|but|however)\b", re.I)
SAME_SENTENCE = 0.5  # words in common, as a share of all the words of both, above which two sentences say the same thing


def stem(word: str) -> str:
    return word[: max(4, len(word) - 2)] if len(word) > 4 else word


def question_stems(question: str, sources: Sequence[SearchResult]) -> set[str]:
    words = {w for w in tokenize(question) if w not in STOP_WORDS and len(w) > 1}
    for r in sources:
        words.update(w for term in r.matched_terms for w in term.split())
    return {stem(w) for w in words}


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
        for sentence in split_sentences(line):
            if len(sentence.split()) >= 4:
                found.append((f"{lead_in} {sentence}" if is_item and lead_in else sentence, heading))
    return found


def overlap(words: list[str], stems: set[str]) -> int:
    return sum(1 for w in set(words) if stem(w) in stems or any(w.startswith(s) for s in stems if len(s) >= 4))


def defines(sentence: str, stems: set[str]) -> bool:
    """Whether a sentence says what one of the question's words is ("A sanction is a cut to ...")."""
    head = tokenize(sentence)[:8]
    for i, word in enumerate(head[1:], start=1):
        if word in ("is", "are", "means") and any(stem(w) in stems for w in head[:i] if w not in STOP_WORDS):
            return True
    return False


def sentence_score(sentence: str, context: str, stems: set[str], wants: str, position: int, rank: int) -> float:
    words = [w for w in tokenize(sentence) if w not in STOP_WORDS]
    if not words:
        return 0.0
    score = overlap(words, stems) / math.sqrt(len(words))
    score += 0.3 * overlap([w for w in tokenize(context) if w not in STOP_WORDS], stems)
    if (wants == "amount" and AMOUNT.search(sentence)) or (wants == "time" and TIME.search(sentence)) or (
            wants == "definition" and defines(sentence, stems)):
        score += 0.6
    if wants == "amount" and "how much" in context.lower():
        score += 0.3
    return score * (1.0 - 0.04 * position) * (1.0 - 0.15 * rank)


def extractive_answer(question: str, sources: Sequence[SearchResult]) -> str:
    """A short answer made of the sources' own sentences, each followed by its [n]."""
    stems = question_stems(question, sources)
    wants = ("amount" if ASKS_FOR_AMOUNT.search(question) else "time" if ASKS_FOR_TIME.search(question)
             else "definition" if ASKS_WHAT_IS.search(question) else "")

    scored, every = [], {}
    top = sources[0].score if sources else 0.0
    for rank, result in enumerate(sources[:PASSAGES_USED]):
        if rank and result.score < MIN_SOURCE_SHARE * top:
            continue
        for position, (sentence, context) in enumerate(passage_sentences(result.passage.text)):
            every[rank, position] = sentence
            score = sentence_score(sentence, context, stems, wants, position, rank)
            if score > 0:
                scored.append((score, rank, position, sentence))
    if not scored and sources:
        # Nothing overlaps word for word: the top passage's opening is still the best lead.
        first = passage_sentences(sources[0].passage.text)[:2]
        scored = [(1.0, 0, i, s) for i, (s, _) in enumerate(first)]
    ranked = sorted(scored, key=lambda s: -s[0])
    if wants in ("amount", "time"):
        # A question asking "how much" or "how long" is answered by the sentence with the figure:
        # it leads, even when a sentence repeating the question's words scores higher.
        figure = AMOUNT if wants == "amount" else TIME
        lead = next((s for s in ranked if s[1] <= 1 and figure.search(s[3])), None)
        if lead is not None:
            ranked.remove(lead)
            ranked.insert(0, lead)
    chosen, words, per_passage, seen = [], 0, {}, []
    for score, rank, position, sentence in ranked:
        if LEANS_BACK.match(sentence) and not any(c[:2] == (rank, position - 1) for c in chosen):
            continue  # "If you do not, ..." means nothing without the sentence before it
        key = set(tokenize(sentence))
        length = len(sentence.split())
        if any(len(key & other) >= SAME_SENTENCE * len(key | other) for other in seen):
            continue  # the same point, made again in another passage
        if per_passage.get(rank, 0) >= 2 or (chosen and words + length > MAX_WORDS):
            continue
        chosen.append((rank, position, sentence))
        seen.append(key)
        words += length
        per_passage[rank] = per_passage.get(rank, 0) + 1
        if len(chosen) == MAX_SENTENCES:
            break
    if not chosen and ranked:
        # Only sentences that lean on another matched: the best one comes with the sentence before it.
        _, rank, position, sentence = ranked[0]
        before = every.get((rank, position - 1))
        chosen = [(rank, position - 1, f"{before} {sentence}")] if before else [(rank, position, sentence)]
    # The best sentence leads (it is the answer); the rest follow in the guidance's own order, and
    # a sentence that leans on another comes straight after it.
    chosen = chosen[:1] + sorted(chosen[1:])
    for item in [c for c in chosen[1:] if LEANS_BACK.match(c[2])]:
        chosen.remove(item)
        before = next(i for i, c in enumerate(chosen) if c[:2] == (item[0], item[1] - 1))
        chosen.insert(before + 1, item)
    parts = []
    for rank, _, sentence in chosen:
        sentence = sentence.rstrip()
        if sentence[-1] not in ".!?":
            sentence += "."
        parts.append(f"{sentence} [{rank + 1}]")
    return " ".join(parts)
