"""The things a question names, and whether the guidance ever mentions them.

"How do I apply for Scottish Child Payment?" over guidance on Child Benefit comes as near, in words
and in meaning, as a question the guidance answers: it shares the page's subject. What tells it
apart is that it names a service the guidance never mentions. The names come from a shipped list of
UK public services, benefits, taxes, documents and bodies (knowledge/lexicon/public-service-names.txt);
a question that names some of them and none the guidance mentions gets "No guidance found", and the
person is told which (knowledge/search.py). Development halves of the three corpora: no in-scope
question names only things its guidance never mentions; 14 of the 27 out-of-scope questions that
name something do (README, "No guidance found").
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from knowledge.files import data_lines

NAMES = Path(__file__).resolve().parent / "lexicon" / "public-service-names.txt"
# Words as the names are matched: lower case, apostrophes dropped ("carer's" and "carers" are one word).
NAME_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class Named:
    """A name from the list found in a question: the list's form, and the words as the question wrote them."""

    name: str
    written: str


def name_words(text: str) -> list[str]:
    return [w.replace("'", "").replace("’", "") for w in NAME_WORD.findall(text.lower())]


@lru_cache(maxsize=4)
def read_names(path: Path = NAMES) -> tuple[str, ...]:
    """Every name of the list, lower case, in file order."""
    return tuple(line.strip().lower() for _, line in data_lines(path, "the list of public-service names", "Reinstall Frontdesk."))


@lru_cache(maxsize=4)
def _names_by_first_word(names: tuple[str, ...]) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Each name's words, filed under its first word, longest first (one pass over a question finds them all)."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for name in names:
        words = tuple(name_words(name))
        if words:
            index.setdefault(words[0], []).append((words, name))
            if len(words) == 1:  # its one word is its last: "passports" too
                index.setdefault(words[0] + "s", []).append((words, name))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return index


def names_in(text: str, names: Sequence[str] | None = None) -> tuple[Named, ...]:
    """The listed names `text` uses, in order, each once: the longest where names overlap ("council tax
    band", not "council tax"), a name's last word also in the plural ("budgeting loans")."""
    index = _names_by_first_word(tuple(names) if names is not None else read_names())
    spans = [(m.start(), m.end()) for m in NAME_WORD.finditer(text.lower())]
    words = name_words(text)
    found: dict[str, Named] = {}
    i = 0
    while i < len(words):
        match = next((entry for entry in index.get(words[i], ()) if _matches(words, i, entry[0])), None)
        if match is None:
            i += 1
            continue
        length = len(match[0])
        found.setdefault(match[1], Named(match[1], text[spans[i][0]:spans[i + length - 1][1]]))
        i += length
    return tuple(found.values())


def _matches(words: list[str], at: int, name: tuple[str, ...]) -> bool:
    window = words[at:at + len(name)]
    return len(window) == len(name) and window[:-1] == list(name[:-1]) and window[-1] in (name[-1], name[-1] + "s")


def mentioned(conn: sqlite3.Connection, name: str, synonyms: Mapping[str, Iterable[str]]) -> bool:
    """Whether a bundle's passages (titles, headings, text) use `name`, or anything its synonyms expand it to."""
    for variant in dict.fromkeys([name, name.replace("'", ""), *synonyms.get(name, ())]):
        phrase = '"' + variant.replace('"', " ") + '"'
        try:
            if conn.execute("SELECT 1 FROM passages_fts WHERE passages_fts MATCH ? LIMIT 1", (phrase,)).fetchone():
                return True
        except sqlite3.OperationalError:
            continue  # a phrase FTS5 cannot read says nothing either way
    return False


def names_list(names: Sequence[str]) -> str:
    """Names as a sentence says them: "Scottish Child Payment", "a or b", "a, b or c"."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
