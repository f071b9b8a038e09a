"""The sample guidance and question set are what the issue asks for, and each fact is the guidance's own words."""

import csv
import json

import frontmatter
import pytest

from conftest import CONTENT_DIR, QUESTIONS

REQUIRED = ("id", "title", "url", "summary", "updated", "review_due", "owner", "tags")


def articles():
    return {p: frontmatter.load(p) for p in sorted(CONTENT_DIR.rglob("*.md"))}


def questions():
    return [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]


def test_at_least_forty_articles_with_complete_front_matter():
    found = articles()
    assert len(found) >= 40
    for path, post in found.items():
        missing = [k for k in REQUIRED if not post.get(k)]
        assert not missing, f"{path.name} lacks {missing}"
        assert str(post["url"]).startswith("https://www.gov.uk/"), path.name
        assert 150 <= len(post.content.split()) <= 1000, f"{path.name}: {len(post.content.split())} words"


def test_article_ids_are_unique():
    ids = [post["id"] for post in articles().values()]
    assert len(ids) == len(set(ids))


def test_question_set_size_and_mix():
    qs = questions()
    assert len(qs) >= 100
    assert sum(1 for q in qs if not q["expected"]) >= 10
    assert sum(1 for q in qs if q["expected"] and q.get("facts")) >= 40


def test_every_expected_document_exists():
    ids = {post["id"] for post in articles().values()}
    for q in questions():
        assert set(q["expected"]) <= ids, q


@pytest.mark.parametrize("q", [q for q in questions() if q.get("facts")], ids=lambda q: q["question"][:40])
def test_every_fact_wording_is_in_the_expected_guidance(q):
    texts = " ".join(post.content.lower() + " " + post["title"].lower() for post in articles().values() if post["id"] in q["expected"])
    for fact in q["facts"]:
        assert any(w.lower() in texts for w in fact), f"{fact} not in {q['expected']}"


def test_synonyms_file_is_well_formed():
    rows = list(csv.reader((CONTENT_DIR / "synonyms.csv").open()))
    assert rows[0] == ["term", "expansion"]
    assert len(rows) > 40 and all(len(r) == 2 and r[0] and r[1] for r in rows[1:])
