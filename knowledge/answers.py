"""Approved answers: reading them from a bundle and matching a question against them.

The content team's standard answers (answers.yaml, the bundle's `answers` table) are searched the
same way as passages: FTS5 bm25 over the approved questions and answers finds candidates, with the
bundle's synonyms and spelling help (Searcher.parse); each candidate is then scored by how much of the
question's weight (rare words weigh most, Searcher.term_weight) and of the approved question's weight
the two share. With a dense embedder (`embed(texts) -> vectors`, unit length; by default the
searcher's, so only when the bundle carries vectors from that model), the cosine of the two questions
is averaged in. A score at or above the threshold for how it was scored (STRONG_MATCH by words,
STRONG_MATCH_DENSE with the cosine) makes the approved answer the draft. While the embedder is still
loading, or when it fails on a question, the question is matched by words alone, against the words' threshold.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import weakref
from dataclasses import dataclass
from datetime import date

from knowledge.bundle import open_bundle
from knowledge.errors import BundleError
from knowledge.query import ParsedQuery
from knowledge.search import Searcher, contains_term, to_date
from knowledge.vectors import embedder_ready

# The score at which an approved answer becomes the draft. Measured, not guessed:
# benchmarks/approved_answers.py picks the lowest threshold whose precision on the development half
# of knowledge/eval/approved-questions.jsonl is at least 0.95, and reports precision and recall on the
# held-out half (README, "Approved answers"). Rerun it when the scoring or the embedder changes.
# Measured on the 25 sample answers: chosen on 42 development questions (precision 0.955, recall
# 0.84); held out, 42 questions: precision 1.000 (17 drafted), recall 0.68; 40 fresh questions written
# after the first run: precision 0.929 (14 drafted), recall 0.54. Lexical matching misses paraphrases
# that share few words ("turned down my claim" for "challenge a decision"): the dense embedder is for those.
STRONG_MATCH = 0.7065
# With a dense embedder the score is the mean of the lexical score and the cosine of the two questions.
# Measured the same way with the real embedder (models/embedder.py, all-MiniLM-L6-v2, one thread):
# chosen on the 42 development questions (precision 0.958, 24 drafted, hit rate 0.92); held out, 42
# questions: precision 0.950 (20 drafted), hit rate 0.76; 40 fresh: precision 0.933 (15 drafted),
# hit rate 0.58. By words alone on the same questions: 1.000 / 0.68 and 0.929 / 0.54.
STRONG_MATCH_DENSE = 0.6837
# An answer scoring this much is offered beside the draft as "the closest approved answer".
OFFER_MATCH = 0.30
CANDIDATES = 8
ANSWER_ONLY = 0.5  # a question word found only in the approved answer's text counts half (the question says what it answers)
# What a question asks about a benefit, from its question words (which search drops as stop words):
# "how much is Child Benefit" and "how do I claim Child Benefit" share every search term but not
# the answer. Two questions whose kinds are both known and share none are scored down by
# OTHER_KIND. First measured run (before this rule): 10 of 29 held-out drafts were the wrong answer,
# each one a question of another kind about the same benefit.
KINDS = (
    ("amount", re.compile(r"\bhow much\b|\brates?\b|\bamount\b|\b(?:a|per|each) week\b|£")),
    ("time", re.compile(r"\bwhen\b|\bhow long\b|\bdeadline\b|\btime limit\b|\bhow many (?:weeks|days|months)\b|\btoo (?:early|late)\b")),
    ("claiming", re.compile(r"\bhow (?:do|can|should|to) (?:i |you |we )?(?:claim|apply|make a claim)\b|\bapply\b|\bhow to claim\b")),
    ("eligibility", re.compile(r"\bwho (?:can|qualifies|is eligible|gets)\b|\beligib|\bqualif|\bentitled\b|\bstill (?:get|claim)\b"
                               r"|\bcan (?:i|we|you|they|he|she|my \w+) (?:get|claim|have|apply)\b")),
    ("repaying", re.compile(r"\bpa(?:y|id|ying) (?:it |this |that )?back\b|\brepa(?:y|id|ying)\b")),
)
OTHER_KIND = 0.5


def question_kinds(text: str) -> frozenset[str]:
    """What kind of thing a question asks (amount, time, claiming, eligibility, repaying); empty when none is clear."""
    lowered = text.lower().replace("’", "'")
    return frozenset(kind for kind, pattern in KINDS if pattern.search(lowered))


@dataclass(frozen=True, slots=True)
class ApprovedAnswer:
    """A standard answer the content team approved, as stored in the bundle."""

    id: str
    question: str
    text: str
    doc_ids: tuple[str, ...]
    approved: date | None = None
    owner: str = ""
    review_due: date | None = None

    @property
    def label(self) -> str:
        """What staff see above the draft: "Approved answer · content team · 1 Oct 2025"."""
        when = f"{self.approved.day} {self.approved:%b %Y}" if self.approved else "date not recorded"
        return f"Approved answer · {self.owner or 'content team'} · {when}"


@dataclass(frozen=True, slots=True)
class AnswerMatch:
    """An approved answer and how closely a question matches it (0 to 1)."""

    answer: ApprovedAnswer
    score: float
    strong: bool  # at or above the measured threshold: the answer becomes the draft
    dense: bool = False  # scored with the cosine too (else by words alone)


def read_answers(conn: sqlite3.Connection) -> tuple[ApprovedAnswer, ...]:
    """Every approved answer in an open bundle (bundles built before approval dates read as undated)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(answers)")}
    if not columns:
        return ()
    extra = [c if c in columns else "NULL" for c in ("approved", "owner", "review_due")]
    rows = conn.execute(f"SELECT id, question, answer, doc_ids, {', '.join(extra)} FROM answers ORDER BY id").fetchall()
    answers = []
    for answer_id, question, text, doc_ids, approved, owner, review_due in rows:
        try:
            docs = tuple(str(d) for d in json.loads(doc_ids or "[]"))
        except ValueError:
            docs = ()
        answers.append(ApprovedAnswer(answer_id, question, text, docs, to_date(approved), owner or "", to_date(review_due)))
    return tuple(answers)


class AnswerMatcher:
    """Matches questions against one bundle's approved answers; built once per Searcher (answers_for)."""

    def __init__(self, searcher: Searcher, embedder=None):
        self.searcher = searcher
        self.embedder = embedder
        conn = open_bundle(searcher.path)
        try:
            self.answers = read_answers(conn)
        except sqlite3.DatabaseError as exc:
            raise BundleError(f"{searcher.path}: the answers table is damaged ({exc}). Rebuild the bundle.") from exc
        finally:
            conn.close()
        self._lock = threading.Lock()
        # The answers are few (tens to hundreds): an in-memory FTS5 index with the bundle's tokenizer.
        self._index = sqlite3.connect(":memory:", check_same_thread=False)
        self._index.execute("CREATE VIRTUAL TABLE a USING fts5(question, answer, tokenize = 'porter unicode61 remove_diacritics 2')")
        self._index.executemany("INSERT INTO a(rowid, question, answer) VALUES (?, ?, ?)",
                                [(n, a.question, a.text) for n, a in enumerate(self.answers)])
        self._vectors = None  # the approved questions' embeddings, made when the embedder is first ready

    def _answer_vectors(self):
        """The approved questions' vectors, or None while there is no embedder ready (then: by words)."""
        if self._vectors is None and self.answers and embedder_ready(self.embedder):
            try:
                self._vectors = self.embedder.embed([a.question for a in self.answers])
            except Exception:  # noqa: BLE001 - a model that fails must not stop the match by words
                return None
        return self._vectors

    def prepare(self) -> bool:
        """Embed the approved questions now (off the window's thread, once the embedder is ready): the
        first question would otherwise wait for them (25 questions: 0.4 s). True when they are ready."""
        return self._answer_vectors() is not None

    def _question_cosines(self, question: str, rows: list[int]) -> dict[int, float] | None:
        """Cosine of the question with each candidate's approved question, or None (match by words)."""
        vectors = self._answer_vectors()
        if vectors is None or not rows:
            return None
        try:
            [asked] = self.embedder.embed([question])
        except Exception:  # noqa: BLE001 - as above
            return None
        return {n: float(sum(x * y for x, y in zip(asked, vectors[n]))) for n in rows}

    def match(self, question: str) -> AnswerMatch | None:
        """The closest approved answer to `question` scoring at least OFFER_MATCH, or None."""
        ranked = self.ranked(question)
        if not ranked or ranked[0].score < OFFER_MATCH:
            return None
        return ranked[0]

    def ranked(self, question: str) -> list[AnswerMatch]:
        """Candidate answers for `question`, best first, each scored."""
        if not self.answers:
            return []
        # The searcher's connection and caches are shared with the window's other threads: its lock, as in Searcher.search.
        with self.searcher._lock:
            parsed = self.searcher.parse(question)
            if not parsed.match:
                return []
            with self._lock:
                try:
                    rows = self._index.execute(
                        f"SELECT rowid FROM a WHERE a MATCH ? ORDER BY bm25(a, 3.0, 1.0) LIMIT {CANDIDATES}", (parsed.match,)
                    ).fetchall()
                except sqlite3.OperationalError:
                    return []
            scored = [(n, self.lexical_score(parsed, self.answers[n])) for (n,) in rows]
        dense = self._question_cosines(question, [n for (n,) in rows])
        threshold = STRONG_MATCH if dense is None else STRONG_MATCH_DENSE
        kinds = question_kinds(question)
        matches = []
        for n, score in scored:
            answer = self.answers[n]
            theirs = question_kinds(answer.question)
            if kinds and theirs and not kinds & theirs:
                score *= OTHER_KIND
            if dense is not None:
                score = (score + max(0.0, dense[n])) / 2
            matches.append(AnswerMatch(answer, round(score, 4), score >= threshold, dense is not None))
        matches.sort(key=lambda m: (-m.score, m.answer.id))
        return matches

    def lexical_score(self, parsed: ParsedQuery, answer: ApprovedAnswer) -> float:
        """Harmonic mean of two shares of weight: the question's found in the answer, the answer's question's found in the question.

        Both ways, so a short question that the approved one merely contains ("universal credit")
        does not count as asking it, nor a long message that mentions its words in passing.
        """
        asked = self._weights(parsed)
        if not asked:
            return 0.0
        approved_q, approved_text = answer.question.lower(), answer.text.lower()
        found = sum(w * (1.0 if self._found(t, parsed, approved_q) else ANSWER_ONLY if self._found(t, parsed, approved_text) else 0.0)
                    for t, w in asked.items())
        forward = found / sum(asked.values())
        theirs = self._weights(self.searcher.parse(answer.question))
        if not theirs:
            return 0.0
        text = " ".join(parsed.terms + parsed.expansions + tuple(f for _, f in parsed.corrections))
        backward = sum(w for t, w in theirs.items() if contains_term(text, t) or any(contains_term(t, s) for s in parsed.terms)) \
            / sum(theirs.values())
        return 0.0 if forward + backward == 0 else 2 * forward * backward / (forward + backward)

    def _weights(self, parsed: ParsedQuery) -> dict[str, float]:
        return {t: max(0.1, self.searcher.term_weight(t, parsed)) for t in parsed.terms}

    @staticmethod
    def _found(term: str, parsed: ParsedQuery, text: str) -> bool:
        """Whether `text` holds the term, the word it was corrected to, or its synonym's expansion."""
        if contains_term(text, term):
            return True
        if any(contains_term(text, fixed) for typed, fixed in parsed.corrections if typed == term):
            return True
        return any(all(contains_term(text, w) for w in expansion.split()) for expansion, source in parsed.expansion_of
                   if term in source.split())


_matchers: "weakref.WeakKeyDictionary[Searcher, AnswerMatcher]" = weakref.WeakKeyDictionary()
_matchers_lock = threading.Lock()


def answers_for(searcher: Searcher, embedder=None) -> AnswerMatcher:
    """The matcher for this searcher's bundle, built on first use and kept while the searcher lives.

    With no `embedder`, the searcher's own (None when the bundle has no vectors from it): approved
    answers are found the way its passages are.
    """
    if embedder is None:
        embedder = searcher.embedder
    with _matchers_lock:
        matcher = _matchers.get(searcher)
        if matcher is None or matcher.embedder is not embedder:
            # Through a weak proxy: a cached matcher holding its searcher would keep the key alive, and
            # every bundle the window switched away from stayed in memory (about 0.25 MB a switch, soak).
            matcher = _matchers[searcher] = AnswerMatcher(weakref.proxy(searcher), embedder)
        return matcher


# -- measuring the threshold (benchmarks/approved_answers.py, kb eval) ----------------------------------

@dataclass(frozen=True, slots=True)
class ScoredQuestion:
    """A labelled question, the approved answer it should get (None: none), and the best match found."""

    question: str
    expected: str | None
    found: str | None
    score: float


def score_questions(matcher: AnswerMatcher, labelled: list[tuple[str, str | None]]) -> list[ScoredQuestion]:
    """The best approved answer and its score for each (question, expected answer id or None)."""
    scored = []
    for question, expected in labelled:
        ranked = matcher.ranked(question)
        best = ranked[0] if ranked else None
        scored.append(ScoredQuestion(question, expected, best.answer.id if best else None, best.score if best else 0.0))
    return scored


def precision_recall(scored: list[ScoredQuestion], threshold: float) -> tuple[float, float, int]:
    """At `threshold`: share of drafted approved answers that were the right one, share of answerable questions drafted, count drafted."""
    drafted = [s for s in scored if s.found is not None and s.score >= threshold]
    right = sum(s.found == s.expected for s in drafted)
    answerable = sum(s.expected is not None for s in scored)
    return (right / len(drafted) if drafted else 1.0), (right / answerable if answerable else 0.0), len(drafted)


def lowest_threshold(scored: list[ScoredQuestion], precision: float = 0.95) -> float:
    """The lowest score threshold whose precision on `scored` is at least `precision` (and stays so above it)."""
    candidates = sorted({round(s.score, 4) for s in scored if s.found is not None}, reverse=True)
    best = candidates[0] + 0.0001 if candidates else 1.0
    for t in candidates:
        if precision_recall(scored, t)[0] < precision:
            break
        best = t
    return best
