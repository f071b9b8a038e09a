"""kb validate and kb diff on real bundles: each finding, exit codes, and JSON."""

import json
import sqlite3
from datetime import date

from click.testing import CliRunner

from cli import cli
from knowledge.build import build_bundle
from knowledge.diff import diff_bundles
from knowledge.validate import validate_bundle


def page(doc_id, title, body, review_due="2027-01-01", url=None):
    url = url or f"https://www.gov.uk/{doc_id}"
    return f"---\nid: {doc_id}\ntitle: \"{title}\"\nurl: {url}\nreview_due: {review_due}\n---\n\n## Section\n\n{body}\n"


LONG = "You can claim this benefit if you live in the UK and meet the rules about your age and your income. " * 3


def build(tmp_path, name, pages, version=1):
    src = tmp_path / f"src-{name}"
    src.mkdir()
    for file, text in pages.items():
        (src / file).write_text(text)
    out = tmp_path / f"{name}-{version}.fdkb"
    build_bundle([src], out, version=version, created="2026-01-01T00:00:00Z")
    return out


def test_sample_guidance_validates_with_only_warnings(sample_bundle):
    report = validate_bundle(sample_bundle)
    assert not report.errors
    codes = {f.code for f in report.warnings}
    assert "review-overdue" in codes  # two sample pages are past their review date on purpose


def test_each_finding(tmp_path):
    bundle = build(tmp_path, "checks", {
        "a.md": page("a", "Same title", LONG + " See [b](https://www.gov.uk/b) and [gone](https://www.gov.uk/no-such-page)."),
        "b.md": page("b", "Same title", LONG, review_due="2020-01-01"),
        "c.md": page("c", "Short page", "Too short."),
    })
    report = validate_bundle(bundle, today=date(2026, 6, 1))
    by_code = {f.code: f for f in report.findings}
    assert by_code["duplicate-title"].level == "warning"
    assert by_code["review-overdue"].doc_id == "b"
    assert "no-such-page" in by_code["broken-link"].message and by_code["broken-link"].doc_id == "a"
    assert by_code["passage-too-short"].doc_id == "c"
    assert not report.errors


def test_errors_fail_the_command(tmp_path):
    bundle = build(tmp_path, "broken", {"a.md": page("a", "A", LONG)})
    conn = sqlite3.connect(bundle)
    conn.execute("DELETE FROM passages")
    conn.commit()
    conn.close()
    result = CliRunner().invoke(cli, ["kb", "validate", str(bundle), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["ok"] is False and payload["findings"][0]["code"] == "no-passages"


def test_validate_ok_exits_zero(sample_bundle):
    result = CliRunner().invoke(cli, ["kb", "validate", str(sample_bundle)])
    assert result.exit_code == 0 and "OK" in result.output


def test_diff_lists_added_removed_and_changed(tmp_path):
    old = build(tmp_path, "old", {"a.md": page("a", "A", LONG), "b.md": page("b", "B", LONG)}, version=1)
    new = build(tmp_path, "new", {"a.md": page("a", "A", LONG + " New rule from April."), "c.md": page("c", "C", LONG)}, version=2)
    diff = diff_bundles(old, new)
    assert diff.added == (("c", "C"),) and diff.removed == (("b", "B"),)
    assert diff.changed[0].id == "a" and diff.changed[0].lines_added == 1 and diff.changed[0].sample == ("+ New rule from April.",)
    result = CliRunner().invoke(cli, ["kb", "diff", str(old), str(new), "--json"])
    payload = json.loads(result.output)
    assert payload["old"]["version"] == 1 and payload["new"]["version"] == 2
    assert [c["id"] for c in payload["changed"]] == ["a"]
    text = CliRunner().invoke(cli, ["kb", "diff", str(old), str(new)]).output
    assert "+ added    c: C" in text and "- removed  b: B" in text


def test_diff_names_bundle_level_changes(tmp_path):
    old = build(tmp_path, "old", {"a.md": page("a", "A", LONG)}, version=1)
    src = tmp_path / "src-old"
    new = tmp_path / "renamed-2.fdkb"
    build_bundle([src], new, version=2, title="Jobcentre guidance (north)", created="2026-02-01T00:00:00Z")
    diff = diff_bundles(old, new)
    keys = {key for key, _, _ in diff.meta_changed}
    assert {"title", "version", "created_at"} <= keys
    text = CliRunner().invoke(cli, ["kb", "diff", str(old), str(new)]).output
    assert "title:" in text and "Jobcentre guidance (north)" in text and "0 changed" in text
    payload = json.loads(CliRunner().invoke(cli, ["kb", "diff", str(old), str(new), "--json"]).output)
    assert any(m["key"] == "title" and m["new"] == "Jobcentre guidance (north)" for m in payload["meta_changed"])
