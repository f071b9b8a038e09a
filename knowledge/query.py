"""Turning whatever a person types or pastes into a safe FTS5 query.

User text never reaches FTS5's query syntax: every term is quoted, so quotes, brackets, AND, `*`,
emoji or 100,000 characters cannot make a search fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from knowledge.language import detect_language
from knowledge.welsh import WELSH_STOP_WORDS

MAX_QUERY_CHARS = 4000  # a pasted email's question is in its first few paragraphs
MAX_TERMS = 24
TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|£\d{1,3}(?:,\d{3})+(?:\.\d+)?|£\d+(?:\.\d+)?", re.UNICODE)
# Amounts as people say them ("10 grand", "£5k", "50 quid", "200 pounds"), read as guidance writes them ("£10,000").
SPOKEN_AMOUNT = re.compile(r"(?:£\s?)?\b(\d+(?:\.\d+)?)\s?(k|grand|quid|pounds?)\b", re.I)
MULTIPLIERS = {"k": 1000, "grand": 1000}
# "Mr Patel", "Dr Jones": a title and a name say who, not what (and "mr" alone is a mandatory reconsideration).
TITLED_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\b\.?\s+[A-Z][\w'’-]*")
# "my name is Kerry Walsh", "hiya its Sam": a person introducing themselves names who, not what.
INTRODUCED_NAME = re.compile(r"\b(?i:my\s+name\s+is|my\s+name's|this\s+is|it's|its|fy\s+enw\s+(?:i\s+)?yw)\s+[A-Z][a-z][\w'’-]*(?:\s+[A-Z][a-z][\w'’-]*)?")

STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before being below between
    both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for from
    further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his
    how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor
    not of off on once only or other ought our ours ourselves out over own same shan't she she'd she'll she's should
    shouldn't so some such than that that's the their theirs them themselves then there there's these they they'd
    they'll they're they've this those through to too under until up very was wasn't we we'd we'll we're we've were
    weren't what what's when when's where where's which while who who's whom why why's with won't would wouldn't you
    you'd you'll you're you've your yours yourself yourselves
    hi hello dear sir madam regards thanks thank please kind yours sincerely faithfully cheers im ive dont cant wont
    get got getting go going want wanted know need needs just also still really much many will shall may might must
    tell asking ask wondering wonder help like would could yes ok okay able anything something someone thing things
    writing write email mail message whats hows wheres whos thats theres
    now anyone anybody somebody someone till ago think thought sure actually basically nothing often way
    mum mam mom dad gran nan granny grandma grandad grandpa nana
    customer customers client clients citizen says said
    """.split()
)
WELSH_QUESTION_STOP_WORDS = STOP_WORDS | WELSH_STOP_WORDS


def stop_words_for(text: str) -> frozenset[str]:
    """The words a search skips in `text`: English ones, and Welsh ones too in a Welsh question
    (only there: "eu" is the EU in English guidance)."""
    return WELSH_QUESTION_STOP_WORDS if detect_language(text) == "cy" else STOP_WORDS


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """The search terms of a query, and the FTS5 MATCH expression built from them ("" when nothing to search)."""

    terms: tuple[str, ...]  # what the person wrote, lower case, stop words removed
    expansions: tuple[str, ...]  # synonym expansions added, e.g. "universal credit" for "uc"
    match: str
    expansion_of: tuple[tuple[str, str], ...] = ()  # (expansion, the words it stands for)
    corrections: tuple[tuple[str, str], ...] = ()  # (term as typed, indexed word it was read as)


# A pasted message's greeting and sign-off name a person, not the question ("Hi Jo," ... "Thanks, Sam"):
# left in, a name the guidance never uses would weigh most and make the message look off-topic.
# (The Welsh too: "Annwyl Siân," ... "Diolch, Gwen".)
GREETING = re.compile(r"^\s*(?i:hi|hello|hey|dear|helo|shwmae|su['’]mae|annwyl)\s+[A-Z][\w'’-]*\s*[,!:\n]")
SIGN_OFF = re.compile(r"\b(?i:thanks|thank you|many thanks|regards|best wishes|cheers|sincerely|faithfully|sorry|ta|love|"
                      r"diolch(?:\s+yn\s+fawr)?|cofion(?:\s+cynnes|\s+gorau)?|yn\s+gywir|hwyl(?:\s+fawr)?)"
                      r"[\s,.!-]*(?:[A-Z][\w'’-]*[\s.]*){1,3}$")


def without_greeting_and_sign_off(text: str) -> str:
    """`text` less a leading "Hi Jo," and a closing "Thanks, Sam Smith"."""
    text = GREETING.sub("", text, count=1)
    tail = len(text) - 80
    if tail <= 0:
        return SIGN_OFF.sub("", text, count=1)
    return text[:tail] + SIGN_OFF.sub("", text[tail:], count=1)


def written_amounts(text: str) -> str:
    """`text` with spoken amounts as £ figures: "10 grand" -> "£10,000", "50 quid" -> "£50"."""

    def figure(match: re.Match) -> str:
        value = float(match.group(1)) * MULTIPLIERS.get(match.group(2).lower(), 1)
        return f"£{value:,.2f}".removesuffix(".00")

    return SPOKEN_AMOUNT.sub(figure, text)


def is_figure(term: str) -> bool:
    """A number or an amount ("67", "£10,000"): the person's own figures, not what a question is about."""
    digits = term.removeprefix("£").replace(",", "").replace(".", "")
    return bool(digits) and digits.isdigit()


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens of `text` (apostrophes kept inside words, £ amounts kept whole)."""
    text = text[:MAX_QUERY_CHARS].lower().replace("’", "'")
    return TOKEN.findall(text)


def quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def unquoted(phrase: str) -> str:
    """A phrase of an FTS5 query as `quote` wrote it, without its quotes."""
    return phrase[1:-1].replace('""', '"')


def as_read(text: str, corrections: Sequence[tuple[str, str]]) -> str:
    """`text` with each misspelt word replaced by the word the search read it as ("persnal
    independance payment" becomes "personal independence payment"): the word search corrects them,
    and the embedding model, given the typing, reads something else."""
    for typed, read in corrections:
        # A function, not the word itself, as the replacement: re.sub would read a backslash in it as an escape.
        text = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", lambda _, word=read: word, text, flags=re.I)
    return text


def spelled_out(text: str, expansion_of: Sequence[tuple[str, str]]) -> str:
    """`text` with each synonym it uses followed by what it stands for, as the word search adds them:
    "do i get CTR" becomes "do i get CTR (council tax reduction)". The embedding model never learnt
    the abbreviations and everyday words a benefits desk hears; the lexicon and the bundle's synonyms
    know them. The words as typed stay ("loan" is not only an "advance")."""
    meanings: dict[str, list[str]] = {}
    typed = f" {' '.join(tokenize(text))} "
    for expansion, phrase in expansion_of:
        # "universal" stands for "universal credit", but not in "universal credit" itself.
        if f" {' '.join(tokenize(expansion))} " not in typed:
            meanings.setdefault(phrase, []).append(expansion)
    if not meanings:
        return text
    # One pass, longest phrase first, so a meaning put in is never itself spelled out again.
    phrases = sorted(meanings, key=len, reverse=True)
    pattern = "|".join(r"\W+".join(re.escape(word) for word in phrase.split()) for phrase in phrases)

    def with_meaning(match: re.Match) -> str:
        phrase = " ".join(tokenize(match.group(0)))
        return f"{match.group(0)} ({', '.join(meanings[phrase])})" if phrase in meanings else match.group(0)

    return re.sub(rf"(?<!\w)(?:{pattern})(?!\w)", with_meaning, text, flags=re.I)


def parse_query(text: str, synonyms: dict[str, tuple[str, ...]] | None = None, correct=None, common=None,
                stop_words: frozenset[str] | None = None) -> ParsedQuery:
    """Content terms of `text`, expanded with the bundle's synonyms, as a quoted OR query.

    `correct`, when given, maps a term missing from the bundle's vocabulary to a close one
    (a misspelling such as "univeral"), or returns None. `common`, when given, says whether a term
    is in so many passages that matching it alone ranks nothing: such terms are left out of the
    OR (they still count for coverage), which keeps a search over a large bundle fast. `stop_words`
    are the words left out (by default those of `stop_words_for(text)`).
    """
    synonyms = synonyms or {}
    stop_words = stop_words_for(text or "") if stop_words is None else stop_words
    text = INTRODUCED_NAME.sub(" ", TITLED_NAME.sub(" ", written_amounts(without_greeting_and_sign_off((text or "")[:MAX_QUERY_CHARS]))))
    tokens = tokenize(text)
    expansions: list[str] = []
    expansion_of: list[tuple[str, str]] = []
    used_in_phrase: set[int] = set()
    # Multi-word synonym terms first ("sick note", "the social"), then single words.
    for size in (3, 2, 1):
        for i in range(len(tokens) - size + 1):
            if any(j in used_in_phrase for j in range(i, i + size)):
                continue
            phrase = " ".join(tokens[i : i + size])
            if phrase in synonyms:
                for e in synonyms[phrase]:
                    if e not in expansions:
                        expansions.append(e)
                        expansion_of.append((e, phrase))
                if size > 1:
                    used_in_phrase.update(range(i, i + size))
    terms: list[str] = []
    for token in tokens:
        token = token.strip("'")
        if token.endswith("'s") and token[:-2] in stop_words:
            continue  # "my mum's funeral": a stop word's possessive is one too
        if not token or token in stop_words or (len(token) < 2 and not is_figure(token)):
            continue
        if token not in terms:
            terms.append(token)
        if len(terms) >= MAX_TERMS:
            break
    parts: list[str] = []
    corrections: list[tuple[str, str]] = []
    is_common = {t: bool(common and common(t)) for t in terms}
    if terms and all(is_common.values()):
        is_common = {t: False for t in terms}  # a question of common words only still searches them
    for term in terms:
        if not is_common[term]:
            parts.append(quote(term))
        fixed = correct(term) if correct else None
        if fixed and fixed != term:
            parts.append(quote(fixed))
            corrections.append((term, fixed))
    # Neighbouring words as phrases too: "work allowance" should outrank "work" and "allowance" apart.
    for first, second in zip(terms, terms[1:]):
        if not (is_common[first] and is_common[second]):
            parts.append(quote(f"{first} {second}"))
    for expansion in expansions[:MAX_TERMS]:
        words = [w for w in tokenize(expansion) if w]
        if words:
            parts.append(quote(" ".join(words)))
    return ParsedQuery(tuple(terms), tuple(expansions), " OR ".join(dict.fromkeys(parts)), tuple(expansion_of), tuple(corrections))
