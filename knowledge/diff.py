"""What changed between two versions of a bundle, document by document."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from knowledge.bundle import bundle_info_from, open_bundle


@dataclass(frozen=True, slots=True)
class ChangedDocument:
    id: str
    title: str
    lines_added: int
    lines_removed: int
    fields_changed: tuple[str, ...]
    sample: tuple[str, ...]  # the first changed lines, "+ ..." / "- ..."


@dataclass(frozen=True, slots=True)
class SynonymChange:
    """A synonym term added, removed or given other expansions, and where it came from."""

    term: str
    old: tuple[str, ...]  # its expansions before (empty: added)
    new: tuple[str, ...]  # after (empty: removed)
    origin: str  # "team" or "lexicon" (the new bundle's, else the old one's)

    @property
    def kind(self) -> str:
        return "added" if not self.old else "removed" if not self.new else "changed"


@dataclass(frozen=True, slots=True)
class BundleDiff:
    old: str
    new: str
    old_version: int
    new_version: int
    added: tuple[tuple[str, str], ...]  # (id, title)
    removed: tuple[tuple[str, str], ...]
    changed: tuple[ChangedDocument, ...]
    unchanged: int
    meta_changed: tuple[tuple[str, str, str], ...] = ()  # (key, old value, new value)
    synonyms_changed: tuple[SynonymChange, ...] = ()

    def synonyms(self, kind: str) -> tuple[SynonymChange, ...]:
        return tuple(c for c in self.synonyms_changed if c.kind == kind)

    def as_json(self) -> dict:
        return {
            "old": {"path": self.old, "version": self.old_version},
            "new": {"path": self.new, "version": self.new_version},
            "added": [{"id": i, "title": t} for i, t in self.added],
            "removed": [{"id": i, "title": t} for i, t in self.removed],
            "changed": [{"id": c.id, "title": c.title, "lines_added": c.lines_added, "lines_removed": c.lines_removed,
                         "fields_changed": list(c.fields_changed), "sample": list(c.sample)} for c in self.changed],
            "unchanged": self.unchanged,
            "meta_changed": [{"key": k, "old": a, "new": b} for k, a, b in self.meta_changed],
            "synonyms": {
                "added": [{"term": c.term, "expansions": list(c.new), "origin": c.origin} for c in self.synonyms("added")],
                "removed": [{"term": c.term, "expansions": list(c.old), "origin": c.origin} for c in self.synonyms("removed")],
                "changed": [{"term": c.term, "old": list(c.old), "new": list(c.new), "origin": c.origin}
                            for c in self.synonyms("changed")],
            },
        }

    def describe(self) -> str:
        lines = [f"Version {self.old_version} -> {self.new_version}: {len(self.added)} added, {len(self.removed)} removed, "
                 f"{len(self.changed)} changed, {self.unchanged} unchanged."]
        lines += [f"  {key}: {a!r} -> {b!r}" for key, a, b in self.meta_changed if key != "version"]
        lines += [f"+ added    {i}: {t}" for i, t in self.added]
        lines += [f"- removed  {i}: {t}" for i, t in self.removed]
        for c in self.changed:
            fields = f" (also {', '.join(f for f in c.fields_changed if f != 'body')})" if set(c.fields_changed) - {"body"} else ""
            lines.append(f"~ changed  {c.id}: {c.title}: +{c.lines_added} -{c.lines_removed} lines{fields}")
            lines += [f"      {s}" for s in c.sample]
        if self.synonyms_changed:
            lines.append(f"Synonyms: {len(self.synonyms('added'))} added, {len(self.synonyms('removed'))} removed, "
                         f"{len(self.synonyms('changed'))} changed.")
            for c in self.synonyms_changed:
                what = {"added": f"-> {'; '.join(c.new)}", "removed": f"(was {'; '.join(c.old)})",
                        "changed": f"{'; '.join(c.old)} -> {'; '.join(c.new)}"}[c.kind]
                lines.append(f"{ {'added': '+', 'removed': '-', 'changed': '~'}[c.kind]} synonym  {c.term} {what} ({c.origin})")
        return "\n".join(lines)


FIELDS = ("title", "url", "summary", "body", "updated", "review_due", "owner", "tags")


def read_bundle_with_synonyms(path: Path) -> tuple[int, dict[str, str], dict[str, dict], dict[str, tuple[tuple[str, ...], str]]]:
    """A bundle's version, meta table, documents by id, and synonyms: term -> (expansions, origin)."""
    conn = open_bundle(path)
    try:
        version = bundle_info_from(conn, path).version
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        rows = conn.execute(f"SELECT id, {', '.join(FIELDS)} FROM documents").fetchall()
        columns = {r[1] for r in conn.execute("PRAGMA table_info(synonyms)")}
        origin = "origin" if "origin" in columns else "'team'"  # a bundle built before the lexicon: all the team's
        pairs = conn.execute(f"SELECT term, expansion, {origin} FROM synonyms ORDER BY rowid").fetchall()
    finally:
        conn.close()
    synonyms: dict[str, tuple[tuple[str, ...], str]] = {}
    for term, expansion, source in pairs:
        expansions, first = synonyms.get(term, ((), source))
        synonyms[term] = (expansions + (expansion,), first)
    return version, meta, {r[0]: dict(zip(FIELDS, r[1:])) for r in rows}, synonyms


def synonym_changes(before: dict, after: dict) -> tuple[SynonymChange, ...]:
    """Terms added, removed, or whose expansions changed, term by term in alphabetical order."""
    changes = []
    for term in sorted(before.keys() | after.keys()):
        old, old_origin = before.get(term, ((), ""))
        new, new_origin = after.get(term, ((), ""))
        if sorted(old) != sorted(new):
            changes.append(SynonymChange(term, tuple(sorted(old)), tuple(sorted(new)), new_origin or old_origin))
    return tuple(changes)


def changed_words(before: str, after: str, most: int = 4) -> tuple[str, ...]:
    """The first few runs of words added ("+ ...") or removed ("- ..."), so a long paragraph's change shows."""
    old, new = before.split(), after.split()
    runs = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            runs.append("- " + " ".join(old[i1:i2])[:120])
        if op in ("insert", "replace"):
            runs.append("+ " + " ".join(new[j1:j2])[:120])
        if len(runs) >= most:
            break
    return tuple(runs[:most])


def diff_bundles(old: Path, new: Path) -> BundleDiff:
    """Documents added, removed and changed from bundle `old` to bundle `new`."""
    old_version, old_meta, before, old_synonyms = read_bundle_with_synonyms(Path(old))
    new_version, new_meta, after, new_synonyms = read_bundle_with_synonyms(Path(new))
    meta_changed = tuple((k, old_meta.get(k, ""), new_meta.get(k, "")) for k in sorted(old_meta.keys() | new_meta.keys())
                         if old_meta.get(k) != new_meta.get(k))
    changed = []
    for doc_id in sorted(before.keys() & after.keys()):
        a, b = before[doc_id], after[doc_id]
        fields = tuple(f for f in FIELDS if a[f] != b[f])
        if not fields:
            continue
        delta = [line for line in difflib.unified_diff((a["body"] or "").splitlines(), (b["body"] or "").splitlines(), lineterm="", n=0)
                 if line[:1] in "+-" and not line.startswith(("+++", "---"))]
        changed.append(ChangedDocument(
            doc_id, b["title"], sum(1 for line in delta if line.startswith("+")), sum(1 for line in delta if line.startswith("-")),
            fields, changed_words(a["body"] or "", b["body"] or ""),
        ))
    return BundleDiff(
        str(old), str(new), old_version, new_version,
        tuple((i, after[i]["title"]) for i in sorted(after.keys() - before.keys())),
        tuple((i, before[i]["title"]) for i in sorted(before.keys() - after.keys())),
        tuple(changed), len(before.keys() & after.keys()) - len(changed), meta_changed,
        synonym_changes(old_synonyms, new_synonyms),
    )
