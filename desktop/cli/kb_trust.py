"""Commands for signing and installing bundles: kb keygen, sign, verify, install, list, rollback."""

from __future__ import annotations

from pathlib import Path

import click

from desktop.cli.groups import kb
from desktop.cli.output import echo_json

trust_option = click.option(
    "--trust", "trust", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also trust this public key (.pub). For testing: in the field, IT sets trusted keys in the policy.",
)


def trusted_keys(extra):
    from knowledge.config import load_policy
    from knowledge.signing import load_trusted_keys

    return load_trusted_keys(load_policy(), extra)


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
    from knowledge.config import load_policy
    from knowledge.install import install_bundle

    info = install_bundle(bundle, trusted_keys=trusted_keys(trust), allow_downgrade=allow_downgrade or load_policy().allow_downgrade)
    if as_json:
        echo_json({"ok": True, "id": info.id, "title": info.title, "version": info.version, "path": str(info.path)})
    else:
        click.echo(f"Installed {info.title} version {info.version}. It is now the active guidance.")


@kb.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the list as one JSON object.")
def kb_list(as_json):
    """List the bundles installed on this computer, and which one is active."""
    from knowledge.install import list_installed

    bundles = list_installed()
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
    from knowledge.install import rollback_bundle

    info = rollback_bundle()
    click.echo(f"Rolled back: {info.title} version {info.version} is active again.")
