"""A pasted message as the questions it asks, each searched on its own.

"Hi, I lost my job last week, can I get UC? And will it affect my council tax reduction? Also my son
is 17, do I still get child benefit?" asks three things. Searched as one text, the three topics
compete for five places and the message matches no page well enough to be answered; searched part
by part, each topic finds its page. Greetings, thanks and sign-offs are no part; a statement ("I lost
my job last week") goes with the question after it, as its context.

This sits above `Searcher.search` (it calls it once per part) and knows nothing of how it ranks.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from typing import Protocol

from knowledge.passage import QuestionPart, SearchResponse, SearchResult
from knowledge.query import STOP_WORDS, tokenize, without_greeting_and_sign_off

MAX_PARTS = 4  # a longer list of questions is read as four, the last taking the rest
PER_PART = 3  # sources each part contributes at most to the message's list
MAX_SOURCES = 10
PER_DOCUMENT = 3  # passages of one page in the merged list: as many as one search gives (its two and its nearest sentence's)

SENTENCE = re.compile(r"(?<=[.?!])[\"')\]]*\s+|\n+|\s+(?=\(?\d\)\s)")  # "1) how much ... 2) how much ..." too
# "Two things:", "Three questions please:" before the first question.
LEAD_IN = re.compile(r"^[^:?]{0,40}:\s*(?=\S)")
NUMBERING = re.compile(r"^\(?\d\)\s*")
# Words that open a question (after "and", "also", "so" ...).
CONNECTOR = r"(?:and|also|so|but|plus|oh|ok|okay|and also|secondly|finally|lastly|then|or)"
INTERROGATIVE = (r"(?:how|what|whats|what's|when|where|which|who|why|can|could|do|does|did|is|are|am|will|would|should|"
                 r"shall|may|might|have|has|must|any)")
OPENS_QUESTION = re.compile(rf"^\W*(?:{CONNECTOR}\s+)*{INTERROGATIVE}\b", re.I)
ASKS = re.compile(r"\b(?:wondering|want to know|like to know|need to know|not sure (?:if|whether|how|what)|"
                  r"(?:can|could) you (?:tell|let|explain|advise)|let me know|please advise|is it true)\b", re.I)
# "... can I get UC and will it affect my rent?": a second question joined by "and".
JOINED_QUESTION = re.compile(
    r"(?:,|;)?\s+(?:and|also|plus|but)\s+(?=(?:how|what|when|where|who|which|why)\b|(?:can|could|do|does|will|would|is|are|should|am)\s+"
    r"(?:i|it|we|they|he|she|my|you|this|that|there|the|a)\b)", re.I)
REFERS_BACK = re.compile(r"\b(?:it|its|this|that|these|those|they|them|one|(?:out|over)\s+there)\b", re.I)
PLEASANTRY = re.compile(r"^\W*(?:hi|hello|hey|dear|thanks|thank you|many thanks|cheers|regards|kind regards|best wishes|"
                        r"best|yours|hope you(?:'re| are)? (?:well|can help|don't mind)|any help|sorry|good (?:morning|afternoon)|"
                        r"helo|shwmae|annwyl|diolch|cofion|bore da|prynhawn da|gobeithio)\b",
                        re.I)


class Searches(Protocol):
    def search(self, query: str, k: int = 5) -> SearchResponse: ...


def content_words(text: str) -> list[str]:
    return [w for w in tokenize(text) if w not in STOP_WORDS and len(w) > 1]


def is_question(sentence: str) -> bool:
    return sentence.rstrip().endswith("?") or bool(OPENS_QUESTION.match(sentence) or ASKS.search(sentence))


def message_sentences(text: str) -> list[str]:
    """The sentences of a message, a sentence holding two joined questions split in two; pleasantries left out."""
    found = []
    for sentence in SENTENCE.split(without_greeting_and_sign_off(text)):
        sentence = NUMBERING.sub("", sentence.strip())
        if LEAD_IN.match(sentence) and is_question(LEAD_IN.sub("", sentence)):
            sentence = LEAD_IN.sub("", sentence)
        for piece in JOINED_QUESTION.split(sentence):
            piece = piece.strip(" ,;")
            if piece and not (PLEASANTRY.match(piece) and len(content_words(piece)) <= 3) and content_words(piece):
                found.append(piece)
    return found


def asked_and_told(text: str) -> tuple[str, str]:
    """(what a message asks, what it tells): its questions, and its statements ("I live near Mount
    Hawke", "I'm on Universal Credit"); ("", "") when it asks nothing, nothing being told apart."""
    sentences = message_sentences(text)
    if not any(map(is_question, sentences)):
        return "", ""
    return " ".join(filter(is_question, sentences)), " ".join(s for s in sentences if not is_question(s))


def split_questions(text: str) -> tuple[str, ...]:
    """The questions `text` asks, each with the statements just before it: (text,) if it asks one thing."""
    sentences = message_sentences(text)
    parts: list[str] = []
    context: list[str] = []
    for sentence in sentences:
        if is_question(sentence):
            parts.append(" ".join(context + [sentence]))
            context = []
        else:
            context.append(sentence)
    if len(parts) < 2:
        return (text,)
    if context:  # detail after the last question ("I have arthritis.") belongs to it
        parts[-1] = " ".join([parts[-1]] + context)
    if len(parts) > MAX_PARTS:
        parts = parts[: MAX_PARTS - 1] + [" ".join(parts[MAX_PARTS - 1:])]
    return tuple(parts)


def part_queries(parts: tuple[str, ...]) -> tuple[str, ...]:
    """What to search for each part: a part with next to nothing of its own ("When is it paid?",
    "How do I pay it back?") is searched with the question before it, which says what "it" is."""
    queries = list(parts)
    for i in range(1, len(parts)):
        own = len(content_words(parts[i]))
        if own < 2 or (own <= 3 and REFERS_BACK.search(parts[i])):
            queries[i] = f"{queries[i - 1]} {parts[i]}"
    return tuple(queries)


def names_own_page(part: str, response: SearchResponse, found_pages: set[str]) -> bool:
    """Whether a part names the subject of its own best page, one no answered part found first: two of the
    page title's words ("... and does she have to apply for the winter fuel or does it just come", Winter
    Fuel Payment). Such a part asks about that page's subject, not the question before it: searched with
    that question, it had been answered from its page ("a free TV licence" from Pension Credit)."""
    if not response.results or response.results[0].passage.doc_id in found_pages:
        return False
    return len(set(content_words(part)) & set(content_words(response.results[0].passage.title))) >= 2


def search_message(searcher: Searches, text: str, k: int = 5) -> SearchResponse:
    """Search a message: one search for a single question; for several, one per part, merged.

    The merged list takes each answered part's best source first, then each one's second, and so on
    (at most PER_PART a part, PER_DOCUMENT passages of one page, MAX_SOURCES in all), then the
    closest source of each part no guidance answers. `parts` says which sources belong to which part.
    A part refused alone is answered when its best source is on a page an answered part found first,
    or when, searched with the question before it, that part's pages hold its own words.
    """
    parts = split_questions(text)
    if len(parts) < 2:
        return searcher.search(text, k)
    started = time.perf_counter()
    queries = list(part_queries(parts))
    responses = [searcher.search(query, k) for query in queries]
    for n in range(1, len(parts)):
        if queries[n] == parts[n] or len(content_words(parts[n])) < 2:
            continue
        # "should I use my pension to pay off my credit cards? also can they take my pension if I go
        # bankrupt": its "they" is its own subject, not the question before. A part answered alone on a
        # page the question before did not find first names what it asks about: it is searched alone.
        by_itself = searcher.search(parts[n], k)
        before = responses[n - 1].results[0].passage.doc_id if responses[n - 1].results else None
        if by_itself.covered and by_itself.results and by_itself.results[0].passage.doc_id != before:
            queries[n], responses[n] = parts[n], by_itself
    limit = min(MAX_SOURCES, max(k, PER_PART * len(parts)))
    merged: list[SearchResult] = []
    where: dict[str, int] = {}  # passage id -> position in merged
    per_doc: dict[str, int] = defaultdict(int)
    owned: list[list[int]] = [[] for _ in parts]

    def take(n: int, result: SearchResult, always: bool) -> None:
        pid = result.passage.id
        if pid in where:
            owned[n].append(where[pid])
        elif len(merged) < limit and (always or per_doc[result.passage.doc_id] < PER_DOCUMENT):
            where[pid] = len(merged)
            owned[n].append(len(merged))
            per_doc[result.passage.doc_id] += 1
            merged.append(result)

    alone = [n for n, r in enumerate(responses) if r.covered]
    # A short part ("can the hearing be on the phone?") says less than a whole question, so it sits
    # further from every page and the rule refuses it alone. When its best source is on the page an
    # answered part of the same message found first, the message has named the subject the part asks
    # about (an appeal's hearing): that part is answered too. A part no part answers stays refused.
    found_pages = {responses[n].results[0].passage.doc_id for n in alone if responses[n].results}
    # A part naming only services the guidance never mentions ("... and Scottish Child Payment?") is about
    # something else, whatever page its words land on: it is neither vouched for nor searched again. Nor is
    # one asking how much of a page that gives no amount vouched for by another part's page.
    vouched = {n for n, r in enumerate(responses)
               if not r.covered and not r.refused_whatever_the_rule and r.results and r.results[0].passage.doc_id in found_pages}
    # A part answered on another part's word brings sources from the pages found for it only: its
    # search's other results were never judged close enough ("Access to Work" for "I can't travel").
    own = [[r for r in response.results if n not in vouched or r.passage.doc_id in found_pages]
           for n, response in enumerate(responses)]
    for n in range(1, len(parts)):
        if n in alone or n in vouched or not found_pages or responses[n].not_in_guidance:
            continue  # (with no page found, no retry could be answered: not searched)
        if names_own_page(parts[n], responses[n], found_pages):
            continue
        # "... book a Pension Wise appointment and do I have to be a certain age": alone, "a certain age"
        # finds pensions before 55; it asks about the appointment the question before it named. Searched
        # with that question, it is answered from the passages of those pages that hold its own words
        # ("aged 50 or over"), and only from those: "... and can you renew my passport" holds none there.
        joined = f"{queries[n - 1]} {parts[n]}"
        if joined == queries[n]:
            continue  # already searched so (part_queries), and not answered
        words = set(content_words(parts[n]))
        retry = searcher.search(joined, k)
        holding = [r for r in retry.results if r.passage.doc_id in found_pages
                   and words & {w for term in r.matched_terms for w in term.split()}]
        if retry.covered and holding:
            vouched.add(n)
            own[n] = holding
            queries[n] = joined
    answered = sorted({*alone, *vouched})
    for depth in range(PER_PART):
        for n in answered:
            if depth < len(own[n]):
                take(n, own[n][depth], always=depth == 0)
    for n, response in enumerate(responses):
        if n not in answered and response.results:
            take(n, response.results[0], always=False)
    elapsed = (time.perf_counter() - started) * 1000
    return SearchResponse(
        query=text, results=tuple(merged), elapsed_ms=elapsed, covered=bool(answered),
        lang=next((r.lang for r in responses if r.lang), ""),
        not_in_guidance=() if answered else tuple(dict.fromkeys(name for r in responses for name in r.not_in_guidance)),
        no_figure_page="" if answered else next((r.no_figure_page for r in responses if r.no_figure_page), ""),
        parts=tuple(QuestionPart(part, tuple(owned[n]), n in answered, queries[n]) for n, part in enumerate(parts)),
    )
