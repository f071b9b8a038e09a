""""No guidance found" decided from evidence: a small logistic rule over a search's signals.

The rule is fitted on development questions of several real corpora (benchmarks/calibrate.py) and
shipped here as the default; a content team can refit it on its own questions
(`frontdesk kb eval BUNDLE QUESTIONS --calibrate`) and the refitted rule travels in the bundle's
`meta` under `no_guidance_rule`. The rule has three halves, fitted on the same questions: one for a
bundle with sentence vectors (the page and the nearest sentence), one for a bundle with passage
vectors only (built before sentences had them), and one for a search by words alone (a bundle
without vectors, or the embedding model still loading).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from knowledge.files import fsync_folder
from knowledge.passage import SearchSignals

META_RULE = "no_guidance_rule"
# Every signal a rule may weigh, by name: a rule stored in a bundle (an earlier default used all nine) may use any.
FEATURES = ("coverage", "topic", "lexical", "cosine", "cosine_gap", "cosine_peak", "agree", "fused", "page_cosine",
            "sentence_cosine")
# The hybrid rule weighs only signals whose scale does not grow with the bundle. A bigger bundle with
# longer pages gives any question a higher best bm25, more of its words matched and a nearer best
# passage (more passages to be near), so a rule fitted on some bundles and leaning on those signals
# answers near misses on a bigger one. Fitted on the sample and the real guidance, the nine signals
# refused 33% of GOV.UK's out-of-scope development questions, these two 78%; over the three corpora,
# each left out in turn, 65% against 75%, and about as few in-scope ones (5%). README, "No guidance found".
HYBRID_FEATURES = ("page_cosine", "cosine_peak")
# With sentence vectors: the page as a whole, and the nearest sentence of the first results. A question
# the guidance answers has one sentence that says it; a near miss shares the page's subject but no
# sentence comes as close. Neither grows with the bundle. Each corpus's development half left out in
# turn, out-of-scope questions refused 78/78/80% -> 83/89/85% (sample, GOV.UK, real guidance), in-scope
# ones refused 3/7/5% -> 6/5/3%, against the page and the peak. README, "No guidance found".
SENTENCE_FEATURES = ("page_cosine", "sentence_cosine")
LEXICAL_FEATURES = ("coverage", "topic", "lexical")


def feature_values(signals: SearchSignals, names: Sequence[str]) -> list[float]:
    """The rule's inputs, each on a scale of about 0 to 1 (the fit needs no other scaling)."""
    values = {
        "coverage": signals.coverage,
        "topic": signals.topic,
        "lexical": math.log1p(max(signals.lexical, 0.0)) / 3.0,  # bm25 grows with the bundle: its log counts
        "cosine": signals.cosine or 0.0,
        "cosine_gap": (signals.cosine or 0.0) - (signals.cosine_next or 0.0),
        # How far the best passage stands above the question's nearest passages in general: a question
        # about nothing here is about as near to many passages; this does not depend on the bundle.
        "cosine_peak": (signals.cosine or 0.0) - (signals.cosine_mean if signals.cosine_mean is not None else (signals.cosine or 0.0)),
        "agree": 1.0 if signals.agree else 0.0,
        "fused": signals.fused * 30.5,  # reciprocal-rank fusion tops out at 2/61
        "page_cosine": signals.page_cosine if signals.page_cosine is not None else (signals.cosine or 0.0),
        "sentence_cosine": signals.sentence_cosine if signals.sentence_cosine is not None else (signals.cosine or 0.0),
    }
    return [values[n] for n in names]


@dataclass(frozen=True, slots=True)
class LogisticRule:
    """p(answerable) = sigmoid(bias + Σ weight × feature); answer when p ≥ threshold."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, signals: SearchSignals) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, feature_values(signals, self.features)))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def as_json(self) -> dict:
        return {"features": list(self.features), "weights": [round(w, 5) for w in self.weights],
                "bias": round(self.bias, 5), "threshold": round(self.threshold, 4)}

    @classmethod
    def from_json(cls, data: dict) -> "LogisticRule":
        features = tuple(str(f) for f in data["features"])
        weights = tuple(float(w) for w in data["weights"])
        if len(features) != len(weights) or any(f not in FEATURES for f in features):
            raise ValueError("features and weights do not match")
        return cls(features, weights, float(data["bias"]), float(data["threshold"]))


@dataclass(frozen=True, slots=True)
class NoGuidanceRule:
    """Whether a search's results cover the question: the sentence rule when the bundle's sentences have
    vectors, else the hybrid rule when the search ran by meaning, else the lexical one. A rule stored
    before sentences had vectors has no sentence half: its own hybrid half decides."""

    hybrid: LogisticRule
    lexical: LogisticRule
    fitted_on: str = ""
    sentences: LogisticRule | None = None

    def covers(self, signals: SearchSignals) -> bool:
        return self.probability(signals) >= self.rule_for(signals).threshold

    def probability(self, signals: SearchSignals) -> float:
        return self.rule_for(signals).probability(signals)

    def rule_for(self, signals: SearchSignals) -> LogisticRule:
        if signals.cosine is None:
            return self.lexical
        if signals.sentence_cosine is not None and self.sentences is not None:
            return self.sentences
        return self.hybrid

    def to_meta(self) -> str:
        halves = {"hybrid": self.hybrid.as_json(), "lexical": self.lexical.as_json()}
        if self.sentences is not None:
            halves["sentences"] = self.sentences.as_json()
        return json.dumps({"version": 1, "fitted_on": self.fitted_on, **halves}, sort_keys=True)

    @classmethod
    def from_meta(cls, text: str | None) -> "NoGuidanceRule":
        """The rule stored in a bundle's meta; the shipped default when there is none or it is unreadable."""
        if not text:
            return DEFAULT_RULE
        try:
            data = json.loads(text)
            sentences = LogisticRule.from_json(data["sentences"]) if "sentences" in data else None
            return cls(LogisticRule.from_json(data["hybrid"]), LogisticRule.from_json(data["lexical"]),
                       str(data.get("fitted_on", "")), sentences)
        except (ValueError, KeyError, TypeError):
            return DEFAULT_RULE


def store_rule(bundle: Path, rule: NoGuidanceRule) -> None:
    """Write `rule` into the bundle's meta: a copy is changed, fsynced, then renamed over the bundle.

    The bundle's bytes change, so a signature made before no longer matches: sign it again.
    """
    bundle = Path(bundle)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{bundle.name}.", suffix=".tmp", dir=bundle.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(bundle, tmp)
        conn = sqlite3.connect(tmp)
        try:
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (META_RULE, rule.to_meta()))
            conn.commit()
        finally:
            conn.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, bundle)
        fsync_folder(bundle.parent)
    finally:
        tmp.unlink(missing_ok=True)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 0.01, steps: int = 3000) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-regularised logistic regression (Newton's method; a few features)."""
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1))])
    # Each class weighs the same however many questions it has: out-of-scope ones are the fewer.
    sample = np.where(y == 1, 0.5 / max(1, y.sum()), 0.5 / max(1, (1 - y).sum()))
    beta = np.zeros(d + 1)
    penalty = np.diag([l2] * d + [0.0])
    for _ in range(min(steps, 50)):
        p = 1 / (1 + np.exp(-np.clip(design @ beta, -50, 50)))
        gradient = design.T @ (sample * (p - y)) + penalty @ beta
        hessian = (design * (sample * p * (1 - p))[:, None]).T @ design + penalty + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta[:-1], float(beta[-1])


def choose_threshold(p: np.ndarray, y: np.ndarray, max_refused: float = 0.10) -> float:
    """The threshold refusing the most out-of-scope questions while refusing at most `max_refused`
    of in-scope ones (on the questions fitted); half-way between neighbouring scores."""
    in_scope = np.sort(p[y == 1])
    if len(in_scope) == 0:
        return 0.5
    allowed = int(math.floor(max_refused * len(in_scope)))
    # Refusing the `allowed` lowest in-scope scores at most: the threshold sits just under the next one.
    upper = in_scope[allowed]
    below = p[p < upper]
    lower = below.max() if len(below) else upper - 0.01
    return float((upper + lower) / 2)


def fit_rule(signals: Sequence[SearchSignals], answerable: Sequence[bool], fitted_on: str = "",
             max_refused: float = 0.08, features: Sequence[str] = HYBRID_FEATURES,
             groups: Sequence[str] | None = None, sentence_features: Sequence[str] = SENTENCE_FEATURES) -> NoGuidanceRule:
    """A NoGuidanceRule fitted on searches whose answerability is known (in scope or not); `features`
    and `sentence_features` are the hybrid and sentence halves' signals (benchmarks/calibrate.py
    compares choices). `groups` names each search's corpus: the threshold then refuses at most
    `max_refused` of EACH corpus's in-scope questions, not only of them all together, where a corpus
    whose questions score high would let the threshold rise over another's."""
    y = np.asarray([1.0 if a else 0.0 for a in answerable])
    if len(set(y.tolist())) < 2:
        raise ValueError("calibration needs both in-scope and out-of-scope questions")
    groups = list(groups) if groups is not None else [""] * len(y)

    def fitted(names: Sequence[str], kept: list[int], default: LogisticRule | None) -> LogisticRule | None:
        labels = y[kept]
        if min(labels.sum(), len(labels) - labels.sum()) < 5:
            return default
        x = np.asarray([feature_values(signals[n], names) for n in kept])
        weights, bias = fit_logistic(x, labels)
        rule = LogisticRule(tuple(names), tuple(float(w) for w in weights), bias, 0.5)
        p = np.asarray([rule.probability(signals[n]) for n in kept])
        kept_groups = np.asarray([groups[n] for n in kept])
        masks = [kept_groups == g for g in dict.fromkeys(kept_groups.tolist())]
        # A corpus with no in-scope question has no share to keep under: it sets no threshold.
        threshold = min(choose_threshold(p[m], labels[m], max_refused) for m in masks if labels[m].any())
        return LogisticRule(rule.features, rule.weights, rule.bias, threshold)

    # Each half learns from the searches it will decide: the sentence half from searches of a bundle
    # with sentence vectors, the hybrid half from every search that used meaning (not those of a
    # bundle without vectors, nor questions in a language the model does not read), the lexical half
    # from every search.
    with_sentences = [n for n, s in enumerate(signals) if s.sentence_cosine is not None]
    with_meaning = [n for n, s in enumerate(signals) if s.cosine is not None]
    sentences = fitted(sentence_features, with_sentences, DEFAULT_RULE.sentences) if with_sentences else None
    return NoGuidanceRule(fitted(features, with_meaning, DEFAULT_RULE.hybrid),
                          fitted(LEXICAL_FEATURES, list(range(len(y))), DEFAULT_RULE.lexical), fitted_on, sentences)


# Fitted by benchmarks/calibrate.py on the development halves of the sample, GOV.UK and real-guidance
# question sets together (never the held-out halves), the threshold refusing at most 8% of each one's
# in-scope questions; figures in README.md.
DEFAULT_RULE = NoGuidanceRule(
    hybrid=LogisticRule(HYBRID_FEATURES, (3.13581, 1.17579), -1.69898, 0.4184),
    lexical=LogisticRule(LEXICAL_FEATURES, (0.36186, 0.95054, 2.36048), -2.89006, 0.2999),
    fitted_on='sample, govuk and realguide development halves',
    sentences=LogisticRule(SENTENCE_FEATURES, (2.94748, 1.8794), -2.46611, 0.4549),
)
