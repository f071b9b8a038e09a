"""Extractive drafts that answer the question asked, on the real sample bundle and the real drafting code."""

import math
import re

import pytest

from knowledge.passage import Passage, SearchResult
from models.drafting import draft_answer
from models.extractive import extractive_answer, leans_back, passage_sentences, refers_back, wanted, whole_sentences
from models.support import check_citations, split_sentences

FOOD = "I have no money for food until my universal credit comes, what can I do?"


def result(text, doc, score=10.0, matched=()):
    return SearchResult(Passage(f"{doc}#0", doc, doc.title(), f"https://www.gov.uk/{doc}", "", text), score, matched)


def test_no_money_for_food_is_not_answered_with_sanctions(searcher):
    """The issue's case: the draft spoke of sanctions ending and visas; it must speak of food."""
    draft = draft_answer(FOOD, searcher, None, mode="extractive")
    assert not re.search(r"sanction|visa|recourse", draft.text, re.I), draft.text
    cited = {draft.sources[c.marker - 1].passage.doc_id for c in draft.citations}
    assert "food-banks" in cited  # the food-bank page is cited, and used
    assert "food bank" in draft.text.lower()
    assert not check_citations(draft.text, draft.sources).unsupported


@pytest.mark.parametrize("opening", [
    "The money is taken from your Universal Credit payments once the sanction ends.",
    "It is to help you pay for things you need.",
    "They will tell you what to do next.",
    "If you do not, your payment stops.",
    "After that, you may be able to get Universal Credit.",
    "This means the advance is paid back a little each month.",
])
def test_sentences_that_lean_on_an_earlier_one_are_recognised(opening):
    assert leans_back(opening)


@pytest.mark.parametrize("opening", [
    "It can take up to six weeks to get your first Universal Credit payment.",
    "It costs £75.50 to renew or replace your passport if you apply online or £85 if you fill out a paper form.",
    "It is important to tell your work coach if your circumstances change.",
    "It takes 5 weeks to get your first payment.",
])
def test_an_opening_it_that_stands_for_nothing_does_not_lean_back(opening):
    assert not leans_back(opening)


def test_it_costs_without_saying_to_do_what_still_leans_back():
    assert leans_back("It costs £20.")
    assert leans_back("It is free.")
    assert leans_back("It is worth up to £500 a year.")
    assert not leans_back("It is worth checking, even if you own your home or have some savings.")
    assert leans_back("It is interest-free, so you pay back the same amount you borrow.")


def test_how_much_is_answered_by_a_figure_that_opens_with_it():
    """"It costs £75.50 to renew ..." stands alone: it answers "how much", so it leads."""
    passport = result("If you're in the UK you can renew your passport if it's expired. It costs £75.50 to renew or replace "
                      "your passport if you apply online or £85 if you fill out a paper form.", "renew-adult-passport", 10.0)
    text = extractive_answer("how much is it to renew my passport online", [passport])
    assert text.startswith("It costs £75.50 to renew"), text


def test_a_draft_never_opens_on_the_money_is_taken():
    hardship = result("## Paying it back\n\nHardship payments usually have to be paid back. The money is taken from your "
                      "Universal Credit payments once the sanction ends.", "uc-hardship-payments", 10.0)
    text = extractive_answer("when is the money for my hardship payment taken back", [hardship])
    assert not text.startswith("The money")
    assert text.startswith("Hardship payments usually have to be paid back. [1] The money is taken")


@pytest.mark.parametrize("opening", [
    "Mae hyn yn golygu bod eich taliad yn llai.",  # this means ...
    "Gelwir hyn yn atodiad pensiwn.",  # this is called ...
    "Fodd bynnag, gallwch wneud cais am Daliad Ymlaen Llaw.",  # however ...
    "Os felly, ffoniwch eich darparwr.",  # if so ...
    "Maen nhw'n cael eu talu bob mis.",  # they are paid ...
    "Mae hwn yn daliad ychwanegol y gallech ei gael ar ben y Pensiwn y Wladwriaeth llawn.",  # this is an extra payment
])
def test_a_welsh_sentence_that_leans_on_an_earlier_one_is_recognised(opening):
    assert leans_back(opening)


@pytest.mark.parametrize("sentence", [
    # Welsh names the thing first ("The full new State Pension payment is ..."): no "the payment" rule.
    "Y taliad Pensiwn y Wladwriaeth newydd llawn yw £179.60 yr wythnos.",
    "Gall gymryd hyd at chwe wythnos i gael eich taliad cyntaf o Gredyd Cynhwysol.",
])
def test_a_welsh_sentence_that_stands_alone_does_not_lean_back(sentence):
    assert not leans_back(sentence)


def test_a_welsh_draft_never_opens_on_gelwir_hyn():
    divorce = result("Gallai'r llys orchymyn bod eich pensiwn yn cael ei rannu. Gelwir hyn yn rhannu pensiwn.",
                     "pension-wise/divorce-cy")
    text = extractive_answer("Beth yw rhannu pensiwn?", [divorce])
    assert text.startswith("Gallai'r llys orchymyn bod eich pensiwn yn cael ei rannu. [1] Gelwir hyn")


def welsh(text, doc):
    from dataclasses import replace

    plain = result(text, doc)
    return replace(plain, passage=replace(plain.passage, lang="cy"))


def test_a_welsh_draft_stays_in_welsh():
    """A draft is in its first source's language: an English page after a Welsh one is not drawn on, and a
    paragraph a Welsh page left in English (as published) is not quoted."""
    from dataclasses import replace

    question = "Dw i wedi colli fy swydd, alla i hawlio Credyd Cynhwysol?"
    cy = welsh("Os ydych wedi colli eich swydd, gallwch hawlio Credyd Cynhwysol. "
               "If you lose your job, you can claim Universal Credit straight away.", "cy/colli-swydd")
    en = result("If you lose your job you can claim Universal Credit and get help with your rent.", "en/lose-job")
    en = replace(en, passage=replace(en.passage, lang="en"))
    text = extractive_answer(question, [cy, en])
    assert text.startswith("Os ydych wedi colli eich swydd, gallwch hawlio Credyd Cynhwysol. [1]")
    assert "If you lose" not in text and "[2]" not in text


def test_a_leaning_sentence_that_answers_brings_the_one_before_it():
    mfp = result("Talk to your work coach about setting up a More Frequent Payment as part of an Alternative Payment "
                 "Arrangement. This means your Universal Credit will be paid to you twice a month.", "uc-apa", 10.0)
    text = extractive_answer("can my universal credit be paid twice a month", [mfp])
    assert text.startswith("Talk to your work coach about setting up a More Frequent Payment")
    assert "paid to you twice a month. [1]" in text


def test_a_leaning_sentence_comes_only_straight_after_its_own_sentence():
    """Another sentence of its passage is not enough: "The money ..." would read as the food bank's money."""
    mixed = result("A food bank may also help with food and energy while you wait for your payment. Hardship payments "
                   "usually have to be paid back. The money is taken from your payments once the sanction ends.",
                   "uc-hardship-payments", 10.0)
    text = extractive_answer("can a food bank help, and is the money taken from my payments once the sanction ends", [mixed])
    assert "The money is taken" in text
    assert "paid back. [1] The money is taken" in text


def test_the_food_draft_says_what_it_is_before_pay_it_back(searcher):
    """The issue's draft: "... ask about an advance. [1] You do not have to pay it back while you are earning
    ... [2]" read as if the advance need not be repaid; "it" is the hardship payment its own passage names."""
    draft = draft_answer(FOOD, searcher, None, mode="extractive")
    sentences = split_sentences(draft.text)
    for i, sentence in enumerate(sentences):
        if re.search(r"\bpay it back\b|^The money is taken", sentence):
            assert any("hardship payment" in earlier.lower() for earlier in sentences[:i]), draft.text


@pytest.mark.parametrize("sentence", [
    "You do not have to pay it back while you are earning enough that your Universal Credit stops, as long as this lasts.",
    "You can ask for it when you make your claim, or at any time before your first payment.",
    "Tell them if you cannot afford food, and they will explain what is available near you.",
    "If you claim them, it could affect your right to stay in the UK.",
    "For 2024 to 2025, it is £116.75 a week, and it is paid for up to 28 weeks.",
])
def test_a_pronoun_before_anything_its_sentence_names_refers_back(sentence):
    assert refers_back(sentence)


@pytest.mark.parametrize("sentence", [
    "If your claim is refused, you can ask for it to be looked at again.",  # "your claim", in its own sentence
    "Universal Credit is paid monthly and it can change from month to month.",
    "Your work coach will tell you what they need from you.",
    "If you drink milk, make sure it is UHT.",
    "If you are not sure, it is important to ask your work coach.",  # an "it" that stands for nothing
    "When you first claim, it takes 5 weeks to get your first payment.",
    "If you cannot travel, it may be possible to have your appointment by phone.",
    "You can ask to make it easier to keep your appointments.",
    "Report it if you start or leave a course.",  # what to report follows
    "You can get an advance if you need one.",
])
def test_a_pronoun_its_own_sentence_explains_does_not(sentence):
    assert not refers_back(sentence)


def test_a_sentence_that_refers_back_comes_with_the_one_that_names_it():
    """Not after another passage's sentence, whose subject its "it" would take."""
    advance = result("If you are waiting for your first Universal Credit payment, ask about an advance.", "uc-advances", 10.0)
    hardship = result("Hardship payments usually have to be paid back. The money is taken from your Universal Credit payments "
                      "once the sanction ends. You do not have to pay it back while you are earning enough that your "
                      "Universal Credit stops.", "uc-hardship-payments", 9.0)
    text = extractive_answer("do I have to pay back the payment while I am earning enough that my universal credit stops",
                             [advance, hardship])
    assert "pay it back while" in text
    assert "Hardship payments usually have to be paid back. [2] You do not have to pay it back" in text, text


def test_a_question_in_the_guidance_is_never_an_answer_sentence():
    sentences = [s for s, _ in passage_sentences("Ydw i’n gallu trosglwyddo fy mhensiwn?\n"
                                                 "Gallwch drosglwyddo eich pensiwn i ddarparwr arall.")]
    assert sentences == ["Gallwch drosglwyddo eich pensiwn i ddarparwr arall."]


def test_a_word_few_sentences_share_counts_for_more_than_one_they_all_share():
    advance = result("Universal Credit is paid monthly into your bank account. Your Universal Credit payment can change "
                     "from month to month.", "uc-payments", 10.0)
    food = result("A local food bank may also help with food and energy.", "food-banks", 9.0)
    text = extractive_answer(FOOD, [advance, food])
    assert split_sentences(text)[0].startswith("A local food bank")


@pytest.mark.parametrize("question, kinds", [
    ("how much is carer's allowance", {"amount"}),
    ("how long do I have to ask for a mandatory reconsideration", {"time", "whether"}),
    ("what is a sanction", {"definition"}),
    ("can I get pension credit if I own my house", {"whether"}),
    ("how do I apply for a budgeting loan", {"what to do"}),
    ("can UC be paid twice a month instead of monthly", set()),  # "a month" says when; it does not ask it
    ("how early can she put in for pension credit", {"time"}),
    ("how far in advance can I book it", {"time"}),
    ("is she under the earnings limit and what would she get", {"amount", "whether"}),
    ("what's the most a couple can have earned", {"amount"}),
    # Both asked in one sentence: both looked for ("Most payments are made in November or December").
    ("how much is the winter fuel payment for her and when is it paid", {"amount", "time"}),
    ("how many days do I have to appeal", {"amount", "count", "whether"}),  # one ask, of a number: not a time too
])
def test_what_a_question_asks_for(question, kinds):
    assert wanted(question) == kinds


def test_can_i_get_is_answered_by_who_can(searcher):
    draft = draft_answer("can I get pension credit if I own my house", searcher, None, mode="extractive")
    first = split_sentences(draft.text)[0]
    assert re.search(r"\byou (can|could|may|might|must|cannot)\b|\bown\b", first, re.I), draft.text


class WordVectors:
    """A tiny, real sentence embedder over a fixed vocabulary: counts of words, grouped by meaning.

    It stands where models/embedding.py's all-MiniLM embedder goes, so the extractive step can be
    tested with one before that module exists; it has the same `embed(texts)` interface.
    """

    GROUPS = (("skint", "broke", "money", "afford", "cash"), ("grub", "food", "eat", "hungry", "meals"))

    def embed(self, texts):
        rows = []
        for text in texts:
            words = re.findall(r"[a-z]+", text.lower())
            row = [float(sum(w in group for w in words)) for group in self.GROUPS] + [0.1]
            norm = math.sqrt(sum(x * x for x in row))
            rows.append([x / norm for x in row])
        return rows


def test_an_embedder_finds_the_sentence_that_means_the_question_without_sharing_its_words():
    page = result("You can apply online or by phone. A food bank can give you emergency meals if you cannot afford to eat.",
                  "food-banks", 10.0)
    question = "im skint and need grub"
    without = extractive_answer(question, [page])
    with_embedder = extractive_answer(question, [page], embedder=WordVectors())
    assert split_sentences(without)[0].startswith("You can apply online")  # no word in common: the page's opening
    assert split_sentences(with_embedder)[0].startswith("A food bank can give you emergency meals")


def test_the_real_embedder_when_it_is_installed(searcher, embedder):
    draft = draft_answer(FOOD, searcher, None, mode="extractive", embedder=embedder)
    assert "food bank" in draft.text.lower() and not re.search(r"sanction|visa", draft.text, re.I)


def test_extractive_quality_on_the_sample_development_questions(searcher):
    """The figure benchmarks/draft_quality.py --extractive-only prints; held-out halves are only reported."""
    from conftest import ROOT
    from knowledge.evaluate import read_questions
    from models.quality import run_extractive_quality

    mode, refused, out_of_scope = run_extractive_quality(searcher, read_questions(ROOT / "knowledge" / "eval" / "sample-dev.jsonl"))
    assert mode.drafts >= 30 and mode.facts_present >= 0.55 and mode.unsupported_sentences <= 0.08
    # 19 out-of-scope questions since batch 2 (many near misses): 79% refused by the nine-signal rule,
    # 67-72% by the two-signal one, which gave up some of these to refuse GOV.UK's near misses (left out
    # in fitting: 11% -> 61-78%; README, "No guidance found"). The floor stops a further slide.
    assert refused < mode.drafts / 3 and out_of_scope >= 0.6


def test_no_draft_or_paragraph_opens_on_a_sentence_that_leans_back(searcher):
    """Over every question of the old sample set: the first sentence of each paragraph stands alone."""
    from conftest import QUESTIONS
    from knowledge.evaluate import read_questions

    for q in read_questions(QUESTIONS):
        draft = draft_answer(q.question, searcher, None, mode="extractive")
        if draft.no_guidance:
            continue
        for paragraph in draft.text.split("\n\n"):
            assert not leans_back(paragraph), (q.question, paragraph)


def test_no_welsh_draft_or_paragraph_opens_on_a_sentence_that_leans_back(realguide_bundle):
    """Over every Welsh question of the real guidance's question sets (both halves: nothing is measured here)."""
    from conftest import REALGUIDE_QUESTIONS
    from knowledge.evaluate import read_questions
    from knowledge.language import detect_language
    from knowledge.search import Searcher

    welsh = [q for path in REALGUIDE_QUESTIONS for q in read_questions(path) if detect_language(q.question) == "cy"]
    assert len(welsh) >= 8
    with Searcher(realguide_bundle) as searcher:
        for q in welsh:
            draft = draft_answer(q.question, searcher, None, mode="extractive")
            for paragraph in ([] if draft.no_guidance else draft.text.split("\n\n")):
                assert not leans_back(paragraph), (q.question, paragraph)


def test_the_sentence_nearest_the_question_in_meaning_leads():
    """The search reads each sentence's cosine to the question from the bundle (SearchResult.sentence_cosines):
    of two sentences sharing most of the question's words, the one much nearer in meaning leads the draft."""
    from dataclasses import replace

    text = ("You can ask your work coach about help with childcare costs. "
            "You can ask your work coach about help with travel costs to interviews.")
    question = "can my work coach help with costs of getting to a job interview"
    plain = result(text, "uc-help", 10.0)
    assert len(passage_sentences(text)) == 2
    travel_nearer = extractive_answer(question, [replace(plain, sentence_cosines=(0.30, 0.75))])
    childcare_nearer = extractive_answer(question, [replace(plain, sentence_cosines=(0.75, 0.30))])
    assert travel_nearer.startswith("You can ask your work coach about help with travel costs")
    assert childcare_nearer.startswith("You can ask your work coach about help with childcare costs")


def test_a_lead_in_two_chosen_list_items_share_is_said_once():
    """"There are two rates" came twice, once before each rate: the draft says it once and both rates."""
    text = ("There are two rates, depending on the level of help you need. For 2024 to 2025:\n"
            "- lower rate: £72.65 a week, if you need help in the day\n"
            "- higher rate: £108.55 a week, if you need help day and night")
    draft = extractive_answer("what are the rates of attendance allowance, lower and higher", [result(text, "attendance-allowance")])
    assert draft.count("There are two rates") == 1, draft
    assert "£72.65" in draft and "£108.55" in draft


def test_the_sample_draft_for_the_rates_says_their_lead_in_once(searcher):
    draft = draft_answer("how much is the lower rate of attendance allowance", searcher, None, mode="extractive")
    assert "£72.65" in draft.text
    sentences = [s for s in split_sentences(re.sub(r"\s*\[\d+\]", "", draft.text))]
    assert len(sentences) == len(set(sentences)), draft.text


@pytest.mark.parametrize("question, asked, not_asked", [
    ("what is the earnings limit for carers allowance", {"earnin", "limi"}, {"care", "allowan"}),
    ("what are the rules on savings for pension credit", {"rule"}, {"savin", "pensi", "cred"}),
    ("what is pension credit?", {"pensi", "cred"}, set()),
])
def test_a_definition_is_of_what_the_question_asks_about(question, asked, not_asked):
    from models.extractive import definition_stems, question_stems
    stems = definition_stems(question, question_stems(question, []))
    assert asked <= stems and not (not_asked & stems)


def test_what_is_the_earnings_limit_is_answered_with_the_limit_not_the_benefits_rate(searcher):
    """"Carer's Allowance is £81.90 a week" had been taken for the definition asked for, and the limit left out."""
    draft = draft_answer("what is the earnings limit for carers allowance", searcher, None, mode="extractive")
    assert "£151" in draft.text, draft.text


@pytest.mark.parametrize("published, plain", [
    ("You should be aged **50 or over** and have a UK based **defined contribution** pension.",
     "You should be aged 50 or over and have a UK based defined contribution pension."),
    ("Example** You're 67 and applying for Housing Benefit.", "Example You're 67 and applying for Housing Benefit."),
    ("* a list item stays as it is, and so does 2 * 3", "* a list item stays as it is, and so does 2 * 3"),
])
def test_markdown_bold_marks_are_taken_out_of_quoted_text(published, plain):
    from knowledge.sentences import without_emphasis
    assert without_emphasis(published) == plain


def test_a_draft_from_guidance_written_in_markdown_carries_no_bold_marks(realguide_bundle, embedder):
    """The real guidance marks words in bold ("aged **50 or over**"): the draft a member of staff copies into
    a letter carries the words, the sources panel shows them without the marks, the page viewer in bold."""
    from app.rendering import sources_text
    from desktop.source_viewer import document_html
    from knowledge.search import Searcher

    with Searcher(realguide_bundle, embedder) as searcher:
        draft = draft_answer("How do I book a Pension Wise appointment? Is there an age limit?", searcher, None, mode="extractive")
        assert "50 or over" in draft.text and "**" not in draft.text, draft.text
        assert not check_citations(draft.text, draft.sources).unsupported
        cited = next(s for s in draft.sources if "**50 or over**" in s.passage.text)
        assert "**" not in sources_text([cited], snippets=True)
        page = document_html(searcher.document(cited.passage.doc_id), cited.passage.id, "#fff7bf")
        assert "<b>50 or over</b>" in page and "**" not in page


def test_a_sentence_is_not_cut_after_e_g():
    from models.extractive import whole_sentences
    text = ("You usually can’t take money from your pension pot before you’re 55 but there are some rare cases when "
            "you can, e.g. if you’re ill. You can take smaller chunks of cash until it runs out.")
    assert [s for _, s, _ in whole_sentences(text)] == [
        "You usually can’t take money from your pension pot before you’re 55 but there are some rare cases when you can, e.g. if you’re ill.",
        "You can take smaller chunks of cash until it runs out."]
    assert split_sentences("Most pensions set the age, e.g. when you turn 65. [1] Ask your provider. [1]") == [
        "Most pensions set the age, e.g. when you turn 65. [1]", "Ask your provider. [1]"]


def test_the_real_guidance_draft_quotes_a_sentence_with_e_g_whole(realguide_bundle, embedder):
    """The draft had quoted "... there are some rare cases when you can, e.g. [3]" and stopped."""
    from knowledge.search import Searcher

    from models.extractive import whole_sentences

    with Searcher(realguide_bundle, embedder) as searcher:
        draft = draft_answer("can i take all my pension as cash at 56", searcher, None, mode="extractive")
        cut = next(s for s in draft.sources if "rare cases when you can, e.g." in s.passage.text)
    assert not re.search(r"\b(e\.g|i\.e)\.\s*\[\d", draft.text), draft.text
    assert not check_citations(draft.text, draft.sources).unsupported
    # The sentence that was cut is offered whole, from the real page as published.
    offered = [s for _, s, _ in whole_sentences(cut.passage.text) if "rare cases" in s]
    assert offered and offered[0].endswith("e.g. if you’re seriously ill."), offered


def test_a_list_item_that_runs_into_the_next_is_quoted_with_it():
    """"... the day after you get your Universal Credit payment, or." had been a draft's sentence."""
    from models.extractive import whole_sentences
    text = ("Set up a Direct Debit or standing order for your rent to come out of your bank account the day after you get:\n"
            "* your Universal Credit payment, or\n* your wages if you're working\n\n"
            "If you have other income coming in, you can decide which date works best for you.")
    assert [s for _, s, _ in whole_sentences(text)] == [
        "Set up a Direct Debit or standing order for your rent to come out of your bank account the day after you get "
        "your Universal Credit payment, or your wages if you're working",
        "If you have other income coming in, you can decide which date works best for you."]
    draft = extractive_answer("when should my standing order for rent come out of my bank account", [result(text, "rent")])
    assert "payment, or your wages if you're working. [1]" in draft and ", or." not in draft


@pytest.mark.parametrize("sentence, heading, quoted", [
    ("What to do now Set up a Direct Debit for your rent.", "What to do now", "Set up a Direct Debit for your rent."),
    ("The lay members are Suzanne Shale, an independent consultant.", "The lay members are",
     "The lay members are Suzanne Shale, an independent consultant."),  # the lead-in says what the name is
    ("How much you get £8.50 each week for each child", "How much you get", "How much you get £8.50 each week for each child"),
])
def test_a_sub_heading_is_not_quoted_as_part_of_the_item_after_it(sentence, heading, quoted):
    from models.extractive import without_heading
    assert without_heading(sentence, heading) == quoted


def test_a_draft_never_quotes_a_heading_run_into_a_sentence():
    text = "What to do now:\n* Set up a Direct Debit or standing order for your rent to be paid on the right day."
    draft = extractive_answer("how do I make sure my rent is paid on the right day", [result(text, "rent")])
    assert draft.startswith("Set up a Direct Debit"), draft


def test_how_much_is_not_answered_with_another_schemes_figure(searcher):
    """"how much winter fuel allowance" had led with the Warm Home Discount's £150, from the page's "Other help"."""
    draft = draft_answer("how much winter fuel allowance would my nan get", searcher, None, mode="extractive")
    first = split_sentences(draft.text)[0]
    assert "£" in first and "Warm Home Discount" not in first, draft.text


@pytest.mark.parametrize("sentence, names_only_others", [
    ("You might also get the Warm Home Discount, which is £150 off your electricity bill, and Cold Weather Payment.", True),
    ("Winter Fuel Payment is a yearly payment to help older people pay their heating bills.", False),  # what is asked
    ("You may get between £200 and £300.", False),  # names nothing
    ("In Scotland, Pension Age Winter Heating Payment has replaced Winter Fuel Payment.", False),
])
def test_a_sentence_that_names_only_other_schemes(sentence, names_only_others):
    from models.extractive import names_only_others as names_others, stems_of

    asked = stems_of("how much winter fuel allowance would my nan get") | stems_of("Winter Fuel Payment")
    assert names_others(sentence, asked) is names_only_others


def test_what_happens_is_answered_by_what_follows_without_the_questions_words():
    """"Your pet may be put into quarantine ..." shares no word with "... without the right papers", and answers it."""
    pet = result("You can enter or return to the UK with your pet cat, dog or ferret if it has a pet passport. Dogs must also "
                 "usually have a tapeworm treatment. Your pet may be put into quarantine for up to 4 months if you don’t follow "
                 "these rules. You’re responsible for any fees or charges.", "take-pet-abroad", 10.0, ("ferret", "bring"))
    text = extractive_answer("what happens if I bring my ferret into the country without the right papers", [pet])
    assert "quarantine for up to 4 months" in text, text


def test_a_worked_example_is_not_quoted_as_guidance():
    """"Your pot is £60,000 and you take £15,000" is someone's case: quoted, its figures read as the citizen's."""
    tax = result("You can usually take up to 25% of your pension pot tax free. The rest is taxed as income.\n\n**Example**\n\n"
                 "Your pot is £60,000 and you take £15,000 – this is your tax-free lump sum. You buy an annuity with the "
                 "remaining £45,000 which pays you £2,000 a year.\n\nTake it in chunks:\nYou can take smaller cash sums "
                 "from your pension pot. 25% of each chunk is tax free.", "pension-tax", 10.0, ("tax", "free", "pension"))
    text = extractive_answer("how much of my pension pot can I take tax free", [tax])
    assert "25%" in text and "£60,000" not in text and "£45,000" not in text, text


@pytest.mark.parametrize("text, examples", [
    ("Intro.\n\n**Example**\n\nYour pot is £60,000.\n\nNot an example.", ["**Example**", "Your pot is £60,000."]),
    ("**Example** You’re 67 and applying. You have £40,000.\n\nAfter.", ["**Example** You’re 67 and applying. You have £40,000."]),
    ("For example, you might pay less.\n\nExamples include:\n* store cards", []),
])
def test_worked_examples_are_found_by_their_label(text, examples):
    from models.extractive import worked_examples

    assert worked_examples(text) == examples


CURRICULUM = ("At the end of each key stage, the teacher will formally assess your child’s performance.\n\n"
              "Age | Year | Key stage | Assessment | |\n\n3 to 4 | | Early years | | |\n\n"
              "5 to 6 | Year 1 | KS1 | Phonics screening check | |\n\n6 to 7 | Year 2 | KS1 | National tests in English and maths | |")


def test_a_table_row_is_quoted_beside_its_columns_names():
    """GOV.UK's tables had been quoted row by row with their bars: "5 to 6 | Year 1 | KS1 | Phonics screening check | |"."""
    sentences = [s for _, s, _ in whole_sentences(CURRICULUM)]
    assert "Age: 5 to 6; Year: Year 1; Key stage: KS1; Assessment: Phonics screening check." in sentences
    assert "Age: 3 to 4; Key stage: Early years." in sentences  # empty cells are left out
    assert not any("|" in s for s in sentences)  # and the header row is no sentence of its own
    assert whole_sentences("Use the a | b switch to choose.")[0][1] == "Use the a | b switch to choose."  # no table


def test_a_draft_from_a_table_reads_as_sentences_and_passes_the_check():
    table = result(CURRICULUM, "national-curriculum", 10.0, ("phonics", "screening", "check"))
    text = extractive_answer("which year is the phonics screening check in", [table])
    assert "Year: Year 1" in text and "|" not in text, text
    assert not check_citations(text, [table]).unsupported


def test_short_list_items_are_one_sentence_with_their_lead_in():
    """"£500 for gas" is three words: alone it was no sentence, so the figure asked for never reached a draft.
    A list's short items are said together after its lead-in, as a person quotes the list."""
    text = ("To get help from the fund, your debt must be below:\n"
            "* £500 for gas\n"
            "* £500 for electricity, or\n"
            "* £1,000 for both\n"
            "## How to apply\n"
            "Apply online through the supplier's website.")
    sentences = [s for s, _ in passage_sentences(text)]
    assert sentences == ["To get help from the fund, your debt must be below: £500 for gas; £500 for electricity; £1,000 for both.",
                         "Apply online through the supplier's website."]
    answer = extractive_answer("how much can my gas debt be to get help", [result(text, "energy-fund", 9.0)])
    assert "£500 for gas" in answer


def test_a_list_of_long_items_keeps_each_item_a_sentence_and_its_short_items_together():
    text = ("You must have been getting one of these benefits for the past 6 months:\n"
            "- Income Support\n"
            "- income-related Employment and Support Allowance\n"
            "- Pension Credit\n"
            "You may be able to get a Budgeting Advance if:\n"
            "- you have been getting Universal Credit, income-based JSA, income-related ESA, Income Support or Pension Credit for 6 months\n"
            "- you have paid off any earlier Budgeting Advance\n"
            "- Can I apply?\n")
    assert [s for s, _ in passage_sentences(text)] == [
        "You must have been getting one of these benefits for the past 6 months: Income Support, "
        "income-related Employment and Support Allowance, Pension Credit.",
        "You may be able to get a Budgeting Advance if you have been getting Universal Credit, income-based JSA, "
        "income-related ESA, Income Support or Pension Credit for 6 months",
        "You may be able to get a Budgeting Advance if you have paid off any earlier Budgeting Advance"]


def test_a_weaker_source_with_the_sentence_nearest_in_meaning_is_drawn_on():
    """A passage scoring well under the best one's is drawn on when it holds a sentence nearer the question in
    meaning than any of the best one's (the stored sentence cosines): one table row can be the answer."""
    from dataclasses import replace

    best = result("The check will take place in June. If your child does not do well enough they do it again.", "phonics", 10.0)
    row = result("Children in Year 1 take the phonics screening check at school.", "key-stages", 3.0)
    question = "which school year is the phonics check in"
    nearer = extractive_answer(question, [replace(best, sentence_cosines=(0.55, 0.50)), replace(row, sentence_cosines=(0.70,))])
    further = extractive_answer(question, [replace(best, sentence_cosines=(0.55, 0.50)), replace(row, sentence_cosines=(0.40,))])
    assert "Year 1" in nearer and "[2]" in nearer
    assert "[2]" not in further


def test_chosen_items_of_one_list_are_said_after_their_lead_in_once():
    """Each item had come with the whole lead-in before it, three times over ("... apply to you You're expected
    ... apply to you You're under 75 ..."): the items chosen together are said once after it, and checked."""
    text = ("You may be able to take your whole pension pot tax free if all of the following apply to you:\n"
            "- You're expected to live for less than a year because of serious illness.\n"
            "- You're under 75 (if you're over 75 you pay Income Tax on the lump sum).\n"
            "- You don't have more than the lifetime allowance of £1,073,100 in pension money.")
    source = result(text, "ill-health")
    draft = extractive_answer("can I take my whole pension pot tax free if I am seriously ill and under 75", [source])
    assert draft.count("You may be able to take your whole pension pot tax free") == 1, draft
    assert "apply to you: You're expected to live" in draft and "You're under 75" in draft, draft
    assert not check_citations(draft, [source]).unsupported


def test_items_of_different_lists_keep_their_own_lead_in():
    from models.extractive import items_said_together

    text = "You can get it if:\n- you live in England\n- you are over 18\nYou cannot get it if:\n- you live abroad"
    chosen = [(0, 0, "You can get it if you live in England"), (0, 1, "You can get it if you are over 18"),
              (0, 2, "You cannot get it if you live abroad")]
    assert items_said_together(chosen, {0: text}) == [
        (0, "You can get it if you live in England; you are over 18."), (0, "You cannot get it if you live abroad")]


def test_an_empty_bullet_is_no_item_of_a_joined_list():
    text = "You will need:\n- a passport\n-\n* —\n- a utility bill"
    assert [s for s, _ in passage_sentences(text)] == ["You will need: a passport, a utility bill."]


def test_what_the_person_tells_counts_less_than_what_they_ask(monkeypatch):
    """"... ambulance in albania? going walking up near the kosovo border": the border is where they will
    be, the number is what they ask. With the told words weighing as much as the asked ones, the landmine
    sentences led."""
    import models.extractive as extractive

    mines = result("Demining is ongoing on the Kosovo side. When visiting hill towns on the northern border with Kosovo "
                   "you should take care, particularly if walking in the hills.", "albania", 10.0)
    health = result("If you need emergency medical assistance during your trip, dial 127 and ask for an ambulance. "
                    "Albania lies in a seismically-active zone.", "albania-health", 9.0)
    question = "what number is an ambulance in albania? going walking up near the kosovo border next month"
    assert split_sentences(extractive_answer(question, [mines, health]))[0].startswith("If you need emergency medical assistance")
    monkeypatch.setattr(extractive, "TOLD_WEIGHT", 1.0)
    assert split_sentences(extractive_answer(question, [mines, health]))[0].startswith("When visiting hill towns")


def test_a_passage_of_the_best_page_is_drawn_on_however_it_scored():
    """The best page's second passage holds the answer ("£300" for service children) but scores under the
    share other pages need, and its heading names nothing asked: it is the same page, so it is drawn on."""
    from models.extractive import drawn_on, question_stems

    first = result("Pupils: Disadvantaged pupils: primary; Per pupil rate: £1,320.", "school-funding", 10.0)
    second = SearchResult(Passage("school-funding#1", "school-funding", "School funding", "https://www.gov.uk/school-funding",
                                  "", "Service children get £300 a year."), 4.0)
    other = result("Service charges are paid to the landlord.", "service-charges", 4.0)
    question = "is there any extra pupil premium money for forces kids"
    sources = list(enumerate([first, second, other]))
    used = [r.passage.id for _, _, r in drawn_on(sources, question_stems(question, [first, second, other]))]
    assert used == ["school-funding#0", "school-funding#1"]


@pytest.mark.parametrize("sentence", ["If you need emergency medical assistance dial 911 for an ambulance.",
                                      "Call the embassy on +44 20 7008 5000 at any time."])
def test_a_number_to_dial_is_a_contact(sentence):
    from models.extractive import gives

    assert gives("contact", sentence, set())


def test_a_part_asking_how_long_is_answered_with_a_time_though_searched_with_a_how_much():
    """The second part of "How much is it to renew online and how long will it take?" is searched with the
    first (it says what "it" is); what it asks for is read from the part itself: how long."""
    from knowledge.passage import QuestionPart

    cost = result("It costs £75.50 to renew your passport online. You can renew your passport online or by post.", "renew", 10.0)
    time = SearchResult(Passage("renew#1", "renew", "Renew", "https://www.gov.uk/renew", "",
                                "A new passport should take 3 weeks to arrive. You can track your application online."), 8.0)
    parts = (QuestionPart("How much is it to renew my passport online", (0,), True),
             QuestionPart("how long will it take?", (1, 0), True, "How much is it to renew my passport online how long will it take?"))
    second = extractive_answer("How much is it to renew my passport online and how long will it take?", [cost, time],
                               parts).split("\n\n")[1]
    assert split_sentences(second)[0].startswith("A new passport should take 3 weeks")


def test_a_short_line_holding_an_email_web_address_or_phone_number_is_quotable():
    """"Email: enquiries@pensions-ombudsman.org.uk" is under four words, which is a label's length, not a
    sentence's: it was never quoted, and "what's the ombudsman's email" drew only the page's prose."""
    text = ("Contact the Pensions Ombudsman:\n\nEmail: enquiries@pensions-ombudsman.org.uk\n\n"
            "Website: www.pensions-ombudsman.org.uk\n\nOpening times\n\n0800 917 4487")
    assert [s for s, _ in passage_sentences(text)] == [
        "Email: enquiries@pensions-ombudsman.org.uk", "Website: www.pensions-ombudsman.org.uk", "0800 917 4487"]
    page = result("The Pensions Ombudsman deals with complaints about pension schemes.\n\n" + text, "ombudsman")
    assert "enquiries@pensions-ombudsman.org.uk" in extractive_answer("what's the email for the pensions ombudsman", [page])


def test_sentences_are_weighed_by_meaning_only_for_an_english_question(embedder):
    from models.extractive import similarities

    sentences = ["You can get a Budgeting Advance if you have been on Universal Credit for 6 months.",
                 "Your pet may be put into quarantine."]
    close = similarities(embedder, "can I get a budgeting advance", sentences)
    assert close is not None and close[0] > close[1]
    # The model reads English: a Welsh question (searched by its words alone) is not embedded here either.
    assert similarities(embedder, "Sut ydw i'n gwneud cais am Daliad Cyllidebu Ymlaen Llaw?", sentences) is None
