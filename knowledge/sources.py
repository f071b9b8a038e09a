"""Reading guidance sources into documents: Markdown with front matter, HTML pages, GOV.UK content JSON.

Every problem a content designer can fix raises SourceError naming the file (and the line, for
front matter) and the fix. Files Frontdesk does not read are warnings, not errors.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable

import yaml
from selectolax.lexbor import LexborHTMLParser as HTMLParser, LexborNode as Node

from knowledge.errors import SourceError
from knowledge.govspeak import house_markup_to_markdown
from knowledge.language import document_language
from knowledge.publishers import derived_url

GOVUK_HOST = "https://www.gov.uk"
DOCUMENT_SUFFIXES = {".md", ".markdown", ".html", ".htm", ".json"}
SPECIAL_FILES = {"synonyms.csv", "answers.yaml", "answers.yml"}
IGNORED_NAMES = {"readme.md", "license", "licence", ".ds_store"}


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """One guidance page, read from its source file, body as Markdown."""

    id: str
    title: str
    body: str
    source: str  # path relative to the folder it was found in
    url: str = ""
    summary: str = ""
    updated: date | None = None
    review_due: date | None = None
    owner: str = ""
    tags: tuple[str, ...] = ()
    lang: str = ""  # "en", "cy", ...; "" when nothing says and the text is too short to tell


@dataclass(frozen=True, slots=True)
class Synonym:
    term: str
    expansion: str
    origin: str = "team"  # "team" (a synonyms.csv among the sources) or "lexicon" (knowledge/synonyms.py)


@dataclass(frozen=True, slots=True)
class StandardAnswer:
    """An answer the content team wrote and approved for a frequent question (answers.yaml)."""

    id: str
    question: str
    answer: str
    doc_ids: tuple[str, ...] = ()
    approved: date | None = None  # when the content team approved it; drafts flag pages changed since
    owner: str = ""
    review_due: date | None = None


@dataclass(frozen=True, slots=True)
class ReadResult:
    documents: tuple[SourceDocument, ...]
    synonyms: tuple[Synonym, ...] = ()
    answers: tuple[StandardAnswer, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)


def slugify(text: str) -> str:
    """A stable, readable id: lower case, words joined by hyphens, path separators kept as '/'."""
    parts = [re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in re.split(r"[\\/]", text)]
    return "/".join(p for p in parts if p)


def collect_source_files(paths: Iterable[Path]) -> list[tuple[Path, Path]]:
    """Every (file, root) under the given files and folders, sorted so builds are deterministic."""
    found: list[tuple[Path, Path]] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise SourceError(f"{path}: no such file or folder. Check the path you gave to kb build.")
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not any(s.startswith(".") for s in p.relative_to(path).parts))
            if not files:
                raise SourceError(f"{path}: the folder is empty. Put Markdown, HTML or GOV.UK JSON files in it.")
            found += [(f, path) for f in files]
        else:
            found.append((path, path.parent))
    return found


def read_sources(paths: Iterable[Path], on_progress: Callable[[int, int, str], None] | None = None) -> ReadResult:
    """Read every source under `paths` into documents, synonyms and standard answers."""
    files = collect_source_files(paths)
    documents: list[SourceDocument] = []
    synonyms: list[Synonym] = []
    answers: list[StandardAnswer] = []
    warnings: list[str] = []
    for done, (file, root) in enumerate(files, start=1):
        relative = file.relative_to(root).as_posix() if file.is_relative_to(root) else file.name
        name = file.name.lower()
        if on_progress:
            on_progress(done, len(files), relative)
        if name == "synonyms.csv":
            synonyms += read_synonyms(file)
        elif name in ("answers.yaml", "answers.yml"):
            answers += read_answers(file)
        elif file.suffix.lower() in DOCUMENT_SUFFIXES and name not in IGNORED_NAMES:
            doc = read_document(file, relative, warnings.append)
            if doc.body.strip():
                documents.append(doc)
            else:  # a page that is only a heading over a form or a survey: nothing to search or cite
                warnings.append(f"{file}: left out, it has no text besides its title ({doc.title!r}).")
        elif name not in IGNORED_NAMES:
            warnings.append(f"{file}: skipped, not a Markdown, HTML or GOV.UK JSON file.")
    if not documents:
        shown = ", ".join(str(p) for p in paths)
        raise SourceError(f"{shown}: no guidance documents found. Add .md, .html or GOV.UK .json files.")
    ids: dict[str, str] = {}
    for doc in documents:
        if doc.id in ids:
            raise SourceError(
                f"{doc.source}: duplicate document id {doc.id!r}, also used by {ids[doc.id]}. "
                "Give one of them a different `id:` in its front matter."
            )
        ids[doc.id] = doc.source
    return ReadResult(tuple(documents), tuple(synonyms), tuple(answers), tuple(warnings))


def read_text(file: Path) -> str:
    """A source file's text; errors for binary, non-UTF-8 or empty files."""
    data = file.read_bytes()
    if not data.strip():
        raise SourceError(f"{file}: the file is empty. Add its content, or remove it from the sources.")
    if b"\x00" in data[:4096]:
        raise SourceError(f"{file}: this is a binary file, not text. Only Markdown, HTML and JSON can be built.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{file}: not UTF-8 text (byte {exc.start} cannot be read). Save the file as UTF-8 in your editor."
        ) from exc


def read_document(file: Path, relative: str, warn: Callable[[str], None] | None = None) -> SourceDocument:
    text = read_text(file)
    suffix = file.suffix.lower()
    if suffix in (".md", ".markdown"):
        return read_markdown(file, relative, text, warn)
    if suffix == ".json":
        return read_govuk_json(file, relative, text)
    return read_html_page(file, relative, text)


# --- Markdown -------------------------------------------------------------------------------

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def read_markdown(file: Path, relative: str, text: str, warn: Callable[[str], None] | None = None) -> SourceDocument:
    meta: dict = {}
    body = text
    match = FRONT_MATTER.match(text)
    if match:
        try:
            meta = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" line {mark.line + 2}" if mark else ""  # +1 for 0-based, +1 for the opening ---
            hint = getattr(exc, "problem", "") or str(exc)
            raise SourceError(
                f"{file}{line}: front matter is not valid YAML ({hint}). "
                "A value with a colon in it needs quotes, for example title: \"Universal Credit: eligibility\"."
            ) from exc
        if not isinstance(meta, dict):
            raise SourceError(f"{file} line 2: front matter must be `key: value` lines between two --- lines.")
        body = text[match.end():]
    elif text.lstrip().startswith("---"):
        raise SourceError(f"{file} line 1: front matter is not closed. Add a line with just --- after it.")
    lang = document_language(meta, relative, body)
    body = house_markup_to_markdown(html_blocks_to_markdown(body + tasks_section(meta, lang)))
    title = str(meta.get("title") or "").strip() or first_heading(body) or str(meta.get("label") or "").strip()
    if not title and not match:
        # A bare fragment (no front matter, no heading), as some sites keep their page parts: named
        # after its file, as static site generators do, and said so.
        title = file_title(file)
        if warn:
            warn(f"{file}: no title, so it is called {title!r} after its file name. Start it with a # heading to name it.")
    if not title:
        raise SourceError(f"{file}: no title. Add `title: ...` to the front matter, or start the text with a # heading.")
    body = strip_leading_title(body, title).strip()
    summary = str(meta.get("summary") or meta.get("description") or "").strip()
    if not body and summary:
        body = summary  # a page that is only a calculator or a form: its description is all the text it has
    return SourceDocument(
        id=str(meta.get("id") or slugify(str(Path(relative).with_suffix("")))),
        title=title,
        body=body,
        source=relative,
        url=str(meta.get("url") or "") or derived_url(file, meta, lang),
        summary=summary,
        updated=parse_date(meta.get("updated"), file, "updated"),
        review_due=parse_date(meta.get("review_due"), file, "review_due"),
        owner=str(meta.get("owner") or ""),
        tags=tuple(str(t) for t in (meta.get("tags") or [])) if isinstance(meta.get("tags"), list) else tuple(
            t.strip() for t in str(meta.get("tags") or "").split(",") if t.strip()
        ),
        lang=lang,
    )


TASK_HEADINGS = {"cy": ("Beth i'w wneud nawr", "Beth i'w wneud yn fuan")}


def tasks_section(meta: dict, lang: str) -> str:
    """Money Advice `tasks` (now / soon actions) as a closing section: what the page tells a person to do next."""
    tasks = meta.get("tasks")
    if not isinstance(tasks, dict):
        return ""
    headings = TASK_HEADINGS.get(lang, ("What to do now", "What to do soon"))
    sections = []
    for when, heading in zip(("now", "soon"), headings):
        items = tasks.get(when)
        actions = [str(v).strip() for v in (items.values() if isinstance(items, dict) else items or []) if str(v).strip()]
        if actions:
            sections.append(f"## {heading}\n\n" + "\n".join(f"- {a}" for a in actions))
    return "\n\n" + "\n\n".join(sections) if sections else ""


HTML_BLOCK_START = re.compile(r"^[ \t]*<(div|table|p|ul|ol|form|h[1-6]|section|blockquote|dl)\b", re.I)


def html_blocks_to_markdown(body: str) -> str:
    """Blocks of HTML inside Markdown (a table, a notice `<div>`) as Markdown; forms dropped.

    A block runs from a line opening one of these tags to the line that closes it, blank lines
    inside included (kramdown's rule for HTML blocks).
    """
    if "<" not in body:
        return body
    out: list[str] = []
    block: list[str] = []
    tag, depth = "", 0
    for line in body.splitlines():
        if not block:
            match = HTML_BLOCK_START.match(line)
            if not match:
                out.append(line)
                continue
            tag, depth = match.group(1).lower(), 0
        block.append(line)
        depth += len(re.findall(rf"<{tag}\b", line, re.I)) - len(re.findall(rf"</{tag}\s*>", line, re.I))
        if depth <= 0:
            html = "\n".join(block)
            out += ["", "" if tag == "form" else table_cells_tidied(html_to_markdown(html)), ""]
            block = []
    if block:
        out.append(table_cells_tidied(html_to_markdown("\n".join(block))))
    return "\n".join(out)


def table_cells_tidied(markdown: str) -> str:
    """A table whose cells hold lists and line breaks leaves lone `|` lines and a `|` after a cell's last line."""
    lines = [line for line in markdown.splitlines() if line.strip() != "|"]
    lines = [line[:-2].rstrip() if line.endswith(" |") and not line.lstrip().startswith("|") else line for line in lines]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


def file_title(file: Path) -> str:
    """'Print introduction' from print_introduction.cy.md."""
    stem = file.name.split(".")[0]
    words = re.sub(r"[_-]+", " ", stem).strip()
    return words[:1].upper() + words[1:]


def first_heading(body: str) -> str:
    match = re.search(r"^#\s+(.+?)\s*#*\s*$", body, re.M)
    return match.group(1).strip() if match else ""


def strip_leading_title(body: str, title: str) -> str:
    """Drop a leading `# Title` that repeats the title, so it is not a passage of its own."""
    stripped = body.lstrip()
    match = re.match(r"#\s+(.+?)[ \t]*(?:\n|\Z)", stripped)
    if match and match.group(1).strip().lower() == title.lower():
        return stripped[match.end():]
    return body


def parse_date(value, file: Path, key: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")).date()
    except ValueError as exc:
        raise SourceError(f"{file}: `{key}: {value}` is not a date. Write it as YYYY-MM-DD, for example 2025-03-31.") from exc


# --- HTML -----------------------------------------------------------------------------------

DROP_TAGS = ("script", "style", "nav", "header", "footer", "aside", "noscript", "form", "svg", "iframe", "template")


def read_html_page(file: Path, relative: str, text: str) -> SourceDocument:
    tree = HTMLParser(text)
    h1 = tree.css_first("h1")
    title_node = tree.css_first("title")
    title = (h1.text(strip=True) if h1 else "") or (title_node.text(strip=True) if title_node else "")
    if not title:
        raise SourceError(f"{file}: no title. Give the page a <title> or an <h1>.")
    main = tree.css_first("main") or tree.css_first("article") or tree.css_first("[role=main]") or tree.body
    body = html_to_markdown(main.html if main else text)
    body = strip_leading_title(body, title)
    meta = {m.attributes.get("name", "").lower(): m.attributes.get("content") or "" for m in tree.css("meta[name]")}
    canonical = tree.css_first("link[rel=canonical]")
    root = tree.css_first("html")
    return SourceDocument(
        id=slugify(str(Path(relative).with_suffix(""))),
        title=title,
        body=body,
        source=relative,
        url=canonical.attributes.get("href", "") if canonical else "",
        summary=meta.get("description", ""),
        updated=parse_date(meta.get("updated") or meta.get("dcterms.modified") or None, file, "updated"),
        lang=document_language({"lang": root.attributes.get("lang") if root else ""}, relative, body),
    )


BLOCK_TAGS = {"p", "div", "section", "article", "main", "blockquote", "pre", "table", "tr", "figure", "dl", "dt", "dd", "address", "details", "summary"}


def html_to_markdown(html: str) -> str:
    """Main content of an HTML fragment as simple Markdown: headings, paragraphs, list items, links."""
    tree = HTMLParser(html)
    for tag in DROP_TAGS:
        for node in tree.css(tag):
            node.decompose()
    root = tree.body or tree.root
    out: list[str] = []
    _walk(root, out)
    text = "".join(out)
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    # List items come out a paragraph apart; a list reads (and chunks) better as one block.
    text = re.sub(r"(?m)^(- .*)\n\n(?=- )", r"\1\n", text)
    text = re.sub(r"(?m)^(- .*)\n\n(?=- )", r"\1\n", text)
    return text.strip()


def _walk(node: Node | None, out: list[str]) -> None:
    child = node.child if node is not None else None
    while child is not None:
        tag = child.tag
        if tag == "-text":
            out.append((child.text_content or "").replace("\n", " "))
        elif tag and re.fullmatch(r"h[1-6]", tag):
            level = int(tag[1])
            out.append(f"\n\n{'#' * level} {child.text(strip=True, separator=' ')}\n\n")
        elif tag == "li":
            out.append("\n- ")
            _walk(child, out)
            out.append("\n")
        elif tag == "br":
            out.append("\n")
        elif tag in ("td", "th"):
            _walk(child, out)
            out.append(" | ")
        elif tag in BLOCK_TAGS or tag in ("ul", "ol"):
            out.append("\n\n")
            _walk(child, out)
            out.append("\n\n")
        elif tag == "a":
            _link(child, out)
        elif tag in ("-comment",):
            pass
        else:
            _walk(child, out)
        child = child.next


def _link(node: Node, out: list[str]) -> None:
    """A link as Markdown `[text](href)`: kept in the body so `kb validate` can check links between pages.

    In-page anchors, e-mail and phone links stay plain text; build.py strips every address from
    passages again, so a URL never matches a search for the page it points to.
    """
    inner: list[str] = []
    _walk(node, inner)
    text = "".join(inner)
    href = (node.attributes.get("href") or "").strip()
    label = re.sub(r"\s+", " ", text).strip().replace("[", "(").replace("]", ")")
    if not label or "\n" in text.strip() or not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        out.append(text)
        return
    # Spaces and brackets would end a Markdown link early.
    href = href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    out.append(f"{lead}[{label}]({href}){trail}")


# --- GOV.UK content items -------------------------------------------------------------------

# Where GOV.UK schemas keep page text besides details.body, in reading order: (field, heading it
# goes under, or "" to run on from the body). "summary" is only read when there is nothing else.
EXTRA_HTML_FIELDS = (
    ("introduction", ""), ("lead_paragraph", ""), ("roll_call_introduction", ""), ("need_to_know", "Need to know"),
    ("more_information", "More information"), ("outcome_detail", "Outcome"), ("final_outcome_detail", "Outcome"),
    ("public_feedback_detail", "Feedback received"),
)


def read_govuk_json(file: Path, relative: str, text: str) -> SourceDocument:
    try:
        item = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{file} line {exc.lineno}: not valid JSON ({exc.msg}). Re-export the content item.") from exc
    if not isinstance(item, dict) or not (item.get("base_path") or item.get("title")):
        raise SourceError(f"{file}: not a GOV.UK content item (no base_path or title). Export it from the Content API.")
    title = str(item.get("title") or "").strip()
    if not title:
        raise SourceError(f"{file}: the content item has no title. Re-export it, or remove it from the sources.")
    details = item.get("details") if isinstance(item.get("details"), dict) else {}
    base_path = str(item.get("base_path") or "")
    tags = [str(item["document_type"])] if item.get("document_type") else []
    withdrawn = item.get("withdrawn_notice") or {}
    if withdrawn.get("explanation") or withdrawn.get("withdrawn_at"):
        tags.append("withdrawn")
    return SourceDocument(
        id=slugify(base_path) or slugify(str(Path(relative).with_suffix(""))),
        title=title,
        body=govuk_body(item, details),
        source=relative,
        url=GOVUK_HOST + base_path if base_path else "",
        summary=str(item.get("description") or "").strip(),
        updated=parse_date(item.get("public_updated_at") or item.get("updated_at"), file, "public_updated_at"),
        owner=", ".join(o.get("title", "") for o in (item.get("links") or {}).get("primary_publishing_organisation", []) if isinstance(o, dict)),
        tags=tuple(tags),
        lang=document_language({"locale": item.get("locale")}, relative, f"{title}\n{item.get('description') or ''}"),
    )


def govuk_body(item: dict, details: dict) -> str:
    """A content item's page text as Markdown, from whichever fields its schema keeps it in."""
    sections: list[str] = []
    withdrawn = item.get("withdrawn_notice") or {}
    if withdrawn.get("explanation") or withdrawn.get("withdrawn_at"):
        # Staff must see this before they rely on the page, so it leads the first passage.
        when = str(withdrawn.get("withdrawn_at") or "")[:10]
        notice = html_to_markdown(html_field(withdrawn.get("explanation")))
        sections.append(f"This page was withdrawn{' on ' + when if when else ''}. {notice}".strip())
    sections.append(html_to_markdown(html_field(details.get("body"))))
    for key, heading in EXTRA_HTML_FIELDS:
        text = html_to_markdown(html_field(details.get(key)))
        sections.append(f"## {heading}\n\n{text}" if heading and text else text)
    casualties = [str(c) for c in details.get("casualties") or [] if c]
    if casualties:
        sections.append("\n".join(f"- {c}" for c in casualties))
    for part in details.get("parts") or []:
        if isinstance(part, dict):
            part_body = html_to_markdown(html_field(part.get("body")))
            sections.append(f"## {str(part.get('title') or '').strip()}\n\n{part_body}")
    sections.append(ways_to_respond(details.get("ways_to_respond")))
    sections += collection_groups(details.get("collection_groups"), (item.get("links") or {}).get("documents") or [])
    sections += manual_sections(details.get("child_section_groups"))
    if not any(s.strip() for s in sections):
        sections.append(html_to_markdown(html_field(details.get("summary"))))
    return "\n\n".join(s.strip() for s in sections if s.strip())


def ways_to_respond(ways) -> str:
    """A consultation's ways to respond (online, e-mail, post) as a section of its own."""
    if not isinstance(ways, dict):
        return ""
    lines = []
    if ways.get("link_url"):
        lines.append(f"- Respond online: [{ways['link_url']}]({ways['link_url']})")
    if ways.get("email"):
        lines.append(f"- Email: {ways['email']}")
    if ways.get("postal_address"):
        lines.append("- Write to: " + ", ".join(x.strip() for x in str(ways["postal_address"]).splitlines() if x.strip()))
    return "## Ways to respond\n\n" + "\n".join(lines) if lines else ""


def collection_groups(groups, linked: list) -> list[str]:
    """A document collection's groups: heading, description, and the titles of the pages in it."""
    by_id = {d.get("content_id"): d for d in linked if isinstance(d, dict)}
    sections = []
    for group in groups or []:
        if not isinstance(group, dict):
            continue
        lines = []
        for content_id in group.get("documents") or []:
            doc = by_id.get(content_id)
            if doc and doc.get("title"):
                address = GOVUK_HOST + doc["base_path"] if doc.get("base_path") else ""
                entry = f"[{doc['title']}]({address})" if address else doc["title"]
                lines.append(f"- {entry}" + (f": {doc['description'].strip()}" if doc.get("description") else ""))
        text = "\n\n".join(t for t in (html_to_markdown(html_field(group.get("body"))), "\n".join(lines)) if t)
        if text:
            sections.append(f"## {str(group.get('title') or 'Documents').strip()}\n\n{text}")
    return sections


def manual_sections(groups) -> list[str]:
    """A manual's contents: each section's title and description."""
    sections = []
    for group in groups or []:
        if not isinstance(group, dict):
            continue
        lines = [
            f"- [{s.get('title')}]({GOVUK_HOST + s['base_path'] if s.get('base_path') else ''})"
            + (f": {s['description'].strip()}" if s.get("description") else "")
            for s in group.get("child_sections") or [] if isinstance(s, dict) and s.get("title")
        ]
        if lines:
            sections.append(f"## {str(group.get('title') or 'Contents').strip()}\n\n" + "\n".join(lines))
    return sections


def html_field(value) -> str:
    """A details field as HTML: a string, or the text/html entry of a multi-type list."""
    if isinstance(value, str):
        return value if "<" in value else "".join(f"<p>{html.escape(p)}</p>" for p in value.split("\n\n"))
    if isinstance(value, list):
        for entry in value:
            if isinstance(entry, dict) and entry.get("content_type") == "text/html":
                return str(entry.get("content") or "")
        for entry in value:
            if isinstance(entry, dict) and entry.get("content"):
                return str(entry["content"])
    return ""


# --- Synonyms and standard answers ----------------------------------------------------------

def read_synonyms(file: Path) -> list[Synonym]:
    rows = list(csv.reader(io.StringIO(read_text(file))))
    if not rows or [c.strip().lower() for c in rows[0][:2]] != ["term", "expansion"]:
        raise SourceError(f"{file} line 1: the first line must be the header `term,expansion`.")
    found = []
    for line, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise SourceError(f"{file} line {line}: each line needs a term and its expansion, separated by a comma.")
        found.append(Synonym(row[0].strip().lower(), row[1].strip().lower()))
    return found


def read_answers(file: Path) -> list[StandardAnswer]:
    try:
        data = yaml.safe_load(read_text(file)) or []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise SourceError(f"{file}{line}: not valid YAML. Check the indentation and quote text that has a colon.") from exc
    if not isinstance(data, list):
        raise SourceError(f"{file}: should be a list of answers, each with id, question, answer, doc_ids and approved.")
    answers = []
    seen: set[str] = set()
    for n, entry in enumerate(data, start=1):
        if not isinstance(entry, dict) or not all(entry.get(k) for k in ("id", "question", "answer")):
            raise SourceError(f"{file}: answer {n} needs an id, a question and an answer.")
        answer_id = str(entry["id"])
        if answer_id in seen:
            raise SourceError(f"{file}: answer {n}: the id {answer_id!r} is used twice. Give each answer its own id.")
        seen.add(answer_id)
        doc_ids = entry.get("doc_ids") or ()
        if isinstance(doc_ids, str) or not isinstance(doc_ids, (list, tuple)):
            raise SourceError(f"{file}: answer {answer_id!r}: doc_ids must be a list, e.g. [uc-payments, uc-advances].")
        where = f"answer {answer_id!r} in {file.name}"
        answers.append(StandardAnswer(
            answer_id, str(entry["question"]).strip(), str(entry["answer"]).strip(), tuple(map(str, doc_ids)),
            approved=parse_date(entry.get("approved"), file, f"approved ({where})"),
            owner=str(entry.get("owner") or ""),
            review_due=parse_date(entry.get("review_due"), file, f"review_due ({where})"),
        ))
    return answers
