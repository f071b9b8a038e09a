"""The commands staff and content teams use on guidance: search, and ask for a cited draft."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.output import echo_json
from app.rendering import sources_text
from cli.root import cli
from models.draft import DRAFT_MAX_TOKENS


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
    at most two from one page, with their page address, and then, when another passage of
    the first page holds a sentence nearer the question than theirs, that passage too.
    "No guidance found" means none of them is close enough to answer from: the closest are
    still listed. It is also said when the question asks how much something is and the page
    found gives no amount at all (--json: "no_figure_page"), or names only services the guidance
    never mentions (--json: "not_in_guidance").

    \b
    Example:
      frontdesk search "cold weather payment" -k 3
    """
    from knowledge.jsonable import search_result_json
    from app.guidance import resolve_bundle
    from knowledge.names import names_list
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
                   "signals": response.signals, "lang": response.lang, "not_in_guidance": list(response.not_in_guidance),
                   "no_figure_page": response.no_figure_page})
        return
    if not response.covered:
        click.echo("No guidance found for this question. Closest sources:" if response.results else "No guidance found.")
        if response.not_in_guidance:
            click.echo(f"(The guidance never mentions {names_list(response.not_in_guidance)}.)")
        elif response.no_figure_page:
            click.echo(f"(The page found, {response.no_figure_page}, gives no amount.)")
    if response.results:
        click.echo(sources_text(response.results, snippets=True, scores=True))
    click.echo(f"({response.elapsed_ms:.1f} ms)")


def ask_json(draft, choice, runtime=None) -> dict:
    """The design's `ask` JSON object for a finished Draft (`runtime`: the loaded model, if any)."""
    from knowledge.jsonable import search_result_json, to_jsonable

    model = draft.model or choice.info
    return {
        "question": draft.question,
        "sources": [search_result_json(r) for r in draft.sources],
        "draft": draft.text,
        "mode": draft.mode,
        "no_guidance": draft.no_guidance,
        "citations": to_jsonable(draft.citations),
        "unsupported": list(draft.unsupported),
        "alternative": draft.alternative,
        "notice": draft.notice,
        "personal_data": sorted({p.kind for p in draft.personal_data}),
        # "threads": what llama.cpp computed with (the policy, else Settings > Processor threads, else automatic).
        "model": {"name": model.name, "sha256": model.sha256, "used": draft.model is not None,
                  "threads": getattr(runtime, "llama_threads", None)} if model else None,
        "bundle": {"id": draft.bundle.id, "version": draft.bundle.version, "title": draft.bundle.title},
        "timings": to_jsonable(draft.timings),
        "answer_id": draft.approved_answer.id if draft.approved_answer else None,
        "approved_answer": approved_json(draft.approved_answer),
        "closest_answer": approved_json(draft.closest_answer),
        "changed_since_approval": list(draft.changed_since_approval),
        # A message asking several things: each part, whether the guidance answers it, and its
        # sources as [n] markers into "sources" (absent for a single question).
        **({"parts": [{"question": p.text, "covered": p.covered, "sources": [i + 1 for i in p.sources]} for p in draft.parts]}
           if draft.parts else {}),
    }


def approved_json(answer) -> dict | None:
    if answer is None:
        return None
    return {"id": answer.id, "question": answer.question, "text": answer.text, "doc_ids": list(answer.doc_ids),
            "approved": answer.approved.isoformat() if answer.approved else None, "owner": answer.owner, "label": answer.label}


@cli.command("ask")
@click.argument("question")
@click.option("--bundle", type=click.Path(path_type=Path), help="Bundle file to use (default: the installed guidance).")
@click.option("--model", type=click.Path(path_type=Path), help="GGUF model file (default: the policy's, else the embedded model).")
@click.option("--extractive", "mode", flag_value="extractive", help="Build the draft from the guidance's own sentences; no model.")
@click.option("--generated", "mode", flag_value="generated", help="Ask the model to write the draft (checked against the sources).")
@click.option("--max-tokens", default=DRAFT_MAX_TOKENS, show_default=True, type=click.IntRange(8, 2048), help="Longest draft the model may write.")
@click.option("--json", "as_json", is_flag=True, help="Print the draft, sources and timings as one JSON object.")
def ask(question, bundle, model, mode, max_tokens, as_json):
    """Draft a cited answer to QUESTION from the guidance.

    Use - as QUESTION to read a pasted message from standard input. Sources are shown first, then
    the draft. Which draft comes first depends on the model: with the small embedded model it is
    the guidance's own sentences (use --generated to have the model write one).
    """
    from app.config import load_policy
    from app.guidance import resolve_bundle
    from app.model_choice import choose_model, load_runtime
    from knowledge.search import Searcher
    from models.draft import DoneEvent, RestartEvent, SourcesEvent, TokenEvent
    from models.drafting import stream_draft
    from models.embedder import shared_embedder
    from models.errors import ModelError

    if question == "-":
        question = sys.stdin.read()
    policy = load_policy()
    choice = choose_model(model, policy)
    mode = mode or "auto"
    runtime, unavailable = None, choice.problem
    if mode == "generated" or (mode == "auto" and choice.prefers == "generated"):
        try:
            if not as_json:
                click.echo(f"Loading {choice.info.name if choice.info else 'model'}...", err=True)
            runtime = load_runtime(choice, policy)
        except ModelError as exc:
            unavailable = str(exc)
            click.echo(f"Model not available: {exc}", err=True)
    try:
        streamed = False
        with Searcher(resolve_bundle(bundle), shared_embedder()) as searcher:
            for event in stream_draft(question, searcher, runtime, mode=mode, max_tokens=max_tokens, unavailable=unavailable,
                                      prefers=choice.prefers):
                if as_json:
                    if isinstance(event, DoneEvent):
                        echo_json(ask_json(event.draft, choice, runtime))
                    continue
                if isinstance(event, SourcesEvent):
                    click.secho("Sources" if event.covered else "No guidance found. Closest sources:", bold=True)
                    click.echo(sources_text(event.sources))
                    click.secho("\nDraft", bold=True)
                elif isinstance(event, RestartEvent):
                    click.secho("\n[The office server stopped; the model on this computer starts again]", fg="yellow")
                elif isinstance(event, TokenEvent):
                    streamed = True
                    click.echo(event.text, nl=False)
                elif isinstance(event, DoneEvent):
                    print_done(event.draft, streamed)
    finally:
        if runtime is not None:
            runtime.close()


def print_done(draft, streamed: bool) -> None:
    if streamed:
        click.echo()  # ends the streamed text's line
    notice = draft.notice
    if draft.approved_answer is not None:
        click.secho(draft.approved_answer.label, fg="green")
    if draft.mode in ("extractive", "approved"):
        if streamed and draft.alternative:
            # The model's text is on the screen already: say why it was set aside, then the draft.
            click.secho(f"\n{notice}", fg="yellow")
            click.secho("\nThe guidance's own sentences:", bold=True)
            notice = ""
        click.echo(draft.text)
    click.echo()
    for sentence in draft.unsupported:
        click.secho(f"! Not found in the sources it cites: {sentence}", fg="yellow")
    if draft.personal_data:
        kinds = ", ".join(sorted({p.kind for p in draft.personal_data}))
        click.secho(f"! The question contains personal data ({kinds}). Remove it before you save or share.", fg="yellow")
    if notice:
        click.secho(notice, fg="yellow" if draft.changed_since_approval else None, dim=not draft.changed_since_approval)
    if draft.closest_answer is not None:
        click.secho(f"Closest approved answer ({draft.closest_answer.label}): {draft.closest_answer.question}", dim=True)
        click.echo(f"  {draft.closest_answer.text}")
    t = draft.timings
    speed = f", first token {t.first_token_ms:.0f} ms, {t.tokens_per_s:.0f} tokens/s" if t.first_token_ms and t.tokens_per_s else ""
    click.secho(f"({draft.mode}; search {t.retrieval_ms:.0f} ms, total {t.total_ms:.0f} ms{speed})", dim=True)
