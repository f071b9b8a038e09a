"""Measuring retrieval: question files, matching expected pages, the scores, and `frontdesk kb eval`."""

import json

import pytest
from click.testing import CliRunner

from conftest import QUESTIONS
from cli import cli, main
from knowledge.build import build_bundle
from knowledge.errors import SourceError
from knowledge.evaluate import evaluate_retrieval, matches_expected, read_questions

PAGES = {
    "pip.md": ("pip", "Personal Independence Payment", "https://www.gov.uk/pip",
               "## How much you get\n\nPersonal Independence Payment is £73.90 or £110.40 a week for daily living. "
               "It helps with extra costs if you have a long-term health condition or disability. " * 3),
    "child-benefit.md": ("child-benefit", "Child Benefit", "https://www.gov.uk/child-benefit",
                         "## How much you get\n\nChild Benefit is £25.60 a week for the eldest child and £16.95 "
                         "for each additional child. You claim it by filling in form CH2. " * 3),
    "winter.md": ("winter-fuel", "Winter Fuel Payment", "https://www.gov.uk/winter-fuel-payment",
                  "## Eligibility\n\nYou may get a Winter Fuel Payment to help pay heating bills if you were born "
                  "before a certain date and get Pension Credit. " * 3),
}


@pytest.fixture(scope="module")
def tiny_bundle(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    for name, (doc_id, title, url, body) in PAGES.items():
        (src / name).write_text(f"---\nid: {doc_id}\ntitle: \"{title}\"\nurl: {url}\nupdated: 2025-01-01\n---\n\n{body}\n")
    out = tmp_path_factory.mktemp("bundle") / "tiny-1.fdkb"
    build_bundle([src], out, created="2026-01-01T00:00:00Z")
    return out


def write_lines(path, *items):
    path.write_text("".join((item if isinstance(item, str) else json.dumps(item)) + "\n" for item in items))
    return path


def test_scores_add_up(tiny_bundle, tmp_path):
    questions = write_lines(
        tmp_path / "q.jsonl",
        {"question": "how much is personal independence payment", "expected": ["pip"],
         "facts": [["£73.90"], ["£999"]], "notes": "other keys are ignored"},
        {"question": "child benefit rates", "expected": ["https://www.gov.uk/somewhere-else"]},
        {"question": "recipe for shepherd's pie", "expected": []},
    )
    report = evaluate_retrieval(tiny_bundle, read_questions(questions), k=2)
    assert (report.n, report.k, report.recall_at_1, report.recall_at_k, report.mrr) == (2, 2, 0.5, 0.5, 0.5)
    assert report.facts_at_k == 0.5  # £73.90 is in the passage, £999 is not
    assert report.out_of_scope == 1 and report.out_of_scope_correct == 1.0 and report.answered_out_of_scope == ()
    [miss] = report.misses
    assert miss.question == "child benefit rates" and miss.got[0] == "child-benefit"


def test_report_json_shape(tiny_bundle, tmp_path):
    questions = write_lines(tmp_path / "q.jsonl", {"question": "winter fuel", "expected": ["/winter-fuel-payment"]})
    payload = evaluate_retrieval(tiny_bundle, read_questions(questions)).as_json()
    assert set(payload) >= {"n", "recall_at_1", "recall_at_k", "mrr", "facts_at_k", "misses"}
    assert payload["recall_at_1"] == 1.0 and payload["facts_at_k"] is None and payload["misses"] == []
    json.dumps(payload)


@pytest.mark.parametrize("expected, doc_id, url, hit", [
    ("pip", "pip", "https://www.gov.uk/pip", True),
    ("https://www.gov.uk/pip", "x", "https://www.gov.uk/pip", True),
    ("https://www.gov.uk/pip/", "x", "https://www.gov.uk/pip", True),
    ("/pip", "x", "https://www.gov.uk/pip", True),
    ("/universal-credit", "x", "https://www.gov.uk/universal-credit/how-to-claim", True),  # a part of a guide
    ("/universal-credit", "x", "https://www.gov.uk/universal-credit-advances", False),
    ("/pip", "x", "", False),
    ("child-benefit", "pip", "https://www.gov.uk/pip", False),
])
def test_expected_matches_a_doc_id_an_address_or_a_path(expected, doc_id, url, hit):
    assert matches_expected(expected, doc_id, url) is hit


def test_sample_question_set_meets_the_goal(searcher):
    report = evaluate_retrieval(searcher, read_questions(QUESTIONS), k=5)
    # The goal: recall@5 of at least 0.9 on the sample set.
    assert report.n >= 100 and report.recall_at_k >= 0.9 and report.mrr > 0.8
    assert report.facts_at_k >= 0.8
    # Out-of-scope questions say "no guidance found"; in-scope ones mostly do not.
    # The calibrated rule (fitted on other questions) refuses about half of this set's 13; the hand-set
    # one, tuned on them, refused all 13 and 53% of real questions elsewhere (issue 9).
    assert report.out_of_scope >= 10 and report.out_of_scope_correct >= 0.5
    assert report.in_scope_covered >= 0.8


@pytest.mark.parametrize("lines, message", [
    (['{"question": "ok", "expected": []}', "{broken"], "line 2: not valid JSON"),
    (['["a list"]'], 'line 1: needs "question"'),
    (['{"question": "", "expected": []}'], 'line 1: needs "question"'),
    (['{"question": "no expected key"}'], 'line 1: needs "expected"'),
    (['{"question": "q", "expected": "pip"}'], 'line 1: needs "expected"'),
    (['{"question": "q", "expected": [3]}'], 'line 1: needs "expected"'),
    (['', '{"question": "q", "expected": [], "facts": ["£10"]}'], 'line 2: "facts" must be a list of lists'),
    (['{"question": "q", "expected": [], "facts": [[]]}'], 'line 1: "facts" must be a list of lists'),
    (["", "  "], "no questions in the file"),
])
def test_bad_question_files_name_the_file_line_and_fix(tmp_path, lines, message):
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SourceError) as err:
        read_questions(path)
    assert str(err.value).startswith(str(path)) and message in str(err.value)


def test_unreadable_question_files(tmp_path):
    with pytest.raises(SourceError, match="no such question file"):
        read_questions(tmp_path / "missing.jsonl")
    (tmp_path / "latin1.jsonl").write_bytes('{"question": "caf\xe9", "expected": []}'.encode("latin-1"))
    with pytest.raises(SourceError, match="not UTF-8"):
        read_questions(tmp_path / "latin1.jsonl")
    with pytest.raises(SourceError, match="cannot read"):
        read_questions(tmp_path)


def test_blank_lines_are_skipped_and_lines_numbered(tmp_path):
    path = write_lines(tmp_path / "q.jsonl", "", {"question": "pip", "expected": ["pip"], "facts": [["£73.90", "£73"]]})
    [q] = read_questions(path)
    assert (q.question, q.expected, q.facts, q.line) == ("pip", ("pip",), (("£73.90", "£73"),), 2)


def test_kb_eval_prints_the_scores_and_misses(sample_bundle):
    result = CliRunner().invoke(cli, ["kb", "eval", str(sample_bundle), str(QUESTIONS)])
    assert result.exit_code == 0, result.output
    for label in ("recall@1", "recall@5", "MRR", "facts@5", "out-of-scope"):
        assert label in result.output


def test_kb_eval_json(sample_bundle):
    result = CliRunner().invoke(cli, ["kb", "eval", str(sample_bundle), str(QUESTIONS), "-k", "3", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert set(payload) >= {"n", "recall_at_1", "recall_at_k", "mrr", "facts_at_k", "misses"}
    assert payload["k"] == 3 and payload["n"] >= 100
    assert all(set(m) == {"question", "expected", "got"} for m in payload["misses"])


def test_kb_eval_bad_file_is_one_line_on_stderr(sample_bundle, tmp_path, capsys):
    bad = write_lines(tmp_path / "q.jsonl", "{nope")
    with pytest.raises(SystemExit) as exit_:
        main(["kb", "eval", str(sample_bundle), str(bad)])
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "line 1: not valid JSON" in err


def test_kb_eval_missing_bundle(tmp_path, capsys):
    questions = write_lines(tmp_path / "q.jsonl", {"question": "pip", "expected": []})
    with pytest.raises(SystemExit):
        main(["kb", "eval", str(tmp_path / "none.fdkb"), str(questions)])
    assert "none.fdkb" in capsys.readouterr().err


def test_kb_eval_help_explains_the_file():
    result = CliRunner().invoke(cli, ["kb", "eval", "--help"])
    assert result.exit_code == 0
    assert '"expected"' in result.output and "recall@1" in result.output and "/universal-credit" in result.output
