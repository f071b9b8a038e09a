"""The plain data that leaves the knowledge layer: passages, search results, bundle facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Passage:
    """One citable piece of guidance: a few paragraphs under one heading path."""

    id: str
    doc_id: str
    title: str
    url: str
    heading: str  # heading path, " > " between levels, e.g. "How much you'll get > Deductions"
    text: str
    updated: date | None = None
    review_due: date | None = None
    lang: str = ""  # the page's language ("en", "cy"), "" in a bundle built before pages carried one


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A passage with its rank score and the query terms it matched (for highlighting)."""

    passage: Passage
    score: float  # higher is better (negated bm25)
    matched_terms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuestionPart:
    """One question of a message that asks several (knowledge/message.py), and the sources found for it."""

    text: str  # the part as asked, with the statements just before it
    sources: tuple[int, ...]  # positions in the message's results, the part's best first
    covered: bool  # False: no guidance answers this part
    query: str = ""  # what was searched: the part, with the question before it when it says what "it" is


@dataclass(frozen=True, slots=True)
class SearchResponse:
    """The answer to one query: ranked results and whether any clears the relevance threshold."""

    query: str
    results: tuple[SearchResult, ...]
    elapsed_ms: float
    covered: bool  # False: "No guidance found", results are only the closest sources
    lang: str = ""  # the question's language, when the bundle holds more than one and it could be told
    parts: tuple[QuestionPart, ...] = ()  # a message asking several questions: each one's sources (else empty)


@dataclass(frozen=True, slots=True)
class BundleInfo:
    """What the status bar, the JSON output and the history need to know about a bundle."""

    id: str
    title: str
    version: int
    created_at: str
    path: Path
    schema_version: int = 1
    signed: bool = False
