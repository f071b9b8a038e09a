"""Search speed at scale: build a 5,000-document bundle, then time 1,000 queries from the question set.

    python benchmarks/search.py [--docs 5000] [--queries 1000]

Goals (issue 2, on this 2-core machine): build at least 100 documents a second; p95 under 20 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time

from _common import CONTENT, QUESTIONS, WORK, mean, percentile

from knowledge.build import build_bundle
from knowledge.search import Searcher


def varied_copies(target: int) -> None:
    """Write `target` Markdown documents: the sample guidance repeated with varied titles, ids and wording."""
    import frontmatter

    rng = random.Random(7)
    originals = [frontmatter.load(p) for p in sorted(CONTENT.rglob("*.md"))]
    out = WORK / "bulk"
    out.mkdir()
    places = ["Leeds", "Bristol", "Cardiff", "Glasgow", "Belfast", "Norwich", "Derby", "Hull", "Luton", "Bath"]
    for n in range(target):
        post = originals[n % len(originals)]
        paragraphs = post.content.split("\n\n")
        rng.shuffle(paragraphs[1:])
        body = "\n\n".join(paragraphs)
        body = re.sub(r"\bjobcentre\b", f"jobcentre in {rng.choice(places)}", body)
        title = f"{post['title']} ({places[n % len(places)]} office {n})"
        text = frontmatter.dumps(frontmatter.Post(body, **{**post.metadata, "id": f"{post['id']}-{n}", "title": title}))
        (out / f"doc-{n:05d}.md").write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=1000)
    args = parser.parse_args()
    varied_copies(args.docs)
    started = time.perf_counter()
    summary = build_bundle([WORK / "bulk"], WORK / "bulk-1.fdkb", created="2026-01-01T00:00:00Z")
    build_s = time.perf_counter() - started
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines() if line.strip()]
    queries = [questions[i % len(questions)] for i in range(args.queries)]
    with Searcher(WORK / "bulk-1.fdkb") as searcher:
        searcher.search("warm up")
        times = []
        for q in queries:
            t = time.perf_counter()
            searcher.search(q)
            times.append((time.perf_counter() - t) * 1000)
    size_mb = (WORK / "bulk-1.fdkb").stat().st_size / 1e6
    print(f"bundle: {summary.documents} documents, {summary.passages} passages, {size_mb:.1f} MB")
    print(f"build:  {build_s:.1f} s, {summary.documents / build_s:.0f} documents/s (goal >= 100)")
    print(f"search: {len(times)} queries, mean {mean(times):.1f} ms, p50 {percentile(times, 50):.1f} ms, "
          f"p95 {percentile(times, 95):.1f} ms (goal < 20), max {max(times):.1f} ms")


if __name__ == "__main__":
    main()
