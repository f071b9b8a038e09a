"""Drafting an answer: sources first, then a generated or extractive draft, checked against the sources.

stream_draft is a generator the command line, the app's worker thread, the tests and the benchmarks
all drive the same way; it knows nothing of threads or Qt, and checks `cancel` before every token.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from typing import Iterator, Sequence

from knowledge.answers import AnswerMatch, answers_for
from knowledge.errors import BundleError, FrontdeskError
from knowledge.message import search_message
from knowledge.names import names_list
from knowledge.passage import SearchResult
from knowledge.search import Searcher
from models.catalogue import preferred_mode
from models.draft import DRAFT_MAX_TOKENS, Draft, DoneEvent, RestartEvent, SourcesEvent, Timings, TokenEvent
from models.errors import ModelError
from models.extractive import extractive_answer
from models.personal_data import find_personal_data, redact_personal_data, without_personal_data
from models.prompting import PROMPT_ECHO, build_prompt
from models.runtime_protocol import ModelRuntime, Restart
from models.support import check_citations, contains, normalise, specifics, split_sentences

Event = SourcesEvent | TokenEvent | RestartEvent | DoneEvent
MODES = ("auto", "extractive", "generated", "approved")
CLIP_NOTE_CHARS = 4000


def clean_question(text: str) -> str:
    """The question as text a person could have typed: control characters and binary junk removed."""
    if not isinstance(text, str):
        raise FrontdeskError("The question must be text.")
    cleaned = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
    )
    cleaned = re.sub(r"[ \t]+", " ", cleaned).strip()
    if not cleaned:
        raise FrontdeskError("Type or paste a question first.")
    if not any(ch.isalnum() for ch in cleaned):
        raise FrontdeskError("The question has no words in it. Type or paste the citizen's question as text.")
    letters = sum(ch.isalpha() or ch.isspace() or ch in ".,?!'£-" for ch in cleaned[:2000])
    if letters < 0.5 * min(len(cleaned), 2000):
        raise FrontdeskError("This does not look like a question: it is mostly symbols or binary data. Paste the text of the message instead.")
    return cleaned


def shorten(text: str, most: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1].rsplit(" ", 1)[0] + "…"


def no_guidance_text(bundle_title: str, not_in_guidance: Sequence[str] = (), no_figure_page: str = "",
                     no_figure_marker: int | None = None) -> str:
    """What the draft says when the guidance does not answer: which services it never mentions, or that the page
    it found (source `no_figure_marker`, cited so the citation check finds the title there) gives no amount."""
    never = f" It never mentions {names_list(not_in_guidance)}." if not_in_guidance else ""
    if no_figure_page and not never:
        cited = f" [{no_figure_marker}]" if no_figure_marker else ""
        never = f" The page it found, {no_figure_page}{cited}, gives no amount."
    return (
        f"No guidance found in {bundle_title} for this question.{never} The closest sources are listed, but they do not "
        "answer it. Check with a colleague or your team's guidance before you reply."
    )


def stream_draft(
    question: str,
    searcher: Searcher,
    runtime: ModelRuntime | None = None,
    *,
    mode: str = "auto",
    max_tokens: int = DRAFT_MAX_TOKENS,
    cancel: threading.Event | None = None,
    k: int = 5,
    unavailable: str = "",
    embedder=None,
    prefers: str | None = None,
) -> Iterator[Event]:
    """Yield SourcesEvent, then TokenEvents (generated drafts only), then DoneEvent with the checked Draft.

    `unavailable` says in words why there is no model (shown when falling back to the extractive draft).
    In "auto" mode a question that matches an approved answer strongly gets that answer (mode
    "approved"); otherwise the closest approved answer, if any, rides along as `closest_answer`.
    Mode "approved" drafts that closest answer whatever its score (the person chose it).
    `embedder` (by default the searcher's own, when the bundle has vectors) adds dense similarity to the
    approved-answer match; the extractive draft
    does not use it (measured: seconds a draft for no key fact gained; models/extractive.py).
    A message asking several questions is searched part by part and its draft answers each part.
    `prefers` is the draft "auto" shows first (the app's ModelChoice, which counts this machine's
    quality runs); None: the catalogue's choice for the model.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    started = time.perf_counter()
    cancel = cancel or threading.Event()
    question = clean_question(question)
    notices: list[str] = []
    if len(question) > CLIP_NOTE_CHARS:
        notices.append(f"The message is long ({len(question):,} characters): only its start was used to search and draft.")
    personal = find_personal_data(question)
    # Search and drafting read the question without its personal data; the Draft keeps it as asked.
    asked = without_personal_data(question, personal)
    match = approved_match(asked, searcher, embedder)
    model_ready = runtime is not None and runtime.loaded
    if mode == "approved" and match is None:
        notices.append("No approved answer is close to this question.")
        mode = "auto"
    if match is not None and (match.strong and mode == "auto" or mode == "approved"):
        approved = approved_draft(match, searcher)
        if approved is not None:
            text, sources, changed = approved
            elapsed = (time.perf_counter() - started) * 1000
            yield SourcesEvent(sources, True, elapsed)
            if not match.strong:
                notices.append("You chose this approved answer: it was written for another question "
                               f"(\"{match.answer.question}\"). Check that it answers this one.")
            if changed:
                notices.append("Check: the guidance changed after approval (" + "; ".join(changed) + ").")
            check = check_citations(text, sources)
            yield DoneEvent(Draft(
                question=question, text=text, mode="approved", no_guidance=False, sources=sources, citations=check.citations,
                unsupported=check.unsupported, model=None, bundle=searcher.info, personal_data=personal,
                timings=Timings(elapsed, None, (time.perf_counter() - started) * 1000, 0, None), notice=" ".join(notices),
                approved_answer=match.answer, changed_since_approval=tuple(changed),
            ))
            return
    response = search_message(searcher, asked, k)
    yield SourcesEvent(response.results, response.covered, response.elapsed_ms)
    unanswered = [p.text for p in response.parts if not p.covered]
    if response.covered and unanswered:
        notices.append("No guidance found for: " + " / ".join(f"“{shorten(p)}”" for p in unanswered)
                       + ". The draft answers the rest of the message.")

    def extractive() -> str:
        return extractive_answer(asked, response.results, response.parts)

    base = dict(question=question, sources=response.results, bundle=searcher.info, personal_data=personal,
                closest_answer=match.answer if match is not None else None)

    def finish(text: str, draft_mode: str, *, first_token_ms=None, tokens=0, alternative=None, no_guidance=False) -> DoneEvent:
        total = (time.perf_counter() - started) * 1000
        check = check_citations(text, response.results)
        rate = None
        if tokens and first_token_ms is not None and total > first_token_ms:
            rate = tokens / ((total - first_token_ms) / 1000)
        timings = Timings(response.elapsed_ms, first_token_ms, total, tokens, rate)
        return DoneEvent(Draft(
            text=text, mode=draft_mode, no_guidance=no_guidance, citations=check.citations,
            unsupported=check.unsupported, model=runtime.info if model_ready else None, timings=timings,
            alternative=alternative, notice=" ".join(notices), parts=response.parts, **base,
        ))

    if not response.covered:
        marker = next((n for n, r in enumerate(response.results, 1) if r.passage.title == response.no_figure_page), None)
        yield finish(no_guidance_text(searcher.info.title, response.not_in_guidance, response.no_figure_page, marker),
                     "extractive", no_guidance=True)
        return

    chosen = mode if mode != "auto" else ((prefers or preferred_mode(runtime.info)) if model_ready else "extractive")
    if chosen == "generated" and not model_ready:
        reason = unavailable or ("The model is still loading." if runtime is not None else "No model is available.")
        notices.append(f"{reason} Showing sentences from the guidance instead.")
        chosen = "extractive"
    if chosen == "extractive":
        yield finish(extractive(), "extractive")
        return

    plan = build_prompt(redact_personal_data(question, personal), response.results, runtime.count_tokens, runtime.context_length, max_tokens)
    pieces: list[str] = []
    first_token_ms = None
    try:
        for piece in runtime.generate(plan.messages, max_tokens=max_tokens, should_stop=cancel.is_set, stop=PROMPT_ECHO):
            if isinstance(piece, Restart):
                pieces.clear()
                yield RestartEvent(piece.reason)
                continue
            if first_token_ms is None:
                first_token_ms = (time.perf_counter() - started) * 1000
            pieces.append(piece)
            yield TokenEvent(piece)
            if cancel.is_set():
                break
    except ModelError as exc:
        notices.append(f"The model stopped with an error ({exc}). Showing sentences from the guidance instead.")
        yield finish(extractive(), "extractive", alternative="".join(pieces) or None)
        return
    text = "".join(pieces).strip()
    if runtime.notice:
        notices.append(runtime.notice)
    if cancel.is_set():
        notices.append("Stopped.")
        yield finish(text, "generated", first_token_ms=first_token_ms, tokens=len(pieces))
        return
    check = check_citations(text, plan.sources_used)
    if check.fails_badly:
        if check.hollow:
            why = check.hollow
        elif not check.citations:
            why = "cites no source"
        else:
            why = f"{len(check.unsupported)} of {check.sentences} sentences are not found in the sources"
        notices.append(f"The model's draft failed the source check ({why}), so the guidance's own sentences are shown. "
                       "The model's text is kept as an unchecked alternative.")
        yield finish(extractive(), "extractive", first_token_ms=first_token_ms,
                     tokens=len(pieces), alternative=text)
        return
    yield finish(text, "generated", first_token_ms=first_token_ms, tokens=len(pieces))


def approved_match(question: str, searcher: Searcher, embedder=None) -> AnswerMatch | None:
    """The closest approved answer to the question, or None (a bundle whose answers cannot be read has none)."""
    try:
        return answers_for(searcher, embedder).match(question)
    except BundleError:
        return None


def approved_draft(match: AnswerMatch, searcher: Searcher) -> tuple[str, tuple[SearchResult, ...], list[str]] | None:
    """The approved answer as a cited draft: each sentence marked with the passage of its documents that holds it.

    Returns the text, its sources (the answer's documents' passages, in citation order) and the pages
    updated after the answer was approved; None when none of its documents is in the bundle.
    """
    answer = match.answer
    documents = []
    for doc_id in answer.doc_ids:
        try:
            documents.append(searcher.document(doc_id))
        except BundleError:
            continue  # kb validate reports an answer citing a missing page; the rest still stand
    passages = [p for d in documents for p in d.passages]
    if not passages:
        return None
    normalised = [normalise(f"{p.title}\n{p.heading}\n{p.text}") for p in passages]
    sources: list = []
    pieces = []
    for sentence in split_sentences(answer.text):
        words = set(re.findall(r"[a-z0-9£.,]{3,}", normalise(sentence)))
        needed = specifics(sentence)

        def fit(i: int) -> tuple[int, int]:
            held = sum(any(contains(normalised[i], f) for f in forms) for _, forms in needed)
            return held, len(words & set(re.findall(r"[a-z0-9£.,]{3,}", normalised[i])))

        best = max(range(len(passages)), key=lambda i: (fit(i), -i))
        if passages[best] not in sources:
            sources.append(passages[best])
        pieces.append(f"{sentence} [{sources.index(passages[best]) + 1}]")
    for document in documents:  # every page the answer rests on is a source, cited or not
        if not any(p.doc_id == document.id for p in sources) and document.passages:
            sources.append(document.passages[0])
    changed = [f"{d.title}, updated {d.updated.day} {d.updated:%b %Y}" for d in documents
               if answer.approved and d.updated and d.updated > answer.approved]
    results = tuple(SearchResult(p, round(match.score, 4)) for p in sources)
    return " ".join(pieces), results, changed


def draft_answer(question: str, searcher: Searcher, runtime: ModelRuntime | None = None, **options) -> Draft:
    """Run stream_draft to the end and return its Draft."""
    for event in stream_draft(question, searcher, runtime, **options):
        if isinstance(event, DoneEvent):
            return event.draft
    raise AssertionError("stream_draft ended without a DoneEvent")  # pragma: no cover
