"""The shipped public-service lexicon: merged into every bundle, the team's synonyms win, left out on request, diffed."""

import json
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from cli import cli
from knowledge.build import build_bundle
from knowledge.diff import diff_bundles
from knowledge.errors import SourceError
from knowledge.query import parse_query, written_amounts
from knowledge.search import Searcher
from knowledge.synonyms import LEXICON, read_lexicon

from conftest import CONTENT_DIR

PAGE = "---\nid: {id}\ntitle: \"{title}\"\nurl: https://www.gov.uk/{id}\n---\n\n## About\n\n{body}\n"


def synonyms_of(bundle):
    conn = sqlite3.connect(bundle)
    try:
        return conn.execute("SELECT term, expansion, origin FROM synonyms ORDER BY rowid").fetchall()
    finally:
        conn.close()


def guidance(tmp_path, name, synonyms_csv=None):
    src = tmp_path / name
    src.mkdir()
    (src / "ssp.md").write_text(PAGE.format(id="ssp", title="Statutory Sick Pay", body="You can get Statutory Sick Pay if you are too ill to work."))
    if synonyms_csv is not None:
        (src / "synonyms.csv").write_text(synonyms_csv)
    return src


@pytest.fixture(scope="module")
def sample_without_its_synonyms(tmp_path_factory):
    """The sample guidance less its own synonyms.csv, built with and without the lexicon."""
    root = tmp_path_factory.mktemp("nosyn")
    src = root / "content"
    shutil.copytree(CONTENT_DIR, src)
    (src / "synonyms.csv").unlink()
    built = {}
    for name, lexicon in (("with", True), ("without", False)):
        built[name] = root / f"{name}-1.fdkb"
        build_bundle([src], built[name], created="2026-01-01T00:00:00Z", default_synonyms=lexicon)
    return built


def test_the_lexicon_file_reads_and_names_its_source():
    lexicon = read_lexicon()
    pairs = {(s.term, s.expansion) for s in lexicon}
    assert ("uc", "universal credit") in pairs and ("sick money", "statutory sick pay") in pairs
    assert ("stamp", "national insurance contributions") in pairs and ("ctr", "council tax reduction") in pairs
    assert all(s.origin == "lexicon" and s.term == s.term.lower() for s in lexicon)
    assert "where it comes from" in LEXICON.read_text().lower()


def test_a_bad_lexicon_line_names_the_file_and_line(tmp_path):
    bad = tmp_path / "lexicon.tsv"
    bad.write_text("# comment\nuc\tuniversal credit\njsa jobseeker's allowance\n")
    with pytest.raises(SourceError, match=r"lexicon.tsv line 3: each line needs a term and its expansion, separated by one tab"):
        read_lexicon(bad)


def test_every_bundle_carries_the_lexicon(tmp_path):
    out = tmp_path / "g-1.fdkb"
    summary = build_bundle([guidance(tmp_path, "src")], out, created="2026-01-01T00:00:00Z")
    rows = synonyms_of(out)
    assert ("uc", "universal credit", "lexicon") in rows
    assert summary.lexicon_synonyms == len(rows) == summary.synonyms > 50
    assert "from the public-service lexicon" in summary.describe()


def test_the_teams_synonyms_win_on_a_clash(tmp_path):
    out = tmp_path / "g-1.fdkb"
    build_bundle([guidance(tmp_path, "src", "term,expansion\nuc,universal credit full service\nsick money,ssp\n")], out,
                 created="2026-01-01T00:00:00Z")
    rows = synonyms_of(out)
    assert [(e, o) for t, e, o in rows if t == "uc"] == [("universal credit full service", "team")]
    assert [(e, o) for t, e, o in rows if t == "sick money"] == [("ssp", "team")]  # both lexicon lines gave way
    assert ("pip", "personal independence payment", "lexicon") in rows  # terms the team left alone stay
    with Searcher(out) as searcher:
        assert searcher.synonyms["uc"] == ("universal credit full service",)


def test_no_default_synonyms_leaves_it_out(tmp_path):
    src = guidance(tmp_path, "src", "term,expansion\nsickie,statutory sick pay\n")
    out = tmp_path / "g-1.fdkb"
    result = CliRunner().invoke(cli, ["kb", "build", str(src), "-o", str(out), "--no-default-synonyms"])
    assert result.exit_code == 0, result.output
    assert synonyms_of(out) == [("sickie", "statutory sick pay", "team")]
    with Searcher(out) as searcher:
        assert "uc" not in searcher.synonyms
    assert "--no-default-synonyms" in CliRunner().invoke(cli, ["kb", "build", "--help"]).output


def test_diff_shows_synonyms_added_removed_and_changed_with_the_lexicons(tmp_path):
    old, new = tmp_path / "g-1.fdkb", tmp_path / "g-2.fdkb"
    build_bundle([guidance(tmp_path, "v1", "term,expansion\nsickie,statutory sick pay\nuc,universal credit full service\n")], old,
                 created="2026-01-01T00:00:00Z", default_synonyms=False)
    build_bundle([guidance(tmp_path, "v2", "term,expansion\nuc,universal credit\nssp note,fit note\n")], new,
                 created="2026-01-01T00:00:00Z")
    diff = diff_bundles(old, new)
    added = {c.term: c for c in diff.synonyms("added")}
    assert added["ssp note"].origin == "team" and added["pip"].origin == "lexicon"
    assert added["pip"].new == ("personal independence payment",)
    assert [c.term for c in diff.synonyms("removed")] == ["sickie"]
    assert [(c.term, c.old, c.new) for c in diff.synonyms("changed")] == [("uc", ("universal credit full service",), ("universal credit",))]
    assert ("lexicon", "none") == next((k, a) for k, a, b in diff.meta_changed if k == "lexicon")
    text = CliRunner().invoke(cli, ["kb", "diff", str(old), str(new)]).output
    assert "~ synonym  uc universal credit full service -> universal credit (team)" in text
    assert "+ synonym  pip -> personal independence payment (lexicon)" in text and "- synonym  sickie" in text
    payload = json.loads(CliRunner().invoke(cli, ["kb", "diff", str(old), str(new), "--json"]).output)
    assert {"term": "pip", "expansions": ["personal independence payment"], "origin": "lexicon"} in payload["synonyms"]["added"]
    assert payload["synonyms"]["changed"] == [{"term": "uc", "old": ["universal credit full service"], "new": ["universal credit"], "origin": "team"}]


def test_diff_reads_a_bundle_built_before_the_lexicon(tmp_path):
    old = tmp_path / "g-1.fdkb"
    build_bundle([guidance(tmp_path, "src", "term,expansion\nuc,universal credit\n")], old, created="2026-01-01T00:00:00Z",
                 default_synonyms=False)
    conn = sqlite3.connect(old)  # the synonyms table as it was: no origin column
    conn.executescript("CREATE TABLE s2 (term TEXT NOT NULL, expansion TEXT NOT NULL); INSERT INTO s2 SELECT term, expansion FROM synonyms;"
                       "DROP TABLE synonyms; ALTER TABLE s2 RENAME TO synonyms;")
    conn.close()
    new = tmp_path / "g-2.fdkb"
    build_bundle([tmp_path / "src"], new, created="2026-01-01T00:00:00Z")
    diff = diff_bundles(old, new)
    assert "uc" not in {c.term for c in diff.synonyms_changed} and "pip" in {c.term for c in diff.synonyms("added")}
    with Searcher(old) as searcher:
        assert searcher.search("sick pay").results and searcher.synonyms == {"uc": ("universal credit",)}


@pytest.mark.parametrize("question, page", [
    ("I'm on the dole, can I do voluntary work", "new-style-jsa"),
    ("is the dole still a thing, can I claim it", "new-style-jsa"),
    ("how long can I get sick money from work", "statutory-sick-pay"),
    ("can I get UC while I wait for my ESA", "new-style-esa"),
])
def test_everyday_words_find_the_page_only_with_the_lexicon(sample_without_its_synonyms, question, page):
    with Searcher(sample_without_its_synonyms["without"]) as plain:
        missed = plain.search(question)
    with Searcher(sample_without_its_synonyms["with"]) as lexicon:
        found = lexicon.search(question)
    # Without the lexicon: "No guidance found", or (the calibrated rule covers "sick money" by "sick")
    # found with far less confidence than with it.
    assert not missed.covered or found.confidence >= missed.confidence + 0.2
    # With it: the page first, and the rule far surer (whether a borderline question clears the words-only
    # rule's threshold moves with each refit on the development questions; "the dole" + voluntary work sits at 0.36).
    assert found.results[0].passage.doc_id == page and found.confidence >= missed.confidence + 0.2


def test_an_abbreviation_ranks_its_page_first_in_the_sample_bundle(searcher, tmp_path):
    """The sample's own synonyms.csv has no "cb": the lexicon's puts Child Benefit first."""
    assert searcher.search("how much is CB for two kids").results[0].passage.doc_id == "child-benefit"
    out = tmp_path / "plain-1.fdkb"
    build_bundle([CONTENT_DIR], out, created="2026-01-01T00:00:00Z", default_synonyms=False)
    with Searcher(out) as plain:
        assert plain.search("how much is CB for two kids").results[0].passage.doc_id != "child-benefit"


@pytest.mark.parametrize("said, written", [
    ("I got 10 grand from my nan", "I got £10,000 from my nan"),
    ("about 50 quid a week", "about £50 a week"),
    ("£5k in savings", "£5,000 in savings"),
    ("1.5k", "£1,500"),
    ("200 pounds", "£200"),
])
def test_spoken_amounts_search_as_written_amounts(said, written):
    assert written_amounts(said) == written


def test_ten_grand_is_searched_as_ten_thousand_pounds_and_weighs_as_a_figure(searcher):
    parsed = parse_query("customer has 10 grand savings, can they get UC?", searcher.synonyms)
    assert "£10,000" in parsed.terms and "grand" not in parsed.terms and "customer" not in parsed.terms
    assert searcher.term_weight("£10,000", parsed) == 1.0  # the person's own figure, not the topic
    response = searcher.search("customer has 10 grand savings, can they get UC?")
    assert response.covered and response.results[0].passage.doc_id == "uc-savings"


def test_a_title_and_name_are_not_a_mandatory_reconsideration():
    synonyms = {"mr": ("mandatory reconsideration",)}
    assert parse_query("Mr Patel wants to know about his PIP", synonyms).expansions == ()
    assert parse_query("I asked for an MR. They said no", synonyms).expansions == ("mandatory reconsideration",)


@pytest.mark.parametrize("message, dropped", [
    ("Hi, my name is Kerry Walsh. I'm on UC and need a loan", {"kerry", "walsh"}),
    ("hiya its Sam, the kids are hungry", {"sam"}),
    ("Will I be sanctioned for missing it? Sorry, Michelle", {"michelle", "sorry"}),
])
def test_a_name_the_person_gives_is_not_searched(message, dropped):
    assert not dropped & set(parse_query(message).terms)


def test_an_abbreviation_after_this_is_is_not_taken_for_a_name():
    assert "esa" in parse_query("This is ESA related").terms


def test_every_lexicon_expansion_searches_something():
    """An expansion of stop words only ("til" -> "until") would match every passage."""
    from knowledge.query import STOP_WORDS, tokenize

    lexicon = read_lexicon()
    assert len({(s.term, s.expansion) for s in lexicon}) == len(lexicon)  # no line twice
    for s in lexicon:
        assert [w for w in tokenize(s.expansion) if w not in STOP_WORDS], s
        assert s.term != s.expansion, s
