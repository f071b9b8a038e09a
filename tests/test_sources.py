"""Reading guidance sources: GOV.UK schemas beyond page bodies, links kept for kb validate, sentence ends in other scripts."""

import json
import sqlite3

from click.testing import CliRunner

from conftest import GOVUK_EXAMPLES
from cli import cli
from knowledge.build import build_bundle
from knowledge.chunking import split_sentences
from knowledge.sources import html_to_markdown, read_govuk_json
from knowledge.validate import validate_bundle


def read_example(name):
    file = GOVUK_EXAMPLES / name
    return read_govuk_json(file, name, file.read_text())


def test_withdrawn_pages_lead_with_the_notice_and_are_tagged():
    doc = read_example("detailed_guide__withdrawn_detailed_guide.json")
    assert "withdrawn" in doc.tags
    assert doc.body.startswith("This page was withdrawn on ")
    assert "out of date" in doc.body.split("\n\n")[0]


def test_collections_list_their_pages_with_addresses():
    doc = read_example("document_collection__document_collection_with_body.json")
    item = json.loads((GOVUK_EXAMPLES / "document_collection__document_collection_with_body.json").read_text())
    first = item["links"]["documents"][0]
    assert f"[{first['title']}](https://www.gov.uk{first['base_path']})" in doc.body


def test_manuals_list_their_sections():
    doc = read_example("manual__content-design.json")
    item = json.loads((GOVUK_EXAMPLES / "manual__content-design.json").read_text())
    section = item["details"]["child_section_groups"][0]["child_sections"][0]
    assert section["title"] in doc.body and "## " in doc.body


def test_consultations_say_how_to_respond():
    doc = read_example("consultation__open_consultation_with_participation.json")
    assert "## Ways to respond" in doc.body


def test_html_links_stay_links_except_anchors_and_mail():
    md = html_to_markdown('<p>See <a href="/pip">PIP guidance</a>, <a href="#top">top</a> or '
                          '<a href="mailto:a@b.org">email us</a>.</p>')
    assert "[PIP guidance](/pip)" in md and "[top]" not in md and "email us" in md and "mailto" not in md


def test_passages_carry_link_text_not_addresses(govuk_bundle):
    conn = sqlite3.connect(govuk_bundle)
    texts = [t for (t,) in conn.execute("SELECT text FROM passages")]
    assert not any("](" in t for t in texts)
    bodies = [b for (b,) in conn.execute("SELECT body FROM documents")]
    assert any("](https://www.gov.uk/" in b for b in bodies)


def test_arabic_and_urdu_sentences_are_split_at_their_own_stops():
    assert split_sentences("هل أنت مؤهل؟ تقدم الآن.") == ["هل أنت مؤهل؟", "تقدم الآن."]
    assert split_sentences("یہ پہلا جملہ ہے۔ یہ دوسرا ہے۔") == ["یہ پہلا جملہ ہے۔", "یہ دوسرا ہے۔"]
    assert split_sentences("Bring ID, e.g. a passport. Then wait.") == ["Bring ID, e.g. a passport.", "Then wait."]


def write_page(folder, name, doc_id, body):
    (folder / name).write_text(f"---\nid: {doc_id}\ntitle: \"{doc_id.title()}\"\nurl: https://www.gov.uk/{doc_id}\n---\n\n"
                               f"## Section\n\n{body} " + "You can ask a work coach about this at any time. " * 4 + "\n")


def test_validate_resolves_relative_links_between_source_files(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    write_page(src, "claim.md", "claim", "Read [who can get it](eligibility.md) and [the rules](/claim) first.")
    write_page(src, "eligibility.md", "eligibility", "See [missing page](missing.md) and [old page](https://www.gov.uk/gone-away).")
    out = tmp_path / "links-1.fdkb"
    build_bundle([src], out, created="2026-01-01T00:00:00Z")
    broken = [f for f in validate_bundle(out).findings if f.code == "broken-link"]
    assert [f.doc_id for f in broken] == ["eligibility"]
    assert "missing.md" in broken[0].message and "https://www.gov.uk/gone-away" in broken[0].message


def test_validate_flags_withdrawn_pages(govuk_bundle):
    result = CliRunner().invoke(cli, ["kb", "validate", str(govuk_bundle), "--json"])
    findings = json.loads(result.output)["findings"]
    withdrawn = {f["doc_id"] for f in findings if f["code"] == "withdrawn"}
    assert len(withdrawn) >= 5 and "guidance/eu-rules-on-the-use-of-chemicals" in withdrawn
