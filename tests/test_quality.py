"""The draft-quality measurement that decides which draft is shown first (DESIGN.md, trust rules)."""

import json
from datetime import date

from click.testing import CliRunner

from cli import cli
from knowledge.evaluate import Question
from knowledge.passage import Passage, SearchResult
from models.quality import score

QUESTIONS = [
    {"question": "how much does my universal credit go down when i earn more", "expected": ["uc-work-and-earnings"], "facts": [["55p"]]},
    {"question": "how long do I have to ask for a mandatory reconsideration", "expected": ["mandatory-reconsideration"],
     "facts": [["one month", "1 month"]]},
    {"question": "recipe for shepherd's pie", "expected": []},
]


def source(doc_id, text):
    return SearchResult(Passage(f"{doc_id}#1", doc_id, doc_id, f"https://www.gov.uk/{doc_id}", "", text, date(2025, 1, 1)), 1.0)


def test_score_counts_facts_citations_and_sentences_on_expected_pages():
    sources = [source("pip", "PIP is paid every 4 weeks."), source("uc", "Universal Credit is paid monthly.")]
    question = Question("when is pip paid", ("pip",), (("4 weeks", "four weeks"),))
    right = score(["PIP is paid every 4 weeks. [1]"], [question], [sources], [5.0])
    wrong = score(["Universal Credit is paid monthly. [2] It is paid every 3 weeks. [9]"], [question], [sources], [5.0])
    assert right.facts_present == 1.0 and right.with_citation == 1.0 and right.on_expected_pages == 1.0
    assert right.unsupported_sentences == 0.0
    assert wrong.facts_present == 0.0 and wrong.on_expected_pages == 0.0 and wrong.unsupported_sentences == 0.5


def test_model_bench_quality_scores_both_drafts_on_the_real_model(tmp_path, sample_bundle):
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n".join(json.dumps(q) for q in QUESTIONS))
    result = CliRunner().invoke(cli, ["model", "bench", "--tokens", "8", "--quality", str(questions),
                                      "--bundle", str(sample_bundle), "--json"])
    assert result.exit_code == 0, result.output
    quality = json.loads(result.output)["quality"]
    assert quality["questions"] == 2 and quality["facts"] == 2 and quality["out_of_scope"] == 1
    assert quality["no_guidance_correct"] == 1.0
    extractive = quality["extractive"]
    assert extractive["facts_present"] == 1.0 and extractive["with_citation"] == 1.0 and extractive["on_expected_pages"] > 0.5
    # The embedded 135M model does not beat the guidance's own sentences: extractive is shown first.
    assert quality["verdict"] == "extractive"
    text = CliRunner().invoke(cli, ["model", "bench", "--tokens", "8", "--quality", str(questions), "--bundle", str(sample_bundle)])
    assert "shown first for this model: extractive" in text.output and "sentences on an expected page" in text.output
