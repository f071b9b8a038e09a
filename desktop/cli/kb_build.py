"""Commands for content teams: kb build, kb validate, kb diff."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from desktop.cli.groups import kb
from desktop.cli.output import echo_json, progress_bar


@kb.command("build")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The bundle file to write, named NAME-VERSION.fdkb, e.g. jobcentre-guidance-12.fdkb.")
@click.option("--id", "bundle_id", help="The bundle's id (default: NAME from the output file name).")
@click.option("--title", help="The title staff see in the status bar, e.g. 'Jobcentre guidance'.")
@click.option("--version", type=int, help="The release number; must rise with every release (default: VERSION from the file name).")
@click.option("--created", help="Fixed creation time (ISO), for byte-identical rebuilds. SOURCE_DATE_EPOCH also works.")
@click.option("--no-default-synonyms", "default_synonyms", is_flag=True, flag_value=False, default=True,
              help="Leave out Frontdesk's public-service lexicon (UC, PIP, 'the dole', 'sick money'...): only your synonyms.csv.")
@click.option("--no-vectors", is_flag=True,
              help="Leave out the passage embeddings (faster to build; the bundle is then searched by words only).")
def kb_build(sources, output, bundle_id, title, version, created, default_synonyms, no_vectors):
    """Build a knowledge bundle from guidance sources.

    SOURCES are files or folders of Markdown pages with front matter (.md), HTML pages (.html) and
    GOV.UK content items (.json). A synonyms.csv (term,expansion) and an answers.yaml among them are
    read too, and Frontdesk's public-service lexicon of abbreviations and everyday words is merged in
    (your synonyms.csv wins on a term both define). The bundle is written only if every source reads
    cleanly.

    Every passage is also embedded with the pinned embedding model (all-MiniLM-L6-v2), so questions
    find guidance by meaning as well as by words: about 0.1 s a passage on a 2-core laptop.
    --no-vectors leaves that out.
    """
    from knowledge.build import build_bundle

    embedder = None
    if not no_vectors:
        from models.embedder import shared_embedder

        embedder = shared_embedder()
    with progress_bar("Building") as report:
        summary = build_bundle(sources, output, bundle_id=bundle_id, title=title, version=version, created=created,
                               on_progress=report, default_synonyms=default_synonyms, embedder=embedder)
    click.echo(summary.describe())


@kb.command("validate")
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as one JSON object.")
def kb_validate(bundle, as_json):
    """Check a bundle for problems before you sign and release it.

    Checks the format version, the file's integrity, required fields, links between documents that
    point nowhere, duplicate titles, passages too long or too short, review dates that have passed,
    documents with no text, and passage vectors missing (searched by words only) or from another
    embedding model. Exits 1 if there are errors; warnings alone exit 0.
    """
    from knowledge.validate import validate_bundle
    from models.embedder import shared_embedder

    report = validate_bundle(bundle, embedder=shared_embedder())
    if as_json:
        echo_json(report.as_json())
    else:
        click.echo(report.describe())
    if report.errors:
        sys.exit(1)


@kb.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the differences as one JSON object.")
def kb_diff(old, new, as_json):
    """Show what changed between two versions of a bundle.

    Lists documents added, removed and changed, with a short summary of each change.
    """
    from knowledge.diff import diff_bundles

    diff = diff_bundles(old, new)
    if as_json:
        echo_json(diff.as_json())
    else:
        click.echo(diff.describe())
