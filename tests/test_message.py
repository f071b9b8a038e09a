"""Messages asking several questions: split into parts, each part searched, the draft answering each part."""

import json

import pytest
from click.testing import CliRunner

from cli import cli
from knowledge.message import PER_DOCUMENT, asked_and_told, part_queries, search_message, split_questions
from models.drafting import draft_answer
from models.support import check_citations

ISSUE_MESSAGE = ("Hi, I lost my job last week, can I get UC? And will it affect my council tax reduction? "
                 "Also my son is 17, do I still get child benefit?")


@pytest.mark.parametrize("message, parts", [
    (ISSUE_MESSAGE, ["Hi, I lost my job last week, can I get UC?", "And will it affect my council tax reduction?",
                     "Also my son is 17, do I still get child benefit?"]),
    ("can I get UC and will it affect my council tax reduction", ["can I get UC", "will it affect my council tax reduction"]),
    ("Hello, three questions please: 1) how much is SSP 2) how much is carers allowance 3) can a pharmacist give a fit note",
     ["how much is SSP", "how much is carers allowance", "can a pharmacist give a fit note"]),
    ("two things: do my kids get free school dinners now im on uc, and is there any help with school uniform",
     ["do my kids get free school dinners now im on uc", "is there any help with school uniform"]),
    # A statement goes with the question after it; greetings and thanks are no part.
    ("Dear Jo, I was sanctioned last month. How long does it last? I also have a rent arrears letter. Can they evict me? Many thanks, Sam",
     ["I was sanctioned last month. How long does it last?", "I also have a rent arrears letter. Can they evict me?"]),
])
def test_a_message_is_split_into_its_questions(message, parts):
    assert list(split_questions(message)) == parts


@pytest.mark.parametrize("message", [
    "how much is child benefit",
    "I have no money for food until my universal credit comes, what can I do?",
    "Dear Sir, I am writing about my mother. She is 80 and lives alone. Can she get pension credit? Kind regards, John",
    "I need help. My rent is due on Friday.",
])
def test_a_message_asking_one_thing_is_one_part(message):
    assert split_questions(message) == (message,)


def test_a_part_that_says_it_is_searched_with_the_question_before_it():
    parts = split_questions("How much is a hardship payment? And how do I pay it back?")
    assert parts == ("How much is a hardship payment?", "And how do I pay it back?")
    assert part_queries(parts) == (parts[0], f"{parts[0]} {parts[1]}")
    # A part with enough of its own stands alone, "it" or not.
    assert part_queries(split_questions(ISSUE_MESSAGE))[1] == "And will it affect my council tax reduction?"


@pytest.mark.parametrize("message, asked, told", [
    ("I live near Mount Hawke and saw a notice about a permit. How do I send in my comments?",
     "How do I send in my comments?", "I live near Mount Hawke and saw a notice about a permit."),
    ("how much is child benefit", "how much is child benefit", ""),
    ("customer wants the phone number for the Child Maintenance Service", "", ""),
])
def test_what_a_message_asks_is_told_apart_from_what_it_tells(message, asked, told):
    assert asked_and_told(message) == (asked, told)


def test_one_question_searches_exactly_as_before(searcher):
    question = "how long do I have to ask for a mandatory reconsideration"
    assert search_message(searcher, question).results == searcher.search(question).results
    assert search_message(searcher, question).parts == ()


def test_each_part_gets_its_own_sources(searcher):
    response = search_message(searcher, "How much is child benefit? And how do I apply for a budgeting loan?")
    assert [p.covered for p in response.parts] == [True, True]
    first, second = response.parts
    assert response.results[first.sources[0]].passage.doc_id == "child-benefit"
    assert response.results[second.sources[0]].passage.doc_id == "budgeting-loans"
    # Each part's best comes before anyone's second best.
    assert sorted([first.sources[0], second.sources[0]]) == [0, 1]
    pages = [r.passage.doc_id for r in response.results]
    assert all(pages.count(page) <= PER_DOCUMENT for page in pages)
    assert response.covered and len(response.results) <= 10


def test_the_issue_message_answers_council_tax_reduction_part_by_part(searcher):
    """The issue's message once found nothing searched whole; the hybrid search (and the calibrated
    rule, even by words alone) now finds council tax reduction that way too. What still matters: part
    by part, each part the guidance covers is answered from its own page."""
    response = search_message(searcher, ISSUE_MESSAGE)
    assert len(response.parts) == 3
    assert all(p.sources for p in response.parts if p.covered)
    ctr, cb = response.parts[1], response.parts[2]
    assert ctr.covered and response.results[ctr.sources[0]].passage.doc_id == "council-tax-reduction"
    assert cb.covered and response.results[cb.sources[0]].passage.doc_id == "child-benefit"


def test_the_draft_answers_each_part_in_turn(searcher):
    draft = draft_answer("How much is child benefit? And how do I apply for a budgeting loan?", searcher, None, mode="extractive")
    first, second = draft.text.split("\n\n")
    assert "£25.60" in first and "child-benefit" in cited_pages(first, draft)
    # Budgeting advances are the Universal Credit form of a budgeting loan: a fair second source.
    pages = cited_pages(second, draft)
    assert "budgeting-loans" in pages and pages <= {"budgeting-loans", "budgeting-advance"}
    assert not check_citations(draft.text, draft.sources).unsupported
    assert [p.covered for p in draft.parts] == [True, True]


def test_a_part_no_guidance_answers_is_named_and_the_rest_answered(searcher):
    draft = draft_answer("How much is child benefit? And who won the football last night?", searcher, None, mode="extractive")
    assert not draft.no_guidance and "£25.60" in draft.text and "\n\n" not in draft.text
    assert "No guidance found for: \u201cAnd who won the football last night?\u201d" in draft.notice


def test_a_short_part_about_the_page_another_part_found_is_answered(searcher):
    """"can the hearing be on the phone" says too little to be answered alone (the rule refuses it searched
    by itself); after a question about appealing, whose first source is the same page, it is answered."""
    part = "can the hearing be on the phone as I can't travel"
    assert not searcher.search(part).covered
    draft = draft_answer(f"how long have i got to appeal after my MR notice, and {part}", searcher, None, mode="extractive")
    assert [p.covered for p in draft.parts] == [True, True]
    appeal, hearing = draft.text.split("\n\n")
    assert "one month" in appeal and "by phone" in hearing
    assert "No guidance found for" not in draft.notice
    # Its sources come from the page that vouched for it, not the rest of its own search.
    appeal_page = draft.sources[draft.parts[0].sources[0]].passage.doc_id
    assert {draft.sources[i].passage.doc_id for i in draft.parts[1].sources} == {appeal_page}


def test_a_part_refused_alone_is_answered_with_the_question_before_it_when_its_words_are_there(realguide_bundle, embedder):
    """"Is there an age limit?" alone finds pensions taken before 55, and is refused; it asks about the
    appointment the question before it named, and that page says who can book: aged 50 or over."""
    from knowledge.search import Searcher

    with Searcher(realguide_bundle, embedder) as searcher:
        assert not searcher.search("Is there an age limit?").covered
        draft = draft_answer("How do I book a Pension Wise appointment? Is there an age limit?", searcher, None, mode="extractive")
        assert [p.covered for p in draft.parts] == [True, True]
        assert "50 or over" in draft.text.split("\n\n")[1]
        assert "No guidance found for" not in draft.notice
        appointment_pages = {draft.sources[i].passage.doc_id for i in draft.parts[0].sources}
        assert {draft.sources[i].passage.doc_id for i in draft.parts[1].sources} <= appointment_pages
        # A part whose words the pages found do not hold stays refused, whatever the question before it.
        other = draft_answer("How do I book a Pension Wise appointment? And can you renew my passport?", searcher, None,
                             mode="extractive")
        assert [p.covered for p in other.parts] == [True, False]
        assert "No guidance found for: \u201cAnd can you renew my passport?\u201d" in other.notice


def test_a_part_naming_its_own_page_is_not_answered_from_the_page_before(searcher):
    """"... and does she have to apply for the winter fuel or does it just come" names Winter Fuel Payment,
    which the question before it (Pension Credit) did not find: searched with that question, it had been
    answered from the Pension Credit page ("a free TV licence if you are 75 or over")."""
    message = ("hiya 2 things - my mum turns 66 in august, how early can she put in for pension credit? "
               "and does she have to apply for the winter fuel or does it just come")
    response = search_message(searcher, message)
    assert len(response.parts) == 2 and response.parts[0].covered
    own = searcher.search(response.parts[1].query)
    assert own.results[0].passage.doc_id == "winter-fuel-payment"
    second = response.parts[1]
    assert not second.covered or all(response.results[i].passage.doc_id != "pension-credit" for i in second.sources)
    draft = draft_answer(message, searcher, None, mode="extractive")
    assert "TV licence" not in draft.text
    # "how early" asks a time: the first part is answered by when she can claim.
    assert draft.text.startswith("You can claim from up to 4 months before you reach State Pension age.")


def test_ask_json_adds_the_parts_with_their_sources(sample_bundle):
    result = CliRunner().invoke(cli, ["ask", "How much is child benefit? And how do I apply for a budgeting loan?",
                                      "--bundle", str(sample_bundle), "--extractive", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert {"question", "sources", "draft", "citations"} <= set(payload)
    parts = payload["parts"]
    assert [p["question"] for p in parts] == ["How much is child benefit?", "And how do I apply for a budgeting loan?"]
    assert payload["sources"][parts[1]["sources"][0] - 1]["doc_id"] == "budgeting-loans"
    single = json.loads(CliRunner().invoke(cli, ["ask", "how much is child benefit", "--bundle", str(sample_bundle),
                                                 "--extractive", "--json"]).output)
    assert "parts" not in single


def cited_pages(text, draft):
    return {draft.sources[c.marker - 1].passage.doc_id for c in check_citations(text, draft.sources).citations}


def test_a_part_whose_it_is_its_own_subject_is_searched_alone(realguide_bundle, embedder):
    """"also can they take my pension if I go bankrupt" says "they" and has few words of its own, so it is
    first searched with the question before it (about credit cards); searched alone it finds the page on
    pensions and debt first, another page than that question's: that page answers it (a trustee)."""
    from knowledge.search import Searcher

    message = "hi, should I use my pension to pay off my credit cards? also can they take my pension if I go bankrupt"
    parts = split_questions(message)
    assert part_queries(parts)[1] != parts[1]  # the old rule joined it to the question before
    with Searcher(realguide_bundle, embedder) as searcher:
        response = search_message(searcher, message)
        assert response.parts[1].query == parts[1]
        draft = draft_answer(message, searcher, None, mode="extractive")
    assert "trustee" in draft.text.split("\n\n")[-1]


def test_a_merged_list_holds_as_many_passages_of_a_page_as_one_search_gives():
    from knowledge.search import PER_DOCUMENT as SEARCH_PER_DOCUMENT

    assert PER_DOCUMENT == SEARCH_PER_DOCUMENT + 1  # its two and the passage with its nearest sentence
