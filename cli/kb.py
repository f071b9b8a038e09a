"""The kb commands, for content teams: build, validate, diff, eval; keygen, sign, verify; install, list, rollback."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cli.output import echo_json, progress_bar
from cli.root import cli


@cli.group()
def kb() -> None:
    """Build, check, sign and install knowledge bundles (for content teams)."""


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


trust_option = click.option(
    "--trust", "trust", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also trust this public key (.pub). For testing: in the field, IT sets trusted keys in the policy.",
)


def trusted_keys(extra):
    """The policy's trusted keys plus any --trust files."""
    from app.config import load_policy
    from knowledge.signing import load_trusted_keys

    return load_trusted_keys(load_policy().trusted_keys, extra)


@kb.command("keygen")
@click.argument("keyfile", type=click.Path(dir_okay=False, path_type=Path))
def kb_keygen(keyfile):
    """Make a new signing key: KEYFILE (private, keep it safe) and KEYFILE's .pub (give it to IT)."""
    from knowledge.signing import generate_keypair, key_id, load_public_key

    pub = generate_keypair(keyfile)
    click.echo(f"Private key: {keyfile} (only you can read it; keep it off shared drives)")
    click.echo(f"Public key:  {pub} (key id {key_id(load_public_key(pub))}; IT adds it to trusted_keys in the policy)")


@kb.command("sign")
@click.argument("bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "keyfile", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Your private key file from kb keygen.")
def kb_sign(bundle, keyfile):
    """Sign BUNDLE, writing BUNDLE's .fdkb.sig beside it. Ship both files together."""
    from knowledge.signing import sign_bundle

    click.echo(f"Signed: {sign_bundle(bundle, keyfile)}")


@kb.command("verify")
@click.argument("bundle", type=click.Path(path_type=Path))
@trust_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def kb_verify(bundle, trust, as_json):
    """Check that BUNDLE is unchanged since it was signed, by a trusted key."""
    from knowledge.signing import verify_bundle

    info = verify_bundle(bundle, trusted_keys(trust))
    if as_json:
        echo_json({"ok": True, "bundle": str(bundle), "id": info.bundle_id, "version": info.version, "key_id": info.key_id,
                   "sha256": info.bundle_sha256})
    else:
        click.echo(f"OK: {bundle} is {info.bundle_id} version {info.version}, unchanged, signed by trusted key {info.key_id}.")


@kb.command("install")
@click.argument("bundle", type=click.Path(path_type=Path))
@trust_option
@click.option("--allow-downgrade", is_flag=True, help="Allow replacing a newer version with an older one.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def kb_install(bundle, trust, allow_downgrade, as_json):
    """Check and install a signed bundle, and make it the guidance Frontdesk uses.

    The bundle is copied first, then its signature and integrity are checked; only then does it
    become active. The version it replaces is kept for `frontdesk kb rollback`.
    """
    from app.config import app_paths, load_policy
    from knowledge.install import install_bundle

    info = install_bundle(bundle, data=app_paths().data, trusted_keys=trusted_keys(trust),
                          allow_downgrade=allow_downgrade or load_policy().allow_downgrade)
    if as_json:
        echo_json({"ok": True, "id": info.id, "title": info.title, "version": info.version, "path": str(info.path)})
    else:
        click.echo(f"Installed {info.title} version {info.version}. It is now the active guidance.")


@kb.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the list as one JSON object.")
def kb_list(as_json):
    """List the bundles installed on this computer, and which one is active."""
    from app.config import app_paths
    from knowledge.install import list_installed

    bundles = list_installed(app_paths().data)
    if as_json:
        echo_json({"bundles": bundles})
        return
    if not bundles:
        click.echo("No bundles installed: Frontdesk uses its sample guidance. Install one with `frontdesk kb install`.")
    for b in bundles:
        click.echo(f"{'*' if b.active else ' '} {b.id} version {b.version}: {b.title} (installed {b.installed_at[:10]})")


@kb.command("rollback")
def kb_rollback():
    """Go back to the bundle that was active before the last install."""
    from app.config import app_paths
    from knowledge.install import rollback_bundle

    info = rollback_bundle(app_paths().data)
    click.echo(f"Rolled back: {info.title} version {info.version} is active again.")
