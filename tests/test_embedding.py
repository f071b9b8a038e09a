"""Searching by meaning: the real embedding model, vectors in bundles, fusion, old bundles, the calibrated rule."""

import json
import shutil
from dataclasses import replace
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import CONTENT_DIR, ROOT
from cli import cli
from knowledge.build import build_bundle
from knowledge.calibration import DEFAULT_RULE, META_RULE, NoGuidanceRule
from knowledge.query import spelled_out
from knowledge.search import Searcher
from knowledge.sentences import passage_sentences
from models.drafting import draft_answer
from models.embedder import EMBEDDING_SHA256, LlamaEmbedder, embedding_model_path

OLD_BUNDLE = ROOT / "tests" / "data" / "old-format-1.fdkb"  # built by the code before vectors existed (commit 7a66f41)
REFERENCE = ROOT / "tests" / "data" / "minilm-reference.json"  # sentence-transformers' own vectors for the same weights


def altered_copy(bundle: Path, copy: Path, sql: str, parameters=()) -> Path:
    """A copy of `bundle` changed by one SQL statement, as an older Frontdesk or a damaged file would leave it."""
    shutil.copyfile(bundle, copy)
    conn = sqlite3.connect(copy)
    conn.execute(sql, parameters)
    conn.commit()
    conn.close()
    return copy


def test_the_pinned_embedding_file_is_the_one_shipped():
    from knowledge.bundle import file_sha256

    path = embedding_model_path()
    assert file_sha256(path) == EMBEDDING_SHA256
    assert (path.parent / "LICENSE").read_text().lstrip().startswith("Apache License")


def test_the_real_model_embeds_and_a_paraphrase_is_nearer_than_an_unrelated_sentence(embedder):
    vectors = embedder.embed(["How long do I have to ask for a mandatory reconsideration?",
                              "What is the deadline to challenge a benefit decision?",
                              "Recipe for shepherd's pie"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    paraphrase, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert paraphrase > unrelated + 0.2


def test_vectors_match_the_reference_implementation(embedder):
    reference = json.loads(REFERENCE.read_text())
    ours = embedder.embed(reference["texts"])
    cosines = np.sum(ours * np.asarray(reference["vectors"], dtype=np.float32), axis=1)
    assert cosines.min() > 0.99, cosines


def test_a_text_longer_than_the_model_reads_is_cut_not_refused(embedder):
    vector = embedder.embed(["universal credit payment " * 400])
    assert vector.shape == (1, 384) and np.isfinite(vector).all()


def test_a_missing_model_file_says_so(tmp_path):
    from models.errors import ModelError

    with pytest.raises(ModelError, match="did not load|missing"):
        LlamaEmbedder(tmp_path / "none.gguf").embed(["x"])


def test_a_built_bundle_carries_one_vector_per_passage_and_the_model_in_meta(sample_bundle, embedder):
    conn = sqlite3.connect(sample_bundle)
    meta = dict(conn.execute("SELECT key, value FROM meta"))
    passages = conn.execute("SELECT count(*) FROM passages").fetchone()[0]
    rows = conn.execute("SELECT rowid, length(vector) FROM passage_vectors").fetchall()
    conn.close()
    assert meta["embedding_model"] == embedder.model_id and meta["embedding_sha256"] == EMBEDDING_SHA256
    assert meta["embedding_dimensions"] == "384" and meta["embedding_dtype"] == "float16"
    assert len(rows) == passages and {length for _, length in rows} == {384 * 2}


def test_search_results_carry_both_ranks(searcher):
    response = searcher.search("uc advance")
    first = response.results[0]
    assert first.passage.doc_id == "uc-advances" and first.lexical_rank and first.dense_rank and first.cosine > 0.3
    assert response.signals.cosine is not None and response.signals.agree is True


def test_the_fused_score_keeps_how_far_ahead_a_passage_is():
    """Fusing ranks held a passage far nearer in meaning than any other level with the word ranking's
    second; the convex combination of the two scores puts it first."""
    from knowledge.passage import Passage, SearchResult

    def result(n, words, rank):
        return SearchResult(Passage(f"p{n}", f"d{n}", "T", "", "H", "text"), words, (), lexical_score=words, lexical_rank=rank)
    lexical = [(1, result(1, 20.0, 1), ""), (2, result(2, 19.0, 2), ""), (3, result(3, 6.0, 3), "")]
    nearest = {3: 0.72, 1: 0.41, 2: 0.40, 4: 0.30}  # passage 4: near in meaning, no word in common
    by_rowid = {rowid: (r, topic) for rowid, r, topic in lexical} | {4: (result(4, 0.0, None), "")}
    fused = Searcher._combined(by_rowid, nearest, lexical)
    assert max(fused, key=fused.get) == 3
    assert fused[1] > fused[2] > fused[4] and fused[4] == 0.0  # the furthest of the nearest adds nothing
    # Reciprocal ranks: 3 is (3, 1), 2 is (2, 3), 1 is (1, 2): passage 1 first, 3 barely ahead of 2.
    rrf = {n: Searcher._reciprocal_rank(replace(by_rowid[n][0], dense_rank=sorted(nearest, key=nearest.get, reverse=True).index(n) + 1))
           for n in (1, 2, 3)}
    assert max(rrf, key=rrf.get) == 1


def test_the_page_a_question_means_comes_first_when_the_words_point_elsewhere(realguide_bundle, embedder):
    """"Nothing to live on until it is paid" shares few words with the page on urgent support while
    waiting for Universal Credit; "universal credit" and "paid" fill the rent and mortgage pages. The
    page is the nearest by far in meaning: with ranks fused it came third, behind two of those."""
    with Searcher(realguide_bundle, embedder) as searcher:
        results = searcher.search("just applied for universal credit and I have nothing to live on until it is paid, how long "
                                  "is the wait").results
    assert results[0].passage.doc_id.endswith("urgentsupport") and results[0].dense_rank == 1
    assert results[0].lexical_rank > 3


def test_the_fused_signal_an_earlier_rule_weighs_is_still_by_reciprocal_rank(searcher):
    response = searcher.search("can I get an advance on my first universal credit payment")
    first = response.results[0]
    assert response.signals.fused == pytest.approx(1 / (60 + first.lexical_rank) + 1 / (60 + first.dense_rank))
    assert 0 < first.score <= 1  # the fused score itself: a share of the way from nothing to first by both


def test_the_page_signal_is_the_cosine_to_the_first_page_as_a_whole(sample_bundle, embedder):
    """page_cosine: the question against the mean of the first result's passage vectors, worked out here apart."""
    with Searcher(sample_bundle, embedder) as hybrid:
        response = hybrid.search("can I get an advance on my first universal credit payment")
    doc_id = response.results[0].passage.doc_id
    conn = sqlite3.connect(sample_bundle)
    blobs = [b for (b,) in conn.execute("SELECT v.vector FROM passage_vectors v JOIN passages p ON p.rowid = v.rowid "
                                         "WHERE p.doc_id = ?", (doc_id,))]
    conn.close()
    page = np.mean([np.frombuffer(b, dtype="<f2").astype(np.float32) for b in blobs], axis=0)
    # The question as the search embeds it: with its synonyms' meanings spelled out (knowledge/query.py).
    with Searcher(sample_bundle) as words:
        typed = spelled_out(response.query, words.parse(response.query).expansion_of)
    question = embedder.embed([typed])[0]
    assert len(blobs) >= 2
    assert response.signals.page_cosine == pytest.approx(float(page @ question / np.linalg.norm(page)), abs=2e-3)
    with Searcher(sample_bundle) as words:  # no embedder: no page signal, and the rule takes its words-only half
        assert words.search("can I get an advance").signals.page_cosine is None


def test_every_quotable_sentence_has_its_own_vector_in_the_bundle(sample_bundle, embedder):
    conn = sqlite3.connect(sample_bundle)
    passages = conn.execute("SELECT rowid, text FROM passages ORDER BY rowid").fetchall()
    stored = {(p, n): blob for p, n, blob in conn.execute("SELECT passage, position, vector FROM sentence_vectors")}
    conn.close()
    expected = {(rowid, n): sentence for rowid, text in passages for n, (sentence, _) in enumerate(passage_sentences(text))}
    assert set(stored) == set(expected) and len(expected) > 2 * len(passages)
    (rowid, n), sentence = sorted(expected.items())[len(expected) // 2]
    vector = np.frombuffer(stored[rowid, n], dtype="<f2").astype(np.float32)
    assert float(vector @ embedder.embed([sentence])[0]) > 0.999


def test_the_sentence_signal_is_the_nearest_sentence_of_the_first_five_results(sample_bundle, embedder):
    """sentence_cosine: the question against every quotable sentence of the first five results, worked out here apart."""
    question = "can I get an advance on my first universal credit payment"
    with Searcher(sample_bundle, embedder) as hybrid:
        response = hybrid.search(question, 3)  # fewer results asked for: the signal still reads five
        five = hybrid.search(question, 5).results
    assert len(response.results) == 3
    with Searcher(sample_bundle) as words:
        typed = spelled_out(question, words.parse(question).expansion_of)
    vector = embedder.embed([typed])[0]
    sentences = [s for r in five for s, _ in passage_sentences(r.passage.text)]
    nearest = max(float(vector @ v) for v in embedder.embed(sentences))
    assert response.signals.sentence_cosine == pytest.approx(nearest, abs=3e-3)
    assert response.signals.sentence_cosine > response.signals.page_cosine


def test_a_bundle_built_before_sentence_vectors_decides_from_its_passages(tmp_path, sample_bundle, embedder):
    from knowledge.validate import validate_bundle

    bundle = altered_copy(sample_bundle, tmp_path / "before-1.fdkb", "DROP TABLE sentence_vectors")
    with Searcher(bundle, embedder) as searcher:
        response = searcher.search("can I get an advance on my first universal credit payment")
        assert searcher.vectors.present and not searcher.vectors.sentences
        assert response.signals.cosine is not None and response.signals.sentence_cosine is None
        assert searcher.rule.rule_for(response.signals) is DEFAULT_RULE.hybrid and response.covered
    codes = {f.code: f.message for f in validate_bundle(bundle, embedder=embedder).findings}
    assert "no-sentence-vectors" in codes and "Rebuild it" in codes["no-sentence-vectors"]
    assert "no-sentence-vectors" not in {f.code for f in validate_bundle(sample_bundle, embedder=embedder).findings}


def test_a_bundle_whose_sentences_were_split_by_an_earlier_frontdesk_is_drafted_and_told_to_rebuild(tmp_path, sample_bundle, embedder):
    from knowledge.validate import validate_bundle

    # One passage's sentences as an earlier split stored them: one vector fewer.
    bundle = altered_copy(sample_bundle, tmp_path / "kb2-1.fdkb",
                          "DELETE FROM sentence_vectors WHERE passage = (SELECT min(passage) FROM sentence_vectors) "
                          "AND position = (SELECT max(position) FROM sentence_vectors WHERE passage = (SELECT min(passage) FROM sentence_vectors))")
    codes = {f.code: f.message for f in validate_bundle(bundle, embedder=embedder).findings}
    assert "older-sentence-split" in codes and "Rebuild it" in codes["older-sentence-split"]
    assert "older-sentence-split" not in {f.code for f in validate_bundle(sample_bundle, embedder=embedder).findings}
    with Searcher(bundle, embedder) as searcher:
        draft = draft_answer("how much is a budgeting advance", searcher, None, mode="extractive")
    assert draft.citations and not draft.no_guidance


def test_meaning_finds_the_page_for_a_question_in_other_words(sample_bundle, embedder):
    # "poorly", "doctor", "job": the sick-pay pages say "ill", "fit note", "work".
    question = "doctor says im too poorly to do my job"
    sick = {"statutory-sick-pay", "new-style-esa"}
    with Searcher(sample_bundle) as words:
        lexical = [r.passage.doc_id for r in words.search(question).results[:3]]
    with Searcher(sample_bundle, embedder) as hybrid:
        results = [r for r in hybrid.search(question).results if not r.nearest_of_page][:3]
    assert not sick & set(lexical)
    rescued = [r for r in results if r.passage.doc_id in sick]
    assert rescued and all(r.dense_rank is not None and r.dense_rank <= 3 for r in rescued)


def test_an_abbreviation_the_model_never_learnt_is_searched_by_its_meaning(sample_bundle, embedder):
    """'CTR' means nothing to the embedding model: spelled out as the lexicon reads it, the meaning
    ranking finds Council Tax Reduction too (it put 'when you'll be paid' first)."""
    question = "im on uc, do i get CTR automatically?"
    with Searcher(sample_bundle, embedder) as hybrid:
        response = hybrid.search(question)
        assert response.results[0].passage.doc_id == "council-tax-reduction"
        assert response.results[0].dense_rank is not None and response.results[0].dense_rank <= 3
        typed = hybrid._dense(embedder.embed([question])[0])
        assert hybrid._page_of_row()[typed[0][0]] != "council-tax-reduction"


def test_a_bundle_built_before_vectors_still_opens_and_searches_by_words(embedder):
    with Searcher(OLD_BUNDLE, embedder) as searcher:
        assert not searcher.vectors.present and searcher.embedder is None
        response = searcher.search("food bank voucher")
        assert response.results[0].passage.doc_id == "food-banks"
        assert response.signals.cosine is None and response.results[0].dense_rank is None


def test_vectors_from_another_model_are_not_used_and_validate_says_so(tmp_path, sample_bundle, embedder):
    from knowledge.validate import validate_bundle

    bundle = altered_copy(sample_bundle, tmp_path / "other-1.fdkb",
                          "UPDATE meta SET value = 'f' || substr(value, 2) WHERE key = 'embedding_sha256'")
    with Searcher(bundle, embedder) as searcher:
        assert searcher.embedder is None and searcher.search("uc advance").signals.cosine is None
    codes = {f.code: f.message for f in validate_bundle(bundle, embedder=embedder).findings}
    assert "vectors-other-model" in codes and "searched by words only" in codes["vectors-other-model"]


def test_validate_says_when_a_bundle_has_no_vectors(tmp_path):
    result = CliRunner().invoke(cli, ["kb", "validate", str(OLD_BUNDLE), "--json"])
    findings = {f["code"]: f["message"] for f in json.loads(result.output)["findings"]}
    assert "no-vectors" in findings and "searched by words only" in findings["no-vectors"]


def test_kb_build_no_vectors_leaves_them_out(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(CONTENT_DIR / "pip.md", source)
    result = CliRunner().invoke(cli, ["kb", "build", str(source), "-o", str(tmp_path / "t-1.fdkb"), "--no-vectors"])
    assert result.exit_code == 0 and "no passage vectors" in result.output
    with Searcher(tmp_path / "t-1.fdkb") as searcher:
        assert not searcher.vectors.present


def test_kb_build_embeds_and_reports_it(tmp_path, embedder):
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(CONTENT_DIR / "pip.md", source)
    result = CliRunner().invoke(cli, ["kb", "build", str(source), "-o", str(tmp_path / "t-1.fdkb")])
    sentences = sum(len(passage_sentences(t)) for (t,) in sqlite3.connect(tmp_path / "t-1.fdkb").execute("SELECT text FROM passages"))
    assert result.exit_code == 0 and f"and {sentences} sentences: all-MiniLM-L6-v2-Q8_0" in result.output
    with Searcher(tmp_path / "t-1.fdkb", embedder) as searcher:
        assert searcher.vectors.present and searcher.embedder is embedder and searcher.vectors.sentences == sentences > 0


def test_build_progress_covers_embedding_and_never_goes_back(tmp_path, embedder):
    seen = []
    build_bundle([CONTENT_DIR / "universal-credit"], tmp_path / "uc-1.fdkb", embedder=embedder,
                 on_progress=lambda done, total, item: seen.append((done, total, item)))
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen) and seen[-1][0] == seen[-1][1]
    assert any("embedding passage" in item for _, _, item in seen)
    assert any("embedding sentence" in item for _, _, item in seen)


def test_search_json_keeps_its_shape_and_adds_the_ranks(sample_bundle):
    result = CliRunner().invoke(cli, ["search", "uc advance", "--bundle", str(sample_bundle), "--json"])
    payload = json.loads(result.output)
    assert set(payload) >= {"query", "results", "elapsed_ms", "covered", "confidence", "signals", "searched_by"}
    first = payload["results"][0]
    assert set(first) >= {"doc_id", "title", "url", "heading", "text", "score", "lexical_rank", "dense_rank", "cosine"}
    assert payload["searched_by"] == "words and meaning" and first["dense_rank"] is not None


def test_an_embedder_still_loading_leaves_the_search_to_words(sample_bundle):
    loading = LlamaEmbedder(wait=False)  # never started: as in the window's first second
    with Searcher(sample_bundle, loading) as searcher:
        response = searcher.search("uc advance")
    assert response.results[0].passage.doc_id == "uc-advances" and response.signals.cosine is None


def test_the_sample_ships_vectors_for_its_current_content(embedder):
    from app.guidance import sample_bundle_path
    from knowledge.sample_guidance import ShippedVectors

    assert ShippedVectors.load() is not None, "run scripts/sample_vectors.py"
    with Searcher(sample_bundle_path(), embedder) as searcher:
        assert searcher.vectors.present, "knowledge/content changed: run scripts/sample_vectors.py"
        assert searcher.embedder is embedder


# -- the calibrated "no guidance found" rule ---------------------------------------------------------------------

def test_a_bundle_without_a_rule_uses_the_shipped_default(searcher):
    assert searcher.rule == DEFAULT_RULE


def test_out_of_scope_questions_are_refused_and_in_scope_ones_answered(searcher):
    for question in ("what time does the tip open on sunday", "who won the football last night", "my car failed its MOT what now"):
        response = searcher.search(question)
        assert not response.covered and response.confidence < searcher.rule.rule_for(response.signals).threshold
    response = searcher.search("can I get an advance on my first universal credit payment")
    assert response.covered and response.confidence > 0.5


def test_kb_eval_calibrate_refits_the_rule_and_stores_it_in_the_bundle(tmp_path, sample_bundle):
    bundle = tmp_path / "cal-1.fdkb"
    shutil.copyfile(sample_bundle, bundle)
    questions = ROOT / "knowledge" / "eval" / "sample-dev.jsonl"
    result = CliRunner().invoke(cli, ["kb", "eval", str(bundle), str(questions), "--calibrate", "--json"])
    assert result.exit_code == 0, result.output
    assert "sign it again" in result.stderr
    payload = json.loads(result.stdout)
    stored = dict(sqlite3.connect(bundle).execute("SELECT key, value FROM meta"))[META_RULE]
    rule = NoGuidanceRule.from_meta(stored)
    assert rule != DEFAULT_RULE and rule.fitted_on == "sample-dev.jsonl"
    assert payload["calibrated"] == json.loads(stored)
    with Searcher(bundle) as searcher:
        assert searcher.rule == rule


def test_calibrate_needs_questions_of_both_kinds(tmp_path, sample_bundle, capsys):
    from cli import main

    bundle = tmp_path / "cal-1.fdkb"
    shutil.copyfile(sample_bundle, bundle)
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"question": "uc advance", "expected": ["uc-advances"]}\n')
    with pytest.raises(SystemExit) as exit_:
        main(["kb", "eval", str(bundle), str(questions), "--calibrate"])
    assert exit_.value.code == 1 and "at least 5 in-scope and 5 out-of-scope" in capsys.readouterr().err


def test_a_rule_stored_with_the_nine_signals_of_an_earlier_default_still_decides(tmp_path, sample_bundle, embedder):
    """Bundles refitted before the default dropped to two signals carry a nine-signal rule: it is used, not replaced."""
    earlier = {"hybrid": {"features": ["coverage", "topic", "lexical", "cosine", "cosine_gap", "cosine_peak", "agree", "fused",
                                       "page_cosine"],
                          "weights": [0.38836, 0.68548, 1.68356, 1.1731, 0.31699, 0.71882, 0.75871, 0.31641, 2.10649],
                          "bias": -4.40269, "threshold": 0.3443},
               "lexical": {"features": ["coverage", "topic", "lexical"], "weights": [0.49685, 1.50614, 2.4871],
                           "bias": -3.31303, "threshold": 0.3933}, "fitted_on": "an earlier default"}
    bundle = altered_copy(sample_bundle, tmp_path / "nine-1.fdkb", "INSERT INTO meta(key, value) VALUES (?, ?)",
                          (META_RULE, json.dumps(earlier)))
    with Searcher(bundle, embedder) as searcher:
        assert searcher.rule.fitted_on == "an earlier default" and len(searcher.rule.hybrid.features) == 9
        assert searcher.rule.sentences is None  # stored before sentences had vectors: its own hybrid half decides
        response = searcher.search("can I get an advance on my first universal credit payment")
        assert response.covered and response.confidence == pytest.approx(searcher.rule.hybrid.probability(response.signals))


def test_the_shipped_rule_weighs_only_signals_that_do_not_grow_with_the_bundle():
    """bm25, words matched and the best of many passages all rise with a bigger bundle (README, "No guidance found")."""
    assert set(DEFAULT_RULE.hybrid.features) == {"page_cosine", "cosine_peak"}
    assert set(DEFAULT_RULE.sentences.features) == {"page_cosine", "sentence_cosine"}
    assert all(w > 0 for w in DEFAULT_RULE.hybrid.weights + DEFAULT_RULE.sentences.weights)


def test_a_damaged_rule_in_meta_falls_back_to_the_default(tmp_path, sample_bundle):
    bundle = altered_copy(sample_bundle, tmp_path / "bad-1.fdkb", "INSERT INTO meta(key, value) VALUES (?, ?)",
                          (META_RULE, '{"hybrid": "nonsense"}'))
    with Searcher(bundle) as searcher:
        assert searcher.rule == DEFAULT_RULE


def test_a_threshold_for_each_corpus_refuses_at_most_the_share_asked_of_each():
    """One corpus's questions scoring high must not let the threshold rise over another's in-scope questions."""
    from knowledge.calibration import fit_rule
    from knowledge.passage import SearchSignals

    def signals(page: float) -> SearchSignals:
        return SearchSignals(0.5, 0.5, 5.0, cosine=page, cosine_mean=page - 0.1, page_cosine=page)

    # Corpus "high": in-scope pages near 0.7, out of scope near 0.3. Corpus "low": in scope near 0.45.
    high_in = [0.62 + 0.01 * n for n in range(20)]
    low_in = [0.38 + 0.01 * n for n in range(20)]
    out = [0.20 + 0.01 * n for n in range(20)]
    values = high_in + out + low_in + out
    answerable = [True] * 20 + [False] * 20 + [True] * 20 + [False] * 20
    groups = ["high"] * 40 + ["low"] * 40
    sigs = [signals(v) for v in values]
    one = fit_rule(sigs, answerable, max_refused=0.08)
    each = fit_rule(sigs, answerable, max_refused=0.08, groups=groups)
    refused_low = lambda rule: sum(not rule.covers(signals(v)) for v in low_in) / len(low_in)
    assert refused_low(each) <= 0.08
    assert refused_low(one) > refused_low(each)  # pooled, the low corpus pays for the high one's ease


def test_closing_the_shared_model_waits_for_its_background_load_and_leaves_no_thread(monkeypatch):
    """The window closes it as it exits (desktop/app.py): a daemon thread still inside llama.cpp while the
    interpreter tears down can crash the process (seen once in CI, the window closed as soon as it opened)."""
    import threading

    import models.embedder
    from models.embedder import close_shared_embedder, shared_embedder
    from models.errors import ModelError

    # As a fresh process starts, nothing loaded (the session's shared model is put back afterwards).
    monkeypatch.setattr(models.embedder, "_shared", None)
    loading = shared_embedder(background=True)
    close_shared_embedder()
    assert not [t.name for t in threading.enumerate() if t.name.startswith("embedder") and t.is_alive()]
    assert models.embedder._shared is None and loading._llama is None
    with pytest.raises(ModelError):  # closed for good: a late warm-up does not load it again
        loading.embed(["a late question"])


def test_the_sentence_half_is_fitted_from_searches_that_had_sentence_vectors_and_travels_in_meta():
    from knowledge.calibration import SENTENCE_FEATURES, fit_rule
    from knowledge.passage import SearchSignals

    def signals(page: float, sentence: float | None) -> SearchSignals:
        return SearchSignals(0.5, 0.5, 5.0, cosine=page, cosine_mean=page - 0.1, page_cosine=page, sentence_cosine=sentence)

    # In scope: a sentence says it (near 0.7) on a page about it. Out of scope: the page is as near, no sentence is.
    pages = [0.40 + 0.01 * (n % 10) for n in range(40)]
    answerable = [n < 20 for n in range(40)]
    with_sentences = [signals(p, 0.7 if a else 0.45) for p, a in zip(pages, answerable)]
    rule = fit_rule(with_sentences, answerable)
    assert rule.sentences.features == SENTENCE_FEATURES
    assert all(rule.covers(s) == a for s, a in zip(with_sentences, answerable))  # the sentence tells them apart
    stored = NoGuidanceRule.from_meta(rule.to_meta())
    assert stored.sentences is not None and stored.to_meta() == rule.to_meta()
    without = fit_rule([signals(p, None) for p in pages], answerable)
    assert without.sentences is None and "sentences" not in json.loads(without.to_meta())


def test_a_damaged_sentence_table_leaves_the_search_to_the_passages(tmp_path, sample_bundle, embedder):
    bundle = altered_copy(sample_bundle, tmp_path / "damaged-1.fdkb", "ALTER TABLE sentence_vectors RENAME TO gone")
    conn = sqlite3.connect(bundle)
    conn.execute("CREATE TABLE sentence_vectors (passage INTEGER)")  # counted, but not the columns the search reads
    conn.execute("INSERT INTO sentence_vectors VALUES (1)")
    conn.commit()
    conn.close()
    with Searcher(bundle, embedder) as searcher:
        response = searcher.search("can I get an advance on my first universal credit payment")
    assert response.results[0].passage.doc_id == "uc-advances" and response.signals.sentence_cosine is None
    assert response.covered


def test_loading_the_embedding_model_leaves_stdout_and_stderr_alone(monkeypatch):
    """It loads on a background thread while the window's thread prints: pointing file descriptors 1 and 2
    at /dev/null for the load (llama-cpp-python's verbose=False) had swallowed the window's own output."""
    import os

    redirected = []
    real_dup2 = os.dup2

    def dup2(fd, fd2, *args, **kwargs):
        if fd2 in (1, 2):
            redirected.append(fd2)
        return real_dup2(fd, fd2, *args, **kwargs)

    monkeypatch.setattr(os, "dup2", dup2)
    embedder = LlamaEmbedder()
    try:
        embedder.load()
        assert len(embedder.embed(["hello"])[0]) == 384
    finally:
        embedder.close()
    assert redirected == []


def test_the_first_pages_passage_with_the_nearest_sentence_comes_besides_the_k_results(govuk_bundle, embedder):
    """"can I stand as a councillor where I work": the page's two passages found first say how to stand;
    "You must live or work in the area" sits in a third, nearer the question than any sentence of theirs.
    It comes after them, besides the five results (none pushed out), and the draft quotes it."""
    question = "can I stand as a councillor where I work if I don't live there"
    with Searcher(govuk_bundle, embedder) as searcher:
        response = searcher.search(question, 5)
        ranked = [r for r in response.results if not r.nearest_of_page]
        added = [r for r in response.results if r.nearest_of_page]
        assert len(ranked) == 5 and len(added) == 1
        page = ranked[0].passage.doc_id
        assert added[0].passage.doc_id == page and added[0].passage.id not in {r.passage.id for r in ranked}
        assert max(added[0].sentence_cosines) > max(c for r in ranked if r.passage.doc_id == page for c in r.sentence_cosines)
        assert response.results.index(added[0]) == max(n for n, r in enumerate(response.results) if r in ranked and r.passage.doc_id == page) + 1
        # "No guidance found" is read before it comes: the nearest-sentence signal is the ranked results', not its.
        assert response.signals.sentence_cosine < max(added[0].sentence_cosines)
        draft = draft_answer(question, searcher, None, mode="extractive")
        assert "live or work in the area" in draft.text
    with Searcher(govuk_bundle) as words_only:  # no meaning, no nearest sentence: the k results alone
        assert not any(r.nearest_of_page for r in words_only.search(question, 5).results)
