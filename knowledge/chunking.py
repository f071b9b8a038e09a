"""Splitting a document's Markdown into citable passages along headings and paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_WORDS = 60
MAX_WORDS = 250
# Short sections are joined up to this many words: long enough to stand alone when cited, short
# enough that three of them fit the small model's prompt budget (models/prompting.py).
MERGE_LIMIT = 140
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
# A full stop, question or exclamation mark (Latin, Arabic "؟", Urdu "۔"), closing quotes or brackets, then space.
SENTENCE_END = re.compile(r"[.!?\u061f\u06d4]+[\"'\u2019\u201d)\]]*\s+")


@dataclass(frozen=True, slots=True)
class PassageText:
    heading: str  # heading path, " > " between levels
    text: str
    tokens: int


def estimate_tokens(text: str) -> int:
    """A quick token estimate (about 4 characters a token for English), good enough for budgets."""
    return max(1, (len(text) + 3) // 4)


def split_passages(body: str) -> list[PassageText]:
    """Cut a Markdown body into passages of about 60 to 250 words, each under its heading path."""
    sections = split_sections(body)
    passages: list[PassageText] = []
    for path, blocks in sections:
        heading = " > ".join(path)
        for text in pack_blocks(blocks):
            passages.append(PassageText(heading, text, estimate_tokens(text)))
    return merge_short_passages(passages)


def split_sections(body: str) -> list[tuple[tuple[str, ...], list[str]]]:
    """(heading path, paragraphs) for every section, in order."""
    sections: list[tuple[tuple[str, ...], list[str]]] = []
    stack: list[tuple[int, str]] = []
    blocks: list[str] = []
    current: list[str] = []

    def flush_block() -> None:
        text = "\n".join(current).strip()
        if text:
            blocks.append(text)
        current.clear()

    def flush_section() -> None:
        flush_block()
        if blocks:
            sections.append((tuple(h for _, h in stack), blocks.copy()))
        blocks.clear()

    for line in body.splitlines():
        match = HEADING.match(line)
        if match:
            flush_section()
            level = len(match.group(1))
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, match.group(2).strip()))
        elif not line.strip():
            flush_block()
        else:
            current.append(line.rstrip())
    flush_section()
    return sections


def words(text: str) -> int:
    return len(text.split())


def pack_blocks(blocks: list[str]) -> list[str]:
    """Join paragraphs of one section into passages under MAX_WORDS, splitting long ones at sentences."""
    pieces: list[str] = []
    for block in blocks:
        if words(block) <= MAX_WORDS:
            pieces.append(block)
        else:
            pieces += split_long_block(block)
    packed: list[str] = []
    for piece in pieces:
        if packed and words(packed[-1]) < MIN_WORDS * 2 and words(packed[-1]) + words(piece) <= MAX_WORDS:
            packed[-1] = f"{packed[-1]}\n\n{piece}"
        else:
            packed.append(piece)
    return packed


def split_long_block(block: str) -> list[str]:
    """Split an over-long paragraph at sentence ends (or at words, for text with no sentences)."""
    sentences = split_sentences(block) if "\n- " not in block else block.split("\n")
    chunks: list[str] = []
    for sentence in sentences:
        if words(sentence) > MAX_WORDS:
            tokens = sentence.split()
            for i in range(0, len(tokens), MAX_WORDS - 50):
                chunks.append(" ".join(tokens[i:i + MAX_WORDS - 50]))
        elif chunks and words(chunks[-1]) + words(sentence) <= MAX_WORDS - 30:
            joiner = "\n" if "\n- " in block else " "
            chunks[-1] = f"{chunks[-1]}{joiner}{sentence}"
        else:
            chunks.append(sentence)
    return [c.strip() for c in chunks if c.strip()]


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph: cut after a stop unless a lower-case letter follows ("e.g. this")."""
    sentences, start = [], 0
    for match in SENTENCE_END.finditer(text):
        following = text[match.end():match.end() + 1]
        if following and not following.islower():
            sentences.append(text[start:match.end()].strip())
            start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def merge_short_passages(passages: list[PassageText]) -> list[PassageText]:
    """Fold a passage under MIN_WORDS into the one before it, when the two fit in one passage.

    Across sections, the later heading is kept in the text ("Heading:") and in the heading path
    ("First · Second"), so a citation still says where each sentence came from.
    """
    merged: list[PassageText] = []
    for p in passages:
        prev = merged[-1] if merged else None
        if prev is None or not (words(prev.text) < MIN_WORDS or words(p.text) < MIN_WORDS) \
                or words(prev.text) + words(p.text) > MERGE_LIMIT:
            merged.append(p)
            continue
        if prev.heading == p.heading or not p.heading:
            heading, text = prev.heading, f"{prev.text}\n\n{p.text}"
        else:
            inner = p.heading.split(" > ")[-1]
            heading = f"{prev.heading} · {inner}" if prev.heading else p.heading
            text = f"{prev.text}\n\n{inner}:\n{p.text}" if prev.text else p.text
        merged[-1] = PassageText(heading, text, estimate_tokens(text))
    return merged
