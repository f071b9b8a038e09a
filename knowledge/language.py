"""Which language a page or a question is in (English or Welsh), and a question's own language first.

Guidance in Wales is published in both languages, page for page, with the same figures and
addresses, so a Welsh question matches English pages on "£179.60" and "Pension Wise" as well as it
matches Welsh ones. The search ranks as it always does; `prefer_language` then moves the passages in
the question's language ahead of the rest, keeping each group's order.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import PurePath
from typing import Callable, Sequence, TypeVar

KNOWN = ("en", "cy")

# Short, frequent words each language has and the other does not (so not "a", "i", "o", "am", "dim").
# A few Welsh guidance words too, so that a short Welsh question ("Faint yw Pensiwn y Wladwriaeth?")
# is still told apart from English.
WELSH_WORDS = frozenset("""
    y yr mae ydw ydy ydi ydych ydyn yw oes nid nad dw dwi rydw rydych roedd bydd byddwch fydd fyddaf gallwch ga gaf caf
    gallai alla allaf allwch gall sut beth faint pryd pam ble pwy fy eich ein ei eu chi ni nhw fe
    yn ar gyda gan wrth dros drwy rhwng heb hefyd neu ac ond os pan bod fod wedi efallai gennych gen
    hyn hwn hon hynny rhaid angen mwy llai iawn ddim eisiau cael gael cyn ôl
    arian taliad taliadau credyd cynhwysol pensiwn bensiwn mhensiwn gronfa cronfa treth rhent cyngor
    budd-dal budd-daliadau gwaith wythnos mis blwyddyn plant gofal banc dyled dyledion gwladwriaeth
""".split())
ENGLISH_WORDS = frozenset("""
    the and to of is are was were be been my your our their his her it its this that these those
    what how when why where who which can could would should will shall do does did have has had
    not no for with from about into if or but than then there here get got you we they me us them
    on at by as an any some much many more less very just also still
    money payment pension pot tax rent council benefit benefits work week month year children bank debt
""".split())
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
WELSH_LETTERS = re.compile(r"[ŵŷŴŶ]")
MIN_WORDS_SEEN = 2  # known words needed before the text is taken to be in either language


def detect_language(text: str) -> str:
    """'cy' or 'en' from the common words in `text`, or '' when it has too few to tell."""
    # A joined form counts by its first word: Welsh "yw'r", "mae'n", "sy'n"; English "it's", "you're".
    words = [w.lower().replace("’", "'").split("'")[0] for w in WORD.findall(text[:20000])]
    welsh = sum(w in WELSH_WORDS for w in words) + 2 * len(WELSH_LETTERS.findall(text[:20000]))
    english = sum(w in ENGLISH_WORDS for w in words)
    if max(welsh, english) < MIN_WORDS_SEEN or welsh == english:
        return ""
    return "cy" if welsh > english else "en"


def language_from_path(path: str) -> str:
    """'cy' from `name.cy.md` or a `cy/` folder (and so for 'en'); '' when the path does not say."""
    parts = PurePath(path.replace("\\", "/")).parts
    if not parts:
        return ""
    suffixes = [s.lower().lstrip(".") for s in PurePath(parts[-1]).suffixes[:-1]]
    for code in reversed(suffixes):
        if code in KNOWN:
            return code
    for folder in reversed(parts[:-1]):
        if folder.lower() in KNOWN:
            return folder.lower()
    return ""


def normal_language(value) -> str:
    """A front matter `lang` value as a short code: 'cy' from 'cy', 'CY', 'cy-GB', 'Welsh' or 'Cymraeg'."""
    text = str(value or "").strip().lower().replace("_", "-")
    names = {"welsh": "cy", "cymraeg": "cy", "english": "en", "saesneg": "en"}
    return names.get(text, text.split("-")[0])


def document_language(meta: dict, path: str, body: str) -> str:
    """A page's language: front matter `lang` (or `language`/`locale`), else its file name or folder, else detected."""
    for key in ("lang", "language", "locale"):
        if meta.get(key):
            return normal_language(meta[key])
    return language_from_path(path) or detect_language(body)


T = TypeVar("T")


def prefer_language(items: Sequence[T], lang: str, language_of: Callable[[T], str]) -> list[T]:
    """`items` with those in `lang` first, each group in its original order; unchanged when `lang` is ''.

    Items of no known language stay with the question's own, so a bundle built before documents
    carried a language (every page '') keeps its ranking.
    """
    if not lang:
        return list(items)
    first = [item for item in items if language_of(item) in (lang, "")]
    return first + [item for item in items if language_of(item) not in (lang, "")]


def document_languages(conn: sqlite3.Connection) -> dict[str, str]:
    """Each document's language by id; {} for a bundle built before documents carried one."""
    if "lang" not in {row[1] for row in conn.execute("PRAGMA table_info(documents)")}:
        return {}
    return {doc_id: lang for doc_id, lang in conn.execute("SELECT id, lang FROM documents") if lang}
