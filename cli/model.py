"""The model commands: list, verify, bench."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cli.output import echo_json
from cli.root import cli


@cli.group()
def model() -> None:
    """List, verify and benchmark the local language models."""


@model.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the list as one JSON object.")
def model_list(as_json):
    """List the models Frontdesk knows, whether each is installed, and which one is in use.

    The model in use is marked with *. It is the file the IT policy names (model_path), or else
    the small model that comes with Frontdesk. The last line names the CPU variant of llama.cpp
    this computer runs, and any variant rejected because it failed when tried.
    """
    from app.config import app_paths, load_policy
    from models.backends import ensure_cpu_backends
    from models.catalogue import list_models

    policy, paths = load_policy(), app_paths()
    listing = list_models(policy.model_path, policy.model_sha256, models=paths.models, verdicts=paths.model_verdicts)
    listing["cpu"] = ensure_cpu_backends()
    if as_json:
        echo_json(listing)
        return
    for m in listing["models"]:
        mark = "*" if m["active"] else " "
        if m["installed"]:
            where = m["path"] or ""
        else:
            where = f"not installed ({m['package']})" if m["package"] else "not found"
        click.echo(f"{mark} {m['name']}: {m['quantisation'] or '?'}, {m['size_bytes'] / 1e6:.0f} MB, context {m['context_length']:,}, "
                   f"{m['chat_format']}, {m['licence']}, shows the {m['prefers']} draft first\n    {where}")
    if listing["problem"]:
        click.echo(f"! {listing['problem']}")
    click.echo(f"llama.cpp CPU variant: {listing['cpu'].describe()}")


@model.command("verify")
@click.argument("model_path", metavar="[MODEL]", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def model_verify(model_path, as_json):
    """Check a model file is whole and has the expected sha256 (default: the model in use).

    The expected sha256 comes from the IT policy (model_sha256) or, for the models Frontdesk
    knows, from its catalogue. A file that fails is damaged or is not the model named: copy it again.
    """
    from app.config import app_paths, load_policy
    from models.catalogue import resolve_model_path, verify_model

    policy = load_policy()
    path = resolve_model_path(model_path, policy.model_path, models=app_paths().models)
    expected = policy.expected_sha256(path)
    info = verify_model(path, expected, app_paths().model_hashes)
    if as_json:
        echo_json({"ok": True, "path": str(path), "model": info, "checked_against": "policy" if expected else
                   ("catalogue" if info.sha256 and _in_catalogue(path) else "nothing (unknown file: hash shown only)")})
    else:
        click.echo(f"OK: {path}\n    {info.name}, {info.quantisation}, context {info.context_length:,}, {info.chat_format}\n"
                   f"    sha256 {info.sha256}")


def _in_catalogue(path: Path) -> bool:
    from models.catalogue import catalogue_entry

    return catalogue_entry(path) is not None


@model.command("bench")
@click.argument("model_path", metavar="[MODEL]", required=False)
@click.option("--tokens", default=64, show_default=True, type=click.IntRange(8, 1024), help="Tokens to generate.")
@click.option("--quality", "questions", type=click.Path(exists=True, path_type=Path),
              help="Also score drafts on this question set (JSONL with facts), model against extractive.")
@click.option("--bundle", type=click.Path(path_type=Path), help="Bundle for --quality (default: the installed guidance).")
@click.option("--limit", type=int, help="Score only the first N questions of the set.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def model_bench(model_path, tokens, questions, bundle, limit, as_json):
    """Measure the model's speed on this computer (and, with --quality, its drafts' quality).

    Prints the load time, how fast the model reads a prompt and writes an answer (tokens a
    second), how much sooner a second question starts thanks to the cached instructions, and
    which CPU variant of llama.cpp this computer runs.
    """
    from app.config import app_paths, load_policy
    from app.model_choice import thread_choice
    from models.catalogue import resolve_model_path
    from models.speed import measure_speed

    policy = load_policy()
    path = resolve_model_path(model_path, policy.model_path, models=app_paths().models)
    expected = policy.expected_sha256(path)
    if sys.stderr.isatty():
        click.echo("Loading and measuring the model (a few seconds)...", err=True)
    # The threads the window would use: the policy's, else Settings > Processor threads, else automatic.
    speed, runtime = measure_speed(path, threads=thread_choice(policy).count, expected_sha256=expected, max_tokens=tokens,
                                   hash_cache=app_paths().model_hashes)
    figures = {"speed": speed}
    try:
        if questions:
            from app.guidance import resolve_bundle
            from knowledge.evaluate import read_questions
            from knowledge.search import Searcher
            from models.embedder import shared_embedder
            from models.catalogue import catalogue_entry, record_verdict
            from models.quality import run_quality_bench

            with Searcher(resolve_bundle(bundle), shared_embedder()) as searcher:
                report = run_quality_bench(runtime, searcher, read_questions(questions), limit=limit)
            figures["quality"] = report
            if catalogue_entry(runtime.info.path) is None and runtime.info.sha256:
                record_verdict(app_paths().model_verdicts, runtime.info.sha256, report.verdict)  # a dropped-in model earns its default here
    finally:
        runtime.close()
    if as_json:
        echo_json(figures)
        return
    click.echo(speed.describe())
    if questions:
        click.echo(figures["quality"].describe())
