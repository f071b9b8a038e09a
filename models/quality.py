"""Scoring drafts against a question set: the measurement that decides which draft is shown first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from knowledge.evaluate import Question, fact_found, matches_expected
from models.drafting import draft_answer
from models.support import check_citations, cited_numbers, split_sentences


@dataclass(frozen=True, slots=True)
class ModeScore:
    drafts: int
    facts_present: float  # share of key facts in the drafts
    with_citation: float  # share of drafts with at least one valid citation
    unsupported_sentences: float  # share of sentences flagged
    mean_ms: float
    on_expected_pages: float = 0.0  # share of sentences citing a page the question set expects


@dataclass(frozen=True, slots=True)
class QualityReport:
    model: str
    questions: int
    facts: int
    generated: ModeScore
    extractive: ModeScore
    out_of_scope: int
    no_guidance_correct: float | None
    verdict: str  # which mode should be shown first for this model

    def describe(self) -> str:
        rows = [("", "model", "extractive")]
        for label, attr, fmt in (("key facts present", "facts_present", "{:.0%}"), ("drafts with a valid citation", "with_citation", "{:.0%}"),
                                 ("sentences unsupported", "unsupported_sentences", "{:.0%}"),
                                 ("sentences on an expected page", "on_expected_pages", "{:.0%}"), ("mean time per draft", "mean_ms", "{:.0f} ms")):
            rows.append((label, fmt.format(getattr(self.generated, attr)), fmt.format(getattr(self.extractive, attr))))
        lines = [f"Draft quality, {self.model}: {self.questions} in-scope questions with {self.facts} key facts"]
        lines += [f"  {a:<30} {b:>10} {c:>12}" for a, b, c in rows]
        if self.no_guidance_correct is not None:
            lines.append(f"  out of scope: {self.out_of_scope} questions, {self.no_guidance_correct:.0%} answered 'no guidance found'")
        lines.append(f"  shown first for this model: {self.verdict}")
        return "\n".join(lines)


def on_expected_page(sentence: str, question: Question, sources: Sequence) -> bool:
    """Whether a sentence cites a source from a page the question set expects for this question."""
    cited = [sources[n - 1].passage for n in cited_numbers(sentence) if 1 <= n <= len(sources)]
    return any(matches_expected(e, p.doc_id, p.url) for p in cited for e in question.expected)


def score(texts: Sequence[str], questions: Sequence[Question], sources: Sequence, times: Sequence[float]) -> ModeScore:
    facts_total = facts_hit = cited = sentences = unsupported = on_page = 0
    for text, q, srcs in zip(texts, questions, sources):
        check = check_citations(text, srcs)
        cited += bool(check.citations)
        sentences += check.sentences
        unsupported += len(check.unsupported)
        on_page += sum(on_expected_page(s, q, srcs) for s in split_sentences(text))
        for fact in q.facts:
            facts_total += 1
            facts_hit += fact_found(fact, [text.lower()])
    n = max(1, len(texts))
    return ModeScore(len(texts), facts_hit / max(1, facts_total), cited / n, unsupported / max(1, sentences), sum(times) / n,
                     on_page / max(1, sentences))


def run_extractive_quality(searcher, questions: Sequence[Question]) -> tuple[ModeScore, int, float | None]:
    """The extractive drafts alone (no model): their score on in-scope questions with facts, how many
    of those were answered "no guidance found", and the share of out-of-scope questions that were."""
    scored = [q for q in questions if q.expected and q.facts]
    drafts = [draft_answer(q.question, searcher, None, mode="extractive") for q in scored]
    out = [q for q in questions if not q.expected]
    refused = sum(draft_answer(q.question, searcher, None, mode="extractive").no_guidance for q in out)
    mode = score([d.text for d in drafts], scored, [d.sources for d in drafts], [d.timings.total_ms for d in drafts])
    return mode, sum(d.no_guidance for d in drafts), refused / len(out) if out else None


def run_quality_bench(runtime, searcher, questions: Sequence[Question], limit: int | None = None, max_tokens: int = 160) -> QualityReport:
    """Draft every in-scope question with facts twice (model, extractive) and score both; check out-of-scope ones."""
    scored = [q for q in questions if q.expected and q.facts][:limit]
    gen_texts, ext_texts, srcs, gen_ms, ext_ms = [], [], [], [], []
    for q in scored:
        draft = draft_answer(q.question, searcher, runtime, mode="generated", max_tokens=max_tokens)
        # The model's own words, whether or not the trust rules let them be shown first.
        gen_texts.append(draft.alternative if draft.mode == "extractive" and draft.alternative is not None else draft.text)
        gen_ms.append(draft.timings.total_ms)
        srcs.append(draft.sources)
        ext = draft_answer(q.question, searcher, None, mode="extractive")
        ext_texts.append(ext.text)
        ext_ms.append(ext.timings.total_ms)
    out = [q for q in questions if not q.expected][:limit]
    no_guidance = sum(draft_answer(q.question, searcher, None, mode="extractive").no_guidance for q in out)
    generated = score(gen_texts, scored, srcs, gen_ms)
    extractive = score(ext_texts, scored, srcs, ext_ms)
    better = generated.facts_present > extractive.facts_present and generated.unsupported_sentences <= extractive.unsupported_sentences + 0.05
    return QualityReport(
        model=runtime.info.name if runtime.info else "?", questions=len(scored), facts=sum(len(q.facts) for q in scored),
        generated=generated, extractive=extractive, out_of_scope=len(out),
        no_guidance_correct=no_guidance / len(out) if out else None, verdict="generated" if better else "extractive",
    )
