"""A question naming only services the guidance never mentions gets "No guidance found", and says which."""

import json
import sqlite3

import pytest
from click.testing import CliRunner

from cli import cli
from knowledge.message import search_message
from knowledge.names import mentioned, names_in, names_list, read_names
from models.drafting import draft_answer


@pytest.mark.parametrize("text, found", [
    ("how do I apply for Scottish Child Payment", [("scottish child payment", "Scottish Child Payment")]),
    # The longest name wins where names overlap; "council tax" alone is another thing.
    ("I think my council tax band is wrong", [("council tax band", "council tax band")]),
    ("is council tax going up", [("council tax", "council tax")]),
    # Possessives and plurals, as people type them.
    ("Carers Allowance, or carer's allowance", [("carer's allowance", "Carers Allowance")]),
    ("two budgeting loans and my passports", [("budgeting loan", "budgeting loans"), ("passport", "passports")]),
    ("ring the DVLA about my daughter's passport", [("dvla", "DVLA"), ("passport", "passport")]),
    ("I have no money for food until payday", []),
    ("", []),
])
def test_names_in_a_question(text, found):
    assert [(n.name, n.written) for n in names_in(text)] == found


def test_the_list_holds_names_not_general_words():
    names = read_names()
    assert len(names) > 100 and len(set(names)) == len(names)
    assert all(n == n.lower().strip() for n in names)
    # Words that guidance on anything near them uses would refuse questions it answers.
    assert not {"pension", "benefits", "benefit", "tax", "money", "payment", "loan", "grant"} & set(names)


def test_a_long_paste_is_read_in_one_pass():
    found = names_in("universal credit " * 50_000 + " and Scottish Child Payment")
    assert [n.name for n in found] == ["universal credit", "scottish child payment"]


def test_names_as_a_sentence_says_them():
    assert names_list(["Blue Badge"]) == "Blue Badge"
    assert names_list(["a", "b"]) == "a or b"
    assert names_list(["a", "b", "c"]) == "a, b or c"


def test_mentioned_reads_the_bundles_text_and_synonyms(sample_bundle):
    conn = sqlite3.connect(sample_bundle)
    try:
        assert mentioned(conn, "child benefit", {})
        assert mentioned(conn, "carer's allowance", {})
        assert not mentioned(conn, "scottish child payment", {})
        # The guidance says "Budgeting Advance" where people say "crisis loan": the synonym counts.
        assert not mentioned(conn, "crisis loan", {})
        assert mentioned(conn, "crisis loan", {"crisis loan": ("budgeting advance",)})
    finally:
        conn.close()


def test_a_question_naming_only_what_the_guidance_never_mentions_is_refused(searcher):
    response = searcher.search("my sister wants to apply for Scottish Child Payment for her two boys")
    assert not response.covered and response.not_in_guidance == ("Scottish Child Payment",)
    assert response.results  # the closest sources are still shown


def test_a_question_naming_something_the_guidance_mentions_is_not(searcher):
    response = searcher.search("my mum gets scottish child payment, can she get child benefit too")
    assert response.covered and response.not_in_guidance == ()
    # A name the synonyms stand for counts: "PIP" is Personal Independence Payment, which the guidance covers.
    response = searcher.search("can i get a blue badge, im on pip")
    assert response.not_in_guidance == ()


def test_a_part_naming_only_what_the_guidance_never_mentions_stays_refused(searcher):
    response = search_message(searcher, "How do I claim Child Benefit? And is there Scottish Child Payment as well?")
    assert response.covered and len(response.parts) == 2
    assert response.parts[0].covered and not response.parts[1].covered


def test_the_draft_says_which_service_the_guidance_never_mentions(searcher):
    draft = draft_answer("where do I send my Scottish Child Payment form", searcher, None, mode="extractive")
    assert draft.no_guidance
    assert "It never mentions Scottish Child Payment." in draft.text


def test_the_search_command_says_which_service_the_guidance_never_mentions(sample_bundle):
    runner = CliRunner()
    result = runner.invoke(cli, ["search", "how much is Scottish Child Payment", "--bundle", str(sample_bundle)])
    assert result.exit_code == 0 and result.output.startswith("No guidance found")
    assert "(The guidance never mentions Scottish Child Payment.)" in result.output
    payload = json.loads(runner.invoke(cli, ["search", "how much is Scottish Child Payment", "--bundle", str(sample_bundle),
                                             "--json"]).output)
    assert payload["covered"] is False and payload["not_in_guidance"] == ["Scottish Child Payment"]


@pytest.mark.parametrize("question, named", [
    ("how do I open a Help to Save account", "Help to Save"),
    ("how do i take my boss to an employment tribunal", "employment tribunal"),
    ("my landlord gave me a section 21 notice", "section 21 notice"),
    ("is there a benefit cap for a family with five children", "benefit cap"),
])
def test_the_list_names_services_beyond_benefits_so_a_near_miss_is_refused(searcher, question, named):
    """Schemes, rights and bodies near the sample's subjects that it never mentions: a question naming
    only these is about something else (written for the list; not from any question file)."""
    response = searcher.search(question)
    assert not response.covered and response.not_in_guidance == (named,)
