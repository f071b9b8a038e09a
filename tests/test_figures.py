"""A question asking how much something is, whose best page gives no sum of money, gets "No guidance found"."""

import json

import pytest
from click.testing import CliRunner

from cli import cli
from knowledge.figures import asks_for_money, gives_money
from knowledge.message import search_message
from models.drafting import draft_answer


@pytest.mark.parametrize("question", [
    "How much is the Universal Credit standard allowance for a single person?",
    "What's the weekly amount for the enhanced rate of the PIP mobility part?",
    "what is the daily rate of SSP",
    "how much does it cost to renew a passport",
    "What does a Budgeting Advance cost?",
    "how much will i get",
    "Faint yw Lwfans Gofalwr yr wythnos?",
])
def test_a_plain_ask_for_money_is_read_as_one(question):
    assert asks_for_money(question)


@pytest.mark.parametrize("question", [
    # Each can be answered by a page without a figure: a time, a share, whether, or money only told about.
    "how much notice do I have to give my landlord",
    "how much time do I have to appeal",
    "how much food do you get from a food bank",
    "tell me how much universal credit sanction lasts",
    "how much of my pension can I take tax free",
    "Will waiting to claim cost him anything?",
    "can i use old rupee notes to pay the embassy fees",
    "Customer says the housing part of their UC is £90 a month short of the rent",
    "Faint o amser mae'n ei gymryd?",
    "",
])
def test_other_questions_are_not(question):
    assert not asks_for_money(question)


def test_a_long_paste_is_read_in_one_pass():
    # Each "how much" looks a few words on for "lasts", not to the end of the paste.
    assert not asks_for_money("how much notice " * 6_000 + "lasts")
    assert asks_for_money("how much " * 6_000 + "x" * 40_000 + " lasts")
    assert not asks_for_money("tell me how much it lasts " * 4_000)


@pytest.mark.parametrize("text, found", [
    ("Carer's Allowance is £81.90 a week.", True),
    ("you get 85% of your childcare costs", True),
    ("85 per cent of your costs", True),
    ("It costs 50p a call.", True),
    ("You can get the enhanced rate of the mobility part.", False),
    ("Call 0800 917 2222 between 8am and 6pm.", False),
])
def test_a_sum_of_money_is_told_from_other_numbers(text, found):
    assert gives_money(text) is found


def test_asking_how_much_on_a_page_that_gives_no_amount_is_refused(searcher):
    # The sample's PIP page is about the mobility part but gives no rates.
    assert not searcher.page_gives_money("pip")
    response = searcher.search("What's the weekly amount for the enhanced rate of the PIP mobility part?")
    assert response.results and response.results[0].passage.doc_id == "pip"
    assert not response.covered and response.no_figure_page == response.results[0].passage.title
    # The same page answers what it does say, and a page with the figure answers how much.
    assert searcher.search("can i get PIP for the mobility part if i struggle to walk").covered
    answered = searcher.search("how much is Carer's Allowance a week")
    assert answered.covered and answered.no_figure_page == ""
    assert searcher.page_gives_money(answered.results[0].passage.doc_id)


def test_a_part_asking_an_amount_the_page_never_gives_is_not_vouched_for(searcher):
    response = search_message(searcher, "Can I get PIP if I struggle to walk? And what's the weekly amount for the enhanced mobility rate?")
    assert len(response.parts) == 2
    assert response.parts[0].covered and not response.parts[1].covered


def test_the_draft_and_the_search_command_say_the_page_gives_no_amount(searcher, sample_bundle):
    question = "What's the weekly amount for the enhanced rate of the PIP mobility part?"
    draft = draft_answer(question, searcher, None, mode="extractive")
    assert draft.no_guidance and "Personal Independence Payment (PIP) [1], gives no amount." in draft.text
    assert draft.unsupported == ()  # the page's name is cited, so the check finds it in source 1
    runner = CliRunner()
    result = runner.invoke(cli, ["search", question, "--bundle", str(sample_bundle)])
    assert result.exit_code == 0 and result.output.startswith("No guidance found")
    assert "gives no amount.)" in result.output
    payload = json.loads(runner.invoke(cli, ["search", question, "--bundle", str(sample_bundle), "--json"]).output)
    assert payload["covered"] is False and payload["no_figure_page"]
