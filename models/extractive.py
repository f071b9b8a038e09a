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
ASKS_FOR_FIGURES = re.compile(r"\b(how much|how many|how long|when|what date|amount|rate|£|pay|paid|days?|weeks?|months?)\b", re.I)


def stem(word: str) -> str:
    return word[: max(4, len(word) - 2)] if len(word) > 4 else word


def question_stems(question: str, sources: Sequence[SearchResult]) -> set[str]:
    words = {w for w in tokenize(question) if w not in STOP_WORDS and len(w) > 1}
    for r in sources:
        words.update(w for term in r.matched_terms for w in term.split())
    return {stem(w) for w in words}


def passage_sentences(text: str) -> list[str]:
    """Whole sentences of a passage: list items and lines as sentences, headings dropped."""
    sentences = []
    for line in text.split("\n"):
        line = line.strip().lstrip("-*• ").strip()
        if not line or line.startswith("#"):
            continue
        sentences += split_sentences(line)
    return [s for s in sentences if len(s.split()) >= 4 and not s.endswith(":")]


def sentence_score(sentence: str, stems: set[str], wants_figures: bool, position: int, rank: int) -> float:
    words = [w for w in tokenize(sentence) if w not in STOP_WORDS]
    if not words:
        return 0.0
    hits = sum(1 for w in set(words) if stem(w) in stems or any(w.startswith(s) for s in stems if len(s) >= 4))
    score = hits / math.sqrt(len(words))
    if wants_figures and re.search(r"£|\d", sentence):
        score *= 1.5
    return score * (1.0 - 0.04 * position) * (1.0 - 0.15 * rank)


def extractive_answer(question: str, sources: Sequence[SearchResult]) -> str:
    """A short answer made of the sources' own sentences, each followed by its [n]."""
    stems = question_stems(question, sources)
    wants_figures = bool(ASKS_FOR_FIGURES.search(question))
    scored = []
    for rank, result in enumerate(sources[:PASSAGES_USED]):
        for position, sentence in enumerate(passage_sentences(result.passage.text)):
            score = sentence_score(sentence, stems, wants_figures, position, rank)
            if score > 0:
                scored.append((score, rank, position, sentence))
    if not scored and sources:
        # Nothing overlaps word for word: the top passage's opening is still the best lead.
        first = passage_sentences(sources[0].passage.text)[:2]
        scored = [(1.0, 0, i, s) for i, s in enumerate(first)]
    chosen, words, per_passage, seen = [], 0, {}, set()
    for score, rank, position, sentence in sorted(scored, key=lambda s: -s[0]):
        key = re.sub(r"\W+", " ", sentence.lower()).strip()
        length = len(sentence.split())
        if key in seen or per_passage.get(rank, 0) >= 2 or (chosen and words + length > MAX_WORDS):
            continue
        chosen.append((rank, position, sentence))
        seen.add(key)
        words += length
        per_passage[rank] = per_passage.get(rank, 0) + 1
        if len(chosen) == MAX_SENTENCES:
            break
    chosen.sort()
    parts = []
    for rank, _, sentence in chosen:
        sentence = sentence.rstrip()
        if sentence[-1] not in ".!?":
            sentence += "."
        parts.append(f"{sentence} [{rank + 1}]")
    return " ".join(parts)
