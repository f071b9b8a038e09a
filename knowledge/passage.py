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
    score: float  # higher is better: the fused score (0 to 1, knowledge/search.py), or the lexical one when searched by words only
    matched_terms: tuple[str, ...] = ()
    lexical_score: float = 0.0  # weighted bm25, re-ranked (0: found by meaning only)
    lexical_rank: int | None = None  # place in the word ranking (1 = first), None if not in it
    dense_rank: int | None = None  # place in the meaning ranking, None if not in it or not searched
    cosine: float | None = None  # similarity of meaning to the question, None if not searched
    # Each quotable sentence's (knowledge/sentences.py, in that order) cosine to the question; () without sentence vectors.
    sentence_cosines: tuple[float, ...] = ()
    # Not ranked: the first page's passage holding the sentence nearest the question, added after that
    # page's results (knowledge/search.py).
    nearest_of_page: bool = False


@dataclass(frozen=True, slots=True)
class SearchSignals:
    """What "no guidance found" is decided from (knowledge/calibration.py)."""

    coverage: float  # best share of the question's weight a top result matches (title, summary, headings, text)
    topic: float  # best share its title, summary and headings match
    lexical: float  # best lexical score
    fused: float = 0.0  # best fused score (0 when searched by words only)
    cosine: float | None = None  # best passage's cosine to the question; None when searched by words only
    cosine_next: float | None = None  # best cosine on another page than the best one
    cosine_mean: float | None = None  # mean cosine of the nearest passages (CANDIDATES of them): the question's baseline
    agree: bool | None = None  # the word and meaning rankings put the same page first
    page_cosine: float | None = None  # the first result's page as a whole (its passages' mean vector) to the question
    sentence_cosine: float | None = None  # the nearest sentence of the first results; None without sentence vectors


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
    signals: SearchSignals | None = None  # None when there was nothing to search
    confidence: float = 0.0  # the calibrated rule's probability that the results answer the question
    lang: str = ""  # the question's language, when the bundle holds more than one and it could be told
    parts: tuple[QuestionPart, ...] = ()  # a message asking several questions: each one's sources (else empty)
    # The services the question names when the guidance mentions none of them ("Scottish Child Payment"):
    # why it is not covered, in the question's own words (knowledge/names.py).
    not_in_guidance: tuple[str, ...] = ()
    # The best page's title when the question asks how much something is and that page gives no sum of
    # money at all: why it is not covered (knowledge/figures.py).
    no_figure_page: str = ""

    @property
    def refused_whatever_the_rule(self) -> bool:
        """Refused for what the question asks, not for how near the results come: it names only services the
        guidance never mentions, or asks how much of a page that gives no amount."""
        return bool(self.not_in_guidance or self.no_figure_page)


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
