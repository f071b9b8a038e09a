"""Building bundles: every source kind, determinism, atomic writes, and each bad source's message."""

import sqlite3

import pytest
from click.testing import CliRunner

from conftest import CONTENT_DIR
from cli import cli
from knowledge.build import build_bundle
from knowledge.bundle import read_bundle_info
from knowledge.errors import BundleError, SourceError
from knowledge.search import Searcher

GOOD = """---
id: claim-guide
title: "Universal Credit: how to claim"
url: https://www.gov.uk/universal-credit/how-to-claim
updated: 2025-01-02
review_due: 2027-01-01
owner: Content team
tags: [uc]
---

## Claim online

You claim Universal Credit online. You need an email address and a bank account to make your claim, and you will be asked about your rent and your income.
"""


def write(folder, name, text, mode="w"):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_sample_content_builds_with_passages_under_headings(sample_bundle):
    info = read_bundle_info(sample_bundle)
    assert (info.id, info.version, info.title) == ("frontdesk-sample", 1, "Sample guidance")
    conn = sqlite3.connect(sample_bundle)
    docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    words = [len(t.split()) for (t,) in conn.execute("SELECT text FROM passages")]
    headings = conn.execute("SELECT count(*) FROM passages WHERE heading != ''").fetchone()[0]
    assert docs >= 40 and len(words) > docs
    assert headings == len(words), "every passage of the sample guidance sits under a heading"
    assert max(words) <= 250 and sum(1 for w in words if w >= 40) / len(words) > 0.9
    assert conn.execute("SELECT count(*) FROM synonyms").fetchone()[0] >= 40
    assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] >= 1


def test_build_is_byte_identical_for_the_same_sources(tmp_path):
    a, b = tmp_path / "a-1.fdkb", tmp_path / "b-1.fdkb"
    for out in (a, b):
        build_bundle([CONTENT_DIR], out, bundle_id="x", title="X", version=1, created="2026-01-01T00:00:00Z")
    assert a.read_bytes() == b.read_bytes()


def test_source_date_epoch_fixes_created_at(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    write(tmp_path / "src", "a.md", GOOD)
    build_bundle([tmp_path / "src"], tmp_path / "g-3.fdkb")
    info = read_bundle_info(tmp_path / "g-3.fdkb")
    assert info.created_at == "2026-01-01T00:00:00Z" and info.version == 3 and info.id == "g"


def test_all_govuk_examples_build_and_keep_their_addresses(govuk_bundle):
    conn = sqlite3.connect(govuk_bundle)
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 138
    urls = [u for (u,) in conn.execute("SELECT url FROM documents")]
    assert all(u.startswith("https://www.gov.uk/") for u in urls)
    assert conn.execute("SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM passages p WHERE p.doc_id = d.id)").fetchone()[0] == 0
    parts = conn.execute("SELECT count(DISTINCT heading) FROM passages WHERE doc_id LIKE '%apply-for-a-tier-4%'").fetchone()[0]
    assert parts >= 2


def test_html_page_title_and_main_content_only(tmp_path):
    page = """<html><head><title>Page title</title></head><body><nav>Menu Home Contact</nav>
    <main><h1>Help with heating</h1><h2>Who can get it</h2><p>You can get help with heating if you get Pension Credit and live alone in a cold home this winter.</p>
    <ul><li>first item</li><li>second item</li></ul></main><footer>Cookies</footer></body></html>"""
    write(tmp_path / "src", "heating.html", page)
    build_bundle([tmp_path / "src"], tmp_path / "h-1.fdkb")
    conn = sqlite3.connect(tmp_path / "h-1.fdkb")
    title, body = conn.execute("SELECT title, body FROM documents").fetchone()
    assert title == "Help with heating"
    assert "Menu" not in body and "Cookies" not in body and "- first item" in body
    assert conn.execute("SELECT heading FROM passages").fetchone()[0] == "Who can get it"


@pytest.mark.parametrize("name, content, message", [
    ("bad.md", "---\ntitle: Universal Credit: eligibility\nurl: x\n---\nBody text here.", "line 2"),
    ("notitle.md", "---\nurl: https://www.gov.uk/x\n---\nSome body text with no heading at all.", "no title"),
    ("latin1.md", "---\ntitle: Caf\xe9\n---\nBody".encode("latin-1"), "not UTF-8"),
    ("empty.md", "", "the file is empty"),
    ("open.md", "---\ntitle: x\nno end", "front matter is not closed"),
    ("bad.json", "{not json", "not valid JSON"),
    ("date.md", "---\ntitle: X\nupdated: next tuesday\n---\nBody", "is not a date"),
])
def test_bad_sources_name_the_file_and_the_fix(tmp_path, name, content, message):
    src = tmp_path / "src"
    write(src, "good.md", GOOD)
    write(src, name, content)
    out = tmp_path / "out-1.fdkb"
    with pytest.raises(SourceError) as error:
        build_bundle([src], out)
    assert name in str(error.value) and message in str(error.value)
    assert not out.exists(), "a bad source never leaves a bundle behind"
    assert not list(tmp_path.glob(".out-1.fdkb*")), "nor a temporary file"


def test_malformed_yaml_message_explains_the_colon(tmp_path):
    write(tmp_path / "src", "bad.md", "---\ntitle: Universal Credit: eligibility\n---\nBody")
    with pytest.raises(SourceError, match="needs quotes"):
        build_bundle([tmp_path / "src"], tmp_path / "o-1.fdkb")


def test_duplicate_ids_name_both_files(tmp_path):
    write(tmp_path / "src", "one.md", GOOD)
    write(tmp_path / "src", "two.md", GOOD)
    with pytest.raises(SourceError) as error:
        build_bundle([tmp_path / "src"], tmp_path / "o-1.fdkb")
    assert "one.md" in str(error.value) and "two.md" in str(error.value) and "claim-guide" in str(error.value)


def test_empty_folder_and_missing_path(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="the folder is empty"):
        build_bundle([tmp_path / "empty"], tmp_path / "o-1.fdkb")
    with pytest.raises(SourceError, match="no such file or folder"):
        build_bundle([tmp_path / "nowhere"], tmp_path / "o-1.fdkb")


def test_a_failed_rebuild_leaves_the_existing_bundle_untouched(tmp_path):
    src = tmp_path / "src"
    write(src, "good.md", GOOD)
    out = tmp_path / "g-1.fdkb"
    build_bundle([src], out)
    before = out.read_bytes()
    write(src, "broken.md", b"\x00\x01binary")
    with pytest.raises(SourceError, match="binary file"):
        build_bundle([src], out)
    assert out.read_bytes() == before


def test_unknown_file_types_are_warnings(tmp_path):
    write(tmp_path / "src", "good.md", GOOD)
    write(tmp_path / "src", "notes.docx", "x")
    summary = build_bundle([tmp_path / "src"], tmp_path / "g-1.fdkb")
    assert any("notes.docx" in w for w in summary.warnings)


def test_kb_build_command_prints_a_summary(tmp_path):
    write(tmp_path / "src", "good.md", GOOD)
    result = CliRunner().invoke(cli, ["kb", "build", str(tmp_path / "src"), "-o", str(tmp_path / "g-2.fdkb"), "--title", "Guide"])
    assert result.exit_code == 0, result.output
    assert "1 documents" in result.output and "version 2" in result.output


def test_kb_build_command_error_is_one_line(tmp_path):
    from cli import main

    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit) as exit_info:
        main(["kb", "build", str(tmp_path / "empty"), "-o", str(tmp_path / "g-1.fdkb")])
    assert exit_info.value.code == 1


@pytest.mark.parametrize("content, message", [
    (b"not a database at all", "not a Frontdesk bundle"),
    (b"SQLite format 3\x00" + b"\x00" * 200, "damaged"),
])
def test_opening_a_corrupt_bundle_says_so(tmp_path, content, message):
    path = tmp_path / "bad-1.fdkb"
    path.write_bytes(content)
    with pytest.raises(BundleError, match=message):
        read_bundle_info(path)


def test_missing_bundle_file(tmp_path):
    with pytest.raises(BundleError, match="no such bundle file"):
        Searcher(tmp_path / "none.fdkb")


def test_a_bundle_from_another_format_version_is_refused(tmp_path):
    from knowledge.validate import validate_bundle

    write(tmp_path / "src", "good.md", GOOD)
    out = tmp_path / "g-1.fdkb"
    build_bundle([tmp_path / "src"], out)
    conn = sqlite3.connect(out)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(BundleError, match="schema version 99"):
        read_bundle_info(out)
    report = validate_bundle(out)
    assert report.errors and "schema version 99" in report.errors[0].message


def test_kb_build_shows_progress_on_a_terminal(tmp_path):
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    process = subprocess.run([sys.executable, "-c", "from cli import main; main()", "kb", "build", str(CONTENT_DIR), "-o", str(tmp_path / "t-1.fdkb")],
                             stdin=follower, stdout=follower, stderr=follower, cwd=CONTENT_DIR.parent.parent, timeout=600)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    text = seen.decode("utf-8", "replace")
    assert process.returncode == 0 and "Building" in text and "100%" in text and "46 documents" in text
