"""Checking a draft against its sources: every [n] maps to a passage, every specific claim is found there.

A sentence carrying an amount, a number, a date, a time limit or a benefit's name that none of the
passages it cites contains is unsupported (DESIGN.md, trust rules). Word and number overlap is crude,
but it fails safe: it flags too much rather than too little, and a person reads every flag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from knowledge.passage import SearchResult
from knowledge.sentences import ENDS_ON_ABBREVIATION, SENTENCE_BREAK as SENTENCE_END
from models.draft import Citation

MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")

NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
    "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30",
    "forty": "40", "fifty": "50", "sixty": "60", "hundred": "100",
}
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
# Benefits and schemes staff are asked about, with the short names people use for them.
BENEFITS = {
    "universal credit": ("universal credit", "uc"),
    "jobseeker's allowance": ("jobseeker's allowance", "jobseekers allowance", "jsa"),
    "employment and support allowance": ("employment and support allowance", "esa"),
    "personal independence payment": ("personal independence payment", "pip"),
    "disability living allowance": ("disability living allowance", "dla"),
    "attendance allowance": ("attendance allowance",),
    "carer's allowance": ("carer's allowance", "carers allowance"),
    "pension credit": ("pension credit",),
    "housing benefit": ("housing benefit",),
    "child benefit": ("child benefit",),
    "council tax reduction": ("council tax reduction", "council tax support"),
    "access to work": ("access to work",),
    "budgeting advance": ("budgeting advance",),
    "budgeting loan": ("budgeting loan",),
    "household support fund": ("household support fund",),
    "healthy start": ("healthy start",),
    "free school meals": ("free school meals",),
    "winter fuel payment": ("winter fuel payment",),
    "cold weather payment": ("cold weather payment",),
    "sure start maternity grant": ("sure start maternity grant",),
    "funeral expenses payment": ("funeral expenses payment", "funeral payment"),
    "tax credits": ("tax credits", "working tax credit", "child tax credit"),
    "income support": ("income support",),
    "state pension": ("state pension",),
}


@dataclass(frozen=True, slots=True)
class SupportCheck:
    """The result of checking a draft: its citations and the sentences no cited passage supports."""

    citations: tuple[Citation, ...]
    unsupported: tuple[str, ...]
    sentences: int
    invalid_markers: tuple[int, ...]
    hollow: str = ""  # why the draft says nothing of its own ("it copies source [2] back"), or ""

    @property
    def fails_badly(self) -> bool:
        """No valid citation, more than a third of the sentences unsupported (the trust rule), or hollow.

        A draft of nothing ("[1]") or a source block pasted back would otherwise pass: it has a valid
        citation and no unsupported sentence, yet it is not an answer the model wrote.
        """
        return bool(self.hollow) or not self.citations or len(self.unsupported) * 3 > max(1, self.sentences)


def normalise(text: str) -> str:
    """Lower case, curly quotes straightened, number words as digits ("four weeks" → "4 weeks")."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", lambda m: NUMBER_WORDS[m.group(1)], text)
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 → 1000


def split_sentences(text: str) -> list[str]:
    """Sentences of a draft, each keeping the [n] markers that follow it."""
    pieces = [p.strip() for p in SENTENCE_END.split(text) if p and p.strip()]
    sentences: list[str] = []
    for piece in pieces:
        # "Claim online. [1] You need..." splits after the full stop: the [1] belongs to the sentence before.
        lead = re.match(r"^((?:\[\d+(?:\s*[,;]\s*\d+)*\]\s*)+)", piece)
        if lead and sentences:
            sentences[-1] = f"{sentences[-1]} {lead.group(1).strip()}"
            piece = piece[lead.end():].strip()
        if not piece or piece.strip(" .") == "":
            continue
        if sentences and ENDS_ON_ABBREVIATION.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"  # "... e.g. if you're ill." is one sentence
            continue
        sentences.append(piece)
    return sentences


def specifics(sentence: str) -> list[tuple[str, tuple[str, ...]]]:
    """What in a sentence must be found in its sources: (label, acceptable forms in normalised text)."""
    text = normalise(MARKER.sub(" ", sentence))
    found: list[tuple[str, tuple[str, ...]]] = []
    for m in re.finditer(r"£\s?\d+(?:\.\d+)?|\b\d+(?:\.\d+)?\s?(?:p|%|pence|percent)\b|\b\d+(?:\.\d+)?\b", text):
        token = m.group(0).replace(" ", "")
        number = re.sub(r"[^\d.]", "", token)
        forms = (token,) if token.startswith("£") else (number,)
        found.append((m.group(0), forms))
    for month in MONTHS:
        if re.search(rf"\b{month}\b", text) and month != "may":
            found.append((month, (month,)))
    for name, forms in BENEFITS.items():
        if any(re.search(rf"(?<![\w']){re.escape(f)}(?![\w'])", text) for f in forms):
            found.append((name, forms))
    return found


def contains(haystack: str, form: str) -> bool:
    if re.fullmatch(r"[\d.]+", form):
        return re.search(rf"(?<![\d.]){re.escape(form)}(?![\d]|\.\d)", haystack) is not None
    if form.startswith("£"):
        return re.search(rf"£\s?{re.escape(form[1:])}(?![\d]|\.\d)", haystack) is not None
    return re.search(rf"(?<![\w']){re.escape(form)}(?![\w'])", haystack) is not None


# A sentence of its own has at least this many words outside its [n] markers.
OWN_SENTENCE_WORDS = 3
# Copied text is counted in runs of at least this many words in the source's order: shorter runs are
# the shared words any answer about the same subject has ("you can get universal credit if").
COPY_RUN_WORDS = 8
# A draft copies a source back when this share of its words comes from one source in long runs, and
# the copy is a block (30 words or more, or most of a short source), not one quoted sentence.
COPY_SHARE = 0.8
COPY_BLOCK_WORDS = 30


def words(text: str) -> list[str]:
    return re.findall(r"[\w£%']+", normalise(MARKER.sub(" ", text)))


def heading_lines(sources: Sequence[SearchResult]) -> set[str]:
    """The heading lines the prompt gives each source ("Title > heading"), normalised to words."""
    lines = set()
    for r in sources:
        p = r.passage
        for line in (f"{p.title} > {p.heading}" if p.heading else p.title, p.title, p.heading):
            if line and line.strip():
                lines.add(" ".join(words(line)))
    return lines


def copied_words(draft: list[str], source: list[str]) -> int:
    """How many of the draft's words lie in runs of COPY_RUN_WORDS or more copied from `source`.

    Runs are found as shared COPY_RUN_WORDS-word sequences, in one pass over each text: the check
    runs on the drafting thread beside the window, and difflib's matcher took 50 ms here.
    """
    k = COPY_RUN_WORDS
    runs = {tuple(source[i:i + k]) for i in range(len(source) - k + 1)}
    covered = [False] * len(draft)
    for i in range(len(draft) - k + 1):
        if tuple(draft[i:i + k]) in runs:
            covered[i:i + k] = [True] * k
    return sum(covered)


def hollow_reason(text: str, sentences: Sequence[str], sources: Sequence[SearchResult]) -> str:
    """Why a draft says nothing of its own, or "": no sentence with words in it, or a source block pasted back."""
    if not any(len(re.findall(r"[^\W\d_]+", MARKER.sub(" ", s))) >= OWN_SENTENCE_WORDS for s in sentences):
        return "it has no sentence of its own"
    headings = heading_lines(sources)
    # The prompt's heading lines ("[2] Title > heading") pasted back are no part of an answer.
    kept = [line for line in text.splitlines() if " ".join(words(line)) not in headings]
    draft = words("\n".join(kept))
    if not draft:
        return "it only repeats the sources' headings"
    for n, r in enumerate(sources, start=1):
        source = words(r.passage.text)
        copied = copied_words(draft, source)
        if copied >= COPY_SHARE * len(draft) and copied >= min(COPY_BLOCK_WORDS, COPY_SHARE * len(source)):
            return f"it copies source [{n}] back instead of answering"
    return ""


def cited_numbers(sentence: str) -> list[int]:
    return [int(n) for m in MARKER.finditer(sentence) for n in re.split(r"\s*[,;]\s*", m.group(1))]


def check_citations(text: str, sources: Sequence[SearchResult]) -> SupportCheck:
    """Map each [n] of `text` to the n-th source and flag sentences whose specifics no cited source holds."""
    passages = [normalise(f"{r.passage.title}\n{r.passage.heading}\n{r.passage.text}") for r in sources]
    citations: dict[int, Citation] = {}
    invalid: list[int] = []
    unsupported: list[str] = []
    sentences = split_sentences(text)
    for sentence in sentences:
        numbers = cited_numbers(sentence)
        valid = [n for n in numbers if 1 <= n <= len(sources)]
        invalid += [n for n in numbers if n not in valid]
        for n in valid:
            citations.setdefault(n, Citation(n, sources[n - 1].passage.doc_id, sources[n - 1].passage.id))
        needed = specifics(sentence)
        if numbers and len(valid) < len(numbers):
            unsupported.append(sentence)  # cites a source that does not exist
            continue
        cited_text = "\n".join(passages[n - 1] for n in valid)
        missing = [label for label, forms in needed if not any(contains(cited_text, f) for f in forms)]
        if missing:
            unsupported.append(sentence)
    return SupportCheck(
        citations=tuple(sorted(citations.values(), key=lambda c: c.marker)),
        unsupported=tuple(unsupported),
        sentences=len(sentences),
        invalid_markers=tuple(dict.fromkeys(invalid)),
        hollow=hollow_reason(text, sentences, sources),
    )


def unsupported_reason(sentence: str, sources: Sequence[SearchResult]) -> str:
    """Why a sentence was flagged, in words for a tooltip."""
    numbers = cited_numbers(sentence)
    if any(not 1 <= n <= len(sources) for n in numbers):
        return "It cites a source number that does not exist."
    if not numbers:
        return "It states a specific fact but cites no source."
    cited = "\n".join(normalise(sources[n - 1].passage.text + sources[n - 1].passage.title) for n in numbers)
    missing = [label for label, forms in specifics(sentence) if not any(contains(cited, f) for f in forms)]
    return f"Not found in the sources it cites: {', '.join(missing)}." if missing else "Not found in the sources it cites."
