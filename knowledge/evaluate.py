"""Measuring retrieval against a question set: recall@1, recall@k, MRR, key facts in the top passages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence
from urllib.parse import urlparse

from knowledge.answers import answers_for
from knowledge.calibration import NoGuidanceRule, fit_rule
from knowledge.errors import SourceError
from knowledge.passage import SearchResponse
from knowledge.search import Searcher


@dataclass(frozen=True, slots=True)
class Question:
    question: str
    expected: tuple[str, ...]  # doc ids, urls or url paths; empty means out of scope
    facts: tuple[tuple[str, ...], ...] = ()  # each fact: acceptable wordings
    line: int = 0
    answer: str | None = None  # the approved answer's id that should be drafted, when the set says


@dataclass(frozen=True, slots=True)
class Miss:
    question: str
    expected: tuple[str, ...]
    got: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RetrievalReport:
    n: int
    k: int
    recall_at_1: float
    recall_at_k: float
    mrr: float
    facts_at_k: float | None
    out_of_scope: int
    out_of_scope_correct: float | None
    in_scope_covered: float | None
    mean_ms: float
    misses: tuple[Miss, ...] = field(default_factory=tuple)
    answered_out_of_scope: tuple[str, ...] = ()  # out-of-scope questions the search still claimed to cover
    approved_hits: int = 0  # questions that drew an approved answer as their draft
    approved_right: int = 0  # of those, how many got the right one (its id, or else its pages expected)

    def as_json(self) -> dict:
        return {
            "n": self.n, "k": self.k, "recall_at_1": round(self.recall_at_1, 4), "recall_at_k": round(self.recall_at_k, 4),
            "mrr": round(self.mrr, 4), "facts_at_k": None if self.facts_at_k is None else round(self.facts_at_k, 4),
            "out_of_scope": self.out_of_scope,
            "out_of_scope_correct": None if self.out_of_scope_correct is None else round(self.out_of_scope_correct, 4),
            "in_scope_covered": None if self.in_scope_covered is None else round(self.in_scope_covered, 4),
            "mean_ms": round(self.mean_ms, 2),
            "misses": [{"question": m.question, "expected": list(m.expected), "got": list(m.got)} for m in self.misses],
            "answered_out_of_scope": list(self.answered_out_of_scope),
            "approved_hits": self.approved_hits,
            "approved_hit_rate": round(self.approved_hits / max(1, self.n + self.out_of_scope), 4),
            "approved_right": self.approved_right,
            "approved_precision": round(self.approved_right / self.approved_hits, 4) if self.approved_hits else None,
        }

    def describe(self) -> str:
        lines = [
            f"{self.n} in-scope questions, top {self.k}:",
            f"  recall@1  {self.recall_at_1:.3f}",
            f"  recall@{self.k}  {self.recall_at_k:.3f}",
            f"  MRR       {self.mrr:.3f}",
        ]
        if self.facts_at_k is not None:
            lines.append(f"  facts@{self.k}   {self.facts_at_k:.3f}  (share of key facts present in the top {self.k} passages)")
        if self.in_scope_covered is not None:
            lines.append(f"  answered  {self.in_scope_covered:.3f}  (in-scope questions not marked 'no guidance found')")
        if self.out_of_scope_correct is not None:
            lines.append(f"  {self.out_of_scope} out-of-scope questions, {self.out_of_scope_correct:.3f} answered 'no guidance found'")
        total = self.n + self.out_of_scope
        lines.append(f"  approved  {self.approved_hits} of {total} questions drew an approved answer"
                     + (f", {self.approved_right} of them the right one" if self.approved_hits else ""))
        lines.append(f"  mean search time {self.mean_ms:.1f} ms")
        if self.misses:
            lines.append(f"Misses ({len(self.misses)}):")
            lines += [f"  - {m.question[:70]!r}: expected {', '.join(m.expected)}; got {', '.join(m.got[:3]) or 'nothing'}" for m in self.misses]
        if self.answered_out_of_scope:
            lines.append(f"Out-of-scope questions answered anyway ({len(self.answered_out_of_scope)}):")
            lines += [f"  - {q[:70]!r}" for q in self.answered_out_of_scope]
        return "\n".join(lines)


def read_questions(path: Path) -> list[Question]:
    """Questions from a JSONL file, one {"question", "expected", "facts"?} a line; errors name the line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise SourceError(f"{path}: no such question file.") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 text. Save it as UTF-8.") from exc
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the question file ({exc.strerror}).") from exc
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path} line {number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceError(f"{where}: not valid JSON ({exc.msg}). Each line must be one JSON object.") from exc
        if not isinstance(item, dict) or not isinstance(item.get("question"), str) or not item["question"].strip():
            raise SourceError(f"{where}: needs \"question\": the question as text, e.g. {{\"question\": \"what is uc\", \"expected\": [\"uc-eligibility\"]}}.")
        expected = item.get("expected")
        if not isinstance(expected, list) or not all(isinstance(e, str) and e.strip() for e in expected):
            raise SourceError(f"{where}: needs \"expected\": a list of document ids or addresses ([] when the guidance should not answer it).")
        facts = item.get("facts") or []
        if not isinstance(facts, list) or not all(isinstance(f, list) and f and all(isinstance(w, str) for w in f) for f in facts):
            raise SourceError(f"{where}: \"facts\" must be a list of lists of acceptable wordings, e.g. [[\"£100\"], [\"4 weeks\", \"four weeks\"]].")
        answer = item.get("answer")
        if answer is not None and not isinstance(answer, str):
            raise SourceError(f"{where}: \"answer\" must be the id of an approved answer in answers.yaml, as text.")
        questions.append(Question(item["question"], tuple(expected), tuple(tuple(f) for f in facts), number, answer))
    if not questions:
        raise SourceError(f"{path}: no questions in the file.")
    return questions


def matches_expected(expected: str, doc_id: str, url: str) -> bool:
    """Whether an expected entry (doc id, full url, or url path) names this document."""
    expected = expected.strip()
    if expected == doc_id or (url and expected.rstrip("/") == url.rstrip("/")):
        return True
    if expected.startswith("/") and url:
        path = urlparse(url).path.rstrip("/")
        return path == expected.rstrip("/") or path.startswith(expected.rstrip("/") + "/")
    return False


def rank_of(question: Question, ranked: Sequence[tuple[str, str]]) -> int | None:
    """The 1-based rank of the first (doc id, url) the question expects, or None: one rule for kb eval and its baselines."""
    return next((i for i, (doc_id, url) in enumerate(ranked, start=1)
                 if any(matches_expected(e, doc_id, url) for e in question.expected)), None)


def fact_found(fact: Sequence[str], texts: Sequence[str]) -> bool:
    return any(w.lower() in t for w in fact for t in texts)


def calibrate_rule(searcher: Searcher, questions: Sequence[Question], fitted_on: str = "") -> NoGuidanceRule:
    """A no-guidance rule refitted on `questions` (in scope: answer; `expected: []`: refuse).

    Needs at least 5 of each kind: fewer cannot say where the line between them lies.
    """
    in_scope = sum(1 for q in questions if q.expected)
    out_scope = len(questions) - in_scope
    if in_scope < 5 or out_scope < 5:
        raise SourceError(f"--calibrate needs at least 5 in-scope and 5 out-of-scope questions (\"expected\": []); "
                          f"the file has {in_scope} and {out_scope}. Add questions the guidance does not answer.")
    signals, answerable = [], []
    for q in questions:
        response = searcher.search(q.question, 5)
        if response.signals is None:
            continue  # nothing searchable in it: always "no guidance found", whatever the rule
        signals.append(response.signals)
        answerable.append(bool(q.expected))
    return fit_rule(signals, answerable, fitted_on=fitted_on)


def evaluate_retrieval(bundle, questions: Sequence[Question], k: int = 5) -> RetrievalReport:
    """Search every question and score the ranking against its expected documents.

    `bundle` is a bundle path, or an open Searcher (reused, not closed).
    """
    if isinstance(bundle, (str, Path)):
        with Searcher(Path(bundle)) as searcher:
            return evaluate_retrieval(searcher, questions, k)
    searcher = bundle
    in_scope = [q for q in questions if q.expected]
    out_scope = [q for q in questions if not q.expected]
    hits1 = hitsk = 0
    rr = 0.0
    facts_total = facts_found = 0
    covered = 0
    elapsed = 0.0
    misses = []
    for q in in_scope:
        response: SearchResponse = searcher.search(q.question, k)
        elapsed += response.elapsed_ms
        covered += response.covered
        rank = rank_of(q, [(r.passage.doc_id, r.passage.url) for r in response.results])
        if rank == 1:
            hits1 += 1
        if rank is not None:
            hitsk += 1
            rr += 1 / rank
        else:
            misses.append(Miss(q.question, q.expected, tuple(r.passage.doc_id for r in response.results)))
        texts = [f"{r.passage.title}\n{r.passage.text}".lower() for r in response.results]
        for fact in q.facts:
            facts_total += 1
            facts_found += fact_found(fact, texts)
    answered = []
    for q in out_scope:
        response = searcher.search(q.question, k)
        elapsed += response.elapsed_ms
        if response.covered:
            answered.append(q.question)
    hits, right = approved_answer_hits(searcher, questions)
    n = len(in_scope)
    return RetrievalReport(
        n=n, k=k, recall_at_1=hits1 / n if n else 0.0, recall_at_k=hitsk / n if n else 0.0, mrr=rr / n if n else 0.0,
        facts_at_k=facts_found / facts_total if facts_total else None, out_of_scope=len(out_scope),
        out_of_scope_correct=1 - len(answered) / len(out_scope) if out_scope else None,
        in_scope_covered=covered / n if n else None, mean_ms=elapsed / max(1, len(questions)), misses=tuple(misses),
        answered_out_of_scope=tuple(answered), approved_hits=hits, approved_right=right,
    )


def approved_answer_hits(searcher: Searcher, questions: Sequence[Question]) -> tuple[int, int]:
    """How many questions draw an approved answer, and how many of those get the right one.

    Right means the answer the question names (`"answer"` in the set), or else an answer resting on
    a page the question expects; an out-of-scope question drawing one is always wrong.
    """
    matcher = answers_for(searcher)
    hits = right = 0
    for q in questions:
        match = matcher.match(q.question)
        if match is None or not match.strong:
            continue
        hits += 1
        if q.answer is not None:
            right += match.answer.id == q.answer
        else:
            right += any(matches_expected(e, d, "") for e in q.expected for d in match.answer.doc_ids)
    return hits, right
