"""Commands for the language models: model list, verify, bench."""

from __future__ import annotations

import time
from pathlib import Path

import click

from desktop.cli.groups import model
from desktop.cli.output import echo_json


@model.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the list as one JSON object.")
def model_list(as_json):
    """List the models Frontdesk knows, whether each is installed, and which one is in use."""
    from knowledge.config import load_policy
    from knowledge.errors import ModelError
    from models.catalogue import CATALOGUE, SMOLLM2, describe_model, embedded_model_path, resolve_model_path

    policy = load_policy()
    try:
        active = resolve_model_path(None, policy)
    except ModelError:
        active = None
    rows = []
    for entry in CATALOGUE:
        try:
            path = embedded_model_path() if entry is SMOLLM2 else (active if active and active.name == entry.filename else None)
        except ModelError:
            path = None
        info = describe_model(path) if path else None
        rows.append({"name": entry.name, "file": entry.filename, "installed": path is not None, "path": str(path) if path else None,
                     "size_bytes": info.size_bytes if info else entry.size, "sha256": entry.sha256, "licence": entry.licence,
                     "quantisation": info.quantisation if info else "", "context_length": info.context_length if info else entry.context_length,
                     "chat_format": info.chat_format if info else entry.chat_format, "prefers": entry.prefers,
                     "active": bool(path and active and path == active)})
    if active is not None and not any(r["active"] for r in rows):
        info = describe_model(active)
        rows.append({"name": info.name, "file": active.name, "installed": True, "path": str(active), "size_bytes": info.size_bytes,
                     "sha256": policy.model_sha256 or "", "licence": "see the model's card", "quantisation": info.quantisation,
                     "context_length": info.context_length, "chat_format": info.chat_format, "prefers": "extractive", "active": True})
    if as_json:
        echo_json({"models": rows})
        return
    for r in rows:
        mark = "*" if r["active"] else " "
        where = r["path"] or f"not in use: point --model or the policy at {r['file']}"
        click.echo(f"{mark} {r['name']}: {r['quantisation'] or '?'}, {r['size_bytes'] / 1e6:.0f} MB, context {r['context_length']}, "
                   f"{r['chat_format']}, {r['licence']}, shows {r['prefers']} draft first\n    {where}")


@model.command("verify")
@click.argument("model_path", required=False, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def model_verify(model_path, as_json):
    """Check a model file is whole and has the expected sha256 (default: the model in use)."""
    from knowledge.config import load_policy
    from models.catalogue import resolve_model_path, verify_model

    policy = load_policy()
    path = resolve_model_path(model_path, policy)
    expected = policy.model_sha256 if policy.model_path and Path(policy.model_path) == path else None
    info = verify_model(path, expected)
    if as_json:
        echo_json({"ok": True, "model": info})
    else:
        click.echo(f"OK: {path} is {info.name} {info.quantisation}, sha256 {info.sha256}.")


@model.command("bench")
@click.argument("model_path", required=False, type=click.Path(path_type=Path))
@click.option("--quality", "questions", type=click.Path(exists=True, path_type=Path),
              help="Also score drafts on this question set (JSONL with facts), model against extractive.")
@click.option("--bundle", type=click.Path(path_type=Path), help="Bundle for --quality (default: the installed guidance).")
@click.option("--limit", type=int, help="Score only the first N questions of the set.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def model_bench(model_path, questions, bundle, limit, as_json):
    """Measure the model's speed on this computer (and, with --quality, its drafts' quality)."""
    from knowledge.config import load_policy
    from models.backends import ensure_cpu_backends
    from models.loading import choose_model, load_runtime
    from models.prompting import SYSTEM_PROMPT

    policy = load_policy()
    choice = choose_model(model_path, policy)
    started = time.perf_counter()
    runtime = load_runtime(choice, policy)
    load_ms = (time.perf_counter() - started) * 1000
    backend = ensure_cpu_backends()
    filler = " ".join(["Universal Credit is paid monthly into a bank account."] * 30)
    messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": filler + "\nQuestion: when is it paid?"}]
    runtime.close()
    runtime = load_runtime(choice, policy)  # cold cache: measure the whole prompt
    started = time.perf_counter()
    first, n = None, 0
    for _ in runtime.generate(messages, max_tokens=64, temperature=0.0):
        n += 1
        if first is None:
            first = time.perf_counter()
    end = time.perf_counter()
    stats = runtime.last_stats
    figures = {
        "model": runtime.info, "load_ms": round(load_ms), "cpu_variant": backend.variant, "threads": runtime.threads,
        "prompt_tokens": stats.prompt_tokens, "prompt_tokens_per_s": round(stats.prompt_tokens / (stats.prompt_ms / 1000), 1),
        "generated_tokens": n, "generation_tokens_per_s": round((n - 1) / (end - first), 1) if first and n > 1 else None,
    }
    if questions:
        from knowledge.evaluate import read_questions
        from knowledge.sample import resolve_bundle
        from knowledge.search import Searcher
        from models.quality import run_quality_bench

        from models.catalogue import catalogue_entry, record_verdict

        with Searcher(resolve_bundle(bundle)) as searcher:
            report = run_quality_bench(runtime, searcher, read_questions(questions), limit=limit)
        figures["quality"] = report
        if catalogue_entry(runtime.info.path) is None and runtime.info.sha256:
            record_verdict(runtime.info.sha256, report.verdict)  # a dropped-in model earns its default here
    runtime.close()
    if as_json:
        echo_json(figures)
        return
    click.echo(f"{runtime.info.name} {runtime.info.quantisation} on {runtime.threads} threads, CPU variant {backend.variant}")
    click.echo(f"  load            {figures['load_ms']} ms")
    click.echo(f"  prompt          {figures['prompt_tokens_per_s']} tokens/s ({stats.prompt_tokens} tokens)")
    click.echo(f"  generation      {figures['generation_tokens_per_s']} tokens/s")
    if questions:
        click.echo(figures["quality"].describe())
