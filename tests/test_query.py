"""Query parsing: any text becomes a safe FTS5 expression of quoted terms, with synonyms and stop words handled."""

import sqlite3

import pytest

from knowledge.query import MAX_TERMS, parse_query, spelled_out, tokenize
from knowledge.schema import DDL

SYNONYMS = {
    "uc": ("universal credit",),
    "sick note": ("fit note",),
    "the social": ("jobcentre",),
    "dole": ("jobseeker's allowance",),
}

NASTY = [
    "", "   ", "\n\t", '"', '""""', "(", ")", "((()", "AND", "OR NOT", "NEAR(uc pip, 3)", "*", "uc*", "^pip", "title:uc",
    "text : heading", "a:b:c", "-pip", "+pip", "{title heading}: uc", "🙂🙂🙂", "\x00\x01\x02\x1b[31m", "DROP TABLE passages;--",
    "'; SELECT 1", "x" * 100_000, "uc " * 50_000, "£", "£10.50", "[1]", "\\", "\u202e\u200b\ufeff", "ÄÖÜ ß ç",
    "مرحبا", "中文问题", "😀 pip 😀", "pip\" OR \"x", "'quoted'", "’curly’", "NOT NOT NOT", "uc AND", "OR uc",
]


@pytest.fixture(scope="module")
def fts():
    """An empty table of the bundle's real FTS5 schema, to prove every expression is one FTS5 accepts."""
    conn = sqlite3.connect(":memory:")
    conn.executescript(DDL)
    conn.execute("INSERT INTO passages_fts(title, heading, text) VALUES ('Universal Credit', 'Fit notes', 'pip and jobcentre')")
    yield conn
    conn.close()


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_every_text_becomes_an_expression_fts5_accepts(fts, text):
    parsed = parse_query(text, SYNONYMS)
    assert len(parsed.terms) <= MAX_TERMS
    if parsed.match:
        assert all(part.startswith('"') and part.endswith('"') for part in parsed.match.split(" OR "))
        fts.execute("SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?", (parsed.match,)).fetchall()


def test_operators_and_column_filters_are_plain_words():
    parsed = parse_query('title:pip AND "budgeting" NEAR(loan) OR carer*')
    assert parsed.terms == ("title", "pip", "budgeting", "near", "loan", "carer")
    assert '"title"' in parsed.match and "title:" not in parsed.match and "*" not in parsed.match


def test_empty_and_stop_words_only_give_no_expression():
    for text in ("", "   ", "what is the", "Hi, can I ask you something please? Thanks"):
        assert parse_query(text, SYNONYMS).match == ""


def test_short_words_are_dropped_but_numbers_kept():
    parsed = parse_query("x is 16 or 17 y")
    assert parsed.terms == ("16", "17")


def test_abbreviations_expand_as_phrases_whatever_the_case():
    for text in ("uc", "UC", "Uc payment"):
        parsed = parse_query(text, SYNONYMS)
        assert "universal credit" in parsed.expansions
        assert '"universal credit"' in parsed.match.split(" OR ")
    assert parse_query("UC", SYNONYMS).expansion_of == (("universal credit", "uc"),)


def test_multi_word_synonyms_match_neighbouring_words():
    parsed = parse_query("I have a sick note from my GP", SYNONYMS)
    assert parsed.expansions == ("fit note",)
    assert ("fit note", "sick note") in parsed.expansion_of
    assert parse_query("my note says I am sick", SYNONYMS).expansions == ()


def test_synonyms_with_stop_words_still_match():
    assert parse_query("Do I need to go to the social?", SYNONYMS).expansions == ("jobcentre",)


def test_expansions_with_apostrophes_are_kept_whole():
    parsed = parse_query("can i get dole", SYNONYMS)
    assert "\"jobseeker's allowance\"" in parsed.match.split(" OR ")


def test_neighbouring_words_are_also_searched_as_a_phrase():
    parsed = parse_query("work allowance")
    assert parsed.match.split(" OR ") == ['"work"', '"allowance"', '"work allowance"']


def test_repeated_words_are_searched_once():
    assert parse_query("pip pip PIP").terms == ("pip",)


def test_a_huge_paste_is_cut_to_a_few_terms():
    words = " ".join(f"word{n}" for n in range(20_000))
    parsed = parse_query(words)
    assert len(parsed.terms) == MAX_TERMS and parsed.terms[0] == "word0"


def test_tokens_keep_apostrophes_and_amounts():
    assert tokenize("Carer’s Allowance is £81.90 a week") == ["carer's", "allowance", "is", "£81.90", "a", "week"]


def test_common_words_are_not_searched_alone_unless_nothing_else_is_left():
    common = {"universal", "credit"}.__contains__
    parsed = parse_query("universal credit sanction", common=common)
    parts = parsed.match.split(" OR ")
    assert '"universal"' not in parts and '"sanction"' in parts and '"credit sanction"' in parts
    assert parsed.terms == ("universal", "credit", "sanction")  # still weighed when deciding coverage
    assert parse_query("universal credit", common=common).match.split(" OR ")[:2] == ['"universal"', '"credit"']


def test_a_correction_is_searched_beside_the_word_as_typed():
    parsed = parse_query("carers allowence", correct=lambda t: "allowance" if t == "allowence" else None)
    assert parsed.corrections == (("allowence", "allowance"),)
    assert {'"allowence"', '"allowance"'} <= set(parsed.match.split(" OR "))


@pytest.mark.parametrize("message, kept, dropped", [
    ("Hi Jo, my PIP stopped. Regards, Sam Smith", "pip stopped", ("jo", "sam", "smith")),
    ("Hi, I started a part time job. Thanks, Sam", "started part time job", ("sam",)),
    ("Dear Sir/Madam, I need a crisis loan. Yours faithfully, J. Bloggs", "crisis loan", ("bloggs",)),
    ("can I get a loan from Jobcentre Plus", "loan jobcentre plus", ()),
    ("thanks for the pip form", "pip form", ()),
])
def test_greetings_and_sign_offs_are_not_searched(message, kept, dropped):
    terms = parse_query(message).terms
    assert set(kept.split()) <= set(terms) and not set(dropped) & set(terms)


def test_who_a_question_is_about_is_not_what_it_is_about():
    assert parse_query("my gran is 80, can she get pension credit").terms == ("80", "pension", "credit")
    assert "mum" not in parse_query("can my mum look after my kids").terms


def test_synonyms_are_spelled_out_beside_the_words_as_typed_for_the_embedding_model():
    synonyms = {"uc": ("universal credit",), "ctr": ("council tax reduction",), "the social": ("jobcentre",),
                "tax credits": ("working tax credit", "child tax credit"), "credit": ("credit",),
                "universal": ("universal credit",)}
    text = "Im on UC, do I get CTR? The social said my tax credits stop"
    spelled = spelled_out(text, parse_query(text, synonyms).expansion_of)
    assert spelled == ("Im on UC (universal credit), do I get CTR (council tax reduction)? The social (jobcentre) said my "
                       "tax credits (working tax credit, child tax credit) stop")
    # A meaning put in is not spelled out again, a word that stands for itself adds nothing, and no
    # synonym leaves the text as it was.
    assert spelled_out("uc", [("universal credit", "uc"), ("credit", "credit")]) == "uc (universal credit)"
    assert spelled_out("ucas deadline", parse_query("ucas deadline", synonyms).expansion_of) == "ucas deadline"
    # A meaning already written out is not added again: "universal" is "universal credit", not here.
    typed_out = "can I get universal credit and universal jobmatch"
    assert spelled_out(typed_out, parse_query(typed_out, synonyms).expansion_of) == typed_out


def test_a_misspelt_word_is_embedded_as_the_word_it_was_read_as():
    from knowledge.query import as_read

    assert as_read("Persnal independance payment, persnal", (("persnal", "personal"),)) == \
        "personal independance payment, personal"
    assert as_read("impersnally", (("persnal", "personal"),)) == "impersnally"  # whole words only
    assert as_read("how much is pip", ()) == "how much is pip"
    assert as_read("persnal", (("persnal", r"per\1sonal"),)) == r"per\1sonal"  # the word as it is, never a pattern


def test_a_stop_word_s_possessive_is_a_stop_word_too():
    # "mum's" is no more what a question is about than "mum"; "carer's" in "Carer's Allowance" still is.
    assert parse_query("can I get help paying for my mum's funeral").terms == ("paying", "funeral")
    assert parse_query("how do I claim carer's allowance").terms == ("claim", "carer's", "allowance")
