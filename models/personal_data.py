"""Finding personal data in a question, so the UI can warn and logs and exports never hold it."""

from __future__ import annotations

import re

from models.draft import PersonalData

# National Insurance number: two letters, six digits, a suffix A-D, with or without spaces
# ("QQ 12 34 56 C"). Any two letters: a mistyped or specimen number is still worth a warning.
_NI = re.compile(r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", re.I)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# UK phone numbers: mobiles 07..., landlines 01/02/03, 0800/0808, and +44 forms; spaces, dashes, brackets.
_PHONE = re.compile(r"(?<![\w£])(?:\+44\s?\(?0?\)?\s?|\(?0)(?:\d[\s\-)]?){9,10}(?!\d)")
# Full UK postcodes: outward code, space optional, inward code ("SW1A 1AA", "m1 1ae").
_POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRVWXY\d]?) ?\d[ABD-HJLNP-UW-Z]{2})\b", re.I)

KINDS = (
    ("National Insurance number", _NI),
    ("email address", _EMAIL),
    ("phone number", _PHONE),
    ("postcode", _POSTCODE),
)


def find_personal_data(text: str) -> tuple[PersonalData, ...]:
    """Every National Insurance number, email address, phone number and postcode in `text`, in order."""
    found: list[PersonalData] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in KINDS:
        for m in pattern.finditer(text):
            start, end = m.start(), m.end()
            while end > start and text[end - 1] in " -)":
                end -= 1
            if kind == "phone number" and sum(c.isdigit() for c in text[start:end]) < 10:
                continue
            if any(start < e and s < end for s, e in taken):
                continue  # an email's digits are not also a phone number
            taken.append((start, end))
            found.append(PersonalData(kind, start, end))
    return tuple(sorted(found, key=lambda p: p.start))


def redact_personal_data(text: str, found: tuple[PersonalData, ...] | None = None) -> str:
    """`text` with each piece of personal data (`found` in it, if already known) replaced by its kind: "[phone number]"."""
    for item in reversed(find_personal_data(text) if found is None else found):
        text = text[: item.start] + f"[{item.kind}]" + text[item.end :]
    return text


def personal_values(text: str) -> frozenset[str]:
    """The personal data in `text`, each piece reduced to its letters and digits, lower case ("07700900123")."""
    return frozenset(_value(text[p.start : p.end]) for p in find_personal_data(text))


def _value(piece: str) -> str:
    return re.sub(r"[\W_]", "", piece).lower()


def redact_personal_data_of(text: str, only: frozenset[str] | None = None, keep: frozenset[str] = frozenset()) -> str:
    """`text` with the personal data it holds replaced by labels, but only the pieces whose value is in `only`
    (every piece when None) and not in `keep`. A draft quotes the guidance's own helplines and offices' postcodes:
    `only` = the question's personal data redacts what came from the citizen and leaves the guidance as it is."""
    chosen = tuple(p for p in find_personal_data(text)
                   if (only is None or _value(text[p.start : p.end]) in only) and _value(text[p.start : p.end]) not in keep)
    return redact_personal_data(text, chosen)


# What redact_personal_data (and the window's "Remove it") leaves in place of each piece.
_LABELS = re.compile(r"\[(?:" + "|".join(re.escape(kind) for kind, _ in KINDS) + r")\]", re.I)


def without_personal_data(text: str, found: tuple[PersonalData, ...] | None = None) -> str:
    """`text` with its personal data, and the labels left in its place, cut out: what search should read.

    A phone number's digits, or the words "[phone number]", say nothing about the question and
    would pull in guidance that lists phone numbers. `found`: the personal data, if already known.
    """
    for item in reversed(find_personal_data(text) if found is None else found):
        text = text[: item.start] + " " + text[item.end :]
    return _LABELS.sub(" ", text)


def describe_personal_data(found: tuple[PersonalData, ...]) -> str:
    """'Contains a phone number and an email address.' for the warning banner ('' when none)."""
    kinds = list(dict.fromkeys(p.kind for p in found))
    if not kinds:
        return ""
    named = [f"an {k}" if k[0] in "aeiouAEIOU" else f"a {k}" for k in kinds]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return f"Contains {listed}."
