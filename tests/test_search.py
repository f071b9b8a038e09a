"""Searching the sample guidance: never fails on user text, synonyms, spelling, caps, JSON shape, eval."""

import json

import pytest
from click.testing import CliRunner

from conftest import GOVUK_QUESTIONS, QUESTIONS
from cli import cli, main
from knowledge.errors import BundleError
from knowledge.evaluate import evaluate_retrieval, matches_expected, read_questions
from knowledge.passage import SearchResponse
from knowledge.search import Document, Searcher, search_passages

NASTY = [
    "", "   ", '"', '""""', "(", ")", "AND", "OR NOT", "NEAR(uc pip)", "*", "uc*", "^pip", "title:uc", "a:b:c",
    "🙂🙂🙂", "\x00\x01\x02", "DROP TABLE passages;--", "'; SELECT 1", "the and of to a", "x" * 100_000,
    "universal credit " * 10_000, "£", "[1]", "{}", "\\", "\u202e\u200b", "ÄÖÜ ß ç", "مرحبا", "😀 pip 😀",
]


@pytest.mark.parametrize("query", NASTY, ids=range(len(NASTY)))
def test_no_user_text_makes_search_fail(searcher, query):
    response = searcher.search(query)
    assert isinstance(response, SearchResponse) and response.query == query
    # Five ranked results at most, and at most one more: the first page's passage with its nearest sentence.
    ranked = [r for r in response.results if not r.nearest_of_page]
    assert len(ranked) <= 5 and len(response.results) - len(ranked) <= 1 and response.elapsed_ms >= 0


def test_only_stop_words_finds_nothing(searcher):
    response = searcher.search("what is the and of")
    assert response.results == () and response.covered is False


def test_abbreviations_use_the_bundle_synonyms(searcher):
    response = searcher.search("uc advance")
    assert response.covered
    assert response.results[0].passage.doc_id == "uc-advances"
    assert "universal credit" in response.results[0].matched_terms


def test_misspellings_still_find_the_page(searcher):
    response = searcher.search("carers allowence ammount")
    assert response.results[0].passage.doc_id == "carers-allowance"


def test_title_and_heading_weigh_more_than_body(searcher):
    response = searcher.search("Healthy Start")
    assert response.results[0].passage.doc_id == "healthy-start"


def test_at_most_two_passages_per_document(searcher):
    response = searcher.search("universal credit payment claim", k=10)
    docs = [r.passage.doc_id for r in response.results]
    assert max(docs.count(d) for d in docs) <= 2 and len(docs) == 10


def test_results_carry_everything_a_citation_needs(searcher):
    result = searcher.search("cold weather payment").results[0]
    p = result.passage
    assert p.id.startswith(p.doc_id + "#") and p.title and p.url.startswith("https://www.gov.uk/")
    assert p.heading and p.text and p.updated is not None
    assert searcher.passage(p.id) == p
    document = searcher.document(p.doc_id)
    assert p in document.passages and document.title == p.title


def test_out_of_scope_question_is_not_covered(searcher):
    # (The hand-set rule also refused "renew my passport", which the sample mentions as proof of
    # identity; the calibrated rule answers it: see README, "No guidance found".)
    assert searcher.search("who won the football last night").covered is False
    assert searcher.search("recipe for shepherd's pie").covered is False


def test_pasted_email_finds_the_topic(searcher):
    email = ("Dear Sir or Madam,\n\nI am writing because I was sanctioned last week after I missed an appointment "
             "and now I cannot afford food. What can I do?\n\nKind regards,\nJo Bloggs")
    docs = [r.passage.doc_id for r in searcher.search(email).results]
    assert {"uc-sanctions", "uc-hardship-payments"} & set(docs)


def test_search_command_json_shape(sample_bundle):
    result = CliRunner().invoke(cli, ["search", "how much is child benefit", "--bundle", str(sample_bundle), "-k", "3", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert set(payload) >= {"query", "results", "elapsed_ms"}
    assert len(payload["results"]) == 3
    assert set(payload["results"][0]) >= {"doc_id", "title", "url", "heading", "text", "score"}
    assert payload["results"][0]["doc_id"] == "child-benefit"


def test_search_command_defaults_to_the_sample_guidance():
    result = CliRunner().invoke(cli, ["search", "budgeting advance"])
    assert result.exit_code == 0 and "[1] Budgeting Advance" in result.output


def test_search_passages_convenience(sample_bundle):
    assert search_passages(sample_bundle, "pension credit").results[0].passage.doc_id == "pension-credit"


@pytest.mark.parametrize("query", ["uc", "UC", "Uc"])
def test_uc_finds_universal_credit(searcher, query):
    response = searcher.search(query)
    assert response.results and all("Universal Credit" in r.passage.title for r in response.results[:3])
    assert "universal credit" in response.results[0].matched_terms


def test_multi_word_everyday_terms_use_the_bundle_synonyms(searcher):
    response = searcher.search("can I get a sick note from my GP")
    assert response.results[0].passage.doc_id == "statutory-sick-pay"
    assert "fit note" in response.results[0].matched_terms


def test_matched_terms_are_question_words_found_in_the_passage(searcher):
    for result in searcher.search("cold weather payment for my heating").results:
        assert result.matched_terms
        text = f"{result.passage.title} {result.passage.heading} {result.passage.text}".lower()
        for term in result.matched_terms:
            assert term in ("cold", "weather", "payment", "heating", "cold weather payment")
            assert term[:4] in text


def test_k_is_kept_within_bounds(searcher):
    assert len(searcher.search("universal credit", k=1).results) == 1
    assert len(searcher.search("universal credit", k=0).results) == 1
    assert len(searcher.search("payment", k=1000).results) <= 50


def test_bundle_facts_and_unknown_ids(searcher):
    assert searcher.info.id == "frontdesk-sample" and searcher.info.version == 1
    with pytest.raises(BundleError, match="no passage 'nope#0'"):
        searcher.passage("nope#0")
    with pytest.raises(BundleError, match="no document 'nope'"):
        searcher.document("nope")


def test_document_for_the_source_viewer(searcher):
    document = searcher.document("pip")
    assert isinstance(document, Document)
    assert document.url == "https://www.gov.uk/pip" and document.body.strip() and document.updated and document.review_due
    assert [p.id for p in document.passages] == sorted((p.id for p in document.passages), key=lambda i: int(i.split("#")[1]))
    assert all(p.doc_id == "pip" and p.title == document.title for p in document.passages)


def test_searches_from_several_threads_agree(searcher):
    from concurrent.futures import ThreadPoolExecutor

    queries = ["uc sanction", "pip rates", "child benefit", "cold weather payment"] * 5
    expected = [[r.passage.id for r in searcher.search(q).results] for q in queries]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda q: [r.passage.id for r in searcher.search(q).results], queries))
    assert got == expected


def test_search_command_json_marks_coverage_and_matches(sample_bundle):
    runner = CliRunner()
    payload = json.loads(runner.invoke(cli, ["search", "uc advance", "--bundle", str(sample_bundle), "--json"]).output)
    assert payload["covered"] is True and payload["query"] == "uc advance"
    first = payload["results"][0]
    assert first["doc_id"] == "uc-advances" and "universal credit" in first["matched_terms"]
    assert set(first) >= {"passage_id", "updated", "review_due"}
    payload = json.loads(runner.invoke(cli, ["search", "who won the football last night", "--bundle", str(sample_bundle), "--json"]).output)
    assert payload["covered"] is False


def test_search_command_says_when_no_guidance_is_found(sample_bundle):
    result = CliRunner().invoke(cli, ["search", "recipe for shepherd's pie", "--bundle", str(sample_bundle)])
    assert result.exit_code == 0 and result.output.startswith("No guidance found")


def test_search_command_missing_bundle_names_it(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["search", "pip", "--bundle", str(tmp_path / "missing.fdkb")])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "missing.fdkb" in err


def test_search_help_explains_the_query():
    result = CliRunner().invoke(cli, ["search", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "QUERY is plain words" in text and "--bundle" in text and '"No guidance found"' in text


# -- the 138 real GOV.UK content items: search must work on guidance it was not tuned on ----------------------

@pytest.fixture(scope="module")
def govuk(govuk_bundle):
    with Searcher(govuk_bundle) as searcher:
        yield searcher


def test_govuk_pages_are_found_by_their_titles(govuk):
    titles = govuk._conn.execute("SELECT id, title FROM documents").fetchall()
    found = sum(doc_id in [r.passage.doc_id for r in govuk.search(title).results] for doc_id, title in titles)
    assert found / len(titles) >= 0.95


@pytest.mark.parametrize("question, page", [
    ("how do i renew my passport", "renew-adult-passport"),
    ("tier 4 sponsor licence fee", "tier-4"),
    ("book a driving test", "driving-test"),
])
def test_govuk_questions_find_their_page(govuk, question, page):
    response = govuk.search(question)
    assert response.covered and page in response.results[0].passage.doc_id


def test_govuk_off_topic_questions_mostly_find_no_guidance(govuk):
    questions = ["recipe for shepherd's pie", "who won the football last night", "what is the weather tomorrow",
                 "do i pay tax on crypto", "what time does the tip open", "how do i report a pothole"]
    # By words alone (no vectors, or the embedding model still loading), the rule refits to refuse at most 8%
    # of each corpus's in-scope development questions; on the sample's harder batch-3 questions that cap
    # lets it answer more near misses: 3 of these 6 (2 with the rule fitted before that batch, which
    # refused 15% of the sample's in-scope questions). The meaning search refuses them (test below).
    assert sum(govuk.search(q).covered for q in questions) <= 3


def test_govuk_off_topic_questions_searched_by_meaning_find_no_guidance(govuk_bundle, embedder):
    questions = ["recipe for shepherd's pie", "who won the football last night", "what is the weather tomorrow",
                 "do i pay tax on crypto", "what time does the tip open", "how do i report a pothole"]
    with Searcher(govuk_bundle, embedder) as searcher:
        assert sum(searcher.search(q).covered for q in questions) <= 1


@pytest.mark.parametrize("query", NASTY[:12] + ["x" * 100_000, "Cymraeg", "🙂"], ids=range(15))
def test_govuk_never_fails_on_user_text(govuk, query):
    assert isinstance(govuk.search(query), SearchResponse)


def test_a_misspelt_question_counts_the_words_it_was_read_as(searcher):
    response = searcher.search("persnal independance payment claim")
    assert response.covered and response.results[0].passage.doc_id == "pip"
    assert "personal" in response.results[0].matched_terms


def test_everyday_filler_words_do_not_make_a_question_look_off_topic(searcher):
    response = searcher.search("how often is universal credit paid")
    assert response.covered and response.results[0].passage.doc_id == "uc-payments"


def test_a_word_the_bundle_holds_in_another_form_is_not_respelt(searcher):
    parsed = searcher.parse("I started a part time job")
    assert "started" in parsed.terms and not parsed.corrections  # not read as "state"


def test_a_pasted_message_with_a_phone_number_and_a_sign_off_is_answered(searcher):
    message = ("Hi, I started a part time job last month. Will my universal credit stop? "
               "You can call me on 07700 900123. Thanks, Sam")
    response = searcher.search(message)
    # Among the sources (5th: the meaning of a message with a phone number in it is less sure than its words;
    # the app searches with personal data removed).
    assert response.covered and "uc-work-and-earnings" in [r.passage.doc_id for r in response.results]


def test_a_page_summary_counts_for_coverage(searcher):
    # "16 and 17 year olds" is in the page's summary, not in its passages' text.
    response = searcher.search("can a 16 year old claim uc")
    assert response.covered and "uc-16-17" in [r.passage.doc_id for r in response.results[:3]]


# -- questions about the GOV.UK pages, written after the search was tuned on the sample set --------------------


def test_every_expected_govuk_page_is_in_the_bundle(govuk):
    urls = [(d, u) for d, u in govuk._conn.execute("SELECT id, url FROM documents")]
    for q in read_questions(GOVUK_QUESTIONS):
        for expected in q.expected:
            assert any(matches_expected(expected, d, u) for d, u in urls), f"line {q.line}: no page {expected}"


def test_held_out_govuk_questions_find_their_pages(govuk_bundle):
    report = evaluate_retrieval(govuk_bundle, read_questions(GOVUK_QUESTIONS))
    assert report.recall_at_k >= 0.9 and report.mrr >= 0.85
    # Measured, not yet good: 2 of 5 questions on topics these pages lack are honestly "no guidance found".
    assert report.out_of_scope_correct >= 0.4


# -- speed-ups that must not change what the search returns -------------------------------------------------

@pytest.fixture(scope="module")
def repeated_bundle(tmp_path_factory):
    """The sample's pages repeated under new ids and titles: over 500 passages, "universal credit" in most of them."""
    import frontmatter

    from knowledge.build import build_bundle
    from knowledge.sample_guidance import CONTENT_DIR

    folder = tmp_path_factory.mktemp("repeated")
    pages = [frontmatter.load(p) for p in sorted(CONTENT_DIR.rglob("*.md"))]
    for n in range(260):
        page = pages[n % len(pages)]
        meta = {**page.metadata, "id": f"{page['id']}-{n}", "title": f"{page['title']} (office {n})"}
        (folder / f"page-{n:03d}.md").write_text(frontmatter.dumps(frontmatter.Post(page.content, **meta)))
    out = folder / "repeated-1.fdkb"
    build_bundle([folder], out, created="2026-01-01T00:00:00Z")
    return out


def test_scoring_the_rarer_matches_first_finds_what_scoring_all_finds(repeated_bundle):
    from knowledge.search import CANDIDATES

    questions = [q.question for q in read_questions(QUESTIONS)]
    with Searcher(repeated_bundle) as s:
        assert s._passage_count >= 500
        taken = 0
        for question in questions:
            match = s.parse(question).match
            if not match:
                continue
            everything = s._conn.execute(s._BEST_SQL, (match,)).fetchall()
            common, rare = s._common_and_rarer(match)
            if common and rare:
                # The bound holds: no passage that matches only common phrases scores above it.
                only_common = s._conn.execute(
                    f"SELECT -{s._BM25} FROM passages_fts WHERE passages_fts MATCH ? AND +rowid NOT IN "
                    f"(SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?) ORDER BY {s._BM25} LIMIT 1",
                    (match, " OR ".join(rare))).fetchone()
                assert only_common is None or only_common[0] < s._bm25_bound(common), question
            rarer = s._best_among_rarer(match)
            if rarer is not None:
                assert rarer == everything, question
                assert len(rarer) == CANDIDATES
                taken += 1
        assert taken >= 10  # the shortcut is taken, not only allowed


def test_the_shortcut_is_refused_when_common_words_score_higher(tmp_path):
    """"apple" in 150 short titles, "zebra" once in 130 long bodies, both common (so both searched, and
    zebra's passages scored first as the less common): the best matches are the apple pages."""
    from knowledge.build import build_bundle

    filler = " ".join(f"word{n}" for n in range(100))  # one passage a page (under 250 words)
    for n in range(600):
        title = f"Apple guidance {n}" if n < 150 else f"Other guidance {n}"
        body = f"{filler} zebra {filler}" if 150 <= n < 280 else "Short page."
        (tmp_path / f"p{n}.md").write_text(f"---\nid: p{n}\ntitle: {title}\nurl: https://example.org/p{n}\n"
                                           f"summary: A page.\nupdated: 2025-01-01\nowner: Team\n---\n\n## Part\n\n{body}\n")
    build_bundle([tmp_path], tmp_path / "apples-1.fdkb", created="2026-01-01T00:00:00Z")
    with Searcher(tmp_path / "apples-1.fdkb") as s:
        match = s.parse("apple zebra").match
        common, rare = s._common_and_rarer(match)
        assert common == ['"apple"'] and '"zebra"' in rare
        everything = s._conn.execute(s._BEST_SQL, (match,)).fetchall()
        among = s._conn.execute(s._BEST_AMONG_SQL, (match, " OR ".join(rare))).fetchall()
        assert among != everything  # scoring the rarer matches alone would answer otherwise...
        assert s._best_among_rarer(match) is None and s._best_matches(match) == everything  # ...so it is not done


def test_searches_are_the_same_with_and_without_the_shortcut(repeated_bundle, monkeypatch):
    import knowledge.search as search

    questions = [q.question for q in read_questions(QUESTIONS)]
    with Searcher(repeated_bundle) as s:
        fast = [s.search(q) for q in questions]
        # No shortcut, bold or plain: every match scored.
        monkeypatch.setattr(search.Searcher, "_best_among_rarer", lambda self, match: None)
        slow = [s.search(q) for q in questions]
    for a, b in zip(fast, slow):
        assert (a.results, a.covered, a.signals, a.confidence) == (b.results, b.covered, b.signals, b.confidence), a.query


@pytest.mark.parametrize("haystack", [
    "payments", "overpayment", "pay_payment", "the payment", "épayment", "1payment", "(payment)", "re-payment",
    "overpayment then payment", "£10,000 or £10,500", "x£10,000", "naïve payment", "", "pay", "payment\npayment",
    "ūpayment payment", "٣payment",
])
@pytest.mark.parametrize("term", ["payment", "pay", "£10,000", "uc", "a"])
def test_word_start_test_is_the_pattern(haystack, term):
    import re

    from knowledge.search import contains_term, term_stem

    pattern = re.compile(r"(?<!\w)" + re.escape(term_stem(term)))  # the term from the start of a word
    assert contains_term(haystack, term) == (pattern.search(haystack) is not None)
