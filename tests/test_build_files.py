"""The IT team's files in build/: the policy template documents every setting and parses when filled in."""

import re
import tomllib
from dataclasses import fields
from pathlib import Path

from app.config import Policy, load_policy

BUILD = Path(__file__).resolve().parent.parent / "build"


def uncommented_policy() -> str:
    """The template with every example setting switched on (the first example of each key)."""
    seen, lines = set(), []
    for line in (BUILD / "policy.example.toml").read_text().splitlines():
        m = re.match(r"# (\w+) = (.*)", line)
        if m and m.group(1) not in seen:
            seen.add(m.group(1))
            lines.append(f"{m.group(1)} = {m.group(2)}")
    return "\n".join(lines)


def test_template_documents_every_policy_setting():
    documented = set(tomllib.loads(uncommented_policy()))
    settable = {f.name for f in fields(Policy)} - {"source", "locked"}
    assert documented == settable


def test_template_filled_in_loads_and_locks_its_settings(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(uncommented_policy())
    policy = load_policy(path)
    assert policy.threads == 4 and policy.allow_model_change is False
    assert "threads" in policy.locked and policy.source == path


def test_template_as_shipped_is_all_defaults(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text((BUILD / "policy.example.toml").read_text())
    assert load_policy(path).locked == frozenset()
