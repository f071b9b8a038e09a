"""The synonyms a bundle carries: the shipped public-service lexicon, with the content team's own on top.

The lexicon (knowledge/lexicon/public-service.tsv) holds the abbreviations and everyday words people
use for UK benefits and services ("UC", "the dole", "sick money"), so a bundle built from guidance
with no synonyms.csv still reads them. A team's synonyms.csv wins: a term it defines replaces every
lexicon line for that term, as the team knows what its own guidance calls things.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable, Sequence

from knowledge.errors import SourceError
from knowledge.files import data_lines
from knowledge.sources import Synonym

LEXICON = Path(__file__).resolve().parent / "lexicon" / "public-service.tsv"
LEXICON_NAME = "public-service"


def read_lexicon(path: Path = LEXICON) -> tuple[Synonym, ...]:
    """Every (term, expansion) line of a lexicon file, in file order, marked as from the lexicon."""
    found = []
    for line_no, line in data_lines(path, "the public-service lexicon", "Reinstall Frontdesk, or build with --no-default-synonyms."):
        cells = line.split("\t")
        if len(cells) != 2 or not cells[0].strip() or not cells[1].strip():
            raise SourceError(f"{path} line {line_no}: each line needs a term and its expansion, separated by one tab.")
        found.append(Synonym(cells[0].strip().lower(), cells[1].strip().lower(), origin="lexicon"))
    return tuple(found)


def lexicon_fingerprint(path: Path = LEXICON) -> str:
    """`public-service sha256:<first 12 hex>`: recorded in the bundle's meta, so `kb diff` shows a new lexicon."""
    return f"{LEXICON_NAME} sha256:{hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]}"


def merged_synonyms(team: Iterable[Synonym], lexicon: Sequence[Synonym]) -> tuple[Synonym, ...]:
    """The team's synonyms, then the lexicon's for every term the team does not define; duplicates once."""
    team = list(team)
    defined = {s.term for s in team}
    merged: dict[tuple[str, str], Synonym] = {}
    for s in team + [s for s in lexicon if s.term not in defined]:
        merged.setdefault((s.term, s.expansion), s)
    return tuple(merged.values())
