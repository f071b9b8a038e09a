"""Readers for "No guidance found": can the local language model tell a near miss from an answer?

    python benchmarks/readers.py [--limit N]

(FRONTDESK_BENCH_BUNDLES=DIR reuses the corpora built with vectors by calibrate.py.)

The rule that decides "No guidance found" (knowledge/calibration.py) reads search signals only; a
model that reads the question and the passage together is the measured next step (README, issue 9).
No cross-encoder's weights can be had offline, so this measures the reader Frontdesk already ships,
the embedded SmolLM2-135M, two ways, on the DEVELOPMENT halves of the three corpora (held-out halves
are not read):

- asked: "Does the guidance answer the question? Reply Yes or No", scored as log-odds of Yes over No;
- gain: how much likelier the question is after the best passage than on its own,
  log P(question | passage) - log P(question), summed over the question's tokens.

Prints each one's AUC (in-scope above out-of-scope) per corpus, then leave one corpus out: the rule's
signals with and without the gain, fitted on two corpora and judged on the third (in-scope and
out-of-scope questions refused), and the seconds each reading takes. The rule's signals are the
shipped ones (knowledge/calibration.py HYBRID_FEATURES: all nine until the two-signal rule).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import CORPORA, EVAL

from knowledge.calibration import HYBRID_FEATURES, choose_threshold, feature_values, fit_logistic
from knowledge.evaluate import read_questions
from knowledge.search import Searcher
from models.personal_data import without_personal_data

ASK = "Guidance:\n{passage}\n\nQuestion: {question}\n\nDoes the guidance answer the question? Reply Yes or No."
GAIN_SCALE = 20.0  # the summed gain runs to tens of nats; the rule's other inputs sit near 0 to 1


class Reader:
    """SmolLM2 through llama-cpp-python, read token by token for the two scores."""

    def __init__(self) -> None:
        from models.backends import ensure_cpu_backends
        from models.catalogue import embedded_model_path

        ensure_cpu_backends()
        from llama_cpp import Llama
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.llm = Llama(str(embedded_model_path()), n_ctx=1024, n_threads=2, verbose=False, logits_all=True)
        self.chat = Jinja2ChatFormatter(self.llm.metadata["tokenizer.chat_template"], eos_token="", bos_token="")
        self.yes = [self._first_token(w) for w in ("Yes", " Yes", "yes")]
        self.no = [self._first_token(w) for w in ("No", " No", "no")]

    def _first_token(self, word: str) -> int:
        return self.llm.tokenize(word.encode(), add_bos=False)[0]

    def _logits(self, tokens: list[int]) -> np.ndarray:
        self.llm.reset()
        self.llm.eval(tokens)
        return np.asarray(self.llm.scores[: len(tokens)])

    def asked(self, question: str, passage: str) -> float:
        """Log-odds of Yes over No for the model's first word of reply."""
        prompt = self.chat(messages=[{"role": "user", "content": ASK.format(passage=passage[:1200], question=question[:600])}]).prompt
        last = self._logits(self.llm.tokenize(prompt.encode(), add_bos=True, special=True))[-1]
        return float(np.logaddexp.reduce(last[self.yes]) - np.logaddexp.reduce(last[self.no]))

    def log_likelihood(self, prefix: str, text: str) -> float:
        """log P(text | prefix), over at most 80 tokens of text."""
        head = self.llm.tokenize(prefix.encode(), add_bos=True)
        tail = self.llm.tokenize(text.encode(), add_bos=False)[:80]
        logits = self._logits(head + tail)
        norm = np.logaddexp.reduce(logits, axis=1)
        return float(sum(logits[len(head) + i - 1, t] - norm[len(head) + i - 1] for i, t in enumerate(tail)))

    def gain(self, question: str, title: str, passage: str) -> float:
        alone = self.log_likelihood("A question someone asked:\n", question)
        return self.log_likelihood(f"{title}\n{passage[:900]}\n\nA question this answers:\n", question) - alone


def auc(scores: np.ndarray, in_scope: np.ndarray) -> float:
    pos, neg = scores[in_scope], scores[~in_scope]
    return float(np.mean([(p > neg).mean() + 0.5 * (p == neg).mean() for p in pos]))


def leave_one_corpus_out(rows: list[dict], with_gain: bool) -> str:
    def design(rs):
        return np.asarray([feature_values(r["signals"], HYBRID_FEATURES) + ([r["gain"] / GAIN_SCALE] if with_gain else [])
                           for r in rs])

    cells = []
    for left in CORPORA:
        train = [r for r in rows if r["corpus"] != left.name]
        test = [r for r in rows if r["corpus"] == left.name]
        y = np.asarray([1.0 if r["in"] else 0.0 for r in train])
        weights, bias = fit_logistic(design(train), y)
        threshold = choose_threshold(1 / (1 + np.exp(-(design(train) @ weights + bias))), y, 0.08)
        p = 1 / (1 + np.exp(-(design(test) @ weights + bias)))
        inside = np.asarray([r["in"] for r in test])
        cells.append(f"{left.name} {np.mean(p[inside] < threshold):.0%} in / {np.mean(p[~inside] < threshold):.0%} out refused")
    return " | ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, help="questions per corpus (default: the whole development half)")
    args = parser.parse_args()
    from models.embedder import LlamaEmbedder

    embedder = LlamaEmbedder()
    reader = Reader()
    rows, seconds = [], []
    for corpus in CORPORA:
        with Searcher(corpus.bundle(embedder), embedder) as searcher:
            questions = read_questions(EVAL / f"{corpus.name}-dev.jsonl")
            if args.limit:  # as many out-of-scope questions as in-scope ones, where there are enough
                outside = [q for q in questions if not q.expected][: args.limit // 2]
                questions = [q for q in questions if q.expected][: args.limit - len(outside)] + outside
            for q in questions:
                question = " ".join(without_personal_data(q.question).split())
                response = searcher.search(question, 5)
                if not response.results or response.signals is None or response.signals.cosine is None:
                    continue  # the rule's hybrid half only: English questions the embedding model read
                best = response.results[0].passage
                started = time.perf_counter()
                gain = reader.gain(question, best.title, best.text)
                seconds.append(time.perf_counter() - started)
                rows.append({"corpus": corpus.name, "in": bool(q.expected), "signals": response.signals,
                             "asked": reader.asked(question, best.text), "gain": gain})
        print(f"{corpus.name}: {sum(r['corpus'] == corpus.name for r in rows)} questions read", flush=True)
    print("\nAUC, in-scope above out-of-scope (development halves):")
    for name in [c.name for c in CORPORA] + ["all three"]:
        part = [r for r in rows if name == "all three" or r["corpus"] == name]
        inside = np.asarray([r["in"] for r in part])
        if inside.all() or not inside.any():
            continue
        print(f"  {name:10} asked {auc(np.asarray([r['asked'] for r in part]), inside):.3f}   "
              f"gain {auc(np.asarray([r['gain'] for r in part]), inside):.3f}")
    print("\nleave one corpus out (fitted on the other two development halves, judged on this one):")
    print(f"  the shipped rule's signals  {leave_one_corpus_out(rows, False)}")
    print(f"  the same and the gain       {leave_one_corpus_out(rows, True)}")
    print(f"\nreading one passage and the question for the gain: median {np.median(seconds):.2f} s")
    embedder.close()


if __name__ == "__main__":
    main()
