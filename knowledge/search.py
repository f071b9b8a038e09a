"""Searching a bundle: FTS5 with weighted bm25 and, when the bundle has passage vectors, the
question's meaning too, the two rankings fused; two passages per document at most; "no guidance
found" decided by a calibrated rule (knowledge/calibration.py)."""

from __future__ import annotations

import difflib
import math
import sqlite3
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np

from knowledge.bundle import bundle_info_from, open_bundle, read_meta
from knowledge.calibration import META_RULE, NoGuidanceRule
from knowledge.errors import BundleError
from knowledge.figures import asks_for_money, gives_money
from knowledge.language import detect_language, document_languages, prefer_language
from knowledge.names import mentioned, names_in
from knowledge.passage import BundleInfo, Passage, SearchResponse, SearchResult, SearchSignals
from knowledge.query import STOP_WORDS, WELSH_QUESTION_STOP_WORDS, ParsedQuery, as_read, is_figure, parse_query, quote, spelled_out, unquoted, without_greeting_and_sign_off
from knowledge.schema import BM25_WEIGHTS
from knowledge.vectors import Embedder, embedder_ready, read_sentence_vectors, read_vectors, vector_status
from knowledge.welsh import radical_forms

CANDIDATES = 40  # bm25 candidates re-ranked per query, and as many nearest passages by meaning
# A passage whose page title names what the question asks about ("apply for universal credit" →
# "How to claim Universal Credit") gains up to this share of its score. Measured on the sample set.
TITLE_BOOST = 1.0
COMMON_SHARE = 0.2  # terms in more passages than this share are not searched alone (query.parse_query)
LARGE_BUNDLE = 500  # passages: in a smaller bundle no term is common, and every match is scored in no time
PER_DOCUMENT = 2
# The two rankings are fused by a convex combination of their scores (Bruch, Gai and Ingber 2023, "An
# analysis of fusion functions for hybrid retrieval"): DENSE_WEIGHT x the passage's cosine, scaled so
# the nearest of the CANDIDATES nearest passages is 1 and the furthest 0, plus the rest x its word score
# as a share of the best one's. Equal weights, chosen before measuring, as reciprocal rank fusion's
# were. Unlike fusing ranks it keeps how far ahead a passage is: a passage far nearer in meaning than
# any other is not held level with the word ranking's second. Development halves, against reciprocal
# rank fusion (k=60): recall@1 0.886/0.951/0.684 -> 0.943/1.000/0.711 (sample, GOV.UK, real guidance).
DENSE_WEIGHT = 0.5
# Reciprocal rank fusion (Cormack et al. 2009) is still worked out for the `fused` signal, which a rule
# stored in a bundle built before may weigh (knowledge/calibration.py).
RRF_K = 60
TOPIC_RESULTS = 3  # the results the coverage signals look at
SENTENCE_RESULTS = 5  # the results whose sentences the nearest-sentence signal looks at, whatever k a caller asks for
# Common phrases (Searcher.is_common) are scored last (Searcher._best_matches: the same results, faster).
BOLD_SHARE, BOLD_FACTOR = 0.05, 2.0  # and, when what they can add looks small, these too (Searcher._bolder)
BM25_K1 = 1.2  # FTS5's bm25 constants (fts5_aux.c), for the bound on what common phrases can add


@dataclass(frozen=True, slots=True)
class Document:
    """A whole guidance page, for the source viewer."""

    id: str
    title: str
    url: str
    summary: str
    body: str
    updated: date | None
    review_due: date | None
    owner: str
    passages: tuple[Passage, ...]


def to_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class Searcher:
    """Read-only searches over one bundle; safe to share between threads (calls are serialised)."""

    _BM25 = "bm25(passages_fts, " + ", ".join(str(w) for w in BM25_WEIGHTS) + ")"
    _BEST_SQL = (f"SELECT rowid, -{_BM25} FROM passages_fts WHERE passages_fts MATCH ? "
                 f"ORDER BY {_BM25} LIMIT {CANDIDATES}")
    # The same, among the passages the second query matches; `+rowid` keeps SQLite from handing
    # FTS5 the rowids one at a time (each would count every phrase's passages again for its idf).
    _BEST_AMONG_SQL = (f"SELECT rowid, -{_BM25} FROM passages_fts WHERE passages_fts MATCH ? "
                       f"AND +rowid IN (SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?) "
                       f"ORDER BY {_BM25} LIMIT {CANDIDATES}")
    _PASSAGE_SQL = """
        SELECT p.rowid, p.id, p.doc_id, d.title, d.url, p.heading, p.text, d.updated, d.review_due
        FROM passages p JOIN documents d ON d.id = p.doc_id
    """

    def __init__(self, path: Path, embedder: Embedder | None = None):
        self.path = Path(path)
        self._conn = open_bundle(self.path)
        self._lock = threading.Lock()
        self.info: BundleInfo = bundle_info_from(self._conn, self.path)
        meta = read_meta(self._conn, self.path)
        self.vectors = vector_status(self._conn, meta)
        # Vectors from another model are not comparable with this one's questions: words only then.
        self.embedder = embedder if self.vectors.matches(embedder) else None
        self.rule = NoGuidanceRule.from_meta(meta.get(META_RULE))
        self._matrix: tuple[np.ndarray, np.ndarray] | None = None
        self._pages: tuple[dict[str, int], np.ndarray] | None = None
        self._row_pages: dict[int, str] | None = None
        try:
            synonyms: dict[str, list[str]] = defaultdict(list)
            for term, expansion in self._conn.execute("SELECT term, expansion FROM synonyms ORDER BY rowid"):
                synonyms[term.lower()].append(expansion.lower())
            self.synonyms = {t: tuple(e) for t, e in synonyms.items()}
            self._conn.execute("SELECT rowid FROM passages_fts LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise BundleError(f"{self.path}: the bundle's tables are damaged ({exc}). Rebuild it with `frontdesk kb build`.") from exc
        self._vocabulary: dict[str, list[str]] | None = None
        self._passage_count = self._conn.execute("SELECT count(*) FROM passages").fetchone()[0]
        self._df_cache: dict[str, int] = {}
        self._mentioned: dict[str, bool] = {}
        self._gives_money: dict[str, bool] = {}
        self.languages = document_languages(self._conn)
        self._language_count = len(set(self.languages.values()))  # counted once: 5,000 pages take a third of a millisecond

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "Searcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- spelling ------------------------------------------------------------------------------
    def _vocabulary_by_initial(self) -> dict[str, list[str]]:
        """The bundle's words as written, grouped by first letter, loaded on the first misspelling."""
        if self._vocabulary is None:
            groups: dict[str, list[str]] = defaultdict(list)
            for (word,) in self._conn.execute("SELECT word FROM vocabulary WHERE count >= 1 ORDER BY count DESC"):
                groups[word[0]].append(word)
            self._vocabulary = dict(groups)
        return self._vocabulary

    def _written(self, term: str) -> bool:
        """Whether the bundle uses this exact word (FTS5 alone would say yes to any word with a known stem)."""
        return self._conn.execute("SELECT 1 FROM vocabulary WHERE word = ?", (term,)).fetchone() is not None

    def document_frequency(self, term: str) -> int:
        """How many passages contain `term` (as FTS5 reads it: stemmed)."""
        if term not in self._df_cache:
            if len(self._df_cache) > 5000:
                self._df_cache.clear()
            row = self._conn.execute("SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", (quote(term),)).fetchone()
            self._df_cache[term] = row[0]
        return self._df_cache[term]

    def term_weight(self, term: str, parsed: ParsedQuery) -> float:
        """Inverse document frequency of a question word (of its correction or its synonym, if it has one)."""
        if is_figure(term):
            return 1.0  # "I'm 67", "£10000": the person's own figures, not what the question is about
        term = dict(parsed.corrections).get(term, term)
        df = self.document_frequency(term)
        for expansion, source in parsed.expansion_of:
            if source == term:
                df = max(df, min(self.document_frequency(w) for w in expansion.split()))
        return math.log((self._passage_count + 1) / (df + 0.5))

    def coverage(self, parsed: ParsedQuery, result: SearchResult) -> float:
        """Share of the question's weight the result matches; a matched synonym counts for its words."""
        terms = parsed.terms
        if not terms:
            return 1.0 if result.matched_terms else 0.0
        matched = set(result.matched_terms)
        for expansion, source in parsed.expansion_of:
            if expansion in matched:
                matched.update(source.split())
        matched.update(term for term, fixed in parsed.corrections if fixed in matched)
        weights = {t: self.term_weight(t, parsed) for t in terms}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in matched) / total if total > 0 else 0.0

    def correct_spelling(self, term: str) -> str | None:
        """A close indexed word for a term the bundle does not contain ("univeral" → "univers")."""
        if len(term) < 5 or not term.isalpha() or self._written(term) or self.document_frequency(term):
            return None  # a word the bundle holds in another form ("started" for "starts") is no misspelling
        words = self._vocabulary_by_initial().get(term[0], [])
        close = difflib.get_close_matches(term, words, n=1, cutoff=0.8)
        return close[0] if close else None

    # -- searching -----------------------------------------------------------------------------
    def read_as_radical(self, term: str) -> str | None:
        """A Welsh word's radical form when the bundle holds that more often than the word as typed ("fy
        mhensiwn": "pensiwn"), else the word's spelling correction, if any."""
        typed = self.document_frequency(term)
        held, radical = max(((self.document_frequency(form), form) for form in radical_forms(term)), default=(0, None))
        return radical if held > typed else self.correct_spelling(term)

    def parse(self, query: str) -> ParsedQuery:
        # A Welsh word changes its first letters after some words ("fy mhensiwn", "ei bensiwn"): a word of a
        # Welsh question is searched in its radical form too, as a misspelt word is searched corrected.
        welsh = detect_language(query) == "cy"
        return parse_query(query, self.synonyms, correct=self.read_as_radical if welsh else self.correct_spelling,
                           common=self.is_common, stop_words=WELSH_QUESTION_STOP_WORDS if welsh else STOP_WORDS)

    def is_common(self, term: str) -> bool:
        """In more than a fifth of all passages (in a bundle big enough for that to mean something)."""
        return self._passage_count >= LARGE_BUNDLE and self.document_frequency(term) > COMMON_SHARE * self._passage_count

    def search(self, query: str, k: int = 5) -> SearchResponse:
        """The k best passages for `query` (never raises on user text; empty text gives no results), and
        the first page's passage holding its sentence nearest the question when none of the k does
        (_with_nearest_of_first_page: k + 1 results then).

        With an embedder whose model made the bundle's vectors, the question is embedded once and
        its nearest passages fused with the word ranking; while the embedder is still loading, or for
        a bundle without vectors, the search is by words only.
        """
        started = time.perf_counter()
        k = max(1, min(int(k), 50))
        query_text = query if isinstance(query, str) else ""
        with self._lock:
            parsed = self.parse(query_text)
            lang = self.question_language(query)
        if not concepts(parsed):
            return SearchResponse(query=query, results=(), elapsed_ms=(time.perf_counter() - started) * 1000, covered=False)
        # The embedding model reads English: a question in another language is searched by its words.
        question = self._question_vector(query_text, parsed) if lang in ("", "en") else None
        with self._lock:
            lexical = self._lexical(parsed) if parsed.match else []
            dense = self._dense(question) if question is not None else []
            wanted = max(k, SENTENCE_RESULTS)
            ranked = self._fused(parsed, lexical, dense, 2 * wanted if lang else wanted)
            ranked = self.in_question_language(ranked, lang)[:wanted]
            if question is not None:
                ranked = self._with_sentence_cosines(question, ranked)
            signals = self._signals(parsed, lexical, dense, ranked, question) if ranked else None
            ranked = ranked[:k]
            if question is not None:
                ranked = self._with_nearest_of_first_page(question, parsed, ranked)
        confidence = self.rule.probability(signals) if signals else 0.0
        covered = bool(signals) and self.rule.covers(signals)
        unmentioned = self.unmentioned_names(query_text, parsed)
        if unmentioned:
            covered = False  # it asks about something else, however near its words come
        no_figure = ""
        # Said whether or not the rule answered: another part of a message must not vouch for this one (message.py).
        if ranked and asks_for_money(query_text) and not self.page_gives_money(ranked[0][0].passage.doc_id):
            covered, no_figure = False, ranked[0][0].passage.title  # the page is on the subject but cannot say how much
        elapsed = (time.perf_counter() - started) * 1000
        return SearchResponse(query=query, results=tuple(r for r, _ in ranked), elapsed_ms=elapsed, covered=covered,
                              signals=signals, confidence=confidence, lang=lang, not_in_guidance=unmentioned,
                              no_figure_page=no_figure)

    def page_gives_money(self, doc_id: str) -> bool:
        """Whether a page holds any sum of money or share of one (knowledge/figures.py), in any of its passages."""
        with self._lock:
            if doc_id not in self._gives_money:
                texts = self._conn.execute("SELECT text FROM passages WHERE doc_id = ?", (doc_id,)).fetchall()
                self._gives_money[doc_id] = any(gives_money(text) for (text,) in texts)
            return self._gives_money[doc_id]

    def unmentioned_names(self, question: str, parsed: ParsedQuery) -> tuple[str, ...]:
        """The services the question names (as it wrote them; knowledge/names.py) when the guidance mentions
        none of them; () when it names none, or the guidance mentions one. A name the synonyms stand for
        ("PIP", read as "personal independence payment") counts as named."""
        asked = names_in(" ; ".join([question, *parsed.expansions]))
        with self._lock:
            for named in asked:
                if named.name not in self._mentioned:
                    self._mentioned[named.name] = mentioned(self._conn, named.name, self.synonyms)
        if not asked or any(self._mentioned[n.name] for n in asked):
            return ()
        return tuple(dict.fromkeys(n.written for n in asked))

    # -- language (DESIGN.md: "a question searches its own language first") --------------------
    def question_language(self, query) -> str:
        """The question's language, only in a bundle of more than one ('' otherwise: nothing to choose)."""
        if not isinstance(query, str) or self._language_count < 2:
            return ""
        return detect_language(query)

    def in_question_language(self, ranked: list, lang: str) -> list:
        """(result, topic) pairs with each passage's language set, those in `lang` first (knowledge/language.py)."""
        if not self.languages:
            return ranked
        tagged = [(replace(r, passage=self.with_language(r.passage)), topic) for r, topic in ranked]
        return prefer_language(tagged, lang, lambda item: item[0].passage.lang)

    def with_language(self, passage: Passage) -> Passage:
        """The passage with its page's language set ('' in a bundle built before pages carried one)."""
        lang = self.languages.get(passage.doc_id, "")
        return replace(passage, lang=lang) if lang else passage

    # -- the two rankings ------------------------------------------------------------------------
    def _question_vector(self, text: str, parsed: ParsedQuery) -> np.ndarray | None:
        """The question's embedding, or None when searching by words only (no vectors, or the model still loading)."""
        if not embedder_ready(self.embedder):
            return None
        try:
            # "Hi Jo, ... Thanks, Sam" says nothing about the question, and a name pulls in pages by accident.
            question = without_greeting_and_sign_off(text[:4000]).strip() or text[:4000]
            # "im on uc, do i get CTR automatically?" reads to the model as nothing about council tax.
            question = spelled_out(as_read(question, parsed.corrections), parsed.expansion_of)
            return self.embedder.embed([question])[0]
        except Exception:  # noqa: BLE001 - a model that fails must not stop the word search
            return None

    def _vectors(self) -> tuple[np.ndarray, np.ndarray]:
        if self._matrix is None:
            self._matrix = read_vectors(self._conn, self.vectors.dimensions)
        return self._matrix

    def _page_vectors(self) -> tuple[dict[str, int], np.ndarray]:
        """Each page's mean passage vector (unit length), made once from the stored passage vectors.

        A question about the page's subject sits near the whole page; one about something the page
        mentions in passing sits near one passage only (measured: the best page's mean vector tells
        in-scope from out-of-scope questions better than the best passage, on all three corpora).
        """
        if self._pages is None:
            rowids, matrix = self._vectors()
            doc_of = self._page_of_row()
            index: dict[str, int] = {}
            rows = np.fromiter((index.setdefault(doc_of.get(int(r), ""), len(index)) for r in rowids), dtype=np.int64,
                               count=len(rowids))
            sums = np.zeros((len(index), matrix.shape[1]), dtype=np.float32)
            np.add.at(sums, rows, matrix)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            self._pages = (index, sums / np.where(norms > 0, norms, 1.0))
        return self._pages

    def _page_of_row(self) -> dict[int, str]:
        """Each passage's page by rowid, read once (the page signal and the nearest-other-page signal use it)."""
        if self._row_pages is None:
            self._row_pages = dict(self._conn.execute("SELECT rowid, doc_id FROM passages"))
        return self._row_pages

    def _page_cosine(self, question: np.ndarray, doc_id: str) -> float | None:
        index, pages = self._page_vectors()
        row = index.get(doc_id)
        return float(pages[row] @ question.astype(np.float32)) if row is not None else None

    def _dense(self, question: np.ndarray) -> list[tuple[int, float]]:
        """(rowid, cosine) of the CANDIDATES passages nearest the question in meaning, nearest first."""
        rowids, matrix = self._vectors()
        if not len(rowids):
            return []
        cosines = matrix @ question.astype(np.float32)
        top = np.argpartition(-cosines, min(CANDIDATES, len(cosines) - 1))[:CANDIDATES]
        top = top[np.lexsort((rowids[top], -cosines[top]))]
        return [(int(rowids[i]), float(cosines[i])) for i in top]

    def _lexical(self, parsed: ParsedQuery) -> list[tuple[int, SearchResult, str]]:
        """BM25 candidates re-ranked, best first: (rowid, result, topic text: title, summary, headings)."""
        try:
            rows = self._best_matches(parsed.match)
        except sqlite3.OperationalError:
            return []  # a query FTS5 still rejects is treated as finding nothing
        if not rows:
            return []
        found = self._passages([rowid for rowid, _ in rows])
        wanted = max(1, len(concepts(parsed)))
        candidates = []
        for rowid, bm25 in rows:
            passage, summary = found[rowid]
            matched = matched_in(parsed, f"{passage.title}\n{passage.heading}\n{passage.text}")
            share = len(matched) / wanted
            title = title_terms(parsed, passage.title)
            # bm25 rewards rare words; the share of the question's words a passage answers keeps
            # a passage that matches one rare word from beating one that matches the whole question.
            score = bm25 * (0.5 + share) * (1 + TITLE_BOOST * min(1.0, title / wanted))
            topic = f"{passage.title}\n{summary}\n{passage.heading}"
            candidates.append((-score, passage.id, rowid, passage, matched, topic))
        candidates.sort(key=lambda c: c[:2])
        return [(rowid, SearchResult(passage, -negated, matched, lexical_score=-negated, lexical_rank=n), topic)
                for n, (negated, _, rowid, passage, matched, topic) in enumerate(candidates, start=1)]

    def _best_matches(self, match: str) -> list[tuple[int, float]]:
        """(rowid, bm25) of the CANDIDATES passages FTS5 scores best for `match`, best first."""
        rows = self._best_among_rarer(match)
        return rows if rows is not None else self._conn.execute(self._BEST_SQL, (match,)).fetchall()

    def _best_among_rarer(self, match: str) -> list[tuple[int, float]] | None:
        """What _best_matches returns, found by scoring only the passages a rarer phrase matches; None
        when that cannot be shown to be the same.

        FTS5 scores every passage a query matches, and in a large bundle a question's common words
        ("universal credit") match most of them. A passage matching only common phrases scores below
        a bound made from those phrases' idf, so the passages matching a rarer phrase are scored
        (with the whole query: the same scores), and when CANDIDATES of them beat the bound they are
        the answer: the same rows in the same order. Measured by benchmarks/search.py and search_same.py.
        """
        if self._passage_count < LARGE_BUNDLE:
            return None
        common, rare = self._common_and_rarer(match)
        bolder = self._bolder(common, rare)
        tries = ([bolder] if bolder[0] != common else []) + ([(common, rare)] if common else [])
        for common, rare in tries:
            rows = self._conn.execute(self._BEST_AMONG_SQL, (match, " OR ".join(rare))).fetchall()
            if len(rows) == CANDIDATES and rows[-1][1] > self._bm25_bound(common):
                return rows
        return None

    def _bolder(self, common: list[str], rare: list[str]) -> tuple[list[str], list[str]]:
        """Fewer phrases scored first: the most frequent of `rare` (each in over BOLD_SHARE of the passages)
        left for last too, while what they could add stays under BOLD_FACTOR times the idf of the rarest
        phrase with CANDIDATES passages (a guess at what the best passages score; a wrong guess costs time,
        never a different answer). Measured on questions.jsonl over benchmarks/search.py's bundle: a third
        fewer passages scored, 2 guesses of 86 wrong."""
        frequency = {p: self.document_frequency(unquoted(p)) for p in common + rare}
        guess = max((self._idf(frequency[p]) for p in rare if frequency[p] >= CANDIDATES), default=0.0)
        common, rare = list(common), list(rare)
        for phrase in sorted(rare, key=lambda p: -frequency[p]):
            rest = [p for p in rare if p != phrase]
            if (frequency[phrase] <= BOLD_SHARE * self._passage_count or sum(frequency[p] for p in rest) < 2 * CANDIDATES
                    or self._bm25_bound(common + [phrase]) >= BOLD_FACTOR * guess):
                break
            common, rare = common + [phrase], rest
        return common, rare

    def _idf(self, hits: int) -> float:
        """A phrase's idf as FTS5's bm25 reckons it (1e-6 for a phrase in over half the passages)."""
        idf = math.log((self._passage_count - hits + 0.5) / (hits + 0.5))
        return idf if idf > 0 else 1e-6

    def _common_and_rarer(self, match: str) -> tuple[list[str], list[str]]:
        """The common phrases of `match` (is_common), and the others."""
        phrases = match.split(" OR ")
        frequency = {p: self.document_frequency(unquoted(p)) for p in phrases}
        common = sorted((p for p in phrases if self.is_common(unquoted(p))), key=frequency.get)
        # The rarer phrases need CANDIDATES passages between them: the least common of the rest join them till they can.
        while common and sum(frequency[p] for p in phrases if p not in common) < 2 * CANDIDATES:
            common.pop(0)
        return common, [p for p in phrases if p not in common]

    def _bm25_bound(self, phrases: list[str]) -> float:
        """More than any passage matching only `phrases` can score (FTS5's bm25, k1 = 1.2, b = 0.75).

        Each phrase adds idf * f * (k1 + 1) / (f + k1 * (1 - b + b * D / avgdl)), under idf * (k1 + 1)
        for any frequency f; idf as FTS5 reckons it (1e-6 for a phrase in over half the passages).
        The margin covers rounding.
        """
        total = sum(self._idf(self.document_frequency(unquoted(p))) * (BM25_K1 + 1) for p in phrases)
        return total * (1 + 1e-9) + 1e-9

    def _passages(self, rowids: list[int]) -> dict[int, tuple[Passage, str]]:
        """Passages and their page summaries by rowid."""
        placeholders = ",".join("?" * len(rowids))
        return {
            row[0]: (passage_from_row(row[1:9]), row[9])
            for row in self._conn.execute(
                f"{self._PASSAGE_SQL.replace('d.review_due', 'd.review_due, d.summary')} WHERE p.rowid IN ({placeholders})",
                tuple(rowids))
        }

    def _unranked(self, parsed: ParsedQuery, rowids: list[int]) -> dict[int, tuple[SearchResult, str]]:
        """(result, topic) by rowid for passages the word ranking did not bring: scored 0, with the
        question's words they hold."""
        return {rowid: (SearchResult(passage, 0.0, matched_in(parsed, f"{passage.title}\n{passage.heading}\n{passage.text}")),
                        f"{passage.title}\n{summary}\n{passage.heading}")
                for rowid, (passage, summary) in self._passages(rowids).items()}

    def _fused(self, parsed: ParsedQuery, lexical, dense, k: int) -> list[tuple[SearchResult, str]]:
        """Both rankings fused (DENSE_WEIGHT; the word ranking alone without `dense`), then at most
        PER_DOCUMENT passages a page; each result with its topic text."""
        by_rowid = {rowid: (result, topic) for rowid, result, topic in lexical}
        if dense:
            missing = [rowid for rowid, _ in dense if rowid not in by_rowid]
            if missing:
                by_rowid.update(self._unranked(parsed, missing))
            nearest = dict(dense)
            for n, (rowid, cosine) in enumerate(dense, start=1):
                result, topic = by_rowid[rowid]
                by_rowid[rowid] = (replace(result, dense_rank=n, cosine=cosine), topic)
            fused = self._combined(by_rowid, nearest, lexical)
            order = sorted(fused, key=lambda r: (-round(fused[r], 12), by_rowid[r][0].lexical_rank or CANDIDATES + 1,
                                                 by_rowid[r][0].passage.id))
            candidates = [(replace(by_rowid[r][0], score=fused[r]), by_rowid[r][1]) for r in order]
        else:
            candidates = [(result, topic) for _, result, topic in lexical]
        per_doc: dict[str, int] = defaultdict(int)
        results = []
        for result, topic in candidates:
            if per_doc[result.passage.doc_id] < PER_DOCUMENT:
                per_doc[result.passage.doc_id] += 1
                results.append((result, topic))
            if len(results) == k:
                break
        return results

    @staticmethod
    def _combined(by_rowid: dict, nearest: dict[int, float], lexical) -> dict[int, float]:
        """Each candidate's fused score (DENSE_WEIGHT), by rowid: its cosine scaled between the furthest and
        the nearest of the nearest passages, and its word score as a share of the best one's."""
        low, high = min(nearest.values()), max(nearest.values())
        best_words = max((result.lexical_score for _, result, _ in lexical), default=0.0)
        fused = {}
        for rowid, (result, _) in by_rowid.items():
            # A passage outside the nearest CANDIDATES is no nearer than the furthest of them: 0.
            meaning = (nearest[rowid] - low) / (high - low) if rowid in nearest and high > low else float(rowid in nearest)
            words = max(0.0, result.lexical_score) / best_words if best_words > 0 else 0.0
            fused[rowid] = DENSE_WEIGHT * meaning + (1 - DENSE_WEIGHT) * words
        return fused

    @staticmethod
    def _reciprocal_rank(result: SearchResult) -> float:
        """The result's reciprocal rank fusion score (k=RRF_K): the `fused` signal an earlier stored rule weighs."""
        return sum(1 / (RRF_K + rank) for rank in (result.lexical_rank, result.dense_rank) if rank is not None)

    def _signals(self, parsed: ParsedQuery, lexical, dense, ranked, question: np.ndarray | None = None) -> SearchSignals:
        """The evidence "no guidance found" is decided from (knowledge/calibration.py)."""
        coverage = topic_share = 0.0
        for result, topic in ranked[:TOPIC_RESULTS]:
            # The page's summary counts too: it says what the page is for ("16 and 17 year olds").
            whole = SearchResult(result.passage, result.score, matched_in(parsed, f"{topic}\n{result.passage.text}"))
            coverage = max(coverage, self.coverage(parsed, whole))
            topic_share = max(topic_share, self.coverage(parsed, SearchResult(result.passage, result.score, matched_in(parsed, topic))))
        best_lexical = max((r.lexical_score for _, r, _ in lexical), default=0.0)
        if not dense:
            return SearchSignals(coverage, topic_share, best_lexical)
        doc_of = self._page_of_row()
        first_doc = doc_of.get(dense[0][0])
        # The nearest passage on another page: a question about nothing here sits about as near to many pages.
        nearest_other = next((c for rowid, c in dense[1:] if doc_of.get(rowid) != first_doc), None)
        agree = bool(lexical) and lexical[0][1].passage.doc_id == first_doc
        page = self._page_cosine(question, ranked[0][0].passage.doc_id) if question is not None else None
        nearest_sentence = max((c for r, _ in ranked[:SENTENCE_RESULTS] for c in r.sentence_cosines), default=None)
        return SearchSignals(coverage, topic_share, best_lexical, fused=self._reciprocal_rank(ranked[0][0]), cosine=dense[0][1],
                             cosine_next=nearest_other, cosine_mean=sum(c for _, c in dense) / len(dense), agree=agree,
                             page_cosine=page, sentence_cosine=nearest_sentence)

    def _with_sentence_cosines(self, question: np.ndarray, ranked: list) -> list:
        """(result, topic) pairs, each result with its sentences' cosines to the question, from the stored
        sentence vectors (unchanged for a bundle built before it had them)."""
        if not self.vectors.sentences or not ranked:
            return ranked
        try:
            vectors = read_sentence_vectors(self._conn, [r.passage.id for r, _ in ranked], self.vectors.dimensions)
        except sqlite3.DatabaseError:
            return ranked  # a damaged table: decided from the passages, as for a bundle built before it
        q = question.astype(np.float32)
        cosines = {passage_id: tuple(float(c) for c in matrix @ q) for passage_id, matrix in vectors.items()}
        return [(replace(r, sentence_cosines=cosines.get(r.passage.id, ())), topic) for r, topic in ranked]

    def _with_nearest_of_first_page(self, question: np.ndarray, parsed: ParsedQuery, ranked: list) -> list:
        """(result, topic) pairs, with the first page's passage holding the sentence nearest the question
        put after that page's results when none of them holds as near a sentence.

        A long page is searched as many passages and shown as at most PER_DOCUMENT: "how long will it
        take" over Renew your passport found its cost and how-to passages, while "It should take 3 weeks"
        sat in a third. The passage comes besides the k results (marked `nearest_of_page`), not instead of
        one: no other page's result is pushed out. The signals are read before, so "No guidance found" is
        unchanged.
        """
        if not self.vectors.sentences or not ranked:
            return ranked
        page = ranked[0][0].passage.doc_id
        shown = {r.passage.id for r, _ in ranked if r.passage.doc_id == page}
        nearest_shown = max((c for r, _ in ranked if r.passage.id in shown for c in r.sentence_cosines), default=None)
        rowid_of = {pid: rowid for rowid, pid in self._conn.execute("SELECT rowid, id FROM passages WHERE doc_id = ?", (page,))
                    if pid not in shown}
        others = list(rowid_of)
        if nearest_shown is None or not others:
            return ranked
        try:
            vectors = read_sentence_vectors(self._conn, others, self.vectors.dimensions)
        except sqlite3.DatabaseError:
            return ranked
        q = question.astype(np.float32)
        cosines = {passage_id: matrix @ q for passage_id, matrix in vectors.items() if len(matrix)}
        best = max(cosines, key=lambda passage_id: float(cosines[passage_id].max()), default=None)
        if best is None or float(cosines[best].max()) <= nearest_shown:
            return ranked
        result, topic = self._unranked(parsed, [rowid_of[best]])[rowid_of[best]]
        at = max(n for n, (r, _) in enumerate(ranked) if r.passage.id in shown) + 1
        # Scored as the result it comes before (or the page's last), so the order of scores holds.
        score = ranked[at][0].score if at < len(ranked) else ranked[at - 1][0].score
        result = replace(result, passage=self.with_language(result.passage), score=score,
                         sentence_cosines=tuple(float(c) for c in cosines[best]), nearest_of_page=True)
        return [*ranked[:at], (result, topic), *ranked[at:]]

    # -- reading, for the source viewer ---------------------------------------------------------
    def passage(self, passage_id: str) -> Passage:
        """One passage by id (BundleError if the bundle has none such)."""
        with self._lock:
            row = self._conn.execute(f"{self._PASSAGE_SQL} WHERE p.id = ?", (passage_id,)).fetchone()
        if row is None:
            raise BundleError(f"{self.path}: no passage {passage_id!r} in this bundle.")
        return self.with_language(passage_from_row(row[1:]))

    def document(self, doc_id: str) -> Document:
        """A whole document with its passages, in order."""
        with self._lock:
            row = self._conn.execute(
                "SELECT id, title, url, summary, body, updated, review_due, owner FROM documents WHERE id = ?", (doc_id,)
            ).fetchone()
            if row is None:
                raise BundleError(f"{self.path}: no document {doc_id!r} in this bundle.")
            passages = tuple(
                self.with_language(passage_from_row(r[1:]))
                for r in self._conn.execute(f"{self._PASSAGE_SQL} WHERE p.doc_id = ? ORDER BY p.seq", (doc_id,))
            )
        return Document(row[0], row[1], row[2], row[3], row[4], to_date(row[5]), to_date(row[6]), row[7], passages)


def passage_from_row(row) -> Passage:
    pid, doc_id, title, url, heading, text, updated, review_due = row
    return Passage(pid, doc_id, title, url, heading, text, to_date(updated), to_date(review_due))


def concepts(parsed: ParsedQuery) -> tuple[str, ...]:
    return parsed.terms or parsed.expansions


def term_stem(term: str) -> str:
    return term if len(term) <= 4 else term[: max(4, len(term) - 2)]


def contains_term(haystack: str, term: str) -> bool:
    """Whether `haystack` holds the term's stem at the start of a word: the term and its inflections
    ("payment" in "payments"), as the pattern (?<!\\w)stem would find them.

    str.find rather than the pattern: most terms are absent from most passages or found at their
    first place, and a regular expression scans a long passage far more slowly. `\\w` in a str
    pattern is a character for which isalnum() is true, or "_".
    """
    stem = term_stem(term)
    at = haystack.find(stem)
    while at > 0:
        before = haystack[at - 1]
        if not (before.isalnum() or before == "_"):
            return True
        at = haystack.find(stem, at + 1)
    return at == 0


def matched_in(parsed: ParsedQuery, text: str) -> tuple[str, ...]:
    """The question's terms (and synonym expansions) that `text` contains."""
    haystack = text.lower()
    found = [t for t in parsed.terms if contains_term(haystack, t)]
    # A misspelt word counts by the word it was read as ("persnal" by "personal").
    found += [fixed for term, fixed in parsed.corrections if term not in found and contains_term(haystack, fixed)]
    found += [e for e in parsed.expansions if all(contains_term(haystack, w) for w in e.split())]
    return tuple(found)


def title_terms(parsed: ParsedQuery, title: str) -> int:
    """How many of the question's terms (a synonym's expansion standing for its term) a page title holds."""
    haystack = title.lower()
    found = {t for t in parsed.terms if contains_term(haystack, t)}
    found.update(term for term, fixed in parsed.corrections if contains_term(haystack, fixed))
    for expansion, source in parsed.expansion_of:
        if all(contains_term(haystack, w) for w in expansion.split()):
            found.update(w for w in source.split() if w in parsed.terms)
    return len(found)


def search_passages(path: Path, query: str, k: int = 5) -> SearchResponse:
    """Open the bundle at `path`, search it once, close it."""
    with Searcher(path) as searcher:
        return searcher.search(query, k)
