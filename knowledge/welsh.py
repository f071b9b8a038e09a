"""How a search reads a Welsh question: the function words it skips, and the mutations that change a
word's first letters ("fy mhensiwn", "eich pensiwn" and "ei bensiwn" are all "pensiwn").

Both are Welsh grammar, not figures fitted to a question set. Without them "Sut ydw i'n adnewyddu fy
mhasbort?" searched "sut", "ydw", "i'n" and "fy", which every Welsh page holds, and looked answered
by a page about pension transfers; and "mhensiwn" matched none of the pages that say "pensiwn".
"""

from __future__ import annotations

# Articles, pronouns, prepositions (with their joined forms), conjunctions, question words, the
# forms of "bod" (to be) and of "gallu"/"cael" a question asks with, and the greetings and family
# words a message opens with: the Welsh of query.STOP_WORDS. Words English guidance uses as
# content ("eu", "pan", "hon") are skipped only in a Welsh question (query.stop_words_for).
WELSH_STOP_WORDS = frozenset("""
    y yr 'r 'n mi fe fo a ac ag â na nac nad nid neu ond os pan mai taw achos oherwydd felly hefyd
    yn ar am at i o gan gyda gydag heb dros drwy trwy wrth rhwng dan tan hyd er fel gyfer mewn yng ym ynghylch ynglŷn
    i'r i'n i'w i'ch o'r o'ch o'i a'r â'r â'ch gyda'r gyda'ch yn'ch mae'n mae'r sy'n dw'n
    fi ti chi ni nhw hi e ef hwy fy dy ei ein eich eu 'm 'th 'ch 'w
    sut beth be pryd pam ble lle pwy faint pa sawl
    mae maen ydw ydy ydi ydych ydyn ydyw yw oes sydd sy oedd roedd roeddwn bydd byddaf fyddaf byddwch fyddwch fydd
    dw dwi rydw rydych rwy rwyf wyf ydwyf dydw dydy dyw does dydi dim ddim bod fod wedi
    gallu gallaf allaf alla galla gallwch allwch gall gallai allai gallech allech gallen medru medraf fedra fedrwch
    ga gaf caf cei cewch gaiff cael gael chael rhaid dylwn dylai dylech ddylwn ddylai ddylech angen eisiau isio moyn
    hyn hwn hon hynny hwnnw honno yma yna dyna dyma iawn unrhyw rhywbeth rhywun efallai jyst nawr rŵan eto
    gen gennyf gennych gennym
    helo shwmae su'mae bore prynhawn noswaith da dda diolch plis gwelwch annwyl cofion
    gwneud wneud gwybod wybod dweud ddweud gofyn ofyn help helpu
    mam dad nain taid mamgu tadcu
""".split())

# First letters a mutation leaves, and the radical letters they stand for (soft, nasal and aspirate
# mutations, and the "h" put before a vowel): the longest first, so "ngh" is tried before "n".
MUTATIONS = (
    ("ngh", ("c",)), ("mh", ("p",)), ("nh", ("t",)), ("ph", ("p",)), ("th", ("t",)), ("ch", ("c",)),
    ("ng", ("g",)), ("dd", ("d",)), ("b", ("p",)), ("d", ("t",)), ("g", ("c",)), ("f", ("b", "m")),
    ("l", ("ll",)), ("r", ("rh",)), ("m", ("b",)), ("n", ("d",)),
)
VOWELS = "aeiouwyâêîôûŵŷ"


def radical_forms(word: str) -> tuple[str, ...]:
    """The words `word` may be a mutated form of ("mhensiwn" -> "pensiwn", "wladwriaeth" ->
    "gwladwriaeth"), most likely first; a caller keeps those its text holds."""
    if word[:2] in ("ll", "rh"):
        return ()  # "llawn", "rhent": a radical letter no mutation leaves
    forms: list[str] = []
    # Only the longest mutated letter the word opens with: "mhensiwn" is "pensiwn", not "bhensiwn".
    mutated, radicals = next(((m, r) for m, r in MUTATIONS if word.startswith(m) and len(word) > len(m) + 1), ("", ()))
    forms += [radical + word[len(mutated):] for radical in radicals]
    if word[:1] == "h" and word[1:2] in VOWELS:
        forms.append(word[1:])  # "ei hysgol": the radical is "ysgol"
    if word[:1] in VOWELS or word[:1] in "lr":
        forms.append("g" + word)  # the soft mutation drops a "g": "waith" of "gwaith", "ardd" of "gardd"
    return tuple(dict.fromkeys(f for f in forms if f != word))
