"""The pilot report and the feedback export, from real history files written by HistoryStore with real drafts."""

import csv
import random
import sqlite3
import statistics
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from app.edits import changed_share, edit_distance
from app.feedback_export import export_feedback_csv, group_questions
from app.report import build_report, read_records, report_csv
from app.report_html import report_html
from cli import cli
from app.history import HistoryStore
from app.config import app_paths
from knowledge.errors import FrontdeskError
from models.drafting import draft_answer


def levenshtein(a, b):
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def test_edit_distance_is_the_levenshtein_distance():
    rng = random.Random(3)
    for _ in range(500):
        a = "".join(rng.choice("ab c£") for _ in range(rng.randint(0, 40)))
        b = "".join(rng.choice("abd c") for _ in range(rng.randint(0, 40)))
        assert edit_distance(a, b) == levenshtein(a, b), (a, b)
    assert changed_share("You can claim online.", "You can claim online.") == 0
    assert changed_share("abcd", "abXd") == 0.25 and changed_share("", "new") == 1


@pytest.fixture
def history(searcher):
    """A real history at the user's location: five drafts, three left the app (one edited), feedback with reasons."""
    store = HistoryStore(app_paths().history_db)
    ids = {}
    for question in ("how much is child benefit", "how do I claim child benefit", "who won the football last night",
                     "who won the football last night, I live at SW1A 1AA", "how much is a budgeting loan"):
        d = draft_answer(question, searcher)
        ids[question] = (store.record_draft(d), d)
    child_id, child = ids["how much is child benefit"]
    store.record_out(child_id, "copied", child.text)  # unchanged
    claim_id, claim = ids["how do I claim child benefit"]
    store.record_out(claim_id, "printed", claim.text[: len(claim.text) // 2] + " Changed by staff.")
    store.record_out(claim_id, "copied", "only the first time counts")
    loan_id, loan = ids["how much is a budgeting loan"]
    store.record_out(loan_id, "saved", loan.text + " Call the office.")
    store.add_feedback(child_id, "helpful")
    store.add_feedback(claim_id, "not_helpful", "wanted the form, ring 07700 900123", "needs_more_detail")
    store.add_feedback(ids["who won the football last night"][0], "not_helpful", "", "nothing_found")
    store.add_feedback(loan_id, "not_helpful")
    store.close()
    return app_paths().history_db


def test_the_report_counts_drafts_modes_changes_times_and_feedback(history):
    report = build_report(history, retention_days=90)
    o = report.overall
    assert (o.drafts, o.answered, o.no_guidance) == (5, 3, 2)
    assert dict(o.modes) == {"approved": 1, "extractive": 4, "generated": 0}
    assert o.left == 3 and o.unchanged == 1 and 0 < o.changed_median < 0.2 and o.changed_mean > o.changed_median
    assert o.seconds_median is not None and o.seconds_p25 <= o.seconds_median <= o.seconds_p75
    feedback = dict(o.feedback)
    assert feedback["helpful"] == 1 and feedback["needs_more_detail"] == 1 and feedback["nothing_found"] == 1
    assert feedback["not_helpful_no_reason"] == 1
    assert [g.label for g in report.by_bundle] == ["frontdesk-sample v1"] and len(report.by_week) == 1
    today = date.today()
    assert report.period() == (f"Drafts from {today.day} {today:%B %Y} to {today.day} {today:%B %Y}. History keeps drafts for 90 days on this "
                               "computer, so nothing older can be counted.")
    stored = sqlite3.connect(history).execute("SELECT out_action FROM drafts WHERE out_action != '' ORDER BY id").fetchall()
    assert stored == [("copied",), ("printed",), ("saved",)]


def test_the_csv_is_anonymous_one_row_per_draft(history):
    text = report_csv(read_records(history))
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == 5 and set(rows[0]) == {"date", "week", "guidance", "mode", "no_guidance", "left_as", "changed_share",
                                               "seconds_to_out", "feedback"}
    for word in ("child benefit", "football", "sw1a", "postcode", "budgeting", "form"):
        assert word not in text.lower()


def test_the_html_has_charts_and_tables_and_nothing_online(history):
    page = report_html(build_report(history))
    assert page.count("<svg") == 5 and page.count("<table>") == 4 and "<caption>By week (ISO weeks)</caption>" in page
    assert "src=" not in page and "http" not in page.replace("http://www.w3.org/2000/svg", "")


def test_since_limits_the_period(history):
    later = build_report(history, since=date.today() + timedelta(days=1))
    assert later.overall.drafts == 0 and later.period().startswith("No drafts are recorded since")


def test_report_command_writes_html_and_csv(history, tmp_path):
    result = CliRunner().invoke(cli, ["report", "--since", "2020-01-01", "-o", str(tmp_path / "r.html"), "--csv", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    assert "Wrote the report to" in result.output and "Wrote 5 anonymous draft rows" in result.output
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    printed = CliRunner().invoke(cli, ["report"])
    assert "5 drafts: 3 answered, 2 'No guidance found' (40%)" in printed.output and "By guidance version" in printed.output


def test_report_errors_say_what_to_do(tmp_path):
    result = CliRunner().invoke(cli, ["report", "--since", "last tuesday"])
    assert isinstance(result.exception, FrontdeskError)  # main() prints it as one line and exits 1
    assert "--since 'last tuesday' is not a date. Write it as YYYY-MM-DD" in str(result.exception)
    with pytest.raises(FrontdeskError, match="no history yet"):
        build_report(tmp_path / "none.db")
    (tmp_path / "other.db").write_bytes(b"")
    sqlite3.connect(tmp_path / "other.db").execute("CREATE TABLE t (x)")
    with pytest.raises(FrontdeskError, match="not a Frontdesk history file"):
        build_report(tmp_path / "other.db")


def test_feedback_export_groups_by_page_and_version_and_lists_what_found_nothing(history, tmp_path):
    summary = export_feedback_csv(history, tmp_path / "f.csv")
    rows = list(csv.DictReader((tmp_path / "f.csv").open()))
    feedback = [r for r in rows if r["section"] == "feedback"]
    assert {(r["document"], r["bundle_version"], r["rating"], r["reason"]) for r in feedback} >= {
        ("child-benefit", "1", "helpful", ""), ("child-benefit", "1", "not_helpful", "needs_more_detail"),
        ("(no page cited)", "1", "not_helpful", "nothing_found")}
    detail = next(r for r in feedback if r["reason"] == "needs_more_detail")
    assert detail["comments"] == "wanted the form, ring [phone number]" and detail["questions"] == "how do I claim child benefit"
    nothing = [r for r in rows if r["section"] == "no_guidance"]
    assert nothing[0]["document"] == "football last" and nothing[0]["count"] == "2"
    assert "[postcode]" in nothing[0]["questions"] and "07700" not in (tmp_path / "f.csv").read_text()
    assert "SW1A" not in (tmp_path / "f.csv").read_text()
    assert summary.no_guidance_questions == 2 and summary.no_guidance_groups == 1


def test_questions_that_found_nothing_are_grouped_by_shared_words_most_frequent_first():
    groups = group_questions(["how do I renew my passport", "passport renewal fees", "when are the bins collected",
                              "renew passport for my son", "bins not collected"])
    assert [(words, len(qs)) for words, qs in groups] == [("bins collected", 2), ("passport renew", 2), ("fees passport", 1)]


def test_the_sql_figures_match_a_count_over_every_draft(tmp_path):
    """The report counts in SQL; the same figures computed in Python from every draft's record must agree."""
    path = tmp_path / "history.db"
    HistoryStore(path).close()
    rng = random.Random(5)
    conn = sqlite3.connect(path)
    with conn:
        for n in range(400):
            day = date(2026, 1, 1) + timedelta(days=rng.randint(0, 60))
            left = rng.random() < 0.7
            conn.execute("INSERT INTO drafts (created_at, question, question_redacted, draft_text, final_text, mode, no_guidance, "
                         "bundle_id, bundle_version, out_action, seconds_to_out, changed_share) VALUES (?, '', '', '', '', ?, ?, 'g', ?, ?, ?, ?)",
                         (f"{day}T10:00:00+00:00", rng.choice(("approved", "extractive", "generated")), int(rng.random() < 0.1),
                          rng.choice((1, 2)), "copied" if left else "", rng.uniform(5, 500) if left else None,
                          rng.choice((0.0, rng.random())) if left else None))
    records = read_records(path)
    report = build_report(path)
    for figures, members in [(report.overall, records)] + [(w, [r for r in records if r.week == w.label]) for w in report.by_week] \
            + [(b, [r for r in records if r.bundle == b.label]) for b in report.by_bundle]:
        shares = sorted(r.changed_share for r in members if r.out_action)
        seconds = sorted(r.seconds_to_out for r in members if r.out_action)
        assert figures.drafts == len(members) and figures.left == len(shares)
        assert figures.no_guidance == sum(r.no_guidance for r in members)
        assert figures.unchanged == sum(s < 0.005 for s in shares)
        if len(seconds) > 1:
            q1, q2, q3 = statistics.quantiles(seconds, n=4, method="inclusive")
            assert (figures.seconds_p25, figures.seconds_median, figures.seconds_p75) == pytest.approx((q1, q2, q3))
            assert figures.changed_median == pytest.approx(statistics.median(shares))
            assert figures.changed_mean == pytest.approx(statistics.fmean(shares))
    assert [w.label for w in report.by_week] == sorted({r.week for r in records})
