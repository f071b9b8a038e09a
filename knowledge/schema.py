"""The bundle file format (DESIGN.md, "Knowledge bundle"): one SQLite file, these tables."""

SCHEMA_VERSION = 1
BUNDLE_SUFFIX = ".fdkb"
SIGNATURE_SUFFIX = ".fdkb.sig"

# Column weights for bm25() over passages_fts(title, heading, text): a match in the
# title or heading path says more about a passage than one word in its body.
BM25_WEIGHTS = (4.0, 2.5, 1.0)

DDL = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    url         TEXT NOT NULL DEFAULT '',
    summary     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL,          -- Markdown
    updated     TEXT,                   -- ISO date
    review_due  TEXT,                   -- ISO date
    owner       TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '[]',  -- JSON list of strings
    lang        TEXT NOT NULL DEFAULT '',    -- "en", "cy", ...; added within schema 1: older bundles lack it
    source      TEXT NOT NULL DEFAULT ''     -- source file, relative to the build root
);
CREATE TABLE passages (
    rowid    INTEGER PRIMARY KEY,       -- shared with passages_fts
    id       TEXT NOT NULL UNIQUE,      -- "<doc_id>#<seq>"
    doc_id   TEXT NOT NULL REFERENCES documents(id),
    seq      INTEGER NOT NULL,
    heading  TEXT NOT NULL DEFAULT '',  -- heading path, " > " between levels
    text     TEXT NOT NULL,
    tokens   INTEGER NOT NULL           -- token estimate
);
CREATE INDEX passages_doc ON passages(doc_id, seq);
CREATE VIRTUAL TABLE passages_fts USING fts5(
    title, heading, text,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TABLE synonyms (
    term      TEXT NOT NULL,            -- lower case, as a user types it: "uc", "dole"
    expansion TEXT NOT NULL,            -- what it means: "universal credit"
    origin    TEXT NOT NULL DEFAULT 'team'  -- 'team' (the sources' synonyms.csv) or 'lexicon' (shipped with Frontdesk)
);
CREATE INDEX synonyms_term ON synonyms(term);
CREATE TABLE vocabulary (
    word  TEXT PRIMARY KEY,             -- every word of the titles and passages, as written, lower case
    count INTEGER NOT NULL              -- passages it appears in (spelling suggestions prefer common words)
) WITHOUT ROWID;
CREATE TABLE answers (
    id        TEXT PRIMARY KEY,
    question  TEXT NOT NULL,
    answer    TEXT NOT NULL,
    doc_ids   TEXT NOT NULL DEFAULT '[]', -- JSON list of the documents it rests on
    approved  TEXT,                     -- ISO date the content team approved it
    owner     TEXT NOT NULL DEFAULT '',
    review_due TEXT                     -- ISO date
);
"""

REQUIRED_META = ("bundle_id", "title", "version", "schema_version", "created_at", "builder_version", "source_count")
