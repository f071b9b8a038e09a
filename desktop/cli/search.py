"""Commands for finding guidance: search, and kb eval to measure it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from desktop.cli.groups import cli, kb
from desktop.cli.output import echo_json


@cli.command("search")
@click.argument("query")
@click.option("--bundle", type=click.Path(path_type=Path),
              help="Bundle file to search (default: the installed guidance, or the sample guidance if none is installed).")
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 50), help="How many passages to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as one JSON object.")
def search(query, bundle, k, as_json):
    """Find the guidance passages that best match QUERY.

    QUERY is plain words, as a citizen would ask it ("can I get uc if I work part time");
    quotes, brackets and AND/OR are read as ordinary text. Shows the passages best first,
    at most two from one page, with their page address. "No guidance found" means none of
    them is close enough to answer from: the closest are still listed.

    \b
    Example:
      frontdesk search "cold weather payment" -k 3
    """
    from knowledge.jsonable import search_result_json
    from knowledge.sample import resolve_bundle
    from knowledge.search import Searcher
    from models.embedder import shared_embedder

    with Searcher(resolve_bundle(bundle), shared_embedder()) as searcher:
        response = searcher.search(query, k)
    if as_json:
        echo_json({"query": query,
                   "results": [{**search_result_json(r), "matched_terms": list(r.matched_terms)} for r in response.results],
                   "elapsed_ms": round(response.elapsed_ms, 2), "covered": response.covered,
                   "confidence": round(response.confidence, 4),
                   "searched_by": "words and meaning" if response.signals and response.signals.cosine is not None else "words",
                   "signals": response.signals, "lang": response.lang})
        return
    if not response.covered:
        click.echo("No guidance found for this question. Closest sources:" if response.results else "No guidance found.")
    for n, r in enumerate(response.results, start=1):
        p = r.passage
        click.echo(f"[{n}] {p.title}{' > ' + p.heading if p.heading else ''}  ({r.score:.1f})")
        click.echo(f"    {p.url}")
        click.echo(f"    {p.text[:200].replace(chr(10), ' ')}{'...' if len(p.text) > 200 else ''}")
    click.echo(f"({response.elapsed_ms:.1f} ms)")


@kb.command("eval")
@click.argument("bundle", type=click.Path(path_type=Path))
@click.argument("questions", type=click.Path(path_type=Path))
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 50), help="Count a hit within the top K passages.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
@click.option("--calibrate", is_flag=True,
              help="Refit the 'No guidance found' rule on these questions and store it in BUNDLE (sign it again afterwards).")
def kb_eval(bundle, questions, k, as_json, calibrate):
    """Measure how well BUNDLE finds the right guidance for a question set.

    QUESTIONS is a text file with one question a line, written as JSON:

    \b
      {"question": "can i get uc at 16", "expected": ["uc-16-17"]}
      {"question": "how much is a tv licence", "expected": []}

    "expected" lists the pages that answer it: document ids, addresses, or address paths such as
    "/universal-credit". An empty list means the guidance should say "No guidance found".
    An optional "facts" list ([["£100"], ["every 4 weeks", "every four weeks"]]) names wordings a
    good answer needs. Prints recall@1 and recall@K (share of questions whose page is first, or in
    the top K), MRR (1 for first place, 1/2 for second...), facts@K, and the questions missed.
    It also counts the questions that draw an approved answer, and how many of those get the right
    one (the id in an optional "answer" key, else an answer resting on an expected page).

    --calibrate refits the rule that decides "No guidance found" on these questions (at least 5 in
    scope and 5 out of scope; use questions you will not also report figures on), stores it in
    BUNDLE, then measures with it. The bundle's bytes change: sign it again with `kb sign`.
    """
    from knowledge.evaluate import calibrate_rule, evaluate_retrieval, read_questions
    from knowledge.search import Searcher
    from models.embedder import shared_embedder

    items = read_questions(questions)
    rule = None
    if calibrate:
        from knowledge.calibration import store_rule

        with Searcher(bundle, shared_embedder()) as searcher:
            rule = calibrate_rule(searcher, items, fitted_on=Path(questions).name)
        store_rule(bundle, rule)
        click.echo(f"Stored the refitted 'No guidance found' rule in {bundle}. Its signature no longer matches: "
                   f"sign it again with `frontdesk kb sign {bundle} --key KEYFILE`.", err=True)
    with Searcher(bundle, shared_embedder()) as searcher:
        report = evaluate_retrieval(searcher, items, k)
    if as_json:
        payload = report.as_json()
        if rule is not None:
            payload["calibrated"] = json.loads(rule.to_meta())
        echo_json(payload)
    else:
        click.echo(report.describe())
