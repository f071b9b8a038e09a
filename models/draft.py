"""The plain data that leaves the models layer: drafts, citations, timings and stream events."""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.answers import ApprovedAnswer
from knowledge.passage import BundleInfo, QuestionPart, SearchResult


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """Which model wrote a draft (None in a Draft means no model was used)."""

    name: str
    sha256: str
    path: str = ""
    quantisation: str = ""
    context_length: int = 0
    chat_format: str = ""
    size_bytes: int = 0


@dataclass(frozen=True, slots=True)
class Citation:
    """One [n] marker in a draft and the passage it points at."""

    marker: int
    doc_id: str
    passage_id: str


@dataclass(frozen=True, slots=True)
class PersonalData:
    """A piece of personal data found in a question: its kind and where it sits."""

    kind: str  # "National Insurance number", "phone number", "email address", "postcode"
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Timings:
    retrieval_ms: float = 0.0
    first_token_ms: float | None = None
    total_ms: float = 0.0
    tokens: int = 0
    tokens_per_s: float | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """A finished draft: text, what it cites, what the support check flagged, and where it came from."""

    question: str
    text: str
    mode: str  # "approved", "generated" or "extractive"
    no_guidance: bool
    sources: tuple[SearchResult, ...]
    citations: tuple[Citation, ...]
    unsupported: tuple[str, ...]  # sentences of `text` no cited passage supports
    model: ModelInfo | None
    bundle: BundleInfo | None
    timings: Timings = field(default_factory=Timings)
    personal_data: tuple[PersonalData, ...] = ()
    alternative: str | None = None  # model text shown only as an unchecked alternative
    notice: str = ""  # why this mode was used, in words for the person ("Model still loading: ...")
    approved_answer: ApprovedAnswer | None = None  # the content team's answer this draft is (mode "approved")
    closest_answer: ApprovedAnswer | None = None  # an approved answer offered beside a draft of another mode
    changed_since_approval: tuple[str, ...] = ()  # titles of cited pages updated after the answer was approved
    parts: tuple[QuestionPart, ...] = ()  # a message asking several questions: each part and its sources (else empty)


# Events yielded by models.drafting.stream_draft, in this order:
# SourcesEvent once, TokenEvent zero or more times, DoneEvent once.
@dataclass(frozen=True, slots=True)
class SourcesEvent:
    sources: tuple[SearchResult, ...]
    covered: bool
    retrieval_ms: float


@dataclass(frozen=True, slots=True)
class TokenEvent:
    text: str
    restart: bool = False  # the text so far is void (an office server failed mid-answer); start again


@dataclass(frozen=True, slots=True)
class DoneEvent:
    draft: Draft
